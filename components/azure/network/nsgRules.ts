/**
 * Network security rules, as plain data (unit-tested without Pulumi). Azure's default rules stay
 * underneath (allow VNet and Azure Load Balancer inbound, deny the rest); the rules here state
 * the intent explicitly so an auditor can read it from the resource, and keep it if someone
 * adds a broad allow rule later at a lower priority number.
 */

export interface SecurityRule {
  name: string;
  priority: number;
  direction: "Inbound" | "Outbound";
  access: "Allow" | "Deny";
  protocol: "Tcp" | "Udp" | "*";
  sourceAddressPrefix?: string;
  sourceAddressPrefixes?: string[];
  sourcePortRange: string;
  destinationAddressPrefix: string;
  destinationPortRange?: string;
  destinationPortRanges?: string[];
  description: string;
}

const DENY_INTERNET: SecurityRule = {
  name: "deny-internet-inbound",
  priority: 4000,
  direction: "Inbound",
  access: "Deny",
  protocol: "*",
  sourceAddressPrefix: "Internet",
  sourcePortRange: "*",
  destinationAddressPrefix: "*",
  destinationPortRange: "*",
  description: "Nothing in a spoke is reachable from the internet; public traffic enters through the hub's WAF gateway.",
};

/** Rules for every spoke subnet (cluster nodes, internal load balancers, private endpoints). */
export function spokeSubnetRules(): SecurityRule[] {
  return [
    {
      name: "allow-vnet-inbound",
      priority: 100,
      direction: "Inbound",
      access: "Allow",
      protocol: "*",
      sourceAddressPrefix: "VirtualNetwork",
      sourcePortRange: "*",
      destinationAddressPrefix: "VirtualNetwork",
      destinationPortRange: "*",
      description: "Traffic from the hub (the WAF gateway) and peered VNets.",
    },
    { ...DENY_INTERNET },
  ];
}

/**
 * Rules the Application Gateway v2 subnet needs: the platform's health ports from
 * GatewayManager (65200-65535), the Azure load balancer probe, and 80/443 from the allow-list
 * (or the internet when the list is empty), then deny everything else from the internet.
 */
export function gatewaySubnetRules(allowedSourceCidrs: readonly string[]): SecurityRule[] {
  const source: Pick<SecurityRule, "sourceAddressPrefix" | "sourceAddressPrefixes"> = allowedSourceCidrs.length
    ? { sourceAddressPrefixes: [...allowedSourceCidrs] }
    : { sourceAddressPrefix: "Internet" };
  return [
    {
      name: "allow-gateway-manager",
      priority: 100,
      direction: "Inbound",
      access: "Allow",
      protocol: "Tcp",
      sourceAddressPrefix: "GatewayManager",
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRange: "65200-65535",
      description: "Application Gateway v2 infrastructure ports (required by Azure).",
    },
    {
      name: "allow-azure-load-balancer",
      priority: 110,
      direction: "Inbound",
      access: "Allow",
      protocol: "*",
      sourceAddressPrefix: "AzureLoadBalancer",
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRange: "*",
      description: "Azure load balancer health probes (required by Azure).",
    },
    {
      name: "allow-web-inbound",
      priority: 120,
      direction: "Inbound",
      access: "Allow",
      protocol: "Tcp",
      ...source,
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRanges: ["80", "443"],
      description: allowedSourceCidrs.length ? "HTTP(S) from the configured allow-list only." : "HTTP(S) from the internet (the WAF inspects it).",
    },
    { ...DENY_INTERNET, description: "Everything else from the internet." },
  ];
}
