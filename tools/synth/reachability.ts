/**
 * Reachability analysis over the union of synthesized plans: can each private endpoint the program
 * relies on — private AKS API servers, Key Vaults and storage accounts with public access disabled —
 * be reached from where it is used, both by routing and by name resolution?
 *
 * Modelled (from the plans' inputs):
 * - VNets (address spaces, custom DNS servers), subnets (inline or separate, route tables);
 * - peerings: a link needs both directions with `allowVirtualNetworkAccess`; peering is not
 *   transitive; traffic forwarded by an appliance in a third VNet needs `allowForwardedTraffic` on
 *   the destination's peering towards that VNet;
 * - route tables: a route of type VirtualAppliance whose prefix covers the destination subnet sends
 *   the traffic to the VNet holding the next-hop address (one appliance hop);
 * - private DNS: a private endpoint's FQDN resolves from a VNet when one of its zone group's zones is
 *   linked to the VNet that resolves the query (the source VNet, or the VNet holding its custom
 *   DNS server); a private API server's FQDN likewise through its private DNS zone (an AKS-managed
 *   zone is linked to the cluster VNet only).
 *
 * Sources: the deployer (a `deployer` stack output with `subnetId`: the runner's subnet), ArgoCD
 * (the management cluster's node subnet) for every registered environment cluster, each cluster's
 * nodes for its stack's private services, and an Application Gateway's subnet for the private vault
 * its certificates come from.
 *
 * Not modelled (see docs/synth.md): NSG rules, return paths and SNAT through appliances, VPN/
 * ExpressRoute gateway transit, DNS forwarding chains beyond one custom DNS server, and anything
 * a landing zone provides outside the plans (reported as assumed, not as reachable).
 */
import { type Cidr, containsIp, contains as cidrContains } from "../../config/cidr";
import { routesOf } from "./rules/azure";
import { cidrOf, subnetPrefixes, T } from "./rules/helpers";
import { isUnknown, lastSegment, list, obj, PlanIndex, type PlanResource, type StackPlan, vnetOfSubnet } from "./rules/plan";
import type { RuleLevel } from "./rules/types";

/**
 * The gate's level per kind of path: `error` (an unreachable path fails the synth), or `warning`
 * with the program fix it waits for while that fix is not on main.
 */
export const PATH_LEVELS: Readonly<Record<"apiServer" | "privateService" | "certificateVault", { level: RuleLevel; pending?: string }>> = {
  /** The deployer and ArgoCD to every private API server. */
  apiServer: { level: "error" },
  /** A cluster's nodes to its stack's private Key Vaults and storage accounts. */
  privateService: { level: "error" },
  /** An Application Gateway to the private vault holding its certificates (the gateway stack's vault, its endpoint in the hub). */
  certificateVault: { level: "error" },
};

export interface ReachabilityCheck {
  /** Who needs the endpoint, e.g. `deployer (hub/snet-deployer)`. */
  source: string;
  /** The endpoint, e.g. `env dev API server (spoke-dev/snet-clusternodes)`. */
  target: string;
  /** The stack that declares the target. */
  stack: string;
  status: "reachable" | "unreachable" | "assumed";
  /** The hops that make it reachable, or the ones that do exist up to the break. */
  path: string[];
  /** Why it is unreachable (routing and/or name resolution), or what is assumed. */
  problems: string[];
  /** `error`: unreachable fails the synth; `warning`: reported while `pending` names the fix it waits for. */
  level: RuleLevel;
  pending?: string;
}

export interface ReachabilityReport {
  checks: ReachabilityCheck[];
  unreachable: number;
  /** Unreachable paths at `error` level: each fails the synth. */
  errors: number;
}

interface Point {
  label: string;
  subnetId: string;
  /** What a landing zone declares it provides for this point (shown when the path is assumed). */
  assumption?: string;
}

interface Target extends Point {
  stack: string;
  /** Private DNS zone names whose link makes the FQDN resolve; undefined: resolves publicly (no private record needed). */
  zones: string[] | undefined;
  /** A VNet the zone is always linked to (AKS links its managed zone to the cluster VNet). */
  implicitLinks?: string[];
  /** Set when the target cannot work at all (e.g. a private service with no private endpoint). */
  missing?: string;
}

/** Analyses the targets declared in `stack` (all stacks when undefined) over the union of `plans`. */
export function analyzeReachability(plans: readonly StackPlan[], stack?: string): ReachabilityReport {
  const plan = new PlanIndex(plans);
  const net = new Network(plan);
  const checks: ReachabilityCheck[] = [];
  const add = (kind: keyof typeof PATH_LEVELS, c: Omit<ReachabilityCheck, "level" | "pending">) => checks.push({ ...c, ...PATH_LEVELS[kind] });
  const stacks = stack ? [stack] : [...new Set(plans.map((p) => p.stack))];
  const deployer = deployerPoint(plan, net);
  for (const s of stacks) {
    const clusters = plan.ofType(T.cluster).filter((c) => c.stack === s);
    for (const c of clusters) {
      const api = apiServerTarget(c, plan, net);
      if (!api) continue;
      if (deployer) add("apiServer", net.check(deployer.point ?? null, api, deployer.label));
      else add("apiServer", missingSource("deployer", api, "no deployer location in the plans: the network stack exports no reachability.deployer (the runner's subnet or landing-zone VNet)"));
      const argocd = isRegistered(plan, s) ? argocdPoint(plan, net, s) : undefined;
      if (isRegistered(plan, s) && !argocd) add("apiServer", missingSource("ArgoCD", api, "the stack registers its cluster in ArgoCD, but no referenced stack with ArgoCD and an AKS cluster is in the evaluated plans"));
      if (argocd && argocd.stack !== s) add("apiServer", net.check(argocd, api, argocd.label));
      const nodes = nodePoint(c, plan, net);
      if (!nodes) continue;
      for (const t of privateServiceTargets(plan, net, s)) add("privateService", net.check(nodes, t, nodes.label));
    }
    for (const gw of plan.ofType(T.appGateway).filter((g) => g.stack === s)) {
      const subnetId = obj(obj(list(gw.inputs.gatewayIPConfigurations)[0]).subnet).id;
      if (typeof subnetId !== "string") continue;
      const from: Point = { label: `Application Gateway ${gw.name} (${net.where(subnetId)})`, subnetId };
      for (const t of certVaultTargets(gw, plan, net)) add("certificateVault", net.check(from, t, from.label));
    }
  }
  const unreachable = checks.filter((c) => c.status === "unreachable");
  return { checks, unreachable: unreachable.length, errors: unreachable.filter((c) => c.level === "error").length };
}

function missingSource(source: string, target: Target, problem: string): Omit<ReachabilityCheck, "level" | "pending"> {
  return { source, target: target.label, stack: target.stack, status: "unreachable", path: [], problems: [problem] };
}

/**
 * The deployer's location: the network stack's `reachability.deployer` output (stacks/network/
 * azure.ts): its subnet in create mode; in existing mode only the landing zone's VNet, with the
 * guarantees the operator declared for it.
 */
function deployerPoint(plan: PlanIndex, net: Network): { label: string; point?: Point } | undefined {
  for (const [stack, outputs] of plan.outputs) {
    const r = obj(outputs.reachability);
    const d = obj(r.deployer);
    const subnetId = typeof d.subnetId === "string" && !isUnknown(d.subnetId) ? d.subnetId : undefined;
    const vnetId = typeof d.vnetId === "string" && !isUnknown(d.vnetId) ? d.vnetId : undefined;
    if (subnetId) return { label: `deployer (${net.where(subnetId)})`, point: { label: `deployer (${net.where(subnetId)})`, subnetId } };
    if (vnetId) {
      const g = obj(r.guarantees);
      const declared = Object.keys(g).length ? `; the landing zone declares ${Object.entries(g).map(([k, v]) => `${k}: ${String(v)}`).join(", ")} (k8tre:network.reachability in Pulumi.${stack}.yaml)` : "";
      const label = `deployer (${net.short(vnetId)})`;
      return { label, point: { label, subnetId: `${vnetId}/subnets/(deployer)`, assumption: declared } };
    }
  }
  return undefined;
}

/**
 * ArgoCD runs on the management cluster: the cluster of the stack `stack` references (StackReference)
 * that declares `k8tre:argocd:ArgoCd`.
 */
function argocdPoint(plan: PlanIndex, net: Network, stack: string): (Point & { stack: string }) | undefined {
  const referenced = plan.ofType(T.stackReference).filter((r) => r.stack === stack).map((r) => String(r.raw.inputs.name ?? r.name).split("/").pop()!);
  const mgmt = referenced.find((s) => plan.components.get(s)?.has("k8tre:argocd:ArgoCd"));
  const cluster = mgmt ? plan.ofType(T.cluster).find((c) => c.stack === mgmt) : undefined;
  const subnetId = cluster && firstNodeSubnet(cluster, plan);
  return subnetId && mgmt ? { label: `ArgoCD (${mgmt} nodes, ${net.where(subnetId)})`, subnetId, stack: mgmt } : undefined;
}

/** Whether a stack's cluster is registered in the management ArgoCD. */
function isRegistered(plan: PlanIndex, stack: string): boolean {
  return plan.components.get(stack)?.has("k8tre:argocd:ClusterRegistration") ?? false;
}

function firstNodeSubnet(cluster: PlanResource, plan: PlanIndex): string | undefined {
  const inline = list(cluster.inputs.agentPoolProfiles).map((p) => obj(p).vnetSubnetID);
  const separate = plan.ofType(T.agentPool).filter((p) => p.stack === cluster.stack).map((p) => p.inputs.vnetSubnetID);
  return [...inline, ...separate].find((s): s is string => typeof s === "string" && !isUnknown(s));
}

function nodePoint(cluster: PlanResource, plan: PlanIndex, net: Network): Point | undefined {
  const subnetId = firstNodeSubnet(cluster, plan);
  return subnetId ? { label: `${cluster.stack} nodes (${net.where(subnetId)})`, subnetId } : undefined;
}

function apiServerTarget(cluster: PlanResource, plan: PlanIndex, net: Network): Target | undefined {
  const api = obj(cluster.inputs.apiServerAccessProfile);
  if (api.enablePrivateCluster !== true) return undefined;
  const subnetId = firstNodeSubnet(cluster, plan);
  if (!subnetId) return undefined;
  const zone = api.privateDNSZone;
  const label = `${cluster.stack} API server (${net.where(subnetId)})`;
  if (zone === "none") return { label, subnetId, stack: cluster.stack, zones: undefined };
  if (typeof zone === "string" && zone.startsWith("/")) return { label, subnetId, stack: cluster.stack, zones: [lastSegment(zone).toLowerCase()] };
  // "system" (or unset): AKS creates privatelink.<region>.azmk8s.io and links it to the cluster VNet only.
  const region = String(cluster.raw.inputs.location ?? cluster.inputs.location ?? "").toLowerCase();
  return { label, subnetId, stack: cluster.stack, zones: [`privatelink.${region}.azmk8s.io`], implicitLinks: [vnetOfSubnet(subnetId.toLowerCase())] };
}

/** Private DNS zones per private-link sub-resource (https://learn.microsoft.com/azure/private-link/private-endpoint-dns). */
const GROUP_ZONES: Record<string, string> = {
  vault: "privatelink.vaultcore.azure.net",
  blob: "privatelink.blob.core.windows.net",
  file: "privatelink.file.core.windows.net",
  dfs: "privatelink.dfs.core.windows.net",
  queue: "privatelink.queue.core.windows.net",
  table: "privatelink.table.core.windows.net",
};

/** Private endpoints of a service (by its ARM ID), each with its zone group's zones. */
function endpointsOf(plan: PlanIndex, serviceId: string): Array<{ pe: PlanResource; groups: string[]; zones: string[] }> {
  const id = serviceId.toLowerCase();
  return plan
    .ofType(T.privateEndpoint)
    .filter((pe) => [...list(pe.inputs.privateLinkServiceConnections), ...list(pe.inputs.manualPrivateLinkServiceConnections)].some((c) => String(obj(c).privateLinkServiceId ?? "").toLowerCase() === id))
    .map((pe) => {
      const groups = [...list(pe.inputs.privateLinkServiceConnections), ...list(pe.inputs.manualPrivateLinkServiceConnections)].flatMap((c) => list(obj(c).groupIds).map(String));
      const zoneGroups = plan.ofType(T.dnsZoneGroup).filter((g) => g.inputs.privateEndpointName === pe.inputs.privateEndpointName && g.inputs.resourceGroupName === pe.inputs.resourceGroupName);
      const zones = zoneGroups.flatMap((g) => list(g.inputs.privateDnsZoneConfigs).map((z) => lastSegment(String(obj(z).privateDnsZoneId ?? "")).toLowerCase()));
      return { pe, groups, zones };
    });
}

/** Key Vaults and storage accounts of a stack that refuse public access: reachable only through private endpoints. */
function privateServiceTargets(plan: PlanIndex, net: Network, stack: string): Target[] {
  const out: Target[] = [];
  const services = plan.resources.filter((r) => r.stack === stack && (r.type === T.vault || r.type === T.storageAccount));
  for (const svc of services) {
    const access = svc.type === T.vault ? obj(svc.inputs.properties).publicNetworkAccess : svc.inputs.publicNetworkAccess;
    if (access !== "Disabled" || !svc.armId) continue;
    const kind = svc.type === T.vault ? "Key Vault" : "storage account";
    const name = String(svc.inputs.vaultName ?? svc.inputs.accountName ?? svc.name);
    const eps = endpointsOf(plan, svc.armId);
    const needed = svc.type === T.vault ? ["vault"] : storageGroupsNeeded(plan, stack, svc);
    for (const group of needed) {
      const ep = eps.find((e) => e.groups.includes(group));
      const label = `${kind} ${name} (${group})`;
      if (!ep) {
        out.push({ label, subnetId: "", stack, zones: [], missing: `public network access is disabled and no private endpoint for "${group}" is in the plan` });
        continue;
      }
      const subnetId = String(obj(ep.pe.inputs.subnet).id ?? "");
      out.push({ label: `${label} via ${ep.pe.name} (${net.where(subnetId)})`, subnetId, stack, zones: ep.zones.length ? ep.zones : [], ...(ep.zones.length ? {} : { missing: `private endpoint ${ep.pe.name} has no private DNS zone group: ${name}'s FQDN has no private record (expected zone ${GROUP_ZONES[group] ?? group})` }) });
    }
  }
  return out;
}

/**
 * The storage sub-resources the stack uses: `blob` on a blob-capable account; `file` on a
 * FileStorage account or when a `file.csi.azure.com` StorageClass names the account.
 */
function storageGroupsNeeded(plan: PlanIndex, stack: string, account: PlanResource): string[] {
  const name = account.inputs.accountName;
  const fileOnly = account.inputs.kind === "FileStorage";
  const usesFiles = fileOnly || plan.resources.some((r) => r.stack === stack && r.type === T.storageClass && r.raw.inputs.provisioner === "file.csi.azure.com" && obj(r.raw.inputs.parameters).storageAccount === name);
  return [...(fileOnly ? [] : ["blob"]), ...(usesFiles ? ["file"] : [])];
}

/** The private vaults an Application Gateway reads its certificates from. */
function certVaultTargets(gw: PlanResource, plan: PlanIndex, net: Network): Target[] {
  const hosts = new Set(list(gw.inputs.sslCertificates).map((c) => /^https:\/\/([^./]+)\.vault\.azure\.net\//i.exec(String(obj(c).keyVaultSecretId ?? ""))?.[1]?.toLowerCase()).filter((h): h is string => !!h));
  const vaults = plan.ofType(T.vault).filter((v) => hosts.has(String(v.inputs.vaultName).toLowerCase()) && obj(v.inputs.properties).publicNetworkAccess === "Disabled");
  return vaults.flatMap((v) => privateServiceTargets(plan, net, v.stack).filter((t) => t.label.startsWith(`Key Vault ${v.inputs.vaultName} `)));
}

interface PeeringEdge {
  name: string;
  access: boolean;
  forwarded: boolean;
}

class Network {
  private readonly vnets = new Map<string, { name: string; spaces: Cidr[]; dns: string[] }>();
  private readonly peerings = new Map<string, Map<string, PeeringEdge>>();
  private readonly links = new Map<string, Set<string>>();

  constructor(private readonly plan: PlanIndex) {
    for (const v of plan.ofType(T.vnet)) {
      if (!v.armId) continue;
      const spaces = list(obj(v.inputs.addressSpace).addressPrefixes).map(cidrOf).filter((c): c is Cidr => c !== undefined);
      const dns = list(obj(v.inputs.dhcpOptions).dnsServers).map(String);
      this.vnets.set(v.armId, { name: v.name.replace(/-vnet$/, ""), spaces, dns });
    }
    for (const p of plan.ofType(T.peering)) {
      const local = p.armId?.replace(/\/virtualnetworkpeerings\/[^/]+$/, "");
      const remote = String(obj(p.inputs.remoteVirtualNetwork).id ?? "").toLowerCase();
      if (!local || !remote) continue;
      if (!this.peerings.has(local)) this.peerings.set(local, new Map());
      this.peerings.get(local)!.set(remote, { name: p.name, access: p.inputs.allowVirtualNetworkAccess !== false, forwarded: p.inputs.allowForwardedTraffic === true });
    }
    for (const l of plan.ofType(T.zoneLink)) {
      const zone = String(l.inputs.privateZoneName ?? "").toLowerCase();
      const vnet = String(obj(l.inputs.virtualNetwork).id ?? "").toLowerCase();
      if (!this.links.has(zone)) this.links.set(zone, new Set());
      this.links.get(zone)!.add(vnet);
    }
  }

  /** A VNet's short name: the plan's logical name without `-vnet`, or the ARM name of a landing-zone VNet. */
  short(vnetId: string): string {
    return this.vnets.get(vnetId.toLowerCase())?.name ?? lastSegment(vnetId);
  }

  where(subnetId: string): string {
    return `${this.short(vnetOfSubnet(subnetId))}/${lastSegment(subnetId)}`;
  }

  private peer(a: string, b: string): PeeringEdge | undefined {
    return this.peerings.get(a)?.get(b);
  }

  /** Both directions exist and allow VNet access: a usable peering. */
  private peered(a: string, b: string): boolean {
    return !!this.peer(a, b)?.access && !!this.peer(b, a)?.access;
  }

  private vnetOfIp(ip: string): string | undefined {
    for (const [id, v] of this.vnets) if (v.spaces.some((s) => containsIp(s, ip))) return id;
    return undefined;
  }

  check(source: Point | null, target: Target, label: string, sourceProblem?: string): Omit<ReachabilityCheck, "level" | "pending"> {
    const base = { source: label, target: target.label, stack: target.stack };
    if (!source) return { ...base, status: "unreachable", path: [], problems: [sourceProblem ?? "no source location"] };
    if (target.missing && !target.subnetId) return { ...base, status: "unreachable", path: [], problems: [target.missing] };
    const sv = vnetOfSubnet(source.subnetId.toLowerCase());
    const tv = vnetOfSubnet(target.subnetId.toLowerCase());
    if (!this.vnets.has(sv) || !this.vnets.has(tv)) {
      const external = [sv, tv].filter((v) => !this.vnets.has(v)).map((v) => this.short(v));
      return { ...base, status: "assumed", path: [], problems: [`VNet ${external.join(", ")} is not declared in the evaluated plans (landing zone): its peerings, routes and DNS are assumed, not checked${source.assumption ?? ""}`] };
    }
    const problems: string[] = [];
    const route = this.route(source, target, sv, tv);
    if (route.problem) problems.push(route.problem);
    const dns = this.resolve(sv, target);
    if (dns.problem) problems.push(dns.problem);
    if (target.missing) problems.push(target.missing);
    return { ...base, status: problems.length ? "unreachable" : "reachable", path: [...route.hops, ...dns.hops], problems };
  }

  private route(source: Point, target: Target, sv: string, tv: string): { hops: string[]; problem?: string } {
    if (sv === tv) return { hops: [`same VNet ${this.short(sv)}`] };
    if (this.peered(sv, tv)) return { hops: [`peering ${this.short(sv)}↔${this.short(tv)}`] };
    // A user-defined route towards an appliance (e.g. a hub firewall) that covers the target subnet.
    const subnet = this.plan.subnet(source.subnetId);
    const targetPrefix = this.plan.subnet(target.subnetId) ? subnetPrefixes(this.plan.subnet(target.subnetId)!.inputs)[0] : undefined;
    const rt = obj(subnet?.inputs.routeTable).id;
    const udr = targetPrefix
      ? routesOf(this.plan, rt)
          .filter((r) => r.nextHopType === "VirtualAppliance" && r.nextHopIpAddress && cidrOf(r.addressPrefix) && cidrContains(cidrOf(r.addressPrefix)!, targetPrefix))
          .sort((a, b) => cidrOf(b.addressPrefix)!.prefix - cidrOf(a.addressPrefix)!.prefix)[0]
      : undefined;
    if (udr) {
      const hv = this.vnetOfIp(udr.nextHopIpAddress!);
      const hops = [`route ${udr.name} ${udr.addressPrefix} → appliance ${udr.nextHopIpAddress}${hv ? ` (${this.short(hv)})` : ""}`];
      if (!hv) return { hops, problem: `next hop ${udr.nextHopIpAddress} of route ${udr.name} is in no declared VNet` };
      if (hv !== sv && !this.peered(sv, hv)) return { hops, problem: `no peering ${this.short(sv)}↔${this.short(hv)} to reach the appliance` };
      if (hv !== tv && !this.peered(hv, tv)) return { hops, problem: `no peering ${this.short(hv)}↔${this.short(tv)} from the appliance` };
      if (hv !== tv && !this.peer(tv, hv)?.forwarded) return { hops, problem: `peering ${this.short(tv)}→${this.short(hv)} does not allow forwarded traffic (allowForwardedTraffic), so traffic the appliance forwards is dropped` };
      return { hops: [...hops, `peering ${this.short(hv)}↔${this.short(tv)} (forwarded traffic allowed)`] };
    }
    const oneWay = this.peer(sv, tv) ? `${this.short(sv)}→${this.short(tv)}` : this.peer(tv, sv) ? `${this.short(tv)}→${this.short(sv)}` : undefined;
    if (oneWay) return { hops: [], problem: `peering ${oneWay} exists but not the other direction: a peering connects only when both sides exist` };
    const common = [...this.vnets.keys()].filter((h) => this.peered(sv, h) && this.peered(h, tv)).map((h) => this.short(h));
    const transit = common.length ? `; both peer with ${common.join(", ")}, but peering is not transitive and no route sends ${targetPrefix?.text ?? "the target"} through an appliance there` : "";
    return { hops: [], problem: `no peering ${this.short(sv)}↔${this.short(tv)}${transit || "; peering is not transitive"}` };
  }

  private resolve(sv: string, target: Target): { hops: string[]; problem?: string } {
    if (target.zones === undefined) return { hops: ["public DNS name"] };
    if (!target.zones.length) return { hops: [] };
    const servers = this.vnets.get(sv)?.dns ?? [];
    let resolver = sv;
    let via = "";
    if (servers.length) {
      const hv = this.vnetOfIp(servers[0]);
      if (!hv) return { hops: [], problem: `${this.short(sv)} resolves through custom DNS server ${servers[0]}, which is in no declared VNet: resolution not checked` };
      resolver = hv;
      via = ` (via DNS server ${servers[0]} in ${this.short(hv)})`;
    }
    for (const z of target.zones) {
      const linked = this.links.get(z)?.has(resolver) || target.implicitLinks?.includes(resolver);
      if (linked) return { hops: [`${z} linked to ${this.short(resolver)}${via}`] };
    }
    return { hops: [], problem: `${target.zones.join(" / ")} is not linked to ${this.short(resolver)}${via}: the name does not resolve to the private address` };
  }
}

export function reachabilityHeadline(r: ReachabilityReport): string {
  const ok = r.checks.filter((c) => c.status === "reachable").length;
  const assumed = r.checks.filter((c) => c.status === "assumed").length;
  return `Reachability: ${r.checks.length} path${r.checks.length === 1 ? "" : "s"}, ${ok} reachable, ${r.unreachable} unreachable${assumed ? `, ${assumed} assumed (landing zone)` : ""}${r.unreachable ? ` (${r.errors} failing the synth, ${r.unreachable - r.errors} warning until a fix lands)` : ""}`;
}

export function formatCheck(c: ReachabilityCheck): string {
  if (c.status === "reachable") return `${c.source} → ${c.target}: ${c.path.join(", ")}`;
  return `${c.source} → ${c.target}: ${c.problems.join("; ")}`;
}

/** The compact headline part (`reachability: …`), or nothing when the stack declares no private endpoint. */
export function reachabilityCounts(r: ReachabilityReport): string | undefined {
  if (!r.checks.length) return undefined;
  const ok = r.checks.filter((c) => c.status === "reachable").length;
  return `reachability: ${ok}/${r.checks.length} paths reachable`;
}

/** Console lines: every path that is not reachable; with `verbose`, the headline and every path. */
export function renderReachabilitySummary(r: ReachabilityReport, opts: { verbose?: boolean } = { verbose: true }): string[] {
  if (!r.checks.length) return [];
  const lines = opts.verbose ? [`  ${reachabilityHeadline(r)}`] : [];
  for (const c of r.checks) {
    if (c.status === "reachable" && !opts.verbose) continue;
    lines.push(`  ${c.status === "reachable" ? "✓" : c.status === "assumed" ? "?" : c.level === "error" ? "✗" : "!"} ${formatCheck(c)}`);
    if (c.status === "unreachable" && c.pending && opts.verbose) lines.push(`      pending: ${c.pending} — reported as a warning until that fix lands`);
  }
  return lines;
}

export function renderReachabilityMarkdown(r: ReachabilityReport): string[] {
  if (!r.checks.length) return [];
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const lines = ["### Reachability", "", `${reachabilityHeadline(r)}.`, "", "| from | to | result | path / problem |", "| --- | --- | --- | --- |"];
  for (const c of r.checks) lines.push(`| ${cell(c.source)} | ${cell(c.target)} | ${c.status}${c.status === "unreachable" ? ` (${c.level}${c.pending ? ", pending fix" : ""})` : ""} | ${cell(c.status === "reachable" ? c.path.join(", ") : c.problems.join("; "))} |`);
  lines.push("");
  return lines;
}
