/**
 * AWS field validators and `k8tre:aws` (account, region, deployer role). Every message
 * completes "expected ..." like the rest of the schema (config/schema/fields.ts).
 */
import { z } from "zod";
import { AWS_REGION_NAMES, AWS_REGIONS } from "../aws-regions";
import { closest } from "../suggest";

/** A region from config/aws-regions.ts, with a "did you mean" hint for near misses. */
export const awsRegion = (what: string) =>
  z.string({ error: `${what} as an AWS region code such as eu-west-2` }).superRefine((value, ctx) => {
    if (value in AWS_REGIONS) return;
    const hint = closest(value, AWS_REGION_NAMES);
    ctx.addIssue({
      code: "custom",
      input: value,
      message: `${what} as an AWS region code such as eu-west-2${hint ? ` (did you mean ${hint}?)` : ""}; known regions: config/aws-regions.ts`,
    });
  }).describe(`${what} (AWS region code)`);

/** Account IDs are 12 digits; YAML turns an unquoted 0123… into a number, so say to quote it. */
export const awsAccountId = (what: string) =>
  z
    .string({ error: `${what} as a 12-digit AWS account ID in quotes, e.g. "123456789012"` })
    .regex(/^\d{12}$/, `${what} as a 12-digit AWS account ID in quotes, e.g. "123456789012"`)
    .describe(`${what} (12-digit AWS account ID)`);

export interface ArnShape {
  /** Service namespace, e.g. iam, kms, sso. */
  readonly service: string;
  /** The resource part after the account, e.g. /^role\/.../ */
  readonly resource: RegExp;
  /** Whether the ARN has a region (IAM ARNs do not). */
  readonly regional: boolean;
  readonly example: string;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` (docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). */
export const ARN = /^arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(.+)$/;

export function parseArn(arn: string): { partition: string; service: string; region: string; account: string; resource: string } | undefined {
  const m = ARN.exec(arn);
  return m ? { partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5] } : undefined;
}

/** IAM role name rules: 1-64 of `\w+=,.@-`, optional path (docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html). */
export const IAM_ROLE_RESOURCE = /^role(\/[\x21-\x7e]+)*\/[\w+=,.@-]{1,64}$/;

export const ROLE_ARN: ArnShape = { service: "iam", resource: IAM_ROLE_RESOURCE, regional: false, example: "arn:aws:iam::123456789012:role/k8tre-deployer" };

export const arn = (what: string, shape: ArnShape) =>
  z.string({ error: `${what} as an ARN such as ${shape.example}` }).superRefine((value, ctx) => {
    const p = parseArn(value);
    const ok =
      p !== undefined &&
      p.service === shape.service &&
      /^\d{12}$/.test(p.account) &&
      (shape.regional ? p.region in AWS_REGIONS : p.region === "") &&
      shape.resource.test(p.resource);
    if (!ok) ctx.addIssue({ code: "custom", input: value, message: `${what} as an ARN such as ${shape.example}` });
  }).describe(`${what} (ARN)`);

/**
 * EC2 instance types by pattern: family (letters and digits, optional `-flex`-style suffix),
 * a dot, a size (nano … 48xlarge, metal, metal-24xl). docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html
 */
export const INSTANCE_TYPE = /^(?=[^.]*\d)[a-z][a-z0-9]*(-[a-z0-9]+)*\.(nano|micro|small|medium|large|\d*xlarge|metal(-\d+xl)?)$/;

export const instanceType = (what: string) =>
  z.string({ error: `${what} as an EC2 instance type such as m7i.2xlarge` }).regex(INSTANCE_TYPE, `${what} as an EC2 instance type such as m7i.2xlarge (family.size)`);

/** AWS tag rules (docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions). */
export const AWS_TAG_KEY = /^(?![aA][wW][sS]:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const AWS_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** `k8tre:aws`: where an AWS stack deploys, and as whom. */
export const aws = z.strictObject({
  region: awsRegion("the AWS region of the stack's resources"),
  accountId: awsAccountId("the AWS account the stack deploys into")
    .describe("The provider refuses to run with credentials of any other account (allowedAccountIds), so a wrong profile fails before it changes anything."),
  assumeRoleArn: arn("the IAM role the deployer assumes", ROLE_ARN).optional()
    .describe("Role in the target account the provider assumes (e.g. the CI runner's deploy role); default: the ambient credentials."),
  externalId: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, "an external ID of 2-1224 characters (letters, digits, +=,.@:/-)").optional()
    .describe("sts:ExternalId for the assumed role, when its trust policy requires one."),
});

export type AwsConfig = z.infer<typeof aws>;
