/**
 * `k8tre:aws` and the AWS validators: bad input is rejected before any resource, naming the
 * key, the value and what is expected (with a "did you mean" where a near miss is likely).
 */
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { AwsNaming } from "../../config/naming-aws";
import { awsRegionCode, AWS_REGIONS } from "../../config/aws-regions";
import { INSTANCE_TYPE } from "../../config/schema/aws";
import { readProject } from "../../config/project";
import { PROJECT_DIR } from "../helpers/synth";

/** A minimal AWS stack; the kind under test is added by each case. */
function base(kind = "network"): Record<string, any> {
  return {
    "k8tre:kind": kind,
    "k8tre:platform": "aws",
    "k8tre:prefix": "k8tre",
    "k8tre:environment": "net",
    "k8tre:domain": "example.org",
    "k8tre:aws": { region: "eu-west-2", accountId: "123456789012" },
  };
}

function problems(raw: Record<string, any>): string[] {
  try {
    loadStackConfig(raw, { stack: "aws-test" });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) => `${i.key}: ${JSON.stringify(i.value)} → ${i.expected}`);
  }
  return [];
}

const withAws = (patch: Record<string, unknown>) => ({ ...base(), "k8tre:aws": { ...base()["k8tre:aws"], ...patch } });
const awsProblems = (raw: Record<string, any>) => problems(raw).filter((p) => !p.startsWith("k8tre:kind") && !p.startsWith("k8tre:vpc"));

describe("k8tre:aws", () => {
  it("is required on every AWS stack", () => {
    const raw = base();
    delete raw["k8tre:aws"];
    expect(problems(raw)).toContainEqual(expect.stringMatching(/^k8tre:aws: undefined → a value: required for a network stack — AWS account, region and deployer role/));
  });

  it("is refused on Azure and k3s stacks", () => {
    expect(problems({ ...base(), "k8tre:platform": "k3s", "k8tre:kind": "environment" })).toContainEqual(
      expect.stringMatching(/^k8tre:aws: .* → no value: this key is not used by a environment stack on k3s \(used by every kind on aws\)/),
    );
  });

  it("rejects an unknown region with a did-you-mean hint", () => {
    expect(awsProblems(withAws({ region: "eu-west2" }))).toEqual([
      'k8tre:aws.region: "eu-west2" → the AWS region of the stack\'s resources as an AWS region code such as eu-west-2 (did you mean eu-west-2?); known regions: config/aws-regions.ts',
    ]);
    expect(awsProblems(withAws({ region: "uksouth" }))[0]).toMatch(/^k8tre:aws.region: "uksouth" → .*AWS region code such as eu-west-2; known regions/);
  });

  it("rejects an account ID that is not 12 digits, and says to quote it (YAML drops leading zeros)", () => {
    expect(awsProblems(withAws({ accountId: 12345678901 }))).toEqual([
      'k8tre:aws.accountId: 12345678901 → the AWS account the stack deploys into as a 12-digit AWS account ID in quotes, e.g. "123456789012"',
    ]);
    expect(awsProblems(withAws({ accountId: "12345678901a" }))).toHaveLength(1);
  });

  it("rejects a malformed deployer role ARN", () => {
    for (const bad of ["k8tre-deployer", "arn:aws:iam::123456789012:user/alice", "arn:aws:iam:eu-west-2:123456789012:role/x", "arn:aws:sts::123456789012:role/x"]) {
      expect(awsProblems(withAws({ assumeRoleArn: bad }))).toEqual([
        `k8tre:aws.assumeRoleArn: ${JSON.stringify(bad)} → the IAM role the deployer assumes as an ARN such as arn:aws:iam::123456789012:role/k8tre-deployer`,
      ]);
    }
    expect(awsProblems(withAws({ assumeRoleArn: "arn:aws:iam::123456789012:role/ci/k8tre-deployer" }))).toEqual([]);
  });

  it("rejects a deployer role in another account or partition (allowedAccountIds would refuse it)", () => {
    expect(awsProblems(withAws({ assumeRoleArn: "arn:aws:iam::210987654321:role/k8tre-deployer" }))).toEqual([
      "k8tre:aws.assumeRoleArn: \"arn:aws:iam::210987654321:role/k8tre-deployer\" → a role in the stack's account k8tre:aws.accountId (123456789012)",
    ]);
    expect(awsProblems(withAws({ region: "cn-north-1", assumeRoleArn: "arn:aws:iam::123456789012:role/k8tre-deployer" }))).toEqual([
      'k8tre:aws.assumeRoleArn: "arn:aws:iam::123456789012:role/k8tre-deployer" → an ARN in partition aws-cn (the partition of region cn-north-1)',
    ]);
  });

  it("rejects unknown keys with a hint", () => {
    expect(awsProblems(withAws({ acountId: "123456789012" }))).toContainEqual('k8tre:aws.acountId: "123456789012" → no such key here (did you mean accountId?)');
  });

  it("checks k8tre:tags against AWS tag rules", () => {
    expect(awsProblems({ ...base(), "k8tre:tags": { "aws:owner": "x" } })).toEqual([
      'k8tre:tags.aws:owner: "aws:owner" → an AWS tag key: 1-128 letters, digits, spaces and _.:/=+-@, not starting with aws:',
    ]);
    expect(awsProblems({ ...base(), "k8tre:tags": { owner: "a;b" } })).toEqual(['k8tre:tags.owner: "a;b" → an AWS tag value: up to 256 letters, digits, spaces and _.:/=+-@']);
    expect(awsProblems({ ...base(), "k8tre:tags": { service: "k8tre", "cost centre": "research:1" } })).toEqual([]);
  });

  it("refuses Azure-only keys on AWS stacks", () => {
    expect(awsProblems({ ...base(), "k8tre:location": "uksouth" })).toContainEqual(expect.stringMatching(/^k8tre:location: "uksouth" → no value: this key is not used by a network stack on aws/));
  });
});

describe("AWS regions and names", () => {
  it("derives short region codes", () => {
    expect(["eu-west-2", "ap-southeast-2", "us-east-1", "ca-central-1", "us-gov-west-1", "ap-northeast-3"].map(awsRegionCode)).toEqual(["euw2", "apse2", "use1", "cac1", "usgw1", "apne3"]);
    expect(AWS_REGIONS["cn-north-1"].partition).toBe("aws-cn");
    const codes = Object.values(AWS_REGIONS).map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("names S3 buckets with a stable account-derived suffix, IAM roles with the region", () => {
    const n = new AwsNaming({ prefix: "k8tre", environment: "dev", region: "eu-west-2", accountId: "123456789012" });
    expect(n.s3Bucket("flowlogs")).toMatch(/^k8tre-dev-euw2-flowlogs-[a-z0-9]{6}$/);
    expect(n.s3Bucket("flowlogs")).toBe(new AwsNaming({ prefix: "k8tre", environment: "dev", region: "eu-west-2", accountId: "123456789012" }).s3Bucket("flowlogs"));
    expect(n.s3Bucket("flowlogs")).not.toBe(new AwsNaming({ prefix: "k8tre", environment: "dev", region: "eu-west-2", accountId: "210987654321" }).s3Bucket("flowlogs"));
    expect(n.iamRole("vpc-flow-logs")).toBe("k8tre-dev-euw2-vpc-flow-logs");
    expect(n.eksCluster()).toBe("k8tre-dev");
    expect(n.kmsAlias("flow-logs")).toBe("alias/k8tre-dev/flow-logs");
    expect(() => n.iamRole("x".repeat(60))).toThrow(/iamRole name .* AWS allows 1-64/);
  });

  it("recognises instance types by pattern", () => {
    for (const ok of ["t3a.2xlarge", "m7i.large", "m7i-flex.xlarge", "c7gn.16xlarge", "r7iz.metal-16xl", "u-6tb1.metal", "g6e.48xlarge", "t4g.nano"]) expect(ok).toMatch(INSTANCE_TYPE);
    for (const bad of ["t3a", "Standard_D4s_v5", "m7i.huge", "m7i.2XLARGE", ".large"]) expect(bad).not.toMatch(INSTANCE_TYPE);
  });
});

describe("k8tre:vpc (Pulumi.aws-network.yaml)", () => {
  const shipped = () => structuredClone(readProject(PROJECT_DIR).stacks.find((f) => f.stack === "aws-network")!.raw) as Record<string, any>;
  const vpcProblems = (edit: (v: Record<string, any>) => void) => {
    const raw = shipped();
    edit(raw["k8tre:vpc"]);
    return problems(raw);
  };

  it("ships a valid stack without warnings", () => {
    const loaded = loadStackConfig(shipped(), { stack: "aws-network" });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.awsNaming?.resource()).toBe("k8tre-net");
  });

  it("needs one node, pod and endpoint subnet per zone", () => {
    expect(vpcProblems((v) => v.subnets.pods.pop())).toEqual([
      'k8tre:vpc.subnets.pods: ["10.0.64.0/18","10.0.128.0/18"] → one CIDR per availability zone (3: k8tre:vpc.availabilityZones)',
    ]);
    expect(vpcProblems((v) => {
      delete v.availabilityZones;
      v.subnets = { nodes: ["10.0.16.0/20"], pods: ["10.0.64.0/18"], endpoints: ["10.0.1.0/26"], public: ["10.0.0.0/26"], deployer: ["10.0.2.0/27"] };
    })).toContainEqual('k8tre:vpc.subnets.nodes: ["10.0.16.0/20"] → at least two availability zones (EKS needs subnets in two zones)');
  });

  it("allows public subnets only for NAT gateways", () => {
    expect(vpcProblems((v) => (v.natGateways = "none"))).toEqual([
      'k8tre:vpc.subnets.public: ["10.0.0.0/26","10.0.0.64/26","10.0.0.128/26"] → no public subnets with natGateways "none" (public subnets exist only for NAT gateways)',
    ]);
    expect(vpcProblems((v) => (v.natGateways = "single"))[0]).toMatch(/^k8tre:vpc.subnets.public: .* → 1 public subnet for natGateways "single"/);
  });

  it("rejects subnets outside the VPC, overlapping, or too small for their role", () => {
    expect(vpcProblems((v) => (v.subnets.deployer = ["10.1.2.0/27"]))).toEqual(['k8tre:vpc.subnets.deployer.0: "10.1.2.0/27" → a subnet inside k8tre:vpc.cidr (10.0.0.0/16)']);
    expect(vpcProblems((v) => (v.subnets.deployer = ["10.0.16.0/27"]))).toEqual([
      'k8tre:vpc.subnets.deployer.0: "10.0.16.0/27" → a range that does not overlap k8tre:vpc.subnets.nodes.0 (10.0.16.0/20)',
    ]);
    expect(vpcProblems((v) => (v.subnets.nodes[0] = "10.0.16.0/25"))).toEqual(['k8tre:vpc.subnets.nodes.0: "10.0.16.0/25" → a node subnet of /24 or larger (nodes and internal load balancers need room to scale)']);
    expect(vpcProblems((v) => (v.subnets.pods[0] = "10.0.64.0/21"))[0]).toMatch(/^k8tre:vpc.subnets.pods.0: "10.0.64.0\/21" → a pod subnet of \/20 or larger/);
    expect(vpcProblems((v) => (v.subnets.endpoints[0] = "10.0.1.0/28"))[0]).toMatch(/^k8tre:vpc.subnets.endpoints.0: "10.0.1.0\/28" → an endpoint subnet of \/27 or larger/);
    expect(vpcProblems((v) => (v.subnets.nodes[0] = "10.0.16.1/20"))[0]).toMatch(/host bits are set \(did you mean 10.0.16.0\/20\?\)/);
  });

  it("rejects zones of another region and a VPC larger than /16", () => {
    expect(vpcProblems((v) => (v.availabilityZones[2] = "eu-west-1c"))).toEqual(['k8tre:vpc.availabilityZones.2: "eu-west-1c" → a zone of region eu-west-2 (eu-west-2a, eu-west-2b, …)']);
    expect(vpcProblems((v) => (v.cidr = "10.0.0.0/15"))).toContainEqual('k8tre:vpc.cidr: "10.0.0.0/15" → a VPC range from /16 to /24 (AWS allows /16 at most)');
  });

  it("keeps flow logs for a year or more", () => {
    expect(vpcProblems((v) => (v.flowLogs.retentionDays = 90))).toEqual([
      "k8tre:vpc.flowLogs.retentionDays: 90 → a CloudWatch retention in days of at least 365 (one of 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
    ]);
  });

  it("checks firewall domains, the resolver's sources and the deployer path", () => {
    expect(vpcProblems((v) => v.dns.firewall.allowedDomains.push("https://quay.io"))).toEqual(['k8tre:vpc.dns.firewall.allowedDomains.16: "https://quay.io" → a domain such as quay.io or *.quay.io']);
    expect(vpcProblems((v) => (v.dns.resolverInbound.allowedCidrs = ["0.0.0.0/0"]))).toEqual(['k8tre:vpc.dns.resolverInbound.allowedCidrs.0: "0.0.0.0/0" → the institution\'s DNS forwarders, not the whole internet']);
    expect(vpcProblems((v) => (v.deployerAccess.allowedCidrs = ["0.0.0.0/0"]))[0]).toMatch(/^k8tre:vpc.deployerAccess.allowedCidrs.0: "0.0.0.0\/0" → a VPN or institution network/);
    expect(vpcProblems((v) => {
      v.subnets.deployer = [];
      v.deployerAccess.allowedCidrs = [];
    })).toEqual([expect.stringMatching(/^k8tre:vpc.deployerAccess.allowedCidrs: \[\] → a way for the deployer to reach the clusters' private API endpoints/)]);
    expect(vpcProblems((v) => (v.deployerAccess.transitGateway.id = "tgw-xyz"))).toEqual(['k8tre:vpc.deployerAccess.transitGateway.id: "tgw-xyz" → a transit gateway ID such as tgw-0123456789abcdef0']);
    expect(vpcProblems((v) => (v.deployerAccess.transitGateway.routes = ["10.0.0.0/8"]))).toEqual([
      'k8tre:vpc.deployerAccess.transitGateway.routes.0: "10.0.0.0/8" → a range that does not overlap k8tre:vpc.cidr (10.0.0.0/16)',
    ]);
  });

  it("rejects typos with a hint and warns about single NAT and alert-only DNS filtering", () => {
    expect(vpcProblems((v) => (v.natGateway = "single"))).toContainEqual('k8tre:vpc.natGateway: "single" → no such key here (did you mean natGateways?)');
    const raw = shipped();
    raw["k8tre:vpc"].natGateways = "single";
    raw["k8tre:vpc"].subnets.public = ["10.0.0.0/26"];
    raw["k8tre:vpc"].dns.firewall.action = "alert";
    expect(loadStackConfig(raw, { stack: "aws-network" }).warnings).toEqual([
      "k8tre:vpc.natGateways is \"single\": one zone's failure cuts every zone's internet egress; use perAz in production",
      "k8tre:vpc.dns.firewall.action is alert: the DNS Firewall only logs queries for domains not allowed; use block in production",
    ]);
  });
});
