/**
 * Fakes shared by every AWS stack: the caller identity, region, partition and availability zones
 * the provider would report for the account and region in `k8tre:aws`, and helpers for ARNs and
 * AWS-style IDs (`vpc-0123…`). Area fakes live next to this file (aws-network.ts, …).
 */
import type * as pulumi from "@pulumi/pulumi";
import { AWS_REGIONS } from "../../../config/aws-regions";
import { type FakeContext, fakeGuid, registerCallFake, registerResourceFake } from "../fakes";

export interface FakeAws {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

/** The account and region of the stack's `k8tre:aws` (fallbacks keep a fake usable in isolation). */
export function awsOf(ctx: FakeContext): FakeAws {
  const raw = ctx.config["k8tre:aws"];
  let a: { region?: string; accountId?: string } = {};
  if (typeof raw === "string") {
    try {
      a = JSON.parse(raw);
    } catch {
      a = {};
    }
  } else if (raw && typeof raw === "object") a = raw as typeof a;
  const region = a.region ?? "eu-west-2";
  return { region, accountId: String(a.accountId ?? "000000000000"), partition: AWS_REGIONS[region]?.partition ?? "aws" };
}

/** A stable AWS-style resource ID: `<prefix>-` + 17 hex digits (vpc-, subnet-, sg-, …). */
export function awsId(prefix: string, ...parts: string[]): string {
  return `${prefix}-${fakeGuid("aws", prefix, ...parts).replace(/-/g, "").slice(0, 17)}`;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>`; pass region "" for global services. */
export function arnOf(ctx: FakeContext, service: string, resource: string, region?: string): string {
  const a = awsOf(ctx);
  return `arn:${a.partition}:${service}:${region ?? a.region}:${a.accountId}:${resource}`;
}

/** Provider default tags merged under a resource's own tags, as the provider reports `tagsAll`. */
export function tagsAll(args: pulumi.runtime.MockResourceArgs): Record<string, string> {
  return { ...((args.inputs.tags as Record<string, string> | undefined) ?? {}) };
}

registerCallFake("aws:index/getCallerIdentity:getCallerIdentity", (_args, ctx) => {
  const a = awsOf(ctx);
  return { accountId: a.accountId, arn: `arn:${a.partition}:sts::${a.accountId}:assumed-role/k8tre-deployer/offline-synth`, userId: "AROAOFFLINESYNTH:offline-synth", id: a.accountId };
});

registerCallFake("aws:index/getRegion:getRegion", (_args, ctx) => {
  const a = awsOf(ctx);
  return { id: a.region, region: a.region, name: a.region, description: a.region, endpoint: `ec2.${a.region}.amazonaws.com` };
});

registerCallFake("aws:index/getPartition:getPartition", (_args, ctx) => {
  const a = awsOf(ctx);
  return { id: a.partition, partition: a.partition, dnsSuffix: a.partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com", reverseDnsPrefix: a.partition === "aws-cn" ? "cn.com.amazonaws" : "com.amazonaws" };
});

/** Three opted-in zones a, b, c (a real region has two to six; zone IDs follow AWS's <code>-az<n> form). */
registerCallFake("aws:index/getAvailabilityZones:getAvailabilityZones", (_args, ctx) => {
  const a = awsOf(ctx);
  const code = AWS_REGIONS[a.region]?.code ?? "euw2";
  const letters = ["a", "b", "c"];
  return {
    id: a.region,
    names: letters.map((l) => `${a.region}${l}`),
    zoneIds: letters.map((_, i) => `${code}-az${i + 1}`),
    groupNames: letters.map(() => a.region),
    state: "available",
  };
});

// Resources every AWS stack uses (network and cluster stacks alike): IAM roles and policies,
// KMS keys, log groups, security groups and their rules.

registerResourceFake("aws:iam/role:Role", (args, ctx) => {
  const name = String(args.inputs.name ?? args.name);
  const path = String(args.inputs.path ?? "/");
  return { id: name, state: { name, arn: arnOf(ctx, "iam", `role${path}${name}`, ""), uniqueId: `AROA${awsId("r", ctx.stack, name).slice(2, 19).toUpperCase()}`, tagsAll: tagsAll(args) } };
});
registerResourceFake("aws:iam/rolePolicy:RolePolicy", (args) => ({ id: `${String(args.inputs.role ?? "role")}:${String(args.inputs.name ?? args.name)}`, state: { name: String(args.inputs.name ?? args.name) } }));
registerResourceFake("aws:iam/policy:Policy", (args, ctx) => {
  const name = String(args.inputs.name ?? args.name);
  const arn = arnOf(ctx, "iam", `policy/${name}`, "");
  return { id: arn, state: { name, arn, policyId: `ANPA${awsId("p", ctx.stack, name).slice(2, 19).toUpperCase()}`, tagsAll: tagsAll(args) } };
});
registerResourceFake("aws:iam/rolePolicyAttachment:RolePolicyAttachment", (args) => ({ id: `${String(args.inputs.role ?? "role")}-${args.name}`, state: {} }));

registerResourceFake("aws:kms/key:Key", (args, ctx) => {
  const keyId = fakeGuid("kms", ctx.stack, args.name);
  return { id: keyId, state: { keyId, arn: arnOf(ctx, "kms", `key/${keyId}`), tagsAll: tagsAll(args) } };
});
registerResourceFake("aws:kms/alias:Alias", (args, ctx) => {
  const name = String(args.inputs.name ?? args.name);
  return { id: name, state: { name, arn: arnOf(ctx, "kms", name), targetKeyArn: arnOf(ctx, "kms", `key/${String(args.inputs.targetKeyId ?? "")}`) } };
});

registerResourceFake("aws:cloudwatch/logGroup:LogGroup", (args, ctx) => {
  const name = String(args.inputs.name ?? args.name);
  return { id: name, state: { name, arn: arnOf(ctx, "logs", `log-group:${name}`), tagsAll: tagsAll(args) } };
});

registerResourceFake("aws:ec2/securityGroup:SecurityGroup", (args, ctx) => {
  const id = awsId("sg", ctx.stack, args.name);
  return { id, state: { arn: arnOf(ctx, "ec2", `security-group/${id}`), ownerId: awsOf(ctx).accountId, tagsAll: tagsAll(args) } };
});
for (const t of ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"]) {
  registerResourceFake(t, (args, ctx) => {
    const id = awsId("sgr", ctx.stack, args.name);
    return { id, state: { securityGroupRuleId: id, arn: arnOf(ctx, "ec2", `security-group-rule/${id}`) } };
  });
}
