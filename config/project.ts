/**
 * Project-wide view: the stack files next to Pulumi.yaml and every relation between them the
 * program relies on — stack references (exist, right kind, no cycle), one network's address plan
 * (hub, spokes, pods and services pairwise disjoint), environments (a spoke for each cluster, a
 * stack for each spoke and listener, one stack per environment on a network or management
 * cluster), one domain per network, and the gateway stack of a network (one at most, in the App
 * Gateway subnet's subscription and the network's region, listeners for environments of that
 * network). Each problem is reported against the stack file and key
 * the operator must edit. Used by the offline synth, the tests, the automation runner and, for
 * the current stack only, the program itself. Values are never exchanged this way — stacks read
 * each other's outputs through StackReference (docs/adr/0002-config.md).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { type Cidr, parseCidr } from "./cidr";
import { ConfigError, type ConfigIssue } from "./errors";
import { type LoadedStack, overlapIssues, SECRET_PLACEHOLDER, validateStackConfig } from "./load";
import type { StackConfig } from "./schema";

export interface StackFile {
  readonly stack: string;
  readonly file: string;
  /** Fully-qualified key → value, `secure:` values replaced by {@link SECRET_PLACEHOLDER}. */
  readonly raw: Record<string, unknown>;
  /** Keys whose values were `secure:` in the file. */
  readonly secretKeys: readonly string[];
  /** Problems reading the file itself (YAML syntax, no `config:` map); `raw` is then empty. */
  readonly readIssues?: readonly ConfigIssue[];
}

export interface ProjectFiles {
  readonly dir: string;
  readonly project: string;
  readonly stacks: readonly StackFile[];
}

export function readProject(dir: string): ProjectFiles {
  const projectFile = path.join(dir, "Pulumi.yaml");
  const project = parseYaml(fs.readFileSync(projectFile, "utf8")) as { name?: string };
  if (!project?.name) throw new Error(`${projectFile} has no project name`);
  const stacks = fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => readStackFile(path.join(dir, m[0]), m[1]))
    .sort((a, b) => a.stack.localeCompare(b.stack));
  return { dir, project: project.name, stacks };
}

/** Reads one stack file. A file that does not parse yields `readIssues` naming the file, line and column. */
export function readStackFile(file: string, stack: string): StackFile {
  const name = path.basename(file);
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
  } catch (e) {
    if (!(e instanceof YAMLParseError)) throw e;
    const pos = e.linePos?.[0];
    const where = pos ? `${name}:${pos.line}:${pos.col}` : name;
    const reason = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    return { stack, file, raw: {}, secretKeys: [], readIssues: [{ stack, key: where, value: undefined, got: "a YAML syntax error", expected: `valid YAML (${reason})` }] };
  }
  const config = (doc as { config?: unknown }).config;
  if (config !== undefined && (config === null || typeof config !== "object" || Array.isArray(config))) {
    return { stack, file, raw: {}, secretKeys: [], readIssues: [{ stack, key: `${name}: config`, value: config, expected: "a map of k8tre:<key>: <value> entries" }] };
  }
  const raw: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries((config ?? {}) as Record<string, unknown>)) {
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v) {
      raw[k] = SECRET_PLACEHOLDER;
      secretKeys.push(k);
    } else {
      raw[k] = v;
    }
  }
  return { stack, file, raw, secretKeys };
}

export interface ProjectLoad {
  /** Stacks with no problem of their own and none across stacks. */
  readonly loaded: Map<string, LoadedStack>;
  /** One error per stack with problems (its own and cross-stack ones), naming the stack file. */
  readonly errors: ConfigError[];
  /** Every problem, by the stack whose file must change. */
  readonly issuesByStack: ReadonlyMap<string, readonly ConfigIssue[]>;
}

/**
 * Validates every stack file and the relations between them; one run reports every problem.
 * Cross-stack checks run on whatever each stack parsed, so a per-stack error (a typo in tags)
 * does not hide a cross-stack one (an overlapping CIDR).
 */
export function loadProject(files: ProjectFiles): ProjectLoad {
  const byStack = new Map<string, ConfigIssue[]>();
  const add = (stack: string, issue: ConfigIssue) => {
    if (!byStack.has(stack)) byStack.set(stack, []);
    byStack.get(stack)!.push(issue);
  };
  const validated = new Map<string, { readonly config: Partial<StackConfig> }>();
  const ok = new Map<string, LoadedStack>();
  for (const f of files.stacks) {
    for (const i of f.readIssues ?? []) add(f.stack, i);
    if (f.readIssues?.length) continue;
    const v = validateStackConfig(f.raw, { stack: f.stack, file: path.basename(f.file), secretKeys: f.secretKeys });
    for (const i of v.issues) add(f.stack, i);
    validated.set(f.stack, v);
    if (v.loaded) ok.set(f.stack, v.loaded);
  }
  for (const i of crossStackIssues(validated, { project: files.project, present: files.stacks.map((f) => f.stack) })) add(i.stack!, i);

  const errors: ConfigError[] = [];
  const loaded = new Map<string, LoadedStack>();
  for (const f of files.stacks) {
    const issues = byStack.get(f.stack);
    if (issues?.length) errors.push(new ConfigError(issues, f.stack, path.basename(f.file)));
    else if (ok.has(f.stack)) loaded.set(f.stack, ok.get(f.stack)!);
  }
  return { loaded, errors, issuesByStack: byStack };
}

/** Last segment of a stack reference (`organization/k8tre/network` → `network`). */
export function shortStackName(ref: string): string {
  return ref.split("/").pop()!;
}

export const STACK_REF_ROLES = ["network", "management"] as const;
export type StackRefRole = (typeof STACK_REF_ROLES)[number];

/**
 * A stack's references as written in its file, even when the file does not validate (for the
 * closure of stacks a synth needs). Short names.
 */
export function rawStackRefs(file: StackFile): Partial<Record<StackRefRole, string>> {
  let refs = file.raw["k8tre:stackRefs"];
  if (typeof refs === "string") {
    try {
      refs = JSON.parse(refs);
    } catch {
      return {};
    }
  }
  const out: Partial<Record<StackRefRole, string>> = {};
  if (refs && typeof refs === "object") {
    for (const role of STACK_REF_ROLES) {
      const r = (refs as Record<string, unknown>)[role];
      if (typeof r === "string" && r) out[role] = shortStackName(r);
    }
  }
  return out;
}

/**
 * The stacks a synth of `wanted` evaluates: the wanted ones and, transitively, the stacks they
 * reference (by the files' raw references, so a broken file still counts its dependencies).
 */
export function stackClosure(files: ProjectFiles, wanted: readonly string[]): Set<string> {
  const byName = new Map(files.stacks.map((f) => [f.stack, f]));
  const out = new Set<string>();
  const visit = (s: string) => {
    if (out.has(s)) return;
    out.add(s);
    const f = byName.get(s);
    if (f) for (const d of Object.values(rawStackRefs(f))) if (d) visit(d);
  };
  for (const s of wanted) visit(s);
  return out;
}

interface Owned {
  readonly stack: string;
  readonly key: string;
  readonly cidr: Cidr;
}

type Validated = ReadonlyMap<string, { readonly config: Partial<StackConfig> }>;

export interface CrossStackOptions {
  /** This project's name: references to other projects' stacks are not checked. */
  readonly project?: string;
  /** Stack names with a stack file (including ones that failed to parse). Default: the map's keys. */
  readonly present?: readonly string[];
}

/** Every relation between stack files, each problem attributed to the stack (and key) to edit. */
export function crossStackIssues(stacks: Validated, opts: CrossStackOptions = {}): ConfigIssue[] {
  return [...referenceIssues(stacks, opts), ...environmentIssues(stacks, opts), ...gatewayIssues(stacks, opts), ...addressPlanIssues(stacks)];
}

/** Resolves a stack's reference for a role to a stack of this project (short name), if it is one. */
function refTarget(c: Partial<StackConfig>, role: StackRefRole, project?: string): string | undefined {
  const ref = c.stackRefs?.[role];
  if (!ref) return undefined;
  const parts = ref.split("/");
  if (parts.length === 3 && project && parts[1] !== project) return undefined; // another project's stack
  return parts[parts.length - 1];
}

/** Stack references exist, point at a stack of the role's kind, and form no cycle. */
function referenceIssues(stacks: Validated, opts: CrossStackOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const present = new Set(opts.present ?? stacks.keys());
  const edges = new Map<string, Array<{ role: StackRefRole; target: string }>>();
  for (const [stack, { config: c }] of stacks) {
    for (const role of STACK_REF_ROLES) {
      const target = refTarget(c, role, opts.project);
      if (!target) continue;
      const key = `k8tre:stackRefs.${role}`;
      const value = c.stackRefs![role];
      if (target === stack) {
        issues.push({ stack, key, value, expected: `the ${role} stack this stack depends on, not this stack itself` });
        continue;
      }
      if (!present.has(target)) {
        issues.push({ stack, key, value, expected: `a stack of this project with a Pulumi.<stack>.yaml (have: ${[...present].sort().join(", ")})` });
        continue;
      }
      edges.set(stack, [...(edges.get(stack) ?? []), { role, target }]);
      const kind = stacks.get(target)?.config.kind;
      if (kind !== undefined && kind !== role) {
        const ofKind = [...stacks].filter(([, s]) => s.config.kind === role).map(([n]) => n).sort();
        issues.push({ stack, key, value, expected: `a ${role} stack (${target} is ${kind === "environment" ? "an" : "a"} ${kind} stack; ${role} stacks here: ${ofKind.join(", ") || "none"})` });
      }
    }
  }
  // Cycles (every cycle has a reference of the wrong kind, reported above; the cycle is named
  // too, since it is what makes the stacks undeployable): each edge on it, on its own stack and key.
  const reported = new Set<string>();
  const visit = (s: string, trail: Array<{ stack: string; role: StackRefRole }>) => {
    const at = trail.findIndex((t) => t.stack === s);
    if (at >= 0) {
      const cycle = trail.slice(at);
      const text = [...cycle.map((t) => t.stack), s].join(" -> ");
      for (const t of cycle) {
        const id = `${t.stack}/${t.role}`;
        if (reported.has(id)) continue;
        reported.add(id);
        issues.push({ stack: t.stack, key: `k8tre:stackRefs.${t.role}`, value: stacks.get(t.stack)!.config.stackRefs![t.role], expected: `a reference that does not form a cycle (${text})` });
      }
      return;
    }
    for (const e of edges.get(s) ?? []) visit(e.target, [...trail, { stack: s, role: e.role }]);
  };
  for (const s of [...edges.keys()].sort()) visit(s, []);
  return issues;
}

/**
 * Environments: every cluster stack on a network has a spoke; every spoke of a network that stacks
 * use names an environment some stack has; no two stacks share an
 * environment on one network or one management cluster (same DNS zone, spoke, ArgoCD labels);
 * an environment's domain is its network's domain. (Gateway listeners: {@link gatewayIssues}.)
 */
function environmentIssues(stacks: Validated, opts: CrossStackOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { allEnvs, complete, users } = environmentIndex(stacks, opts);

  for (const [netStack, { config: net }] of stacks) {
    if (net.kind !== "network") continue;
    const clusters = users("network", netStack);
    if (clusters.length === 0) continue; // an unused network stack (e.g. the landing-zone example): nothing to relate
    const n = net.network;
    for (const [stack, { config: c }] of clusters) {
      if (n && !(c.environment! in n.spokes)) {
        issues.push({
          stack,
          key: "k8tre:environment",
          value: c.environment,
          expected: `an environment with a spoke in stack ${netStack}'s k8tre:network.spokes (${Object.keys(n.spokes).join(", ") || "none"}), or add k8tre:network.spokes.${c.environment} there`,
        });
      }
      if (net.domain && c.domain && c.domain !== net.domain) {
        issues.push({ stack, key: "k8tre:domain", value: c.domain, expected: `the domain of its network stack ${netStack} (${net.domain}): the gateway listens for <environment>.${net.domain}` });
      }
      if (c.cluster?.outboundType === "userDefinedRouting" && n?.mode === "create" && !n.hub.firewallPrivateIp) {
        issues.push({
          stack,
          key: "k8tre:cluster.outboundType",
          value: c.cluster.outboundType,
          expected: `"loadBalancer", or set k8tre:network.hub.firewallPrivateIp in stack ${netStack} (userDefinedRouting needs a route table sending 0.0.0.0/0 to the hub firewall)`,
        });
      }
    }
    const known = [...allEnvs].sort().join(", ");
    for (const env of Object.keys(n?.spokes ?? {})) {
      if (complete && !allEnvs.has(env)) {
        issues.push({ stack: netStack, key: `k8tre:network.spokes.${env}`, value: env, expected: `an environment some stack has (${known}); remove the spoke or add a stack with k8tre:environment: ${env}` });
      }
    }
    issues.push(...duplicateEnvironments(clusters, `network stack ${netStack}`));
  }
  for (const [mgmtStack, { config: m }] of stacks) {
    if (m.kind !== "management") continue;
    // Stacks on one network were compared above; here those registering with one management
    // cluster but on different networks (or none, k3s).
    const registered = users("management", mgmtStack).filter(([, s]) => s.config.registration?.enabled !== false);
    const byNetwork = new Set(registered.map(([, s]) => s.config.stackRefs?.network ?? ""));
    if (byNetwork.size > 1 || byNetwork.has("")) issues.push(...duplicateEnvironments(registered, `management stack ${mgmtStack}`, true));
  }
  return issues;
}

/** Cluster stacks' environments, whether every stack file parsed, and the stacks referencing a stack in a role. */
function environmentIndex(stacks: Validated, opts: CrossStackOptions) {
  const isCluster = (s: { readonly config: Partial<StackConfig> }) => s.config.kind === "management" || s.config.kind === "environment";
  // Environments of every cluster stack; unknown when a file did not parse (then orphan checks are skipped).
  const allEnvs = new Set([...stacks.values()].filter(isCluster).map((s) => s.config.environment).filter((e): e is string => !!e));
  const complete = [...stacks.values()].every((s) => s.config.environment) && (opts.present ?? [...stacks.keys()]).every((p) => stacks.has(p));
  /** Cluster stacks (a gateway stack references its network too, but holds no environment). */
  const users = (role: StackRefRole, target: string) =>
    [...stacks].filter(([, s]) => isCluster(s) && s.config.stackRefs && s.config.stackRefs[role] && shortStackName(s.config.stackRefs[role]!) === target && s.config.environment);
  return { allEnvs, complete, users };
}

/**
 * Gateway stacks (ADR 0006): one per network stack at most (one App Gateway subnet); in the
 * subscription of that subnet (its provider is built from k8tre:azure, known at program time) and
 * the network's region and domain (its names and listeners are the network's); each listener for
 * an environment with a spoke on that network and a stack, agreeing with that stack on the apex;
 * a vault it creates needs the hub endpoint subnet of a landing zone. Reported on the gateway
 * stack's file, naming the network stack's key where that is the one to change.
 */
function gatewayIssues(stacks: Validated, opts: CrossStackOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { allEnvs, complete, users } = environmentIndex(stacks, opts);
  const byNetwork = new Map<string, string[]>();
  for (const [stack, { config: c }] of [...stacks].sort(([a], [b]) => a.localeCompare(b))) {
    if (c.kind !== "gateway") continue;
    const netStack = refTarget(c, "network", opts.project);
    const net = netStack ? stacks.get(netStack)?.config : undefined;
    if (!netStack || !net || net.kind !== "network") continue; // a missing or wrong reference is reported by referenceIssues
    byNetwork.set(netStack, [...(byNetwork.get(netStack) ?? []), stack]);
    const netFile = `Pulumi.${netStack}.yaml`;
    const n = net.network;
    const subnetSubscription = !n || !net.azure ? undefined : n.mode === "create" ? (net.azure.connectivitySubscriptionId ?? net.azure.subscriptionId) : n.hub.gatewaySubnetId.split("/")[2];
    const mine = c.azure ? (c.azure.connectivitySubscriptionId ?? c.azure.subscriptionId) : undefined;
    if (subnetSubscription && mine && subnetSubscription.toLowerCase() !== mine.toLowerCase()) {
      const key = c.azure!.connectivitySubscriptionId ? "k8tre:azure.connectivitySubscriptionId" : "k8tre:azure.subscriptionId";
      const where = n!.mode === "create" ? `the connectivity subscription of ${netFile}` : `the subscription of ${netFile}'s k8tre:network.hub.gatewaySubnetId`;
      issues.push({ stack, key, value: mine, expected: `${subnetSubscription}, ${where}: an Application Gateway lives in its subnet's subscription, and this stack's provider targets ${key}` });
    }
    if (net.location && c.location && net.location !== c.location) {
      issues.push({ stack, key: "k8tre:location", value: c.location, expected: `${net.location} like ${netFile}: the gateway and the vault's endpoint go into that network's hub, and their names carry its region` });
    }
    if (net.domain && c.domain && net.domain !== c.domain) {
      issues.push({ stack, key: "k8tre:domain", value: c.domain, expected: `${net.domain} like ${netFile} and its environments: the gateway listens for <environment>.${net.domain}` });
    }
    const g = c.gateway;
    if (!g) continue;
    if (!g.certificateVaultId && n?.mode === "existing" && !n.hub.endpointSubnetId) {
      issues.push({
        stack,
        key: "k8tre:gateway.certificateVaultId",
        value: undefined,
        expected: `the landing zone's own (private) vault, or set k8tre:network.hub.endpointSubnetId in ${netFile}: the vault this stack creates is private and needs a hub subnet for its private endpoint`,
      });
    }
    const envs = new Map(users("network", netStack).map(([s, v]) => [v.config.environment!, s]));
    const known = [...allEnvs].sort().join(", ");
    g.listeners.forEach((l, i) => {
      if (n && !(l.environment in n.spokes)) {
        issues.push({ stack, key: `k8tre:gateway.listeners.${i}.environment`, value: l.environment, expected: `an environment with a spoke in ${netFile}'s k8tre:network.spokes (${Object.keys(n.spokes).join(", ") || "none"})` });
        return;
      }
      if (envs.size === 0) return; // a network no cluster stack uses (e.g. the landing-zone example): no environment to relate
      const owner = envs.get(l.environment);
      if (!owner) {
        if (complete && !allEnvs.has(l.environment)) issues.push({ stack, key: `k8tre:gateway.listeners.${i}.environment`, value: l.environment, expected: `an environment some stack has (${known})` });
        return;
      }
      const envApex = stacks.get(owner)!.config.dns?.apex ?? false;
      if ((l.apex ?? false) !== envApex) {
        issues.push({ stack, key: `k8tre:gateway.listeners.${i}.apex`, value: l.apex ?? false, expected: `${envApex} like stack ${owner}'s k8tre:dns.apex (the listener and the environment's DNS zone must agree on ${envApex ? net.domain : `${l.environment}.${net.domain}`})` });
      }
    });
  }
  for (const [netStack, gateways] of byNetwork) {
    if (gateways.length < 2) continue;
    for (const stack of gateways) {
      issues.push({ stack, key: "k8tre:stackRefs.network", value: stacks.get(stack)!.config.stackRefs!.network, expected: `a network stack no other gateway stack uses (${netStack} also has: ${gateways.filter((g) => g !== stack).join(", ")}): a network has one App Gateway subnet and one gateway` });
    }
  }
  return issues;
}

/** Two stacks with one environment on a shared network or management cluster: both are told. */
function duplicateEnvironments(stacks: Array<[string, { readonly config: Partial<StackConfig> }]>, where: string, crossNetworkOnly = false): ConfigIssue[] {
  const byEnv = new Map<string, string[]>();
  for (const [s, v] of stacks) byEnv.set(v.config.environment!, [...(byEnv.get(v.config.environment!) ?? []), s]);
  const issues: ConfigIssue[] = [];
  for (const [env, names] of byEnv) {
    if (names.length < 2) continue;
    if (crossNetworkOnly) {
      const nets = new Set(names.map((n) => stacks.find(([s]) => s === n)![1].config.stackRefs?.network ?? ""));
      if (nets.size === 1 && !nets.has("")) continue; // already reported by the network check
    }
    for (const s of names) {
      const others = names.filter((o) => o !== s).join(", ");
      issues.push({ stack: s, key: "k8tre:environment", value: env, expected: `an environment no other stack on ${where} uses (also: ${others}); both would write the same DNS zone and ArgoCD labels` });
    }
  }
  return issues;
}

/**
 * One network's address plan: hub/spoke VNets, pod and service CIDRs of every cluster on it must
 * be pairwise disjoint. An overlap between two stacks is reported on both, each with its own key
 * and the other side's, so whoever introduced it finds it in their stack's problems.
 */
function addressPlanIssues(stacks: Validated): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [netStack, { config: net }] of stacks) {
    const n = net.network;
    if (net.kind !== "network" || !n) continue;
    const ranges: Owned[] = [];
    const add = (stack: string, key: string, text: string | undefined) => {
      const c = text ? parseCidr(text) : undefined;
      if (c && typeof c !== "string") ranges.push({ stack, key, cidr: c });
    };
    if (n.mode === "create") {
      add(netStack, "k8tre:network.hub.addressSpace", n.hub.addressSpace);
      for (const [env, s] of Object.entries(n.spokes)) add(netStack, `k8tre:network.spokes.${env}.addressSpace`, s.addressSpace);
    } else {
      add(netStack, "k8tre:network.hub.gatewaySubnetCidr", n.hub.gatewaySubnetCidr);
    }
    for (const [stack, { config: c }] of stacks) {
      if (!c.cluster || !c.stackRefs?.network || shortStackName(c.stackRefs.network) !== netStack) continue;
      add(stack, "k8tre:cluster.podCidr", c.cluster.podCidr);
      add(stack, "k8tre:cluster.serviceCidr", c.cluster.serviceCidr);
    }
    // Pairs inside one stack are reported by that stack's own loader.
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        const [a, b] = [ranges[i], ranges[j]];
        if (a.stack === b.stack) continue;
        if (overlapIssues([a, b]).length === 0) continue;
        issues.push(overlapOn(a, b), overlapOn(b, a));
      }
    }
  }
  return issues;
}

function overlapOn(mine: Owned, theirs: Owned): ConfigIssue {
  return { stack: mine.stack, key: mine.key, value: mine.cidr.text, expected: `a range that does not overlap ${theirs.key} of stack ${theirs.stack} (${theirs.cidr.text})` };
}
