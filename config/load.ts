/**
 * The one config loader: raw stack config (as `pulumi up` or the offline synth sees it) in,
 * a typed {@link StackConfig} out — or a {@link ConfigError} listing every problem, raised
 * before any resource is declared. No Pulumi SDK, no cloud calls.
 */
import { z } from "zod";
import { AWS_REGIONS } from "./aws-regions";
import { contains, containsIp, type Cidr, overlaps, parseCidr } from "./cidr";
import { ConfigError, type ConfigIssue } from "./errors";
import { AKS_KUBERNETES_VERSIONS, minorOf, supportedMinors, versionSupport } from "./kubernetes-versions";
import { Naming, NameTooLongError, regionCode } from "./naming";
import { AwsNameError, AwsNaming } from "./naming-aws";
import { privateZoneNames } from "./private-zones";
import { eksChecks } from "./eks-checks";
import { closest } from "./suggest";
import { AWS_TAG_KEY, AWS_TAG_VALUE, parseArn } from "./schema/aws";
import { KINDS, type Kind, type KeySpec, NAMESPACE, type Platform, PLATFORM_KINDS, PLATFORMS, type StackConfig, TOP_LEVEL_KEYS, type TopLevelKey } from "./schema";

export { closest } from "./suggest";

export interface LoadOptions {
  /** Stack name, for messages. */
  readonly stack: string;
  /** The day support windows are judged on (default: now). Tests pin it. */
  readonly today?: Date;
  /** The stack file, for messages (e.g. `Pulumi.dev.yaml`). */
  readonly file?: string;
  /**
   * Fully-qualified keys whose values are Pulumi secrets (`secure:` in the stack file). When
   * given, a key the schema marks secret must be among them; undefined skips that check (the
   * caller cannot tell).
   */
  readonly secretKeys?: readonly string[];
}

/** What validation found: the config as far as it parsed, and every problem. */
export interface Validation {
  readonly stack: string;
  /** Keys that failed to parse are missing; `kind` may be missing too. */
  readonly config: Partial<StackConfig>;
  readonly issues: readonly ConfigIssue[];
  readonly warnings: readonly string[];
  /** Set when there is no issue. */
  readonly loaded?: LoadedStack;
}

export interface LoadedStack {
  readonly stack: string;
  readonly config: StackConfig;
  /** Advice that does not block a deployment (printed by the program and the synth). */
  readonly warnings: readonly string[];
  /** Names for Azure stacks; undefined on other platforms. */
  readonly naming?: Naming;
  /** Names for AWS stacks; undefined on other platforms. */
  readonly awsNaming?: AwsNaming;
}

/** Marker a `secure:` value becomes when it cannot be decrypted (offline synth). */
export const SECRET_PLACEHOLDER = "[secret]";

const keyOf = (k: string) => `${NAMESPACE}:${k}`;
const KEY_NAMES = Object.keys(TOP_LEVEL_KEYS) as TopLevelKey[];

/**
 * Loads and validates one stack's config. `raw` maps fully-qualified keys (`k8tre:kind`) to
 * values: parsed YAML from a stack file, or the strings the Pulumi runtime hands the program
 * (objects JSON-encoded). Throws a {@link ConfigError} listing every problem.
 */
export function loadStackConfig(raw: Readonly<Record<string, unknown>>, opts: LoadOptions): LoadedStack {
  const v = validateStackConfig(raw, opts);
  if (!v.loaded) throw new ConfigError(v.issues, opts.stack, opts.file);
  return v.loaded;
}

/**
 * Validates one stack's config without throwing: every problem, plus the config as far as it
 * parsed, so cross-stack checks still run on a stack with a per-stack error.
 */
export function validateStackConfig(raw: Readonly<Record<string, unknown>>, opts: LoadOptions): Validation {
  const issues: ConfigIssue[] = [];
  const values = new Map<TopLevelKey, unknown>();

  for (const [fullKey, value] of Object.entries(raw)) {
    const sep = fullKey.indexOf(":");
    const ns = sep < 0 ? "" : fullKey.slice(0, sep);
    const key = sep < 0 ? fullKey : fullKey.slice(sep + 1);
    if (ns !== NAMESPACE) continue; // provider settings (azure-native:…, kubernetes:…) are not ours
    const known = key in TOP_LEVEL_KEYS;
    // Pulumi.yaml declares optional keys with default "" (project defaults reach every stack):
    // unset. Keys every stack needs have no project default, so an empty one was written empty.
    if ((value === "" || value === null) && !(known && requiredEverywhere(key as TopLevelKey))) continue;
    if (!known) {
      issues.push(unknownKeyIssue(fullKey, key, value));
      continue;
    }
    values.set(key as TopLevelKey, value);
  }

  const kind = parseScalar<Kind>("kind", values.get("kind"), issues);
  const platform = parseScalar<Platform>("platform", values.get("platform"), issues) ?? "azure";
  movedKeyIssues(values, kind, issues);
  if (kind === undefined && !values.has("kind")) {
    issues.push({ key: keyOf("kind"), value: undefined, expected: `a value (required): ${TOP_LEVEL_KEYS.kind.description} One of ${KINDS.join(", ")}` });
  }

  const parsed: Record<string, unknown> = {};
  for (const key of KEY_NAMES) {
    const spec = TOP_LEVEL_KEYS[key] as (typeof TOP_LEVEL_KEYS)[TopLevelKey];
    const present = values.has(key);
    if (key === "kind" || key === "platform") continue;
    // Without a kind, check what every kind shares (prefix, environment, domain) so one run still
    // reports those; the rest depends on the kind.
    const applies =
      kind !== undefined
        ? (spec.kinds as readonly string[]).includes(kind) && (spec.platforms as readonly string[]).includes(platform)
        : requiredEverywhere(key);
    if (present && kind !== undefined && !applies) {
      if (key === "gateway" && kind === "network") {
        issues.push({ key: keyOf(key), value: "(the gateway block)", expected: GATEWAY_MOVED });
        continue;
      }
      issues.push({
        key: keyOf(key),
        value: values.get(key),
        expected: `no value: this key is not used by a ${kind} stack on ${platform} (used by ${describeUse(spec.kinds, spec.platforms)})`,
      });
      continue;
    }
    if (!applies) continue;
    const required = kind !== undefined ? ((spec as { requiredFor?: readonly Kind[] }).requiredFor ?? []).includes(kind) : true;
    if (!present && required) {
      issues.push({ key: keyOf(key), value: undefined, expected: `a value: required for ${kind ? `a ${kind} stack` : "every stack"} — ${spec.description}` });
      continue;
    }
    if (present && (spec as { secret?: boolean }).secret && opts.secretKeys && !opts.secretKeys.includes(keyOf(key))) {
      issues.push({
        key: keyOf(key),
        value: "(plain text, not shown)",
        expected: `a secret: it holds credentials, and a plain-text value is stored unencrypted in Pulumi.${opts.stack}.yaml and the state. Remove it and run \`pulumi config set --secret ${keyOf(key)} < file\``,
      });
      continue;
    }
    const result = (spec.schema as z.ZodType).safeParse(coerce(values.get(key)), { reportInput: true });
    if (!present && !result.success) continue; // optional key without a default
    if (result.success) {
      parsed[key] = result.data;
    } else {
      issues.push(...result.error.issues.map((i) => toIssue(key, i)));
    }
  }

  const warnings: string[] = [];
  if (kind === undefined) return { stack: opts.stack, config: { ...parsed, platform } as Partial<StackConfig>, issues, warnings };

  // Relations between fields are checked on whatever parsed, so one run reports every problem
  // (a typo elsewhere does not hide an overlap); each check skips keys that failed to parse.
  const config = { ...parsed, kind, platform } as StackConfig;
  let naming: Naming | undefined;
  semanticChecks(config, issues, warnings, opts.today ?? new Date());
  if (config.platform === "aws" && config.kind !== "network") eksChecks(config, issues, warnings, opts.today ?? new Date());
  if (config.platform === "azure" && config.prefix && config.environment && config.azure && config.location && regionCode(config.location, config.regionCode)) {
    naming = checkNames(config, issues);
  }
  let awsNaming: AwsNaming | undefined;
  if (config.platform === "aws" && config.prefix && config.environment && config.aws) awsNaming = checkAwsNames(config, issues);
  if (issues.length > 0) return { stack: opts.stack, config, issues, warnings };
  return { stack: opts.stack, config, issues, warnings, loaded: { stack: opts.stack, config, warnings, naming, awsNaming } };
}

/** Why a network stack may no longer hold `k8tre:gateway` (ADR 0006). */
const GATEWAY_MOVED =
  "no value in a network stack: the public gateway and its certificate vault moved to their own stack of kind gateway. " +
  "Move this block to a stack file such as Pulumi.gateway.yaml (k8tre:kind: gateway, k8tre:stackRefs.network: <this stack>, the same prefix, environment, location and azure as this file), " +
  "its allowedSourceCidrs to k8tre:network.gatewayAllowedSourceCidrs here, and move the deployed resources with `pulumi state move` (docs/network.md, \"Moving the gateway to its own stack\")";

/**
 * Fields that moved to another key or another stack file (ADR 0006): each gets an error naming
 * where it lives now instead of "no such key"; the rest of the block is still validated.
 */
function movedKeyIssues(values: Map<TopLevelKey, unknown>, kind: Kind | undefined, issues: ConfigIssue[]): void {
  const networkRef = (() => {
    const refs = coerce(values.get("stackRefs"));
    const n = refs && typeof refs === "object" ? (refs as Record<string, unknown>).network : undefined;
    return typeof n === "string" && n ? n.split("/").pop()! : undefined;
  })();
  const netFile = networkRef ? `Pulumi.${networkRef}.yaml (the network stack this stack references)` : "the network stack's file";
  const moved: Array<{ key: TopLevelKey; field: string; kinds: readonly Kind[]; to: string }> = [
    {
      key: "gateway",
      field: "allowedSourceCidrs",
      kinds: ["gateway", "network"],
      to: `k8tre:network.gatewayAllowedSourceCidrs in ${netFile}: the allow-list is perimeter config; the network stack applies it to the App Gateway subnet's NSG and exports it, and the gateway stack's WAF rule reads it from there`,
    },
    ...(["logAnalyticsWorkspaceId", "logRetentionDays"] as const).map((field) => ({
      key: "network" as TopLevelKey,
      field,
      kinds: ["network"] as readonly Kind[],
      to: `k8tre:gateway.${field} in the gateway stack's file (the stack of kind gateway whose k8tre:stackRefs.network is this stack): only the gateway's and its certificate vault's logs used it, and they moved there`,
    })),
  ];
  for (const m of moved) {
    if (kind !== undefined && !m.kinds.includes(kind)) continue;
    const v = coerce(values.get(m.key));
    if (!v || typeof v !== "object" || Array.isArray(v) || !(m.field in v)) continue;
    const { [m.field]: value, ...rest } = v as Record<string, unknown>;
    issues.push({ key: keyOf(`${m.key}.${m.field}`), value, expected: `no value here: moved to ${m.to}` });
    values.set(m.key, rest);
  }
}

/** Keys every stack of every kind and platform must set (they have no project default). */
function requiredEverywhere(key: TopLevelKey): boolean {
  const spec = TOP_LEVEL_KEYS[key] as KeySpec;
  return (spec.requiredFor?.length ?? 0) === KINDS.length && spec.platforms.length === PLATFORMS.length;
}

/**
 * An unknown top-level key. The common mistake is a literal dotted key (`k8tre:cluster.podCidr:`
 * at the top of the YAML) from `pulumi config set k8tre:cluster.podCidr …` without `--path`.
 */
function unknownKeyIssue(fullKey: string, key: string, value: unknown): ConfigIssue {
  const dot = key.indexOf(".");
  if (dot > 0 && key.slice(0, dot) in TOP_LEVEL_KEYS) {
    return {
      key: fullKey,
      value,
      expected:
        `no literal dotted key: ${fullKey} means the field ${key.slice(dot + 1)} inside ${keyOf(key.slice(0, dot))}. ` +
        `Set nested fields with --path: \`pulumi config rm ${fullKey}\` then \`pulumi config set --path '${fullKey}' <value>\` (or nest it in the YAML under ${keyOf(key.slice(0, dot))})`,
    };
  }
  const hint = closest(key, KEY_NAMES);
  return { key: fullKey, value, expected: `a known key (${hint ? `did you mean ${keyOf(hint)}? ` : ""}see docs/config.md)` };
}

function parseScalar<T>(key: TopLevelKey, value: unknown, issues: ConfigIssue[]): T | undefined {
  if (value === undefined) return undefined;
  const r = (TOP_LEVEL_KEYS[key].schema as z.ZodType).safeParse(value, { reportInput: true });
  if (!r.success) {
    issues.push(...r.error.issues.map((i) => toIssue(key, i)));
    return undefined;
  }
  return r.data as T;
}

/** The Pulumi runtime hands every value over as a string; objects arrive JSON-encoded. */
function coerce(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const t = value.trim();
  if (t === "true") return true;
  if (t === "false") return false;
  if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"))) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}

function toIssue(key: string, issue: z.core.$ZodIssue): ConfigIssue {
  const path = [key, ...issue.path.map(String)].join(".");
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeysAt(key, issue.path);
      return {
        key: `${keyOf(path)}.${issue.keys.join(",")}`,
        value: issue.keys.length === 1 && input && typeof input === "object" ? (input as Record<string, unknown>)[issue.keys[0]] : issue.keys,
        expected: `no such key${issue.keys.length > 1 ? "s" : ""} here${suggest(issue.keys, known)}`,
      };
    }
    case "invalid_value":
      return { key: keyOf(path), value: input, expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` };
    case "invalid_union":
      return { key: keyOf(path), value: input, expected: issue.message };
    case "invalid_type":
      if (input === undefined) return { key: keyOf(path), value: undefined, expected: `a value (required): ${cleanMessage(issue.message, issue.expected)}` };
      return { key: keyOf(path), value: input, expected: cleanMessage(issue.message, issue.expected) };
    default:
      return { key: keyOf(path), value: input, expected: issue.message };
  }
}

function cleanMessage(message: string, expected: string): string {
  return message.startsWith("Invalid input") ? `a value of type ${expected}` : message;
}

function knownKeysAt(topKey: string, path: PropertyKey[]): string[] {
  let schema: unknown = TOP_LEVEL_KEYS[topKey as TopLevelKey]?.schema;
  for (const seg of path) schema = unwrap(schema)?.shape?.[seg as string] ?? unwrap(schema)?.element ?? unwrap(schema)?.valueType;
  return Object.keys(unwrap(schema)?.shape ?? {});
}

function unwrap(schema: any): any {
  let s = schema;
  for (let i = 0; i < 5 && s; i++) {
    if (s.shape || s.element || s.valueType) return s;
    s = s.def?.innerType ?? s.def?.in ?? s._zod?.def?.innerType;
  }
  return s;
}

function suggest(keys: string[], known: string[]): string {
  const hints = keys.map((k) => closest(k, known)).filter(Boolean);
  if (hints.length) return ` (did you mean ${hints.join(", ")}?)`;
  return known.length ? ` (allowed: ${known.join(", ")})` : "";
}

function describeUse(kinds: readonly string[], platforms: readonly string[]): string {
  const k = kinds.length === KINDS.length ? "every kind" : `${kinds.join("/")} stacks`;
  const p = platforms.length === PLATFORMS.length ? "" : ` on ${platforms.join("/")}`;
  return `${k}${p}`;
}

// ---------------------------------------------------------------------------------------------
// Semantic checks: relations between fields that a schema cannot express.

interface Range {
  readonly key: string;
  readonly cidr: Cidr;
}

function cidrOf(key: string, text: string): Range {
  return { key, cidr: parseCidr(text) as Cidr };
}

/** Reports every pair of overlapping ranges. */
export function overlapIssues(ranges: readonly Range[], stack?: string): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      if (overlaps(ranges[i].cidr, ranges[j].cidr)) {
        out.push({
          key: ranges[j].key,
          value: ranges[j].cidr.text,
          expected: `a range that does not overlap ${ranges[i].key} (${ranges[i].cidr.text})`,
          ...(stack ? { stack } : {}),
        });
      }
    }
  }
  return out;
}

function semanticChecks(c: StackConfig, issues: ConfigIssue[], warnings: string[], today: Date): void {
  if (!PLATFORM_KINDS[c.platform].includes(c.kind)) {
    const kinds = PLATFORM_KINDS[c.platform];
    issues.push({ key: keyOf("kind"), value: c.kind, expected: kinds.length ? `one of ${kinds.join(", ")} on platform ${c.platform}` : `a kind built on platform ${c.platform} (none is built yet)` });
  }
  if (c.platform === "aws") awsChecks(c, issues);
  if (c.vpc) vpcChecks(c, issues, warnings);
  if (c.platform === "azure" && c.location && !regionCode(c.location, c.regionCode)) {
    issues.push({ key: keyOf("location"), value: c.location, expected: "a known Azure region, or set k8tre:regionCode to its abbreviation" });
  }
  if (c.kind === "gateway" && c.stackRefs && !c.stackRefs.network) {
    issues.push({ key: keyOf("stackRefs.network"), value: undefined, expected: "the network stack whose App Gateway subnet, hub endpoint subnet and private DNS zones this gateway uses (e.g. network)" });
  } else if (c.kind !== "network" && c.platform === "azure" && c.stackRefs && !c.stackRefs.network) {
    issues.push({ key: keyOf("stackRefs.network"), value: undefined, expected: "the network stack this cluster reads its subnets and private DNS zones from (e.g. network)" });
  }
  if (c.kind === "gateway" && c.stackRefs?.management) {
    issues.push({ key: keyOf("stackRefs.management"), value: c.stackRefs.management, expected: "no value: a gateway stack reads only its network stack (nothing of it depends on the management cluster)" });
  }
  if (c.kind === "environment" && c.registration?.enabled && c.stackRefs && !c.stackRefs.management) {
    issues.push({ key: keyOf("stackRefs.management"), value: undefined, expected: "the management stack to register with (e.g. mgmt), or set k8tre:registration.enabled false" });
  }
  if (c.network) networkChecks(c, issues);
  if (c.gateway) gatewayChecks(c, issues, warnings);
  if (c.cluster) clusterChecks(c, issues, warnings, today);
  if (c.k3s) {
    issues.push(...overlapIssues([cidrOf(keyOf("k3s.podCidr"), c.k3s.podCidr), cidrOf(keyOf("k3s.serviceCidr"), c.k3s.serviceCidr)]));
    if (c.agnostics?.enabled && !c.agnostics.metallbAddressPool) {
      issues.push({ key: keyOf("agnostics.metallbAddressPool"), value: undefined, expected: "a MetalLB address range for LoadBalancer services on k3s (e.g. 192.168.1.240-192.168.1.250)" });
    }
    if (c.agnostics?.storage.backend === "nfs" && (!c.agnostics.storage.nfsServer || !c.agnostics.storage.nfsPath)) {
      issues.push({ key: keyOf("agnostics.storage.nfsServer"), value: c.agnostics.storage.nfsServer, expected: "an NFS server and k8tre:agnostics.storage.nfsPath when backend is nfs" });
    }
  }
  if (c.agnostics) agnosticsChecks(c, issues);
  if (c.platform === "azure") azureArgocdChecks(c, issues);
  if (c.dns?.publicZoneId && c.domain && c.environment) publicZoneCheck(c, issues);
}

/**
 * cert-manager writes `_acme-challenge.<host>` TXT records for the environment's hosts into the
 * public zone: it must be the environment's zone or one of its parents.
 */
function publicZoneCheck(c: StackConfig, issues: ConfigIssue[]): void {
  const zone = c.dns!.publicZoneId!.split("/").pop()!.toLowerCase();
  const envDomain = c.dns?.apex ? c.domain : `${c.environment}.${c.domain}`;
  if (zone === envDomain || envDomain.endsWith(`.${zone}`)) return;
  issues.push({
    key: keyOf("dns.publicZoneId"),
    value: c.dns!.publicZoneId,
    expected: `the public zone of this environment's domain ${envDomain} or of a parent domain (this zone is ${zone})`,
  });
}

function networkChecks(c: StackConfig, issues: ConfigIssue[]): void {
  const n = c.network!;
  if (n.mode === "create") {
    const hub = cidrOf(keyOf("network.hub.addressSpace"), n.hub.addressSpace);
    const gw = cidrOf(keyOf("network.hub.gatewaySubnet"), n.hub.gatewaySubnet);
    if (!contains(hub.cidr, gw.cidr)) issues.push({ key: gw.key, value: gw.cidr.text, expected: `a subnet inside ${hub.key} (${hub.cidr.text})` });
    gatewaySubnetSize(gw, issues);
    const pe = cidrOf(keyOf("network.hub.endpointSubnet"), n.hub.endpointSubnet);
    if (!contains(hub.cidr, pe.cidr)) issues.push({ key: pe.key, value: pe.cidr.text, expected: `a subnet inside ${hub.key} (${hub.cidr.text})` });
    issues.push(...overlapIssues([gw, pe]));
    if (n.hub.firewallPrivateIp && !containsIp(hub.cidr, n.hub.firewallPrivateIp)) {
      issues.push({ key: keyOf("network.hub.firewallPrivateIp"), value: n.hub.firewallPrivateIp, expected: `an address inside the hub (${hub.cidr.text})` });
    }
    const vnets: Range[] = [hub];
    for (const [env, s] of Object.entries(n.spokes)) {
      const base = `network.spokes.${env}`;
      const vnet = cidrOf(keyOf(`${base}.addressSpace`), s.addressSpace);
      vnets.push(vnet);
      const subnets = (["nodeSubnet", "ingressSubnet", "endpointSubnet"] as const).map((f) => cidrOf(keyOf(`${base}.${f}`), s[f]));
      for (const sn of subnets) {
        if (!contains(vnet.cidr, sn.cidr)) issues.push({ key: sn.key, value: sn.cidr.text, expected: `a subnet inside ${vnet.key} (${vnet.cidr.text})` });
      }
      issues.push(...overlapIssues(subnets));
      if (env === n.managementSpoke) {
        const deployer = cidrOf(keyOf("network.deployer.subnet"), n.deployer.subnet);
        if (!contains(vnet.cidr, deployer.cidr)) issues.push({ key: deployer.key, value: deployer.cidr.text, expected: `a subnet inside the management spoke ${vnet.key} (${vnet.cidr.text})` });
        subnets.push(deployer);
      }
      issues.push(...overlapIssues(subnets));
      if (subnets[0].cidr.prefix > 24) issues.push({ key: subnets[0].key, value: subnets[0].cidr.text, expected: "a node subnet of /24 or larger (nodes need room to scale and surge)" });
    }
    issues.push(...overlapIssues(vnets));
    managementSpokeCheck(n, issues);
  } else {
    const gw = cidrOf(keyOf("network.hub.gatewaySubnetCidr"), n.hub.gatewaySubnetCidr);
    gatewaySubnetSize(gw, issues);
    existingNetworkChecks(n, c.location!, issues);
    managementSpokeCheck(n, issues);
  }
}

function managementSpokeCheck(n: NonNullable<StackConfig["network"]>, issues: ConfigIssue[]): void {
  if (!(n.managementSpoke in n.spokes)) {
    issues.push({ key: keyOf("network.managementSpoke"), value: n.managementSpoke, expected: `the environment of a spoke in k8tre:network.spokes (${Object.keys(n.spokes).join(", ") || "none"}): the management cluster's spoke, which the deployer and ArgoCD reach every cluster from` });
  }
}

/** Landing-zone IDs that must agree with each other (subnets in their VNet, zones in the DNS group, zone names). */
function existingNetworkChecks(n: Extract<NonNullable<StackConfig["network"]>, { mode: "existing" }>, location: string, issues: ConfigIssue[]): void {
  const under = (child: string, parent: string) => child.toLowerCase().startsWith(`${parent.toLowerCase()}/`);
  if (!under(n.hub.gatewaySubnetId, n.hub.vnetId)) {
    issues.push({ key: keyOf("network.hub.gatewaySubnetId"), value: n.hub.gatewaySubnetId, expected: `a subnet of k8tre:network.hub.vnetId (${n.hub.vnetId}/subnets/<name>)` });
  }
  if (n.hub.endpointSubnetId && !under(n.hub.endpointSubnetId, n.hub.vnetId)) {
    issues.push({ key: keyOf("network.hub.endpointSubnetId"), value: n.hub.endpointSubnetId, expected: `a subnet of k8tre:network.hub.vnetId (${n.hub.vnetId}/subnets/<name>): the certificate vault's endpoint goes into the hub, where the Application Gateway resolves the vault` });
  } else if (n.hub.endpointSubnetId && n.hub.endpointSubnetId.toLowerCase() === n.hub.gatewaySubnetId.toLowerCase()) {
    issues.push({ key: keyOf("network.hub.endpointSubnetId"), value: n.hub.endpointSubnetId, expected: "a hub subnet other than k8tre:network.hub.gatewaySubnetId (an Application Gateway subnet holds application gateways only)" });
  }
  for (const [env, s] of Object.entries(n.spokes)) {
    for (const f of ["nodeSubnetId", "ingressSubnetId", "endpointSubnetId"] as const) {
      if (!under(s[f], s.vnetId)) issues.push({ key: keyOf(`network.spokes.${env}.${f}`), value: s[f], expected: `a subnet of k8tre:network.spokes.${env}.vnetId (${s.vnetId}/subnets/<name>)` });
    }
  }
  // What the landing zone guarantees must be enough for the deployer to resolve the private-link
  // zones: with "zone-links" this stack creates the links, so they must be asked for.
  const r = n.reachability;
  if (r.privateDns === "zone-links") {
    if (!n.dnsLinkVnetIds.some((id) => id.toLowerCase() === r.deployerVnetId.toLowerCase())) {
      issues.push({ key: keyOf("network.dnsLinkVnetIds"), value: n.dnsLinkVnetIds, expected: `a list containing k8tre:network.reachability.deployerVnetId (${r.deployerVnetId}): with privateDns "zone-links" the deployer resolves the private API servers only through a zone link to its VNet` });
    }
    if (!n.linkZonesToSpokes) {
      issues.push({ key: keyOf("network.linkZonesToSpokes"), value: n.linkZonesToSpokes, expected: 'true when k8tre:network.reachability.privateDns is "zone-links" (nodes and ArgoCD resolve Key Vault, storage and API-server endpoints through zone links on their spokes), or privateDns "hub-resolver"' });
    }
  }
  const expectedNames: Record<string, string> = privateZoneNames(location);
  for (const [zone, id] of Object.entries(n.privateDnsZoneIds)) {
    const key = keyOf(`network.privateDnsZoneIds.${zone}`);
    if (!under(id, n.dnsResourceGroupId)) issues.push({ key, value: id, expected: `a zone in k8tre:network.dnsResourceGroupId (${n.dnsResourceGroupId}); zone links are created next to the zone` });
    const name = id.split("/").pop()!.toLowerCase();
    const want = expectedNames[zone];
    // AKS also accepts a sub-zone (<sub>.privatelink.<region>.azmk8s.io).
    if (name !== want && !(zone === "aks" && name.endsWith(`.${want}`))) {
      issues.push({ key, value: id, expected: `the ${want} zone${zone === "aks" ? " (for the stack's k8tre:location)" : ""}` });
    }
  }
}

function gatewaySubnetSize(gw: Range, issues: ConfigIssue[]): void {
  if (gw.cidr.prefix > 26) {
    issues.push({ key: gw.key, value: gw.cidr.text, expected: "an Application Gateway v2 subnet of /26 or larger (Microsoft recommends /24 for autoscaling)" });
  }
}

/**
 * WAF mode, agreeing with the mandatory policy `waf-policy-prevention` (policy/rules.ts):
 * Prevention always; Detection only as a documented exception (k8tre:gateway.wafDetectionReason,
 * which the program writes as the WAF policy's `k8tre-waf-detection-reason` tag the policy
 * accepts) and never on a protected stack. Whatever this accepts, the policy accepts.
 */
function wafModeChecks(c: StackConfig, issues: ConfigIssue[], warnings: string[]): void {
  const g = c.gateway!;
  if (g.wafMode === "Detection") {
    if (c.protected) {
      issues.push({ key: keyOf("gateway.wafMode"), value: g.wafMode, expected: '"Prevention" on a protected stack (Detection only logs attacks; the policy waf-policy-prevention requires Prevention in production)' });
    } else if (!g.wafDetectionReason) {
      issues.push({
        key: keyOf("gateway.wafMode"),
        value: g.wafMode,
        expected: '"Prevention" (the mandatory policy waf-policy-prevention refuses Detection), or document a temporary exception in k8tre:gateway.wafDetectionReason (e.g. "tuning false positives until 2026-12-31")',
      });
    } else {
      warnings.push(`k8tre:gateway.wafMode is Detection (${g.wafDetectionReason}): the WAF only logs attacks; switch back to Prevention when the exception ends`);
    }
  } else if (g.wafDetectionReason) {
    issues.push({ key: keyOf("gateway.wafDetectionReason"), value: g.wafDetectionReason, expected: 'no value while k8tre:gateway.wafMode is "Prevention" (it documents a Detection exception)' });
  }
}

function gatewayChecks(c: StackConfig, issues: ConfigIssue[], warnings: string[]): void {
  const g = c.gateway!;
  // The WAF policy exists even while the gateway is disabled: check its mode first.
  wafModeChecks(c, issues, warnings);
  if (!g.enabled) return;
  if (g.minCapacity > g.maxCapacity) {
    issues.push({ key: keyOf("gateway.minCapacity"), value: g.minCapacity, expected: `at most k8tre:gateway.maxCapacity (${g.maxCapacity})` });
  }
  if (c.protected && g.minCapacity < 2) {
    issues.push({ key: keyOf("gateway.minCapacity"), value: g.minCapacity, expected: "at least 2 on a protected (production) stack, so one instance can fail" });
  }
  const seen = new Map<string, number>();
  // That each listener's environment has a spoke in the network stack is checked across stacks (config/project.ts).
  g.listeners.forEach((l, i) => {
    const key = keyOf(`gateway.listeners.${i}.environment`);
    if (seen.has(l.environment)) issues.push({ key, value: l.environment, expected: `a unique environment (also listed at index ${seen.get(l.environment)})` });
    seen.set(l.environment, i);
  });
  const apexes = g.listeners.filter((l) => l.apex);
  if (apexes.length > 1) issues.push({ key: keyOf("gateway.listeners"), value: apexes.map((a) => a.environment), expected: "at most one listener with apex: true" });
}

function clusterChecks(c: StackConfig, issues: ConfigIssue[], warnings: string[], today: Date): void {
  const k = c.cluster!;
  kubernetesVersionChecks(k, issues, warnings, today);
  const pod = cidrOf(keyOf("cluster.podCidr"), k.podCidr);
  const svc = cidrOf(keyOf("cluster.serviceCidr"), k.serviceCidr);
  issues.push(...overlapIssues([pod, svc]));
  if (!containsIp(svc.cidr, k.dnsServiceIp)) {
    issues.push({ key: keyOf("cluster.dnsServiceIp"), value: k.dnsServiceIp, expected: `an address inside k8tre:cluster.serviceCidr (${k.serviceCidr})` });
  } else if ([svc.cidr.first, svc.cidr.first + 1n, svc.cidr.last].includes(ipValue(k.dnsServiceIp))) {
    issues.push({ key: keyOf("cluster.dnsServiceIp"), value: k.dnsServiceIp, expected: "neither the first, second nor last address of the service CIDR (AKS reserves them)" });
  }
  const pools = [{ key: "cluster.systemPool", ...k.systemPool }, ...k.userPools.map((p, i) => ({ key: `cluster.userPools.${i}`, ...p }))];
  for (const p of pools) {
    if (p.minCount > p.maxCount) issues.push({ key: keyOf(`${p.key}.minCount`), value: p.minCount, expected: `at most ${keyOf(`${p.key}.maxCount`)} (${p.maxCount})` });
  }
  const names = new Set<string>();
  k.userPools.forEach((p, i) => {
    if (p.name === "system" || names.has(p.name)) issues.push({ key: keyOf(`cluster.userPools.${i}.name`), value: p.name, expected: "a unique pool name other than system" });
    names.add(p.name);
  });
  const vcpu = /^Standard_[A-Z]+(\d+)/i.exec(k.systemPool.vmSize);
  if (vcpu && Number(vcpu[1]) < 4) {
    warnings.push(`k8tre:cluster.systemPool.vmSize ${k.systemPool.vmSize} has fewer than 4 vCPUs; AKS recommends at least 4 for system pools`);
  }
  if (k.systemPool.minCount < 2) warnings.push("k8tre:cluster.systemPool.minCount is below 2: a single system node is not highly available");
  if (k.kubeProxy === "enabled" && c.agnostics?.enabled) {
    // Without kube-proxy replacement Cilium cannot run Gateway API, and the agnostics layer's
    // internal gateway uses the `cilium` GatewayClass (docs/adr/0003-kube-proxy.md).
    issues.push({
      key: keyOf("cluster.kubeProxy"),
      value: k.kubeProxy,
      expected: '"disabled" (Cilium\'s Gateway API, which the agnostics internal gateway uses, needs kube-proxy replacement), or set k8tre:agnostics.enabled false',
    });
  }
  if (k.monitorMetrics) {
    // AKS managed Prometheus sends to an Azure Monitor workspace through a data collection
    // endpoint, rule and rule association (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable);
    // turning on azureMonitorProfile.metrics alone deploys collectors with nowhere to send.
    issues.push({
      key: keyOf("cluster.monitorMetrics"),
      value: true,
      expected: "false: managed Prometheus needs an Azure Monitor workspace, data collection endpoint, data collection rule and rule association, which this program does not declare; enable it outside the program (az aks update --enable-azure-monitor-metrics) or leave it off",
    });
  }
  if (c.protected) zoneRedundancyChecks(k, issues);
  if (k.kubeProxy === "enabled") {
    warnings.push("k8tre:cluster.kubeProxy is enabled: kube-proxy stays, Cilium runs without kube-proxy replacement and without Gateway API; see docs/adr/0003-kube-proxy.md");
  }
}

/**
 * A protected (production) cluster survives the loss of one availability zone: every pool spans
 * at least two zones ("In zone-spanning node pools, nodes are spread across all selected zones
 * ... If a zone outage occurs, nodes within the affected zone might be impacted, but nodes in
 * other availability zones remain unaffected", https://learn.microsoft.com/azure/aks/reliability-availability-zones-configure)
 * and never scales below one node per zone, so a zone outage leaves nodes in every other zone.
 */
function zoneRedundancyChecks(k: NonNullable<StackConfig["cluster"]>, issues: ConfigIssue[]): void {
  const pools = [{ key: "cluster.systemPool", ...k.systemPool }, ...k.userPools.map((p, i) => ({ key: `cluster.userPools.${i}`, ...p }))];
  for (const p of pools) {
    if (p.zones.length < 2) {
      issues.push({ key: keyOf(`${p.key}.zones`), value: p.zones, expected: 'at least two availability zones on a protected (production) stack, e.g. ["1", "2", "3"], so the pool survives a zone outage' });
    } else if (p.minCount < p.zones.length) {
      issues.push({
        key: keyOf(`${p.key}.minCount`),
        value: p.minCount,
        expected: `at least ${p.zones.length} (one node per zone in ${JSON.stringify(p.zones)}) on a protected (production) stack, so losing a zone leaves nodes in the others`,
      });
    }
  }
}

/**
 * The Kubernetes version against the AKS release calendar (config/kubernetes-versions.ts), the
 * LTS combination AKS requires, and the version pin against the auto-upgrade channel.
 */
function kubernetesVersionChecks(k: NonNullable<StackConfig["cluster"]>, issues: ConfigIssue[], warnings: string[], today: Date): void {
  const key = keyOf("cluster.kubernetesVersion");
  const lts = k.supportPlan === "AKSLongTermSupport";
  // "Enabling LTS requires moving your cluster to the Premium tier and explicitly selecting the
  // LTS support plan" (https://learn.microsoft.com/azure/aks/long-term-support).
  if (lts && k.skuTier !== "Premium") {
    issues.push({ key: keyOf("cluster.skuTier"), value: k.skuTier, expected: '"Premium": AKS long-term support (k8tre:cluster.supportPlan AKSLongTermSupport) is only offered on the Premium tier' });
  }
  const day = today.toISOString().slice(0, 10);
  const supported = supportedMinors(AKS_KUBERNETES_VERSIONS, today).join(", ");
  const s = versionSupport(AKS_KUBERNETES_VERSIONS, k.kubernetesVersion, today, lts);
  switch (s.status) {
    case "unknown":
      issues.push({ key, value: k.kubernetesVersion, expected: `a minor in the AKS release calendar (config/kubernetes-versions.ts; supported on ${day}: ${supported})` });
      break;
    case "not-yet-ga":
      warnings.push(`${key} ${k.kubernetesVersion} is not generally available on AKS until ${s.row.ga} (${s.row.source}); AKS offers it as a preview at most`);
      break;
    case "lts-only":
      issues.push({
        key,
        value: k.kubernetesVersion,
        expected: `a minor in community support on ${day} (${supported}): ${s.row.minor} left it on ${s.row.endOfLife} and AKS creates no new clusters on it without long-term support (set k8tre:cluster.supportPlan AKSLongTermSupport with skuTier Premium, supported until ${s.row.ltsEndOfLife}) (${s.row.source})`,
      });
      break;
    case "out-of-support":
      issues.push({
        key,
        value: k.kubernetesVersion,
        expected: `a minor AKS still supports on ${day} (${supported}): ${s.row.minor} ${s.lts ? "long-term " : ""}support ended on ${s.until} (${s.row.source})`,
      });
      break;
    case "ending":
      warnings.push(`${key} ${k.kubernetesVersion}: AKS ${s.lts ? "long-term " : ""}support for ${s.row.minor} ends on ${s.until} (in ${s.daysLeft} days); upgrade to a newer minor (${supported}) (${s.row.source})`);
      break;
    case "supported":
      break;
  }
  // Alias minor version: "When you create a cluster without designating a patch, the cluster runs
  // the minor version's latest GA patch" and the patch channel moves it within the minor
  // (https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#alias-minor-version-in-aks).
  // A pinned patch under a channel that upgrades patches would be downgraded by the next `up`,
  // which AKS refuses: pin the minor. Channels that upgrade minors (stable, rapid) own the version;
  // the cluster component then ignores later changes to it (components/azure/cluster/spec.ts).
  const pinnedPatch = k.kubernetesVersion !== minorOf(k.kubernetesVersion);
  if (pinnedPatch && ["patch", "stable", "rapid"].includes(k.autoUpgradeChannel)) {
    issues.push({
      key,
      value: k.kubernetesVersion,
      expected: `a minor version such as "${minorOf(k.kubernetesVersion)}" with k8tre:cluster.autoUpgradeChannel ${k.autoUpgradeChannel} (AKS upgrades the patch itself; a pinned patch would fight it), or set autoUpgradeChannel none`,
    });
  }
  if (k.autoUpgradeChannel === "stable" || k.autoUpgradeChannel === "rapid") {
    warnings.push(`k8tre:cluster.autoUpgradeChannel ${k.autoUpgradeChannel} upgrades minor versions: ${key} only sets the version a new cluster starts on, later changes to it are ignored`);
  }
}

function azureArgocdChecks(c: StackConfig, issues: ConfigIssue[]): void {
  if (!c.argocd) return;
  if (!c.argocd.adminGroupObjectIds) {
    issues.push({ key: keyOf("argocd.adminGroupObjectIds"), value: undefined, expected: "a value (required): at least one Entra ID group for ArgoCD admins" });
  }
  if (c.argocd.oidc) {
    issues.push({ key: keyOf("argocd.oidc"), value: c.argocd.oidc, expected: "no value on Azure (ArgoCD signs users in with Entra ID; list the groups in k8tre:argocd.adminGroupObjectIds)" });
  }
}

function agnosticsChecks(c: StackConfig, issues: ConfigIssue[]): void {
  const a = c.agnostics!;
  const cert = a.certificates;
  if ((cert.issuer === "letsencrypt" || cert.issuer === "acme") && !cert.email) {
    issues.push({ key: keyOf("agnostics.certificates.email"), value: undefined, expected: `a contact e-mail address for the ${cert.issuer} ACME account` });
  }
  if (cert.issuer === "acme" && !cert.acmeServer) {
    issues.push({ key: keyOf("agnostics.certificates.acmeServer"), value: undefined, expected: "the institutional ACME directory URL when issuer is acme" });
  }
  if (cert.issuer === "ca" && !cert.caSecretName) {
    issues.push({ key: keyOf("agnostics.certificates.caSecretName"), value: undefined, expected: "the Secret holding the institutional CA when issuer is ca" });
  }
  if (cert.issuer === "letsencrypt" && c.platform === "azure" && !c.dns?.publicZoneId) {
    issues.push({ key: keyOf("dns.publicZoneId"), value: undefined, expected: "the public Azure DNS zone for Let's Encrypt DNS-01 challenges" });
  }
  if (cert.issuer === "letsencrypt" && c.platform === "k3s") {
    issues.push({ key: keyOf("agnostics.certificates.issuer"), value: cert.issuer, expected: "selfsigned, acme or ca on k3s (Let's Encrypt DNS-01 here uses Azure DNS)" });
  }
  if (a.secretStore === "azure-keyvault" && c.platform === "k3s") {
    issues.push({ key: keyOf("agnostics.secretStore"), value: a.secretStore, expected: '"kubernetes" on k3s (there is no Azure Key Vault)' });
  }
  if (c.platform === "azure" && (a.metallbAddressPool || a.kareDnsIp)) {
    issues.push({ key: keyOf("agnostics.metallbAddressPool"), value: a.metallbAddressPool ?? a.kareDnsIp, expected: "no value on Azure (MetalLB and kare-dns are k3s only)" });
  }
}

/** `k8tre:aws` relations and AWS tag rules (docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). */
function awsChecks(c: StackConfig, issues: ConfigIssue[]): void {
  const a = c.aws;
  if (a?.assumeRoleArn) {
    const role = parseArn(a.assumeRoleArn)!;
    // The provider checks the account of the identity it ends up with (the role's account)
    // against allowedAccountIds, so a role in another account can never deploy this stack.
    if (role.account !== a.accountId) {
      issues.push({ key: keyOf("aws.assumeRoleArn"), value: a.assumeRoleArn, expected: `a role in the stack's account k8tre:aws.accountId (${a.accountId})` });
    }
    const partition = AWS_REGIONS[a.region]?.partition;
    if (partition && role.partition !== partition) {
      issues.push({ key: keyOf("aws.assumeRoleArn"), value: a.assumeRoleArn, expected: `an ARN in partition ${partition} (the partition of region ${a.region})` });
    }
  }
  for (const [k, v] of Object.entries(c.tags)) {
    if (!AWS_TAG_KEY.test(k)) {
      issues.push({ key: keyOf(`tags.${k}`), value: k, expected: "an AWS tag key: 1-128 letters, digits, spaces and _.:/=+-@, not starting with aws:" });
    } else if (!AWS_TAG_VALUE.test(v)) {
      issues.push({ key: keyOf(`tags.${k}`), value: v, expected: "an AWS tag value: up to 256 letters, digits, spaces and _.:/=+-@" });
    }
  }
}

/** Subnet plan of `k8tre:vpc`: zones, counts per role, containment, sizes, overlaps (docs/aws.md "Network"). */
function vpcChecks(c: StackConfig, issues: ConfigIssue[], warnings: string[]): void {
  const v = c.vpc!;
  const vpcRange = cidrOf(keyOf("vpc.cidr"), v.cidr);
  // docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html: /16 to /28; below /24 leaves no room for EKS.
  if (vpcRange.cidr.prefix < 16 || vpcRange.cidr.prefix > 24) issues.push({ key: vpcRange.key, value: v.cidr, expected: "a VPC range from /16 to /24 (AWS allows /16 at most)" });
  const zones = v.availabilityZones;
  const azCount = zones?.length ?? v.subnets.nodes.length;
  if (zones) {
    const region = c.aws?.region;
    zones.forEach((z, i) => {
      if (region && !(z.startsWith(region) && /^[a-z]$/.test(z.slice(region.length)))) {
        issues.push({ key: keyOf(`vpc.availabilityZones.${i}`), value: z, expected: `a zone of region ${region} (${region}a, ${region}b, …)` });
      }
    });
    if (new Set(zones).size !== zones.length) issues.push({ key: keyOf("vpc.availabilityZones"), value: zones, expected: "distinct zones" });
  }
  if (azCount < 2) {
    issues.push({ key: keyOf(zones ? "vpc.availabilityZones" : "vpc.subnets.nodes"), value: zones ?? v.subnets.nodes, expected: "at least two availability zones (EKS needs subnets in two zones)" });
  }
  const perZone = (role: "nodes" | "pods" | "endpoints") => {
    if (v.subnets[role].length !== azCount) {
      issues.push({ key: keyOf(`vpc.subnets.${role}`), value: v.subnets[role], expected: `one CIDR per availability zone (${azCount}${zones ? ": k8tre:vpc.availabilityZones" : ", as many as k8tre:vpc.subnets.nodes"})` });
    }
  };
  perZone("nodes");
  perZone("pods");
  perZone("endpoints");
  const wantPublic = v.natGateways === "perAz" ? azCount : v.natGateways === "single" ? 1 : 0;
  if (v.subnets.public.length !== wantPublic) {
    issues.push({
      key: keyOf("vpc.subnets.public"),
      value: v.subnets.public,
      expected: wantPublic === 0
        ? 'no public subnets with natGateways "none" (public subnets exist only for NAT gateways)'
        : `${wantPublic} public subnet${wantPublic > 1 ? "s" : ""} for natGateways "${v.natGateways}" (one per NAT gateway, nothing else is public)`,
    });
  }
  if (v.subnets.deployer.length > azCount) issues.push({ key: keyOf("vpc.subnets.deployer"), value: v.subnets.deployer, expected: `at most one deployer subnet per zone (${azCount})` });

  const all: Range[] = [];
  const minSize: Record<string, [number, string]> = {
    nodes: [24, "a node subnet of /24 or larger (nodes and internal load balancers need room to scale)"],
    pods: [20, "a pod subnet of /20 or larger (with Cilium ENI IPAM every pod takes a VPC address)"],
    endpoints: [27, "an endpoint subnet of /27 or larger (each interface endpoint, the inbound resolver and a transit gateway attachment take an address per zone; AWS reserves five)"],
    public: [28, "a subnet of /28 or larger (the AWS minimum)"],
    deployer: [28, "a subnet of /28 or larger (the AWS minimum)"],
  };
  for (const role of ["nodes", "pods", "endpoints", "public", "deployer"] as const) {
    v.subnets[role].forEach((text, i) => {
      const r = cidrOf(keyOf(`vpc.subnets.${role}.${i}`), text);
      all.push(r);
      if (!contains(vpcRange.cidr, r.cidr)) issues.push({ key: r.key, value: text, expected: `a subnet inside k8tre:vpc.cidr (${v.cidr})` });
      if (r.cidr.prefix > minSize[role][0]) issues.push({ key: r.key, value: text, expected: minSize[role][1] });
    });
  }
  issues.push(...overlapIssues(all));

  const dns = v.dns;
  dns.resolverInbound?.allowedCidrs.forEach((text, i) => {
    if (parseCidr(text) && (parseCidr(text) as Cidr).prefix === 0) {
      issues.push({ key: keyOf(`vpc.dns.resolverInbound.allowedCidrs.${i}`), value: text, expected: "the institution's DNS forwarders, not the whole internet" });
    }
  });
  const access = v.deployerAccess;
  access.allowedCidrs.forEach((text, i) => {
    if ((parseCidr(text) as Cidr).prefix < 8) {
      issues.push({ key: keyOf(`vpc.deployerAccess.allowedCidrs.${i}`), value: text, expected: "a VPN or institution network (/8 or smaller), never the internet: the clusters' API endpoints are private" });
    }
  });
  if (access.transitGateway) {
    issues.push(...overlapIssues([vpcRange, ...access.transitGateway.routes.map((r, i) => cidrOf(keyOf(`vpc.deployerAccess.transitGateway.routes.${i}`), r))]));
  }
  if (v.subnets.deployer.length === 0 && access.allowedCidrs.length === 0) {
    issues.push({
      key: keyOf("vpc.deployerAccess.allowedCidrs"),
      value: [],
      expected: "a way for the deployer to reach the clusters' private API endpoints: k8tre:vpc.subnets.deployer (a self-hosted runner in the VPC) or networks here (VPN/transit gateway)",
    });
  }
  if (v.natGateways === "none" && !access.transitGateway) {
    warnings.push('k8tre:vpc.natGateways is "none" and no transit gateway is attached: the clusters have no internet egress; every image must come from ECR (docs/aws.md)');
  }
  if (v.natGateways === "single") warnings.push('k8tre:vpc.natGateways is "single": one zone\'s failure cuts every zone\'s internet egress; use perAz in production');
  if (dns.firewall.action === "alert") warnings.push("k8tre:vpc.dns.firewall.action is alert: the DNS Firewall only logs queries for domains not allowed; use block in production");
}

function checkAwsNames(c: StackConfig, issues: ConfigIssue[]): AwsNaming | undefined {
  let naming: AwsNaming;
  try {
    naming = new AwsNaming({ prefix: c.prefix, environment: c.environment, region: c.aws!.region, accountId: c.aws!.accountId });
  } catch (e) {
    issues.push({ key: keyOf("aws.region"), value: c.aws!.region, expected: (e as Error).message });
    return undefined;
  }
  const before = issues.length;
  for (const probe of [() => naming.eksCluster(), () => naming.iamRole("cluster-autoscaler"), () => naming.s3Bucket("state"), () => naming.kmsAlias("default-storage")]) {
    try {
      probe();
    } catch (e) {
      if (!(e instanceof AwsNameError)) throw e;
      issues.push({
        key: `${keyOf("prefix")} + ${keyOf("environment")}`,
        value: e.value,
        expected: `a ${e.kind} name of ${e.rule.describe} (this one is ${e.value.length}); shorten k8tre:prefix or k8tre:environment`,
      });
    }
  }
  return issues.length > before ? undefined : naming;
}

function ipValue(ip: string): bigint {
  return ip.split(".").reduce((acc, o) => (acc << 8n) + BigInt(o), 0n);
}

function checkNames(c: StackConfig, issues: ConfigIssue[]): Naming | undefined {
  let naming: Naming;
  try {
    naming = new Naming({
      prefix: c.prefix,
      environment: c.environment,
      location: c.location!,
      regionCode: c.regionCode,
      suffixSeed: c.azure!.subscriptionId,
      nameSuffix: c.nameSuffix,
    });
  } catch (e) {
    issues.push({ key: keyOf("location"), value: c.location, expected: (e as Error).message });
    return undefined;
  }
  const probes: Array<() => string> = [() => naming.aksCluster(), () => naming.resourceGroup("network"), () => naming.resourceGroup("aks-nodes")];
  if (c.kind === "environment" || c.kind === "management") {
    probes.push(() => naming.keyVault(), () => naming.aksDnsPrefix());
  }
  if (c.kind === "environment" || c.kind === "management") probes.push(() => naming.storageAccount("ws"), () => naming.storageAccount("core"), () => naming.storageAccount("fs"));
  if (c.kind === "gateway") probes.push(() => naming.keyVault("cert"), () => naming.dnsLabel("appgw"));
  const before = issues.length;
  for (const probe of probes) {
    try {
      probe();
    } catch (e) {
      if (!(e instanceof NameTooLongError)) throw e;
      issues.push({
        key: `${keyOf("prefix")} + ${keyOf("environment")}`,
        value: e.value,
        expected: `a ${e.kind} name of ${e.rule.describe} (this one is ${e.value.length}); shorten k8tre:prefix or k8tre:environment`,
      });
    }
  }
  return issues.length > before ? undefined : naming;
}
