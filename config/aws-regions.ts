/**
 * AWS regions K8TRE can deploy to, their partition (for ARNs) and the short code used in
 * names. The list is the commercial, China and GovCloud regions of the `Region` enum shipped
 * with the AWS provider this program pins (@pulumi/aws 7.48.0, `types/enums` `Region`), checked
 * against https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html.
 * ISO (air-gapped) and sovereign-cloud regions are left out: their partitions need endpoints
 * this program does not configure. A region added by AWS later is rejected until it is added here.
 */
export type AwsPartition = "aws" | "aws-cn" | "aws-us-gov";

export interface AwsRegionInfo {
  readonly partition: AwsPartition;
  /** Short code for names: area + direction initials + number (eu-west-2 → euw2). */
  readonly code: string;
}

const COMMERCIAL = [
  "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
  "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
  "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
  "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
] as const;
const CHINA = ["cn-north-1", "cn-northwest-1"] as const;
const GOVCLOUD = ["us-gov-east-1", "us-gov-west-1"] as const;

const DIRECTION: Record<string, string> = {
  north: "n", south: "s", east: "e", west: "w", central: "c", northeast: "ne", northwest: "nw", southeast: "se", southwest: "sw", gov: "g",
};

/** `eu-west-2` → `euw2`, `ap-southeast-2` → `apse2`, `us-gov-west-1` → `usgw1`. */
export function awsRegionCode(region: string): string {
  const parts = region.split("-");
  const number = parts.pop()!;
  const area = parts.shift()!;
  return `${area}${parts.map((p) => DIRECTION[p] ?? p[0]).join("")}${number}`;
}

export const AWS_REGIONS: Readonly<Record<string, AwsRegionInfo>> = Object.fromEntries([
  ...COMMERCIAL.map((r) => [r, { partition: "aws", code: awsRegionCode(r) }] as const),
  ...CHINA.map((r) => [r, { partition: "aws-cn", code: awsRegionCode(r) }] as const),
  ...GOVCLOUD.map((r) => [r, { partition: "aws-us-gov", code: awsRegionCode(r) }] as const),
]);

export const AWS_REGION_NAMES: readonly string[] = Object.keys(AWS_REGIONS);

/** The DNS suffix of service endpoints in a partition (VPC endpoint service names use the reverse). */
export function partitionDnsSuffix(partition: AwsPartition): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}
