/**
 * The reviewer's view of a plan, as Mermaid: what an operator checks in a pull request.
 *
 * - `networkModel` / `renderNetworkMermaid`: per stack, the virtual networks and subnets with their
 *   CIDRs, peerings, private endpoints, and what each cluster and gateway exposes (API server
 *   private or public, internal or public load balancers, WAF gateways and their host names).
 *   Azure (VNets, AKS, Application Gateway) and AWS (VPCs, EKS, load balancers) resource types.
 * - `renderStackGraph`: every synthesized stack and the stack references between them.
 *
 * Pure functions of planned resources. A stack that only *uses* subnets of another stack (an
 * environment in the network stack's spoke) shows them with the CIDRs from that stack's plan,
 * which the synth evaluates first (`NetworkIndex`).
 */
import type { PlannedResource } from "./engine";

const T = {
  vnet: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  peering: "azure-native:network:VirtualNetworkPeering",
  privateEndpoint: "azure-native:network:PrivateEndpoint",
  appGateway: "azure-native:network:ApplicationGateway",
  managedCluster: "azure-native:containerservice:ManagedCluster",
  genericResource: "azure-native:resources:Resource",
  vpc: "aws:ec2/vpc:Vpc",
  awsSubnet: "aws:ec2/subnet:Subnet",
  vpcPeering: "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
  vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  internetGateway: "aws:ec2/internetGateway:InternetGateway",
  natGateway: "aws:ec2/natGateway:NatGateway",
  tgwAttachment: "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
  eks: "aws:eks/cluster:Cluster",
  awsLb: "aws:lb/loadBalancer:LoadBalancer",
  gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
  service: "kubernetes:core/v1:Service",
  stackRef: "pulumi:pulumi:StackReference",
} as const;

export interface Subnet {
  name: string;
  cidr?: string;
}

export interface Network {
  /** Azure VNet or AWS VPC name. */
  name: string;
  kind: "VNet" | "VPC";
  cidrs: string[];
  subnets: Subnet[];
  /** The stack that declares it (another stack's network is shown for the subnets this one uses). */
  stack: string;
}

export interface PrivateEndpointGroup {
  network: string;
  /** The subnets holding the endpoints (AWS interface endpoints span several). */
  subnets: string[];
  /** What each endpoint reaches: `<target> (<kind>)`; the diagram counts the kinds. */
  targets: string[];
}

/** A network's own door: an AWS internet gateway, NAT gateways, a transit gateway attachment. */
export interface NetworkGateway {
  kind: "Internet gateway" | "NAT gateway" | "Transit gateway attachment";
  network: string;
  names: string[];
  subnets: string[];
}

export interface Cluster {
  name: string;
  kind: "AKS" | "EKS";
  /** "private" (no public endpoint), "public" (restricted to `authorizedRanges` when set). */
  apiServer: "private" | "public" | "private + public";
  authorizedRanges: string[];
  network?: string;
  subnet?: string;
}

export interface Entry {
  name: string;
  /** What it is: "Application Gateway (WAF_v2)", "Gateway API (cilium)", "LoadBalancer Service", "AWS ALB". */
  kind: string;
  exposure: "public" | "internal";
  /** Listeners: `HTTPS :443 *.dev.example.org`. */
  listeners: string[];
  /** Where it forwards to (Application Gateway back ends). */
  backends: string[];
  network?: string;
  subnet?: string;
}

export interface NetworkModel {
  stackRefs: Array<{ name: string; stack: string }>;
  networks: Network[];
  peerings: Array<[string, string]>;
  privateEndpoints: PrivateEndpointGroup[];
  gateways: NetworkGateway[];
  clusters: Cluster[];
  entries: Entry[];
}

/** Subnet CIDRs of every synthesized stack: `<network>/<subnet>` → CIDR, `<network>` → its network. */
export interface NetworkIndex {
  subnets: Map<string, string>;
  networks: Map<string, Network>;
}

export function emptyIndex(): NetworkIndex {
  return { subnets: new Map(), networks: new Map() };
}

const obj = (v: unknown): Record<string, any> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : {});
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** `/subscriptions/…/virtualNetworks/<vnet>/subnets/<subnet>` → [vnet, subnet]. */
export function parseSubnetId(id: unknown): [string, string] | undefined {
  const m = typeof id === "string" ? /\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i.exec(id) : null;
  return m ? [m[1], m[2]] : undefined;
}

const lastSegment = (id: unknown): string | undefined => (typeof id === "string" ? id.split("/").filter(Boolean).pop() : undefined);

/** Networks declared by one stack's plan (for the index other stacks read). */
function declaredNetworks(stack: string, resources: readonly PlannedResource[]): Network[] {
  const networks = new Map<string, Network>();
  const byUrn = new Map<string, Network>();
  for (const r of resources) {
    if (r.type === T.vnet) {
      const name = str(r.inputs.virtualNetworkName) ?? r.name;
      const n: Network = {
        name,
        kind: "VNet",
        cidrs: arr(obj(r.inputs.addressSpace).addressPrefixes).filter((c) => typeof c === "string"),
        subnets: arr(r.inputs.subnets).map((s) => ({ name: str(obj(s).name) ?? "?", cidr: str(obj(s).addressPrefix) })),
        stack,
      };
      networks.set(name, n);
    } else if (r.type === T.vpc) {
      const name = str(obj(r.inputs.tags).Name) ?? r.name;
      const n: Network = { name, kind: "VPC", cidrs: [str(r.inputs.cidrBlock)].filter((c): c is string => !!c), subnets: [], stack };
      networks.set(name, n);
      byUrn.set(r.urn, n);
    }
  }
  for (const r of resources) {
    if (r.type === T.subnet) {
      const n = networks.get(str(r.inputs.virtualNetworkName) ?? "");
      n?.subnets.push({ name: str(r.inputs.subnetName) ?? r.name, cidr: str(r.inputs.addressPrefix) });
    } else if (r.type === T.awsSubnet) {
      // A subnet's vpcId flows from its VPC, so the VPC is among its dependencies.
      const n = r.dependsOn.map((d) => byUrn.get(d)).find(Boolean);
      n?.subnets.push({ name: str(obj(r.inputs.tags).Name) ?? r.name, cidr: str(r.inputs.cidrBlock) });
    }
  }
  return [...networks.values()];
}

/** Adds one stack's networks to the index (call for every stack in dependency order). */
export function indexNetworks(index: NetworkIndex, stack: string, resources: readonly PlannedResource[]): void {
  for (const n of declaredNetworks(stack, resources)) {
    index.networks.set(n.name, n);
    for (const s of n.subnets) if (s.cidr) index.subnets.set(`${n.name}/${s.name}`, s.cidr);
  }
}

function listenerOf(l: Record<string, any>): string {
  const host = str(l.hostname) ?? arr(l.hostNames).join(", ");
  const proto = String(l.protocol ?? "").toUpperCase();
  return `${proto}${l.port !== undefined ? ` :${l.port}` : ""}${host ? ` ${host}` : ""}`.trim();
}

/** Internal/public and subnet of a Kubernetes LoadBalancer (Service or Gateway infrastructure) from its annotations. */
function lbAnnotations(annotations: Record<string, any>): { exposure: "public" | "internal"; subnet?: string } {
  // https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/#loadbalancer-annotations
  const azureInternal = annotations["service.beta.kubernetes.io/azure-load-balancer-internal"] === "true";
  // https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#lb-scheme
  const awsScheme = annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"];
  const awsInternal = awsScheme === "internal" || annotations["service.beta.kubernetes.io/aws-load-balancer-internal"] === "true";
  return {
    exposure: azureInternal || awsInternal ? "internal" : "public",
    subnet: str(annotations["service.beta.kubernetes.io/azure-load-balancer-internal-subnet"]),
  };
}

export function networkModel(resources: readonly PlannedResource[], stack: string, index: NetworkIndex = emptyIndex()): NetworkModel {
  const model: NetworkModel = { stackRefs: [], networks: declaredNetworks(stack, resources), peerings: [], privateEndpoints: [], gateways: [], clusters: [], entries: [] };
  // AWS references are IDs; the plan's dependencies say which VPC and subnets a resource uses.
  const awsNames = new Map<string, [string, string | undefined]>();
  for (const n of model.networks) for (const r of resources) if (r.type === T.vpc && (str(obj(r.inputs.tags).Name) ?? r.name) === n.name) awsNames.set(r.urn, [n.name, undefined]);
  for (const r of resources) {
    if (r.type !== T.awsSubnet) continue;
    const vpc = r.dependsOn.map((d) => awsNames.get(d)).find(Boolean);
    if (vpc) awsNames.set(r.urn, [vpc[0], str(obj(r.inputs.tags).Name) ?? r.name]);
  }
  const awsUses = (r: PlannedResource) => {
    const refs = r.dependsOn.map((d) => awsNames.get(d)).filter((x): x is [string, string | undefined] => !!x);
    return { network: refs[0]?.[0], subnets: [...new Set(refs.filter((x) => x[1]).map((x) => x[1]!))] };
  };
  const doors = new Map<string, NetworkGateway>();
  const door = (kind: NetworkGateway["kind"], r: PlannedResource, name: string) => {
    const use = awsUses(r);
    if (!use.network) return;
    const key = `${kind}:${use.network}`;
    if (!doors.has(key)) doors.set(key, { kind, network: use.network, names: [], subnets: [] });
    const d = doors.get(key)!;
    d.names.push(name);
    for (const s of use.subnets) if (!d.subnets.includes(s)) d.subnets.push(s);
  };
  const networkNames = new Set(model.networks.map((n) => n.name));
  /** Shows another stack's subnet this stack uses. */
  const useSubnet = (network: string, subnet: string) => {
    let n = model.networks.find((x) => x.name === network);
    if (!n) {
      const known = index.networks.get(network);
      n = { name: network, kind: known?.kind ?? "VNet", cidrs: known?.cidrs ?? [], subnets: [], stack: known?.stack ?? "?" };
      model.networks.push(n);
    }
    if (!n.subnets.some((s) => s.name === subnet)) n.subnets.push({ name: subnet, cidr: index.subnets.get(`${network}/${subnet}`) });
  };

  const peers = new Set<string>();
  const pe = new Map<string, PrivateEndpointGroup>();
  for (const r of resources) {
    const i = r.inputs;
    switch (r.type) {
      case T.stackRef:
        model.stackRefs.push({ name: r.name, stack: String(i.name ?? r.name).split("/").pop()! });
        break;
      case T.peering: {
        const a = str(i.virtualNetworkName);
        const b = lastSegment(obj(i.remoteVirtualNetwork).id);
        if (a && b) {
          const key = [a, b].sort().join(" ");
          if (!peers.has(key)) {
            peers.add(key);
            model.peerings.push([a, b].sort() as [string, string]);
          }
          for (const v of [a, b]) if (!networkNames.has(v) && !model.networks.some((n) => n.name === v)) useNetwork(model, index, v);
        }
        break;
      }
      case T.vpcPeering: {
        const a = str(obj(i.tags).Name) ?? r.name;
        model.peerings.push([a, str(i.peerVpcId) ?? "peer VPC"]);
        break;
      }
      case T.privateEndpoint: {
        const s = parseSubnetId(obj(i.subnet).id);
        if (!s) break;
        useSubnet(s[0], s[1]);
        const key = s.join("/");
        if (!pe.has(key)) pe.set(key, { network: s[0], subnets: [s[1]], targets: [] });
        for (const c of arr(i.privateLinkServiceConnections)) {
          const target = lastSegment(obj(c).privateLinkServiceId) ?? "?";
          pe.get(key)!.targets.push(`${target} (${arr(obj(c).groupIds).join(", ")})`);
        }
        break;
      }
      case T.vpcEndpoint: {
        const use = awsUses(r);
        const key = `vpce:${use.network ?? ""}`;
        if (!pe.has(key)) pe.set(key, { network: use.network ?? "", subnets: [], targets: [] });
        const g = pe.get(key)!;
        for (const s of use.subnets) if (!g.subnets.includes(s)) g.subnets.push(s);
        // com.amazonaws.<region>.ecr.api → ecr.api
        const service = (str(i.serviceName) ?? r.name).replace(/^com\.amazonaws\.[a-z0-9-]+\./, "");
        g.targets.push(`${service} (${service}${i.vpcEndpointType === "Gateway" ? " gateway" : ""})`);
        break;
      }
      case T.internetGateway:
        door("Internet gateway", r, str(obj(i.tags).Name) ?? r.name);
        break;
      case T.natGateway:
        door("NAT gateway", r, str(obj(i.tags).Name) ?? r.name);
        break;
      case T.tgwAttachment:
        door("Transit gateway attachment", r, str(i.transitGatewayId) ?? r.name);
        break;
      case T.managedCluster:
      case T.genericResource: {
        const props = r.type === T.managedCluster ? i : obj(i.properties);
        if (r.type === T.genericResource && !(i.resourceProviderNamespace === "Microsoft.ContainerService" && i.resourceType === "managedClusters")) break;
        const api = obj(props.apiServerAccessProfile);
        const priv = api.enablePrivateCluster === true;
        const nodeSubnet = arr(props.agentPoolProfiles).map((p) => parseSubnetId(obj(p).vnetSubnetID)).find(Boolean);
        if (nodeSubnet) useSubnet(nodeSubnet[0], nodeSubnet[1]);
        model.clusters.push({
          name: str(i.resourceName) ?? r.name,
          kind: "AKS",
          apiServer: priv ? (api.enablePrivateClusterPublicFQDN === true ? "private + public" : "private") : "public",
          authorizedRanges: arr(api.authorizedIPRanges).filter((x) => typeof x === "string"),
          network: nodeSubnet?.[0],
          subnet: nodeSubnet?.[1],
        });
        break;
      }
      case T.eks: {
        const v = obj(i.vpcConfig);
        // https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html (public access is the default)
        const pub = v.endpointPublicAccess !== false;
        const priv = v.endpointPrivateAccess === true;
        model.clusters.push({
          name: str(i.name) ?? r.name,
          kind: "EKS",
          apiServer: pub && priv ? "private + public" : pub ? "public" : "private",
          authorizedRanges: pub ? arr(v.publicAccessCidrs).filter((x) => typeof x === "string") : [],
        });
        break;
      }
      case T.appGateway: {
        const subnet = arr(i.gatewayIPConfigurations).map((g) => parseSubnetId(obj(obj(g).subnet).id)).find(Boolean);
        if (subnet) useSubnet(subnet[0], subnet[1]);
        const frontends = arr(i.frontendIPConfigurations).map(obj);
        const isPublic = frontends.some((f) => f.publicIPAddress !== undefined);
        model.entries.push({
          name: str(i.applicationGatewayName) ?? r.name,
          kind: `Application Gateway (${str(obj(i.sku).name) ?? "?"}${i.firewallPolicy ? ", WAF policy" : ""})`,
          exposure: isPublic ? "public" : "internal",
          listeners: arr(i.httpListeners).map((l) => listenerOf(obj(l))),
          backends: arr(i.backendAddressPools).flatMap((p) => arr(obj(p).backendAddresses).map((a) => str(obj(a).fqdn) ?? str(obj(a).ipAddress) ?? "?")),
          network: subnet?.[0],
          subnet: subnet?.[1],
        });
        break;
      }
      case T.gateway: {
        const spec = obj(i.spec);
        const lb = lbAnnotations(obj(obj(spec.infrastructure).annotations));
        model.entries.push({
          name: `${str(obj(i.metadata).namespace) ?? "default"}/${str(obj(i.metadata).name) ?? r.name}`,
          kind: `Gateway API (${str(spec.gatewayClassName) ?? "?"})`,
          exposure: lb.exposure,
          listeners: arr(spec.listeners).map((l) => listenerOf(obj(l))),
          backends: [],
          subnet: lb.subnet,
        });
        break;
      }
      case T.service: {
        const spec = obj(i.spec);
        if (spec.type !== "LoadBalancer") break;
        const lb = lbAnnotations(obj(obj(i.metadata).annotations));
        model.entries.push({
          name: `${str(obj(i.metadata).namespace) ?? "default"}/${str(obj(i.metadata).name) ?? r.name}`,
          kind: "LoadBalancer Service",
          exposure: lb.exposure,
          listeners: arr(spec.ports).map((p) => `${String(obj(p).protocol ?? "TCP")} :${obj(p).port}`),
          backends: [],
          subnet: lb.subnet,
        });
        break;
      }
      case T.awsLb:
        model.entries.push({
          name: str(i.name) ?? r.name,
          kind: `AWS ${String(i.loadBalancerType ?? "application").toUpperCase() === "NETWORK" ? "NLB" : "ALB"}`,
          exposure: i.internal === true ? "internal" : "public",
          listeners: [],
          backends: [],
        });
        break;
    }
  }
  // A Kubernetes load balancer placed in a named subnet: put it in the cluster's network.
  for (const e of model.entries) {
    if (e.subnet && !e.network) {
      const c = model.clusters.find((x) => x.network);
      if (c?.network) {
        e.network = c.network;
        useSubnet(c.network, e.subnet);
      }
    }
  }
  model.privateEndpoints = [...pe.values()];
  model.gateways = [...doors.values()];
  return model;
}

function useNetwork(model: NetworkModel, index: NetworkIndex, name: string): void {
  const known = index.networks.get(name);
  model.networks.push({ name, kind: known?.kind ?? "VNet", cidrs: known?.cidrs ?? [], subnets: [], stack: known?.stack ?? "?" });
}

/** Mermaid-safe label text. */
export function label(s: string): string {
  return s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

/** A multi-line Mermaid label: each line escaped, joined with line breaks. */
export function lines(...parts: string[]): string {
  return parts.map(label).join("<br/>");
}

function countTargets(targets: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const t of targets) {
    const kind = /\(([^)]*)\)$/.exec(t)?.[1] ?? t;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0].localeCompare(b[0])).map(([k, n]) => (n > 1 ? `${k} ×${n}` : k));
}

/** True when the model has anything to draw. */
export function hasNetworkView(m: NetworkModel): boolean {
  return m.networks.length + m.clusters.length + m.entries.length + m.privateEndpoints.length + m.gateways.length > 0;
}

/** The network and exposure view as a Mermaid flowchart. */
export function renderNetworkMermaid(m: NetworkModel, stack: string): string {
  const out = ["flowchart LR"];
  const ids = new Map<string, string>();
  const id = (key: string, prefix: string) => {
    if (!ids.has(key)) ids.set(key, `${prefix}${ids.size}`);
    return ids.get(key)!;
  };
  const subnetId = (network: string, subnet: string) => id(`subnet:${network}/${subnet}`, "s");
  for (const n of m.networks) {
    const from = n.stack !== stack && n.stack !== "?" ? ` · stack ${n.stack}` : "";
    out.push(`  subgraph ${id(`net:${n.name}`, "n")}["${label(`${n.kind} ${n.name} ${n.cidrs.join(", ")}${from}`.replace(/\s+/g, " ").trim())}"]`);
    for (const s of n.subnets) out.push(`    ${subnetId(n.name, s.name)}["${lines(s.name, s.cidr ?? "CIDR in another stack")}"]`);
    out.push("  end");
  }
  for (const [a, b] of m.peerings) {
    if (ids.has(`net:${a}`) && ids.has(`net:${b}`)) out.push(`  ${ids.get(`net:${a}`)} <-->|peering| ${ids.get(`net:${b}`)}`);
  }
  for (const g of m.privateEndpoints) {
    const pid = id(`pe:${g.network}/${g.subnets.join()}/${g.targets.join()}`, "p");
    const kinds = countTargets(g.targets);
    const rows = Array.from({ length: Math.ceil(kinds.length / 6) }, (_, k) => kinds.slice(k * 6, k * 6 + 6).join(", "));
    out.push(`  ${pid}(["${lines(`${g.targets.length} private endpoint${g.targets.length === 1 ? "" : "s"}`, ...rows)}"])`);
    for (const s of g.subnets) out.push(`  ${subnetId(g.network, s)} --- ${pid}`);
    if (!g.subnets.length && ids.has(`net:${g.network}`)) out.push(`  ${ids.get(`net:${g.network}`)} --- ${pid}`);
  }
  for (const d of m.gateways) {
    const gid = id(`door:${d.kind}:${d.network}`, "g");
    out.push(`  ${gid}[["${lines(d.names.length > 1 ? `${d.kind} ×${d.names.length}` : d.kind, ...(d.kind === "Transit gateway attachment" ? d.names : []))}"]]`);
    for (const s of d.subnets) out.push(`  ${subnetId(d.network, s)} --- ${gid}`);
    if (!d.subnets.length && ids.has(`net:${d.network}`)) out.push(`  ${ids.get(`net:${d.network}`)} --- ${gid}`);
    if (d.kind === "Internet gateway") out.push(`  internet((Internet)) <--> ${gid}`);
    if (d.kind === "NAT gateway") out.push(`  ${gid} -->|egress| internet((Internet))`);
  }
  for (const c of m.clusters) {
    const cid = id(`cluster:${c.name}`, "c");
    const ranges = c.authorizedRanges.length ? ` (${c.authorizedRanges.join(", ")})` : c.apiServer !== "private" ? " (any address)" : "";
    out.push(`  ${cid}{{"${lines(`${c.kind} ${c.name}`, `API server: ${c.apiServer}${ranges}`)}"}}`);
    if (c.network && c.subnet) out.push(`  ${subnetId(c.network, c.subnet)} --- ${cid}`);
    if (c.apiServer !== "private") out.push(`  internet((Internet)) -->|kubectl| ${cid}`);
  }
  for (const e of m.entries) {
    const eid = id(`entry:${e.name}`, "e");
    const text = [`${e.kind} ${e.name}`, e.exposure === "public" ? "public: reachable from the Internet" : "internal: private IP only", ...e.listeners.slice(0, 6), ...(e.listeners.length > 6 ? [`… ${e.listeners.length - 6} more listeners`] : [])];
    out.push(`  ${eid}[/"${lines(...text)}"/]`);
    if (e.network && e.subnet) out.push(`  ${subnetId(e.network, e.subnet)} --- ${eid}`);
    if (e.exposure === "public") out.push(`  internet((Internet)) -->|${e.listeners.some((l) => l.startsWith("HTTPS")) ? "HTTPS" : "traffic"}| ${eid}`);
    if (e.backends.length) {
      const bid = id(`backends:${e.name}`, "b");
      out.push(`  ${bid}["${lines("back ends", ...e.backends)}"]`, `  ${eid} --> ${bid}`);
    }
  }
  return out.join("\n");
}

/** Every synthesized stack and its references: `network --> mgmt` means mgmt reads network's outputs. */
export function renderStackGraph(stacks: ReadonlyArray<{ stack: string; kind?: string; platform?: string; resources: number; refs: readonly string[]; selected: boolean }>): string {
  const out = ["flowchart LR"];
  const id = (s: string) => `st_${s.replace(/[^A-Za-z0-9_]/g, "_")}`;
  for (const s of stacks) {
    const what = [s.kind, s.platform].filter(Boolean).join(" · ");
    const body = lines(s.stack, ...(what ? [what] : []), s.selected ? `${s.resources} resources` : "dependency, not reported");
    out.push(`  ${id(s.stack)}["${body}"]`);
  }
  for (const s of stacks) for (const r of s.refs) out.push(`  ${id(r)} -->|stack reference| ${id(s.stack)}`);
  return out.join("\n");
}
