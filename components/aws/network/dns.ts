/**
 * DNS for the VPC: the private hosted zone of the TRE's domain (and an optional public one), a
 * Route53 Resolver inbound endpoint the institution's DNS forwards to, and a Route53 Resolver DNS
 * Firewall that blocks every domain not on the allow list.
 *
 * DNS Firewall semantics (docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-rule-actions.html,
 * …/resolver-dns-firewall-rule-group-behavior.html): rules are evaluated by ascending priority
 * and the first match decides; ALLOW stops evaluation, BLOCK answers with NXDOMAIN/NODATA/override,
 * ALERT answers normally and logs. So: priority 100 ALLOW the allow list, priority 200 BLOCK (or
 * ALERT) the catch-all list `*.`. The firewall config fails closed: if DNS Firewall cannot
 * evaluate a query, the query is blocked (firewallFailOpen DISABLED). Resolver query logs record
 * every query of the VPC with the firewall's verdict.
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as route53 from "@pulumi/aws/route53";
import * as vpc from "@pulumi/aws/vpc";
import * as pulumi from "@pulumi/pulumi";

export interface VpcDnsArgs {
  vpcId: pulumi.Input<string>;
  domain: string;
  publicZone: boolean;
  resolverInbound?: {
    name: string;
    securityGroupName: string;
    allowedCidrs: readonly string[];
    subnetIds: pulumi.Input<string>[];
  };
  firewall: {
    namePrefix: string;
    action: "block" | "alert";
    /** The full allow list (built-ins and configured), in list form. */
    allowedDomains: readonly string[];
    /** Stops a console user from disassociating the rule group (protected stacks). */
    mutationProtection: boolean;
  };
  /**
   * Resolver query logs of the VPC (every query, with the DNS Firewall's ALLOW/BLOCK/ALERT
   * verdict): docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs.html.
   */
  queryLogs: { logGroupName: string; configName: string; retentionDays: number; kmsKeyArn: pulumi.Input<string> };
}

export class VpcDns extends pulumi.ComponentResource {
  readonly privateZoneId: pulumi.Output<string>;
  readonly privateZoneName: string;
  readonly publicZoneId?: pulumi.Output<string>;
  readonly publicZoneNameServers?: pulumi.Output<string[]>;
  readonly resolverInboundEndpointId?: pulumi.Output<string>;
  readonly resolverInboundIps?: pulumi.Output<string[]>;
  readonly firewallRuleGroupId: pulumi.Output<string>;
  readonly queryLogGroupName: pulumi.Output<string>;

  constructor(name: string, args: VpcDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:aws:VpcDns", name, {}, opts);
    const parent = { parent: this };

    // Zones hold every record the environments' ExternalDNS writes: protected.
    const zone = new route53.Zone(`${name}-private`, {
      name: args.domain,
      comment: "K8TRE private zone (environments' records; resolvable from the VPC and through the inbound resolver)",
      vpcs: [{ vpcId: args.vpcId }],
    }, { parent: this, protect: true });
    this.privateZoneId = zone.zoneId;
    this.privateZoneName = args.domain;

    if (args.publicZone) {
      const pub = new route53.Zone(`${name}-public`, { name: args.domain, comment: "K8TRE public zone (delegate it from the parent domain)" }, { parent: this, protect: true });
      this.publicZoneId = pub.zoneId;
      this.publicZoneNameServers = pub.nameServers;
    }

    if (args.resolverInbound) {
      const r = args.resolverInbound;
      const sg = new ec2.SecurityGroup(`${name}-resolver-sg`, {
        name: r.securityGroupName,
        description: "Route53 Resolver inbound endpoint: DNS from the institution's forwarders only",
        vpcId: args.vpcId,
        tags: { Name: r.securityGroupName },
      }, parent);
      r.allowedCidrs.forEach((cidr, i) => {
        for (const proto of ["udp", "tcp"] as const) {
          new vpc.SecurityGroupIngressRule(`${name}-resolver-${proto}-${i}`, {
            securityGroupId: sg.id,
            description: `DNS over ${proto.toUpperCase()} from ${cidr}`,
            ipProtocol: proto,
            fromPort: 53,
            toPort: 53,
            cidrIpv4: cidr,
          }, parent);
        }
      });
      const endpoint = new route53.ResolverEndpoint(`${name}-inbound`, {
        name: r.name,
        direction: "INBOUND",
        protocols: ["Do53"],
        securityGroupIds: [sg.id],
        // One address per zone (at least two are required), chosen by AWS from the endpoint subnets.
        ipAddresses: r.subnetIds.map((subnetId) => ({ subnetId })),
        tags: { Name: r.name },
      }, parent);
      this.resolverInboundEndpointId = endpoint.id;
      this.resolverInboundIps = endpoint.ipAddresses.apply((ips) => (ips ?? []).map((ip) => ip.ip ?? "").filter(Boolean));
    }

    const f = args.firewall;
    const allow = new route53.ResolverFirewallDomainList(`${name}-fw-allow`, { name: `${f.namePrefix}-allow`, domains: [...f.allowedDomains] }, parent);
    const everything = new route53.ResolverFirewallDomainList(`${name}-fw-all`, { name: `${f.namePrefix}-all`, domains: ["*."] }, parent);
    const group = new route53.ResolverFirewallRuleGroup(`${name}-fw`, { name: `${f.namePrefix}-egress` }, parent);
    new route53.ResolverFirewallRule(`${name}-fw-allow`, {
      name: "allow-listed",
      firewallRuleGroupId: group.id,
      firewallDomainListId: allow.id,
      priority: 100,
      action: "ALLOW",
    }, parent);
    new route53.ResolverFirewallRule(`${name}-fw-default`, {
      name: f.action === "block" ? "block-everything-else" : "alert-everything-else",
      firewallRuleGroupId: group.id,
      firewallDomainListId: everything.id,
      priority: 200,
      action: f.action === "block" ? "BLOCK" : "ALERT",
      ...(f.action === "block" ? { blockResponse: "NXDOMAIN" } : {}),
    }, parent);
    new route53.ResolverFirewallRuleGroupAssociation(`${name}-fw`, {
      name: `${f.namePrefix}-egress`,
      firewallRuleGroupId: group.id,
      vpcId: args.vpcId,
      // Order among rule groups on this VPC (lowest first; the API allows 100-9900, and AWS's
      // examples start at 101): docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_AssociateFirewallRuleGroup.html
      priority: 101,
      mutationProtection: f.mutationProtection ? "ENABLED" : "DISABLED",
    }, parent);
    new route53.ResolverFirewallConfig(`${name}-fw`, { resourceId: args.vpcId, firewallFailOpen: "DISABLED" }, parent);
    this.firewallRuleGroupId = group.id;

    // Without query logs, BLOCK and ALERT verdicts leave no trace an auditor can read.
    const q = args.queryLogs;
    const queryLogGroup = new cloudwatch.LogGroup(`${name}-query-logs`, {
      name: q.logGroupName,
      retentionInDays: q.retentionDays,
      kmsKeyId: q.kmsKeyArn,
    }, { parent: this, protect: true });
    const queryLog = new route53.ResolverQueryLogConfig(`${name}-query-logs`, { name: q.configName, destinationArn: queryLogGroup.arn }, parent);
    new route53.ResolverQueryLogConfigAssociation(`${name}-query-logs`, { resolverQueryLogConfigId: queryLog.id, resourceId: args.vpcId }, parent);
    this.queryLogGroupName = queryLogGroup.name;

    this.registerOutputs({ privateZoneId: this.privateZoneId, firewallRuleGroupId: this.firewallRuleGroupId });
  }
}
