/**
 * Physical names of AWS resources: `<prefix>-<environment>[-<purpose>]` for names scoped to a
 * region of one account (VPC objects, EKS clusters, log groups), with the region code added for
 * names that are global to the account (IAM roles) and a stable suffix for names that are global
 * to all of AWS (S3 buckets): a hash of account, region, prefix and environment, so the same
 * inputs always give the same names and another adopter's account never collides.
 * Pure: no Pulumi, no I/O. Rules cite the AWS API references.
 */
import { AWS_REGIONS } from "./aws-regions";
import { type NameRule, uniqueSuffix } from "./naming";

export const AWS_RULES = {
  /** docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (hyphens only: no dots, so TLS wildcard certificates match). */
  s3Bucket: { min: 3, max: 63, pattern: /^(?!xn--|sthree-)[a-z0-9][a-z0-9-]*[a-z0-9](?<!-s3alias|--ol-s3)$/, describe: "3-63 lower-case letters, digits and hyphens" },
  /** docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html */
  iamRole: { min: 1, max: 64, pattern: /^[\w+=,.@-]+$/, describe: "1-64 letters, digits and +=,.@_-" },
  /** docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html */
  eksCluster: { min: 1, max: 100, pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/, describe: "1-100 letters, digits, - and _, starting with a letter or digit" },
  /** docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html */
  logGroup: { min: 1, max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/, describe: "1-512 letters, digits and ._-/#" },
  /** docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html */
  kmsAlias: { min: 7, max: 256, pattern: /^alias\/(?!aws\/)[a-zA-Z0-9/_-]+$/, describe: "alias/ followed by letters, digits, /_- (not alias/aws/)" },
  /** docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_CreateResolverEndpoint.html (Name: 64). */
  resolver: { min: 1, max: 64, pattern: /^(?!^[0-9]+$)[\w -]+$/, describe: "1-64 letters, digits, spaces, - and _" },
  /** EC2 security group names: 255 characters, not starting with sg- (docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html). */
  securityGroup: { min: 1, max: 255, pattern: /^(?!sg-)[\w .:/()#,@[\]+=&;{}!$*-]+$/, describe: "1-255 characters, not starting with sg-" },
  /** `Name` tags and other free-form names. */
  generic: { min: 1, max: 255, pattern: /^[a-zA-Z0-9][-\w.]*$/, describe: "1-255 letters, digits, -, _ and ." },
} satisfies Record<string, NameRule>;

export type AwsNameKind = keyof typeof AWS_RULES;

export class AwsNameError extends Error {
  constructor(readonly kind: AwsNameKind, readonly value: string, readonly rule: NameRule) {
    super(`${kind} name "${value}" is ${value.length} characters; AWS allows ${rule.describe}`);
  }
}

export function checkAws(kind: AwsNameKind, value: string): string {
  const rule: NameRule = AWS_RULES[kind];
  if (value.length < rule.min || value.length > rule.max || !rule.pattern.test(value)) throw new AwsNameError(kind, value, rule);
  return value;
}

export interface AwsNamingInput {
  readonly prefix: string;
  readonly environment: string;
  readonly region: string;
  readonly accountId: string;
}

export class AwsNaming {
  /** Region code, e.g. euw2. */
  readonly region: string;
  /** Stable 6-character suffix of globally unique names. */
  readonly suffix: string;

  constructor(readonly input: AwsNamingInput) {
    const info = AWS_REGIONS[input.region];
    if (!info) throw new Error(`unknown AWS region "${input.region}"`);
    this.region = info.code;
    this.suffix = uniqueSuffix(input.accountId, input.region, input.prefix, input.environment);
  }

  /** The same naming for another environment of the same account and region. */
  forEnvironment(environment: string): AwsNaming {
    return new AwsNaming({ ...this.input, environment });
  }

  /** `<prefix>-<env>[-<purpose>]`, e.g. `k8tre-net-vpc`, `k8tre-dev-nodes`. */
  resource(purpose?: string, kind: AwsNameKind = "generic"): string {
    return checkAws(kind, [this.input.prefix, this.input.environment, purpose].filter(Boolean).join("-"));
  }

  /** The EKS cluster of this environment: `<prefix>-<env>` (k8tre-aws's `k8tre-dev`). */
  eksCluster(): string {
    return this.resource(undefined, "eksCluster");
  }

  /** IAM names are global to the account: `<prefix>-<env>-<region>-<purpose>`. */
  iamRole(purpose: string): string {
    return checkAws("iamRole", `${this.input.prefix}-${this.input.environment}-${this.region}-${purpose}`);
  }

  /** Globally unique: `<prefix>-<env>-<region>-<purpose>-<suffix>`. */
  s3Bucket(purpose: string): string {
    return checkAws("s3Bucket", `${this.input.prefix}-${this.input.environment}-${this.region}-${purpose}-${this.suffix}`);
  }

  /** `/k8tre/<prefix>-<env>/<purpose>` (AWS services use `/aws/...`; ours stay apart). */
  logGroup(purpose: string): string {
    return checkAws("logGroup", `/k8tre/${this.input.prefix}-${this.input.environment}/${purpose}`);
  }

  /** `alias/<prefix>-<env>/<purpose>` (k8tre-aws's `alias/<name>/default-storage` style). */
  kmsAlias(purpose: string): string {
    return checkAws("kmsAlias", `alias/${this.input.prefix}-${this.input.environment}/${purpose}`);
  }
}
