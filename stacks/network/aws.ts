/**
 * The `network` stack on AWS: one VPC across two or more zones that every K8TRE cluster of the
 * account and region shares (management and environments, as in k8tre-aws), with subnets per
 * role and zone, NAT only where configured, VPC endpoints for the AWS APIs, flow logs, the private
 * zone of the domain, an inbound resolver for the institution, a DNS Firewall that blocks by
 * default, and the deployer's path to the clusters' private API endpoints. Cluster stacks read
 * the outputs below through a StackReference; the names are a contract (docs/aws.md, "Network
 * outputs").
 */
import * as ec2 from "@pulumi/aws/ec2";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import * as awsVpc from "@pulumi/aws/vpc";
import * as pulumi from "@pulumi/pulumi";
import { VpcDns } from "../../components/aws/network/dns";
import { VpcEndpoints } from "../../components/aws/network/endpoints";
import { FlowLogs } from "../../components/aws/network/flowLogs";
import { builtInAllowedDomains, firewallDomain, SUBNET_ROLES, type SubnetRole } from "../../components/aws/network/plan";
import { Vpc } from "../../components/aws/network/vpc";
import type { StackContext, StackOutputs } from "../context";

/** Subnet IDs of one role: in zone order, and by zone name. */
export interface AwsSubnetOutputs {
  ids: pulumi.Output<string>[];
  cidrs: readonly string[];
}

export function buildNetworkStack(ctx: StackContext): StackOutputs {
  const c = ctx.config;
  const v = c.vpc!;
  const naming = ctx.awsNaming;
  const provider = ctx.awsProvider();
  const opts = { provider };
  const region = ctx.awsRegion;
  const partition = ctx.awsPartition;
  const base = naming.resource();
  const azCount = v.availabilityZones?.length ?? v.subnets.nodes.length;

  // Zones from config, or the region's first opted-in zones (local and wavelength zones excluded).
  const zones: pulumi.Output<string[]> = v.availabilityZones
    ? pulumi.output([...v.availabilityZones])
    : getAvailabilityZonesOutput({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }, { provider }).apply((r) =>
        [...r.names].sort().slice(0, azCount),
      );

  const vpc = new Vpc("network", {
    nameTag: v.nameTag ?? base,
    namePrefix: base,
    cidr: v.cidr,
    zones,
    subnets: v.subnets as Record<SubnetRole, readonly string[]>,
    natGateways: v.natGateways,
    transitGateway: v.deployerAccess.transitGateway,
  }, opts);

  const queryLogGroupName = naming.logGroup("dns-query-logs");
  const flowLogs = new FlowLogs("flow-logs", {
    vpcId: vpc.vpcId,
    partition,
    region,
    accountId: ctx.awsAccountId,
    logGroupName: naming.logGroup("vpc-flow-logs"),
    kmsAlias: naming.kmsAlias("network-logs"),
    roleName: naming.iamRole("vpc-flow-logs"),
    retentionDays: v.flowLogs.retentionDays,
    trafficType: v.flowLogs.trafficType,
    otherLogGroupNames: [queryLogGroupName],
  }, opts);

  const endpoints = new VpcEndpoints("endpoints", {
    vpcId: vpc.vpcId,
    vpcCidr: v.cidr,
    partition,
    region,
    subnetIds: vpc.subnetIds.endpoints,
    routeTableIds: vpc.privateRouteTableIds,
    services: v.interfaceEndpoints,
    securityGroupName: naming.resource("vpc-endpoints", "securityGroup"),
    namePrefix: `${base}-vpce`,
  }, opts);

  const allowed = [...new Set([...builtInAllowedDomains(c.domain, partition), ...v.dns.firewall.allowedDomains.map(firewallDomain)])];
  const dns = new VpcDns("dns", {
    vpcId: vpc.vpcId,
    domain: c.domain,
    publicZone: v.dns.publicZone,
    resolverInbound: v.dns.resolverInbound
      ? {
          name: naming.resource("inbound-resolver", "resolver"),
          securityGroupName: naming.resource("inbound-resolver", "securityGroup"),
          allowedCidrs: v.dns.resolverInbound.allowedCidrs,
          subnetIds: vpc.subnetIds.endpoints,
        }
      : undefined,
    firewall: { namePrefix: base, action: v.dns.firewall.action, allowedDomains: allowed, mutationProtection: c.protected },
    queryLogs: { logGroupName: queryLogGroupName, configName: naming.resource("dns-query-logs"), retentionDays: v.flowLogs.retentionDays, kmsKeyArn: flowLogs.kmsKeyArn },
  }, opts);

  // The deployer's path to the private API endpoints: a self-hosted runner in the deployer
  // subnets (this security group is its identity for the clusters' 443 rule) and/or networks
  // behind a VPN or the transit gateway. Cluster stacks allow exactly these sources.
  let deployerSecurityGroupId: pulumi.Output<string> | undefined;
  if (v.subnets.deployer.length) {
    const sg = new ec2.SecurityGroup("deployer-sg", {
      name: naming.resource("deployer", "securityGroup"),
      description: "Self-hosted deployer (CI runner): no inbound; HTTPS out",
      vpcId: vpc.vpcId,
      tags: { Name: naming.resource("deployer") },
    }, opts);
    new awsVpc.SecurityGroupEgressRule("deployer-https-out", {
      securityGroupId: sg.id,
      description: "HTTPS to the clusters' API endpoints, AWS APIs (through the endpoints) and the Git host",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    }, opts);
    deployerSecurityGroupId = sg.id;
  }

  const subnets = Object.fromEntries(
    SUBNET_ROLES.filter((r) => v.subnets[r].length).map((r) => [r, { ids: vpc.subnetIds[r], cidrs: [...v.subnets[r]] } satisfies AwsSubnetOutputs]),
  );

  return {
    platform: "aws",
    region,
    accountId: ctx.awsAccountId,
    vpcId: vpc.vpcId,
    vpcCidr: v.cidr,
    vpcNameTag: v.nameTag ?? base,
    availabilityZones: zones,
    subnets,
    nodeSubnetIds: vpc.subnetIds.nodes,
    podSubnetIds: vpc.subnetIds.pods,
    endpointSubnetIds: vpc.subnetIds.endpoints,
    privateRouteTableIds: vpc.privateRouteTableIds,
    natPublicIps: vpc.natPublicIps,
    endpointSecurityGroupId: endpoints.securityGroupId,
    interfaceEndpoints: [...v.interfaceEndpoints],
    // Inputs of each cluster's security group rule for 443 on its private API endpoint.
    clusterApiAccess: {
      cidrs: [...v.subnets.deployer, ...v.deployerAccess.allowedCidrs],
      ...(deployerSecurityGroupId ? { deployerSecurityGroupId } : {}),
    },
    privateZoneId: dns.privateZoneId,
    privateZoneName: dns.privateZoneName,
    ...(dns.publicZoneId ? { publicZoneId: dns.publicZoneId, publicZoneNameServers: dns.publicZoneNameServers } : {}),
    ...(dns.resolverInboundIps ? { resolverInboundIps: dns.resolverInboundIps, resolverInboundEndpointId: dns.resolverInboundEndpointId } : {}),
    dnsFirewallRuleGroupId: dns.firewallRuleGroupId,
    dnsFirewallAllowedDomains: allowed,
    flowLogGroupName: flowLogs.logGroupName,
    flowLogGroupArn: flowLogs.logGroupArn,
    flowLogKmsKeyArn: flowLogs.kmsKeyArn,
    dnsQueryLogGroupName: dns.queryLogGroupName,
    ...(vpc.transitGatewayAttachmentId ? { transitGatewayAttachmentId: vpc.transitGatewayAttachmentId } : {}),
  };
}
