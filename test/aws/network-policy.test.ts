/**
 * The AWS rules of the policy pack (policy/aws.ts): each one rejects the shape an auditor would
 * flag and accepts the shape our components register; the shipped AWS network plan passes them.
 */
import { AWS_TYPES, awsRules } from "../../policy/aws";
import { normalizeResource, type PolicyResource, ruleByName, rules, type RuleContext } from "../../policy/rules";
import { evaluatePlan } from "../../tools/synth/policy";
import { synthShipped } from "../helpers/synth";

const ctx: RuleContext = { engine: "crossguard", notEvaluable: (reason) => { throw new Error(reason); } };

function check(policy: string, type: string, inputs: Record<string, any>, protect = true): string[] {
  const r: PolicyResource = normalizeResource({ type, name: "r", urn: `urn:pulumi:aws-network::k8tre::${type}::r`, inputs, protect });
  return ruleByName(policy).check(r, ctx);
}

it("are part of the pack, each with a baseline control", () => {
  for (const r of awsRules) {
    expect(rules).toContain(r);
    expect(r.baseline).toMatch(/Security Hub|CIS AWS|SATRE/);
  }
});

describe("aws-vpc-flow-logs", () => {
  const good = { vpcId: "vpc-1", trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: "arn:aws:logs:eu-west-2:1:log-group:x", iamRoleArn: "arn:aws:iam::1:role/x" };
  it("accepts a flow log of all traffic to a destination", () => expect(check("aws-vpc-flow-logs", AWS_TYPES.flowLog, good)).toEqual([]));
  it("rejects rejected-only capture and a missing destination", () => {
    const { logDestination: _d, ...noDest } = good;
    expect(check("aws-vpc-flow-logs", AWS_TYPES.flowLog, { ...noDest, trafficType: "REJECT" })).toEqual([
      'trafficType must be "ALL" (found "REJECT"): rejected and accepted traffic are both evidence',
      "logDestination must name the log group or bucket the records go to",
    ]);
  });
});

describe("aws-default-security-group-closed", () => {
  it("accepts the adopted default group without rules", () => expect(check("aws-default-security-group-closed", AWS_TYPES.defaultSecurityGroup, { vpcId: "vpc-1" })).toEqual([]));
  it("rejects any rule", () => {
    expect(check("aws-default-security-group-closed", AWS_TYPES.defaultSecurityGroup, { vpcId: "vpc-1", ingress: [{ self: true, protocol: "-1", fromPort: 0, toPort: 0 }], egress: [{ cidrBlocks: ["0.0.0.0/0"] }] })).toEqual([
      "ingress must be empty (found 1 rules)",
      "egress must be empty (found 1 rules)",
    ]);
  });
});

describe("aws-vpc-endpoint-private-dns", () => {
  const iface = { vpcEndpointType: "Interface", serviceName: "com.amazonaws.eu-west-2.sts", privateDnsEnabled: true, securityGroupIds: ["sg-1"] };
  it("accepts an interface endpoint with private DNS and a security group, and ignores gateway endpoints", () => {
    expect(check("aws-vpc-endpoint-private-dns", AWS_TYPES.vpcEndpoint, iface)).toEqual([]);
    expect(check("aws-vpc-endpoint-private-dns", AWS_TYPES.vpcEndpoint, { vpcEndpointType: "Gateway", serviceName: "com.amazonaws.eu-west-2.s3" })).toEqual([]);
  });
  it("rejects private DNS off and no security group", () => {
    expect(check("aws-vpc-endpoint-private-dns", AWS_TYPES.vpcEndpoint, { ...iface, privateDnsEnabled: false, securityGroupIds: [] })).toHaveLength(2);
  });
});

describe("aws-log-group-encrypted-retained", () => {
  it("accepts a CMK-encrypted group kept a year, or forever", () => {
    expect(check("aws-log-group-encrypted-retained", AWS_TYPES.logGroup, { kmsKeyId: "arn:aws:kms:eu-west-2:1:key/k", retentionInDays: 365 })).toEqual([]);
    expect(check("aws-log-group-encrypted-retained", AWS_TYPES.logGroup, { kmsKeyId: "arn:aws:kms:eu-west-2:1:key/k", retentionInDays: 0 })).toEqual([]);
  });
  it("rejects k8tre-aws's control-plane log group (no CMK, 90 days)", () => {
    expect(check("aws-log-group-encrypted-retained", AWS_TYPES.logGroup, { retentionInDays: 90 })).toEqual([
      "kmsKeyId must name a customer-managed KMS key",
      "retentionInDays must be at least 365 or 0 (never expire) (found 90)",
    ]);
  });
});

describe("aws-kms-key-rotation", () => {
  it("requires rotation on symmetric keys only", () => {
    expect(check("aws-kms-key-rotation", AWS_TYPES.kmsKey, { enableKeyRotation: true })).toEqual([]);
    expect(check("aws-kms-key-rotation", AWS_TYPES.kmsKey, {})).toEqual(["enableKeyRotation must be true (found unset)"]);
    expect(check("aws-kms-key-rotation", AWS_TYPES.kmsKey, { customerMasterKeySpec: "RSA_2048" })).toEqual([]);
  });
});

describe("aws-subnet-no-auto-public-ip", () => {
  it("rejects subnets that hand out public IPs", () => {
    expect(check("aws-subnet-no-auto-public-ip", AWS_TYPES.subnet, { mapPublicIpOnLaunch: false })).toEqual([]);
    expect(check("aws-subnet-no-auto-public-ip", AWS_TYPES.subnet, { mapPublicIpOnLaunch: true })).toEqual(["mapPublicIpOnLaunch must not be true"]);
  });
});

describe("aws-security-group-no-internet-ingress", () => {
  it("rejects ingress from 0.0.0.0/0 or ::/0, as a rule resource or inline", () => {
    expect(check("aws-security-group-no-internet-ingress", AWS_TYPES.ingressRule, { cidrIpv4: "10.0.0.0/16", fromPort: 443, toPort: 443, ipProtocol: "tcp" })).toEqual([]);
    expect(check("aws-security-group-no-internet-ingress", AWS_TYPES.ingressRule, { cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22, ipProtocol: "tcp" })).toEqual([
      'ingress from 0.0.0.0/0 (port 22-22, "tcp"): allow named networks or security groups only',
    ]);
    expect(check("aws-security-group-no-internet-ingress", AWS_TYPES.securityGroup, { ingress: [{ fromPort: 443, toPort: 443, protocol: "tcp", ipv6CidrBlocks: ["::/0"] }] })).toHaveLength(1);
  });
});

describe("aws-dns-firewall-fail-closed", () => {
  it("requires firewallFailOpen DISABLED", () => {
    expect(check("aws-dns-firewall-fail-closed", AWS_TYPES.firewallConfig, { resourceId: "vpc-1", firewallFailOpen: "DISABLED" })).toEqual([]);
    expect(check("aws-dns-firewall-fail-closed", AWS_TYPES.firewallConfig, { resourceId: "vpc-1", firewallFailOpen: "ENABLED" })).toEqual(['firewallFailOpen must be "DISABLED" (found "ENABLED")']);
    expect(check("aws-dns-firewall-fail-closed", AWS_TYPES.firewallConfig, { resourceId: "vpc-1" })).toHaveLength(1);
  });
});

describe("aws-protect-stateful-resources", () => {
  it("requires protect on keys, zones and log groups", () => {
    for (const t of [AWS_TYPES.kmsKey, AWS_TYPES.zone, AWS_TYPES.logGroup]) {
      expect(check("aws-protect-stateful-resources", t, {}, true)).toEqual([]);
      expect(check("aws-protect-stateful-resources", t, {}, false)).toEqual(["the resource must have the `protect: true` resource option"]);
    }
  });
});

/** The rules that apply to the network stack's resources (cluster rules are tested with the cluster stacks). */
const NETWORK_RULES = [
  "aws-vpc-flow-logs", "aws-default-security-group-closed", "aws-vpc-endpoint-private-dns", "aws-log-group-encrypted-retained", "aws-kms-key-rotation",
  "aws-subnet-no-auto-public-ip", "aws-security-group-no-internet-ingress", "aws-dns-firewall-fail-closed", "aws-protect-stateful-resources",
];

it("the shipped AWS network plan passes every rule, and each network rule checks something in it", async () => {
  const plan = await synthShipped("aws-network");
  const report = evaluatePlan(plan);
  expect(report.violations).toEqual([]);
  for (const r of NETWORK_RULES.map(ruleByName)) expect({ rule: r.name, status: report.policies.find((p) => p.name === r.name)?.status }).toEqual({ rule: r.name, status: "passed" });
});
