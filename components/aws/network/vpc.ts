/**
 * The VPC: subnets per role and zone, NAT gateways only where asked (their public subnets are
 * the only public ones), one private route table per zone, the default security group stripped
 * of every rule, and an optional transit gateway attachment for the institution's networks.
 */
import * as ec2 from "@pulumi/aws/ec2";
import * as ec2transitgateway from "@pulumi/aws/ec2transitgateway";
import * as pulumi from "@pulumi/pulumi";
import { natFor, type NatMode, SUBNET_ROLE_TAG, SUBNET_ROLES, type SubnetRole, subnetTags } from "./plan";

export interface VpcArgs {
  /** Name tag of the VPC; other Name tags are `<namePrefix>-<role>-<zone letter or index>`. */
  nameTag: string;
  namePrefix: string;
  cidr: string;
  /** Zone names, in subnet-list order (may come from getAvailabilityZones). */
  zones: pulumi.Input<string[]>;
  subnets: Record<SubnetRole, readonly string[]>;
  natGateways: NatMode;
  transitGateway?: { id: string; routes: readonly string[] };
}

export class Vpc extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly cidr: string;
  /** Subnet IDs per role, in zone order. */
  readonly subnetIds: Record<SubnetRole, pulumi.Output<string>[]>;
  readonly privateRouteTableIds: pulumi.Output<string>[];
  readonly natGatewayIds: pulumi.Output<string>[];
  readonly natPublicIps: pulumi.Output<string>[];
  readonly transitGatewayAttachmentId?: pulumi.Output<string>;

  constructor(name: string, args: VpcArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:aws:Vpc", name, {}, opts);
    const parent = { parent: this };
    const zone = (i: number) => pulumi.output(args.zones).apply((z) => {
      if (!z[i]) throw new Error(`the region offers ${z.length} availability zones; the subnet plan needs ${i + 1} (set k8tre:vpc.availabilityZones or shorten the subnet lists)`);
      return z[i];
    });
    const label = (i: number) => String.fromCharCode(97 + i); // a, b, c: the zone's position

    const vpc = new ec2.Vpc(`${name}-vpc`, {
      cidrBlock: args.cidr,
      // Both on: private hosted zones and interface endpoints' private DNS need them
      // (docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html#vpc-dns-support).
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: args.nameTag },
    }, parent);
    this.vpcId = vpc.id;
    this.cidr = args.cidr;

    // AWS creates a default security group that allows all traffic between its members and all
    // egress; adopting it with no rules removes them (CIS AWS 5.4 / Security Hub EC2.2).
    new ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: { Name: `${args.namePrefix}-default-unused` } }, parent);

    const subnetIds = {} as Record<SubnetRole, pulumi.Output<string>[]>;
    const subnets = {} as Record<SubnetRole, ec2.Subnet[]>;
    for (const role of SUBNET_ROLES) {
      subnets[role] = args.subnets[role].map((cidr, i) =>
        new ec2.Subnet(`${name}-${role}-${label(i)}`, {
          vpcId: vpc.id,
          cidrBlock: cidr,
          availabilityZone: zone(role === "public" && args.natGateways === "single" ? 0 : i),
          // Even public subnets hand out no public IPs: only the NAT gateways' EIPs are public.
          mapPublicIpOnLaunch: false,
          tags: { Name: `${args.namePrefix}-${role}-${label(i)}`, ...subnetTags(role) },
        }, parent),
      );
      subnetIds[role] = subnets[role].map((s) => s.id);
    }
    this.subnetIds = subnetIds;

    const natGatewayIds: pulumi.Output<string>[] = [];
    const natPublicIps: pulumi.Output<string>[] = [];
    const nats: ec2.NatGateway[] = [];
    if (args.natGateways !== "none") {
      const igw = new ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: `${args.namePrefix}-igw` } }, parent);
      const publicRt = new ec2.RouteTable(`${name}-public-rt`, { vpcId: vpc.id, tags: { Name: `${args.namePrefix}-public`, [SUBNET_ROLE_TAG]: "public" } }, parent);
      new ec2.Route(`${name}-public-default`, { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, parent);
      subnets.public.forEach((s, i) => {
        new ec2.RouteTableAssociation(`${name}-public-${label(i)}`, { subnetId: s.id, routeTableId: publicRt.id }, parent);
        const eip = new ec2.Eip(`${name}-nat-${label(i)}`, { domain: "vpc", tags: { Name: `${args.namePrefix}-nat-${label(i)}` } }, { parent: this, dependsOn: [igw] });
        const nat = new ec2.NatGateway(`${name}-nat-${label(i)}`, {
          allocationId: eip.id,
          subnetId: s.id,
          connectivityType: "public",
          tags: { Name: `${args.namePrefix}-nat-${label(i)}` },
        }, { parent: this, dependsOn: [igw] });
        nats.push(nat);
        natGatewayIds.push(nat.id);
        natPublicIps.push(eip.publicIp);
      });
    }
    this.natGatewayIds = natGatewayIds;
    this.natPublicIps = natPublicIps;

    let attachment: ec2transitgateway.VpcAttachment | undefined;
    if (args.transitGateway) {
      attachment = new ec2transitgateway.VpcAttachment(`${name}-tgw`, {
        transitGatewayId: args.transitGateway.id,
        vpcId: vpc.id,
        subnetIds: subnetIds.endpoints,
        dnsSupport: "enable",
        tags: { Name: `${args.namePrefix}-tgw` },
      }, parent);
      this.transitGatewayAttachmentId = attachment.id;
    }

    // One private route table per zone: nodes, pods, endpoints and deployer subnets of that zone.
    const azCount = args.subnets.nodes.length;
    this.privateRouteTableIds = [];
    for (let i = 0; i < azCount; i++) {
      const rt = new ec2.RouteTable(`${name}-private-rt-${label(i)}`, {
        vpcId: vpc.id,
        tags: { Name: `${args.namePrefix}-private-${label(i)}`, [SUBNET_ROLE_TAG]: "private" },
      }, parent);
      this.privateRouteTableIds.push(rt.id);
      const nat = natFor(args.natGateways, i);
      if (nat !== undefined) {
        new ec2.Route(`${name}-private-default-${label(i)}`, { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nats[nat].id }, parent);
      }
      args.transitGateway?.routes.forEach((dest, j) => {
        new ec2.Route(`${name}-private-tgw-${label(i)}-${j}`, { routeTableId: rt.id, destinationCidrBlock: dest, transitGatewayId: args.transitGateway!.id }, { parent: this, dependsOn: [attachment!] });
      });
      for (const role of ["nodes", "pods", "endpoints", "deployer"] as const) {
        const s = subnets[role][i];
        if (s) new ec2.RouteTableAssociation(`${name}-${role}-${label(i)}`, { subnetId: s.id, routeTableId: rt.id }, parent);
      }
    }

    this.registerOutputs({ vpcId: this.vpcId, subnetIds: this.subnetIds, privateRouteTableIds: this.privateRouteTableIds });
  }
}
