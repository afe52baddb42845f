/**
 * Fakes for the AWS network stack: AWS-style IDs (vpc-…, subnet-…, vpce-…) and the values AWS
 * computes (ARNs, EIP addresses, zone IDs and name servers, resolver endpoint addresses picked
 * from the endpoint subnets' ranges).
 */
import { Address4 } from "ip-address";
import { fakeGuid, registerResourceFake } from "../fakes";
import { arnOf, awsId, awsOf, tagsAll } from "./aws-core";

/** Subnet ID → CIDR of the subnets faked so far (per stack), so resolver addresses fall inside them. */
const subnetCidrs = new Map<string, string>();

const simple = (type: string, prefix: string, arnResource?: (id: string) => string) =>
  registerResourceFake(type, (args, ctx) => {
    const id = awsId(prefix, ctx.stack, args.name);
    return { id, state: { ...(arnResource ? { arn: arnOf(ctx, "ec2", arnResource(id)) } : {}), tagsAll: tagsAll(args) } };
  });

registerResourceFake("aws:ec2/vpc:Vpc", (args, ctx) => {
  const id = awsId("vpc", ctx.stack, args.name);
  return {
    id,
    state: {
      arn: arnOf(ctx, "ec2", `vpc/${id}`),
      ownerId: awsOf(ctx).accountId,
      defaultSecurityGroupId: awsId("sg", ctx.stack, args.name, "default"),
      mainRouteTableId: awsId("rtb", ctx.stack, args.name, "main"),
      defaultNetworkAclId: awsId("acl", ctx.stack, args.name, "default"),
      tagsAll: tagsAll(args),
    },
  };
});
registerResourceFake("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", (args, ctx) => {
  const id = awsId("sg", ctx.stack, args.name);
  return { id, state: { arn: arnOf(ctx, "ec2", `security-group/${id}`), name: "default", ingress: [], egress: [], tagsAll: tagsAll(args) } };
});
registerResourceFake("aws:ec2/subnet:Subnet", (args, ctx) => {
  const id = awsId("subnet", ctx.stack, args.name);
  subnetCidrs.set(`${ctx.stack}/${id}`, String(args.inputs.cidrBlock));
  return { id, state: { arn: arnOf(ctx, "ec2", `subnet/${id}`), ownerId: awsOf(ctx).accountId, tagsAll: tagsAll(args) } };
});
simple("aws:ec2/internetGateway:InternetGateway", "igw", (id) => `internet-gateway/${id}`);
simple("aws:ec2/routeTable:RouteTable", "rtb", (id) => `route-table/${id}`);
simple("aws:ec2/routeTableAssociation:RouteTableAssociation", "rtbassoc");
registerResourceFake("aws:ec2/route:Route", (args, ctx) => ({ id: `r-${awsId("rtb", ctx.stack, args.name)}${String(args.inputs.destinationCidrBlock ?? "")}`, state: { state: "active", origin: "CreateRoute" } }));
registerResourceFake("aws:ec2/eip:Eip", (args, ctx) => {
  const h = parseInt(fakeGuid(ctx.stack, args.name).slice(0, 4), 16);
  // 203.0.113.0/24 (TEST-NET-3): documentation addresses, never a real one.
  return { id: awsId("eipalloc", ctx.stack, args.name), state: { allocationId: awsId("eipalloc", ctx.stack, args.name), publicIp: `203.0.113.${(h % 250) + 1}`, domain: "vpc", tagsAll: tagsAll(args) } };
});
simple("aws:ec2/natGateway:NatGateway", "nat");
simple("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "tgw-attach", (id) => `transit-gateway-attachment/${id}`);
simple("aws:ec2/flowLog:FlowLog", "fl", (id) => `vpc-flow-log/${id}`);
registerResourceFake("aws:ec2/vpcEndpoint:VpcEndpoint", (args, ctx) => {
  const id = awsId("vpce", ctx.stack, args.name);
  const service = String(args.inputs.serviceName ?? "");
  return {
    id,
    state: {
      arn: arnOf(ctx, "ec2", `vpc-endpoint/${id}`),
      state: "available",
      dnsEntries: args.inputs.vpcEndpointType === "Interface" ? [{ dnsName: `${id}.${service.split(".").slice(3).join(".")}.${awsOf(ctx).region}.vpce.amazonaws.com`, hostedZoneId: "ZVPCEOFFLINE" }] : [],
      prefixListId: args.inputs.vpcEndpointType === "Gateway" ? awsId("pl", ctx.stack, args.name).slice(0, 11) : undefined,
      tagsAll: tagsAll(args),
    },
  };
});

registerResourceFake("aws:route53/zone:Zone", (args, ctx) => {
  const zoneId = `Z${fakeGuid("route53", ctx.stack, args.name).replace(/-/g, "").slice(0, 20).toUpperCase()}`;
  const isPrivate = Array.isArray(args.inputs.vpcs) && args.inputs.vpcs.length > 0;
  const n = parseInt(zoneId.slice(1, 5), 16) % 2000;
  return {
    id: zoneId,
    state: {
      zoneId,
      arn: `arn:${awsOf(ctx).partition}:route53:::hostedzone/${zoneId}`,
      nameServers: isPrivate
        ? ["ns-0.awsdns-00.com.", "ns-512.awsdns-00.net.", "ns-1024.awsdns-00.org.", "ns-1536.awsdns-00.co.uk."]
        : [`ns-${n}.awsdns-${n % 64}.com.`, `ns-${n + 1}.awsdns-${n % 64}.net.`, `ns-${n + 2}.awsdns-${n % 64}.org.`, `ns-${n + 3}.awsdns-${n % 64}.co.uk.`],
      tagsAll: tagsAll(args),
    },
  };
});
registerResourceFake("aws:route53/resolverEndpoint:ResolverEndpoint", (args, ctx) => {
  const id = awsId("rslvr-in", ctx.stack, args.name);
  const ips = ((args.inputs.ipAddresses as Array<{ subnetId?: string; ip?: string }> | undefined) ?? []).map((a, i) => {
    const cidr = subnetCidrs.get(`${ctx.stack}/${a.subnetId}`);
    const ip = a.ip ?? (cidr ? Address4.fromBigInt(new Address4(cidr).startAddress().bigInt() + BigInt(10 + i)).address : `10.255.255.${10 + i}`);
    return { ...a, ip, ipId: awsId("rni", ctx.stack, args.name, String(i)) };
  });
  return { id, state: { arn: arnOf(ctx, "route53resolver", `resolver-endpoint/${id}`), hostVpcId: "", ipAddresses: ips, tagsAll: tagsAll(args) } };
});
const resolverThing = (type: string, prefix: string, kind: string) =>
  registerResourceFake(type, (args, ctx) => {
    const id = awsId(prefix, ctx.stack, args.name);
    return { id, state: { arn: arnOf(ctx, "route53resolver", `${kind}/${id}`), ownerId: awsOf(ctx).accountId, tagsAll: tagsAll(args) } };
  });
resolverThing("aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList", "rslvr-fdl", "firewall-domain-list");
resolverThing("aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup", "rslvr-frg", "firewall-rule-group");
resolverThing("aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation", "rslvr-frgassoc", "firewall-rule-group-association");
registerResourceFake("aws:route53/resolverFirewallRule:ResolverFirewallRule", (args) => ({ id: `${String(args.inputs.firewallRuleGroupId ?? "")}:${String(args.inputs.firewallDomainListId ?? args.name)}`, state: {} }));
registerResourceFake("aws:route53/resolverFirewallConfig:ResolverFirewallConfig", (args, ctx) => ({ id: awsId("rslvr-fc", ctx.stack, args.name), state: { ownerId: awsOf(ctx).accountId } }));
resolverThing("aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig", "rqlc", "resolver-query-log-config");
registerResourceFake("aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation", (args, ctx) => ({ id: awsId("rqlcassoc", ctx.stack, args.name), state: { status: "ACTIVE" } }));
