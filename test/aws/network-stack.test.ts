/**
 * The shipped AWS network stack (Pulumi.aws-network.yaml) under the offline engine: what an
 * auditor asks of the VPC (flow logs, closed default group, no public subnets but NAT's, private
 * API traffic), of DNS (a firewall that actually blocks, fail closed; an inbound resolver open to
 * the institution only) and what the cluster stacks rely on (the StackReference contract).
 */
import { awsId } from "../../tools/synth/fakes/aws-core";
import type { SynthResult } from "../../tools/synth/engine";
import { ofType, one, synthShipped } from "../helpers/synth";

const STACK = "aws-network";
const PROVIDER = "pulumi:providers:aws::aws-111111111111-eu-west-2";
const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  route: "aws:ec2/route:Route",
  rta: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  nat: "aws:ec2/natGateway:NatGateway",
  igw: "aws:ec2/internetGateway:InternetGateway",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  flowLog: "aws:ec2/flowLog:FlowLog",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  key: "aws:kms/key:Key",
  role: "aws:iam/role:Role",
  zone: "aws:route53/zone:Zone",
  fwRule: "aws:route53/resolverFirewallRule:ResolverFirewallRule",
  fwList: "aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList",
  fwAssoc: "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation",
  fwConfig: "aws:route53/resolverFirewallConfig:ResolverFirewallConfig",
  resolver: "aws:route53/resolverEndpoint:ResolverEndpoint",
};

let r: SynthResult;
beforeAll(async () => {
  r = await synthShipped(STACK);
});

const id = (prefix: string, name: string) => awsId(prefix, STACK, name);
const inputs = (type: string, name?: string) => one(r, type, name).inputs as any;
const subnetsOf = (role: string) => ofType(r, T.subnet).filter((s) => (s.inputs as any).tags["k8tre.io/subnet-role"] === role);

describe("provider", () => {
  it("every AWS resource uses the one explicit provider, pinned to the account, with default tags", () => {
    const aws = r.resources.filter((x) => x.type.startsWith("aws:"));
    expect(aws.length).toBeGreaterThan(50);
    for (const x of aws) expect({ name: x.name, provider: x.provider }).toEqual({ name: x.name, provider: expect.stringMatching(new RegExp(`${PROVIDER.replace(/[$]/g, "\\$")}$`)) });
    const p = one(r, "pulumi:providers:aws").inputs as any;
    expect(JSON.parse(p.allowedAccountIds)).toEqual(["111111111111"]);
    expect(p.region).toBe("eu-west-2");
    expect(JSON.parse(p.defaultTags).tags).toMatchObject({ service: "k8tre", "k8tre-environment": "net", "managed-by": "pulumi" });
  });
});

describe("VPC and subnets", () => {
  it("has DNS support and hostnames on (private zones and endpoint private DNS need them)", () => {
    expect(inputs(T.vpc)).toMatchObject({ cidrBlock: "10.0.0.0/16", enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: "k8tre-net" } });
  });

  it("spreads nodes, pods and endpoint subnets over three zones; no subnet hands out public IPs", () => {
    for (const role of ["nodes", "pods", "endpoints", "public"]) {
      expect(subnetsOf(role).map((s) => (s.inputs as any).availabilityZone)).toEqual(["eu-west-2a", "eu-west-2b", "eu-west-2c"]);
    }
    for (const s of ofType(r, T.subnet)) expect((s.inputs as any).mapPublicIpOnLaunch).toBe(false);
    expect(subnetsOf("pods").map((s) => (s.inputs as any).cidrBlock)).toEqual(["10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"]);
  });

  it("tags node subnets (only) for internal load balancers, and no subnet for internet-facing ones", () => {
    for (const s of ofType(r, T.subnet)) {
      const tags = (s.inputs as any).tags;
      expect(tags["kubernetes.io/role/internal-elb"]).toBe(tags["k8tre.io/subnet-role"] === "nodes" ? "1" : undefined);
      expect(tags["kubernetes.io/role/elb"]).toBeUndefined();
    }
  });

  it("routes only the public subnets to the internet gateway, and each zone's private subnets to its own zone's NAT gateway", () => {
    const igwRoutes = ofType(r, T.route).filter((x) => (x.inputs as any).gatewayId);
    expect(igwRoutes.map((x) => (x.inputs as any).routeTableId)).toEqual([id("rtb", "network-public-rt")]);
    const publicAssoc = ofType(r, T.rta).filter((a) => (a.inputs as any).routeTableId === id("rtb", "network-public-rt"));
    expect(publicAssoc.map((a) => (a.inputs as any).subnetId).sort()).toEqual(subnetsOf("public").map((s) => id("subnet", s.name)).sort());
    for (const z of ["a", "b", "c"]) {
      expect(inputs(T.route, `network-private-default-${z}`)).toEqual({ routeTableId: id("rtb", `network-private-rt-${z}`), destinationCidrBlock: "0.0.0.0/0", natGatewayId: id("nat", `network-nat-${z}`) });
      expect(inputs(T.nat, `network-nat-${z}`).subnetId).toBe(id("subnet", `network-public-${z}`));
      for (const role of ["nodes", "pods", "endpoints"]) {
        expect(inputs(T.rta, `network-${role}-${z}`)).toEqual({ subnetId: id("subnet", `network-${role}-${z}`), routeTableId: id("rtb", `network-private-rt-${z}`) });
      }
    }
  });

  it("routes the institution's networks through the transit gateway, after the attachment exists", () => {
    const tgw = ofType(r, T.route).filter((x) => (x.inputs as any).transitGatewayId);
    expect(tgw).toHaveLength(3);
    const attachment = one(r, "aws:ec2transitgateway/vpcAttachment:VpcAttachment");
    expect((attachment.inputs as any).subnetIds).toEqual(subnetsOf("endpoints").map((s) => id("subnet", s.name)));
    for (const x of tgw) {
      expect((x.inputs as any).destinationCidrBlock).toBe("192.168.0.0/16");
      expect(x.dependsOn).toContain(attachment.urn);
    }
  });

  it("strips every rule from the default security group", () => {
    const d = inputs("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    expect(d.vpcId).toBe(id("vpc", "network-vpc"));
    expect(d.ingress ?? []).toEqual([]);
    expect(d.egress ?? []).toEqual([]);
  });
});

describe("flow logs", () => {
  it("every VPC has a flow log of all traffic at one-minute aggregation, into the encrypted, retained, protected log group", () => {
    const vpcs = ofType(r, T.vpc).map((v) => id("vpc", v.name));
    const logs = ofType(r, T.flowLog).map((f) => f.inputs as any);
    expect(logs.map((f) => f.vpcId).sort()).toEqual(vpcs.sort());
    const group = one(r, T.logGroup, "flow-logs-group");
    expect(logs[0]).toMatchObject({ trafficType: "ALL", maxAggregationInterval: 60, logDestinationType: "cloud-watch-logs", logDestination: "arn:aws:logs:eu-west-2:111111111111:log-group:/k8tre/k8tre-net/vpc-flow-logs" });
    expect(group.inputs).toMatchObject({ name: "/k8tre/k8tre-net/vpc-flow-logs", retentionInDays: 365 });
    const key = one(r, T.key);
    expect((group.inputs as any).kmsKeyId).toMatch(/^arn:aws:kms:eu-west-2:111111111111:key\//);
    expect(group.protect && key.protect).toBe(true);
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
  });

  it("lets CloudWatch Logs use the key for this log group only, and only the VPC Flow Logs service of this account assume the delivery role", () => {
    const policy = JSON.parse(inputs(T.key).policy);
    const logs = policy.Statement.find((s: any) => s.Principal.Service);
    expect(logs.Principal.Service).toBe("logs.eu-west-2.amazonaws.com");
    expect(logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).toEqual([
      "arn:aws:logs:eu-west-2:111111111111:log-group:/k8tre/k8tre-net/vpc-flow-logs",
      "arn:aws:logs:eu-west-2:111111111111:log-group:/k8tre/k8tre-net/dns-query-logs",
    ]);
    const trust = JSON.parse(inputs(T.role, "flow-logs-role").assumeRolePolicy).Statement[0];
    expect(trust.Principal).toEqual({ Service: "vpc-flow-logs.amazonaws.com" });
    expect(trust.Condition).toEqual({ StringEquals: { "aws:SourceAccount": "111111111111" }, ArnLike: { "aws:SourceArn": "arn:aws:ec2:eu-west-2:111111111111:vpc-flow-log/*" } });
    const perms = JSON.parse(inputs("aws:iam/rolePolicy:RolePolicy").policy).Statement;
    expect(perms[0].Resource).toEqual(["arn:aws:logs:eu-west-2:111111111111:log-group:/k8tre/k8tre-net/vpc-flow-logs", "arn:aws:logs:eu-west-2:111111111111:log-group:/k8tre/k8tre-net/vpc-flow-logs:*"]);
  });
});

describe("VPC endpoints", () => {
  it("keeps AWS API traffic private: S3 gateway on every private route table, interface endpoints with private DNS in every zone", () => {
    const eps = ofType(r, T.endpoint).map((e) => e.inputs as any);
    const s3 = eps.find((e) => e.vpcEndpointType === "Gateway");
    expect(s3.serviceName).toBe("com.amazonaws.eu-west-2.s3");
    expect(s3.routeTableIds).toEqual(["a", "b", "c"].map((z) => id("rtb", `network-private-rt-${z}`)));
    const ifaces = eps.filter((e) => e.vpcEndpointType === "Interface");
    expect(ifaces.map((e) => e.serviceName.replace("com.amazonaws.eu-west-2.", "")).sort()).toEqual(
      ["autoscaling", "ec2", "ec2messages", "ecr.api", "ecr.dkr", "eks", "eks-auth", "elasticfilesystem", "elasticloadbalancing", "kms", "logs", "secretsmanager", "ssm", "ssmmessages", "sts"],
    );
    const sg = id("sg", "endpoints-sg");
    for (const e of ifaces) {
      expect(e).toMatchObject({ privateDnsEnabled: true, securityGroupIds: [sg] });
      expect(e.subnetIds).toEqual(subnetsOf("endpoints").map((s) => id("subnet", s.name)));
    }
  });

  it("admits HTTPS from the VPC only to the endpoints, with no other rule", () => {
    const rules = ofType(r, T.ingress).filter((x) => (x.inputs as any).securityGroupId === id("sg", "endpoints-sg"));
    expect(rules.map((x) => x.inputs)).toEqual([expect.objectContaining({ ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/16" })]);
    expect(ofType(r, T.egress).filter((x) => (x.inputs as any).securityGroupId === id("sg", "endpoints-sg"))).toEqual([]);
  });
});

describe("DNS", () => {
  it("creates the private zone of the domain in the VPC, protected", () => {
    const z = one(r, T.zone, "dns-private");
    expect(z.inputs).toMatchObject({ name: "k8tre.example.org", vpcs: [{ vpcId: id("vpc", "network-vpc") }] });
    expect(z.protect).toBe(true);
  });

  it("logs every DNS query of the VPC with the firewall's verdict, to an encrypted, retained, protected group", () => {
    const group = one(r, T.logGroup, "dns-query-logs");
    expect(group.inputs).toMatchObject({ name: "/k8tre/k8tre-net/dns-query-logs", retentionInDays: 365, kmsKeyId: expect.stringMatching(/^arn:aws:kms:eu-west-2:111111111111:key\//) });
    expect(group.protect).toBe(true);
    const config = one(r, "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig");
    expect((config.inputs as any).destinationArn).toBe("arn:aws:logs:eu-west-2:111111111111:log-group:/k8tre/k8tre-net/dns-query-logs");
    expect(inputs("aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation")).toEqual({
      resolverQueryLogConfigId: awsId("rqlc", STACK, "dns-query-logs"),
      resourceId: id("vpc", "network-vpc"),
    });
  });

  it("opens the inbound resolver to the institution's forwarders only, on 53/udp and 53/tcp, one address per zone", () => {
    const sg = id("sg", "dns-resolver-sg");
    const rules = ofType(r, T.ingress).filter((x) => (x.inputs as any).securityGroupId === sg).map((x) => x.inputs as any);
    expect(rules.map((x) => [x.ipProtocol, x.fromPort, x.toPort, x.cidrIpv4]).sort()).toEqual([["tcp", 53, 53, "192.168.10.0/28"], ["udp", 53, 53, "192.168.10.0/28"]]);
    const ep = inputs(T.resolver);
    expect(ep).toMatchObject({ direction: "INBOUND", securityGroupIds: [sg] });
    expect(ep.ipAddresses.map((a: any) => a.subnetId)).toEqual(subnetsOf("endpoints").map((s) => id("subnet", s.name)));
  });

  it("has a DNS Firewall that actually restricts: allow-listed domains first, then every other domain blocked with NXDOMAIN, failing closed", () => {
    const lists = Object.fromEntries(ofType(r, T.fwList).map((l) => [id("rslvr-fdl", l.name), (l.inputs as any).domains as string[]]));
    const rules = ofType(r, T.fwRule).map((x) => x.inputs as any).sort((a, b) => a.priority - b.priority);
    expect(rules.map((x) => [x.priority, x.action])).toEqual([[100, "ALLOW"], [200, "BLOCK"]]);
    expect(rules[1].blockResponse).toBe("NXDOMAIN");
    expect(lists[rules[1].firewallDomainListId]).toEqual(["*."]);
    const allowed = lists[rules[0].firewallDomainListId];
    // The reference's list allowed "*." and so everything: nothing that broad may be allowed here.
    expect(allowed.filter((d) => d === "*." || d === "*" || /^\*\.[a-z]+\.$/.test(d))).toEqual([]);
    expect(allowed).toEqual(expect.arrayContaining(["k8tre.example.org.", "*.k8tre.example.org.", "*.amazonaws.com.", "*.compute.internal.", "quay.io."]));
    expect(inputs(T.fwAssoc)).toMatchObject({ vpcId: id("vpc", "network-vpc"), priority: 101, mutationProtection: "ENABLED" });
    expect(inputs(T.fwConfig)).toEqual({ resourceId: id("vpc", "network-vpc"), firewallFailOpen: "DISABLED" });
  });
});

describe("deployer access and outputs", () => {
  it("gives the self-hosted runner a security group with no inbound rule and HTTPS out", () => {
    const sg = id("sg", "deployer-sg");
    expect(ofType(r, T.ingress).filter((x) => (x.inputs as any).securityGroupId === sg)).toEqual([]);
    expect(ofType(r, T.egress).map((x) => x.inputs)).toEqual([expect.objectContaining({ securityGroupId: sg, fromPort: 443, toPort: 443, ipProtocol: "tcp" })]);
  });

  it("exports the contract cluster stacks read (docs/aws.md, Network outputs)", () => {
    const o = r.outputs as any;
    expect(o).toMatchObject({
      platform: "aws",
      region: "eu-west-2",
      accountId: "111111111111",
      vpcId: id("vpc", "network-vpc"),
      vpcCidr: "10.0.0.0/16",
      vpcNameTag: "k8tre-net",
      availabilityZones: ["eu-west-2a", "eu-west-2b", "eu-west-2c"],
      privateZoneName: "k8tre.example.org",
      endpointSecurityGroupId: id("sg", "endpoints-sg"),
      clusterApiAccess: { cidrs: ["10.0.2.0/27", "192.168.20.0/24"], deployerSecurityGroupId: id("sg", "deployer-sg") },
      flowLogGroupName: "/k8tre/k8tre-net/vpc-flow-logs",
    });
    expect(o.nodeSubnetIds).toEqual(subnetsOf("nodes").map((s) => id("subnet", s.name)));
    expect(o.podSubnetIds).toEqual(subnetsOf("pods").map((s) => id("subnet", s.name)));
    expect(o.subnets.nodes.cidrs).toEqual(["10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"]);
    expect(o.resolverInboundIps).toHaveLength(3);
    for (const k of ["privateZoneId", "dnsFirewallRuleGroupId", "flowLogGroupArn", "flowLogKmsKeyArn", "transitGatewayAttachmentId"]) expect(o[k]).toEqual(expect.any(String));
  });
});

describe("a smaller variant: zones from the region, one NAT gateway, alert-only firewall, public zone", () => {
  let v: SynthResult;
  beforeAll(async () => {
    v = await synthShipped(STACK, {
      overrides: {
        "k8tre:protected": false,
        "k8tre:vpc": {
          cidr: "10.0.0.0/16",
          subnets: {
            public: ["10.0.0.0/26"],
            endpoints: ["10.0.1.0/26", "10.0.1.64/26"],
            nodes: ["10.0.16.0/20", "10.0.32.0/20"],
            pods: ["10.0.64.0/18", "10.0.128.0/18"],
          },
          natGateways: "single",
          dns: { publicZone: true, firewall: { action: "alert" } },
          deployerAccess: { allowedCidrs: ["192.168.20.0/24"] },
        },
      },
    });
  });

  it("asks the region for its opted-in zones and takes the first two", () => {
    const call = v.invokes.find((i) => i.token === "aws:index/getAvailabilityZones:getAvailabilityZones");
    expect(call?.inputs).toMatchObject({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] });
    expect((v.outputs as any).availabilityZones).toEqual(["eu-west-2a", "eu-west-2b"]);
  });

  it("sends both zones through the single NAT gateway", () => {
    expect(ofType(v, T.nat)).toHaveLength(1);
    const defaults = ofType(v, T.route).filter((x) => (x.inputs as any).natGatewayId).map((x) => (x.inputs as any).natGatewayId);
    expect(defaults).toEqual([id("nat", "network-nat-a"), id("nat", "network-nat-a")]);
  });

  it("alerts instead of blocking, creates the public zone, and builds no resolver or deployer group when none is configured", () => {
    const fallback = ofType(v, T.fwRule).map((x) => x.inputs as any).find((x) => x.priority === 200);
    expect(fallback).toMatchObject({ action: "ALERT" });
    expect(fallback.blockResponse).toBeUndefined();
    const pub = one(v, T.zone, "dns-public");
    expect((pub.inputs as any).vpcs).toBeUndefined();
    expect(pub.protect).toBe(true);
    expect(ofType(v, T.resolver)).toEqual([]);
    expect(ofType(v, T.sg).map((s) => s.name)).toEqual(["endpoints-sg"]);
    expect((v.outputs as any).publicZoneNameServers).toHaveLength(4);
  });
});
