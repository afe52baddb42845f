/**
 * Stack graph discovery, validation, selection and ordering.
 *
 * Pure module: it reads `Pulumi.yaml` / `Pulumi.<stack>.yaml` from a project directory and never
 * talks to the Pulumi CLI. The contract for a stack file's top-level `config:` map is
 *
 *   k8tre:kind:      network | management | environment | gateway (required)
 *   k8tre:stackRefs: { network?: <stack>, management?: <stack> }  (optional; a gateway stack: network only)
 *   k8tre:protected: boolean, default false                       (optional)
 *   k8tre:example:   boolean, default false                       (optional)
 *
 * A reference is a stack name in this project (`network`) or a qualified name (`org/project/stack`
 * or `org/stack`); the last segment is the stack. A reference whose project differs from ours is not
 * an edge of this graph: it is ignored and reported in `notes`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

export const STACK_KINDS = ["network", "management", "environment", "gateway"] as const;
export type StackKind = (typeof STACK_KINDS)[number];

/**
 * The keys of `k8tre:stackRefs` and the kind the referenced stack must have. A gateway stack
 * (the public App Gateway and its certificate vault, ADR 0006) references its network stack like
 * a cluster does; no stack references a gateway stack, so no cluster waits for it.
 */
export const REF_KINDS: Record<string, StackKind> = { network: "network", management: "management" };

/**
 * References a stack can be deployed without: the program declares what reads them only once the
 * referenced stack has outputs, so the runner starts the stack alongside the referenced one and
 * runs a late pass after it (docs/adr/0005-schedule-and-late-registration.md). On every platform
 * an environment reads `management` only for its ArgoCD registration: the registration itself
 * (stacks/registration.ts) and, on EKS, the deployer role's trust, its access entry and the API
 * endpoint's rule for the management cluster (stacks/environment/aws.ts). Every other reference
 * orders the stacks.
 */
export const LATE_REF_KEYS: ReadonlySet<string> = new Set(["management"]);

export interface StackNode {
  name: string;
  kind: StackKind;
  /** Stacks this one reads through StackReference (edges dependency ← dependant). Sorted. */
  dependsOn: string[];
  /** The part of `dependsOn` read only by a late pass (references in {@link LATE_REF_KEYS}). Sorted. */
  lateDependsOn: string[];
  protected: boolean;
  /** `k8tre:example: true`: deployed only when named explicitly. */
  example: boolean;
  /** `k8tre:platform` (default azure): which cloud CI logs in to for this stack. */
  platform: string;
  /** File the stack was declared in, relative to the project directory. */
  file: string;
  /** The stack file's top-level `secretsprovider:` (undefined means the passphrase provider). */
  secretsProvider?: string;
}

export interface StackGraph {
  projectDir: string;
  project: string;
  stacks: Map<string, StackNode>;
  /** Every stack, dependencies before dependants; ties broken by kind, then name. */
  order: string[];
  /** Non-fatal observations (for example, references to stacks of other projects). */
  notes: string[];
}

export class StackGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackGraphError";
  }
}

const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;
/**
 * Ties in the order are broken by kind, then name. The gateway stack ranks last: nothing waits
 * for it, so when the runner has fewer slots than ready stacks, the cluster stacks start first.
 */
const KIND_RANK: Record<StackKind, number> = { network: 0, management: 1, environment: 2, gateway: 3 };

function readYaml(file: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  try {
    return parseYaml(text);
  } catch (err) {
    throw new StackGraphError(`${path.basename(file)}: not valid YAML: ${(err as Error).message}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads the project name from `Pulumi.yaml` (or `.yml`). */
export function readProjectName(projectDir: string): string {
  for (const candidate of ["Pulumi.yaml", "Pulumi.yml"]) {
    const file = path.join(projectDir, candidate);
    if (!fs.existsSync(file)) continue;
    const doc = readYaml(file);
    if (!isRecord(doc) || typeof doc.name !== "string" || doc.name.trim() === "") {
      throw new StackGraphError(`${candidate}: missing the project \`name:\``);
    }
    return doc.name;
  }
  throw new StackGraphError(`no Pulumi.yaml in ${projectDir}: is this the Pulumi project directory?`);
}

function parseBoolean(value: unknown, where: string, key = "k8tre:protected"): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "boolean") return value;
  // `pulumi config set k8tre:protected true` stores the string "true".
  if (value === "true") return true;
  if (value === "false") return false;
  throw new StackGraphError(`${where}: ${key} must be true or false, got ${JSON.stringify(value)}`);
}

interface RawRef {
  key: string;
  target: string;
}

/**
 * Resolves a reference to a stack name of this project, or `undefined` if it names another project.
 * Accepted forms: `stack`, `org/stack`, `org/project/stack`.
 */
export function resolveStackRef(ref: string, project: string): { stack: string; foreignProject?: string } {
  const parts = ref.split("/");
  if (parts.some((p) => p.trim() === "") || parts.length > 3) {
    throw new StackGraphError(`invalid stack reference ${JSON.stringify(ref)}: expected stack, org/stack or org/project/stack`);
  }
  const stack = parts[parts.length - 1];
  if (parts.length === 3 && parts[1] !== project) return { stack, foreignProject: parts[1] };
  return { stack };
}

interface ParsedStackFile {
  kind: StackKind;
  refs: RawRef[];
  protected: boolean;
  example: boolean;
  platform: string;
  secretsProvider?: string;
}

function parseStackFile(projectDir: string, fileName: string, stackName: string): ParsedStackFile {
  const doc = readYaml(path.join(projectDir, fileName));
  const config = isRecord(doc) && isRecord(doc.config) ? doc.config : {};
  const kind = config["k8tre:kind"];
  if (typeof kind !== "string" || !(STACK_KINDS as readonly string[]).includes(kind)) {
    throw new StackGraphError(
      `${fileName}: stack "${stackName}" must set config k8tre:kind to one of ${STACK_KINDS.join(" | ")}` +
        (kind === undefined ? " (it is missing)" : `, got ${JSON.stringify(kind)}`),
    );
  }
  const rawRefs = config["k8tre:stackRefs"];
  const refs: RawRef[] = [];
  if (rawRefs !== undefined && rawRefs !== null) {
    if (!isRecord(rawRefs)) {
      throw new StackGraphError(`${fileName}: k8tre:stackRefs must be a map like { network: network, management: mgmt }`);
    }
    for (const [key, target] of Object.entries(rawRefs)) {
      if (!(key in REF_KINDS)) {
        throw new StackGraphError(
          `${fileName}: unknown key k8tre:stackRefs.${key} (allowed: ${Object.keys(REF_KINDS).join(", ")})`,
        );
      }
      if (typeof target !== "string" || target.trim() === "") {
        throw new StackGraphError(`${fileName}: k8tre:stackRefs.${key} must be a stack name, got ${JSON.stringify(target)}`);
      }
      refs.push({ key, target: target.trim() });
    }
  }
  const secretsProvider = isRecord(doc) && typeof doc.secretsprovider === "string" ? doc.secretsprovider : undefined;
  return {
    kind: kind as StackKind,
    refs,
    protected: parseBoolean(config["k8tre:protected"], fileName),
    example: parseBoolean(config["k8tre:example"], fileName, "k8tre:example"),
    platform: typeof config["k8tre:platform"] === "string" ? (config["k8tre:platform"] as string) : "azure",
    secretsProvider,
  };
}

function compareNodes(a: StackNode, b: StackNode): number {
  return KIND_RANK[a.kind] - KIND_RANK[b.kind] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Finds one cycle (as a closed path) among `names`, or undefined. */
function findCycle(stacks: Map<string, StackNode>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const pathStack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    state.set(name, "visiting");
    pathStack.push(name);
    for (const dep of stacks.get(name)!.dependsOn) {
      const s = state.get(dep);
      if (s === "visiting") return [...pathStack.slice(pathStack.indexOf(dep)), dep];
      if (s === undefined) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    pathStack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of [...stacks.keys()].sort()) {
    if (!state.has(name)) {
      const found = visit(name);
      if (found) return found;
    }
  }
  return undefined;
}

/** Kahn's algorithm restricted to `subset`, ties broken by kind rank, then name. */
export function topoOrder(stacks: Map<string, StackNode>, subset?: Iterable<string>): string[] {
  const members = new Set(subset ?? stacks.keys());
  const remaining = new Map<string, number>();
  for (const name of members) {
    remaining.set(name, stacks.get(name)!.dependsOn.filter((d) => members.has(d)).length);
  }
  const ready = [...members].filter((n) => remaining.get(n) === 0).map((n) => stacks.get(n)!);
  const out: string[] = [];
  while (ready.length > 0) {
    ready.sort(compareNodes);
    const node = ready.shift()!;
    out.push(node.name);
    for (const name of members) {
      const other = stacks.get(name)!;
      if (other.dependsOn.includes(node.name)) {
        const left = remaining.get(name)! - 1;
        remaining.set(name, left);
        if (left === 0) ready.push(other);
      }
    }
  }
  if (out.length !== members.size) {
    throw new StackGraphError("stack graph has a cycle"); // discoverStacks reports the cycle path first
  }
  return out;
}

/**
 * Discovers every `Pulumi.<stack>.yaml` in `projectDir` and builds the validated dependency graph.
 * Throws {@link StackGraphError} for missing `k8tre:kind`, references to stacks that do not exist,
 * references to a stack of the wrong kind, and cycles.
 */
export function discoverStacks(projectDir: string): StackGraph {
  const absDir = path.resolve(projectDir);
  const project = readProjectName(absDir);
  const files = fs
    .readdirSync(absDir)
    .filter((f) => STACK_FILE.test(f))
    .sort();
  const notes: string[] = [];
  const parsed = new Map<string, ParsedStackFile & { file: string }>();
  for (const file of files) {
    const name = STACK_FILE.exec(file)![1];
    if (parsed.has(name)) {
      throw new StackGraphError(`stack "${name}" is declared twice (${parsed.get(name)!.file} and ${file})`);
    }
    parsed.set(name, { file, ...parseStackFile(absDir, file, name) });
  }
  if (parsed.size === 0) {
    throw new StackGraphError(`no Pulumi.<stack>.yaml files in ${absDir}`);
  }

  const stacks = new Map<string, StackNode>();
  for (const [name, p] of parsed) {
    const deps = new Set<string>();
    const late = new Set<string>();
    for (const ref of p.refs) {
      const resolved = resolveStackRef(ref.target, project);
      if (resolved.foreignProject !== undefined) {
        notes.push(
          `${p.file}: k8tre:stackRefs.${ref.key} = ${ref.target} belongs to project "${resolved.foreignProject}", ` +
            `not "${project}"; it is not ordered by this runner`,
        );
        continue;
      }
      const target = parsed.get(resolved.stack);
      if (!target) {
        throw new StackGraphError(
          `${p.file}: k8tre:stackRefs.${ref.key} refers to stack "${resolved.stack}", but there is no ` +
            `Pulumi.${resolved.stack}.yaml (known stacks: ${[...parsed.keys()].join(", ")})`,
        );
      }
      if (resolved.stack === name) {
        throw new StackGraphError(`${p.file}: k8tre:stackRefs.${ref.key} refers to the stack itself`);
      }
      if (target.kind !== REF_KINDS[ref.key]) {
        throw new StackGraphError(
          `${p.file}: k8tre:stackRefs.${ref.key} refers to "${resolved.stack}", whose k8tre:kind is ` +
            `${target.kind}, not ${REF_KINDS[ref.key]}`,
        );
      }
      deps.add(resolved.stack);
      if (LATE_REF_KEYS.has(ref.key)) late.add(resolved.stack);
    }
    stacks.set(name, {
      name,
      kind: p.kind,
      dependsOn: [...deps].sort(),
      lateDependsOn: [...late].filter((s) => ![...p.refs].some((r) => !LATE_REF_KEYS.has(r.key) && resolveStackRef(r.target, project).stack === s)).sort(),
      protected: p.protected,
      example: p.example,
      platform: p.platform,
      file: p.file,
      secretsProvider: p.secretsProvider,
    });
  }

  const cycle = findCycle(stacks);
  if (cycle) {
    const files = cycle.slice(0, -1).map((s) => stacks.get(s)!.file);
    throw new StackGraphError(`stack reference cycle: ${cycle.join(" -> ")} (see k8tre:stackRefs in ${files.join(", ")})`);
  }
  return { projectDir: absDir, project, stacks, order: topoOrder(stacks), notes };
}

/** Stacks that (transitively) depend on `name`. */
export function dependantsOf(graph: StackGraph, name: string): Set<string> {
  const out = new Set<string>();
  const queue = [name];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const node of graph.stacks.values()) {
      if (node.dependsOn.includes(current) && !out.has(node.name)) {
        out.add(node.name);
        queue.push(node.name);
      }
    }
  }
  return out;
}

/** Stacks that `name` (transitively) depends on. */
export function dependenciesOf(graph: StackGraph, name: string): Set<string> {
  const out = new Set<string>();
  const queue = [...graph.stacks.get(name)!.dependsOn];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (out.has(current)) continue;
    out.add(current);
    queue.push(...graph.stacks.get(current)!.dependsOn);
  }
  return out;
}

export type Direction = "dependencies" | "dependants";

export interface Selection {
  /** Selected stacks in execution order (reverse dependency order for `dependants`). */
  order: string[];
  /** Stacks named on the command line (or every stack when none were named). */
  requested: Set<string>;
  /** Stacks pulled in because a requested stack needs them (or, for destroy, depends on them). */
  pulledIn: Set<string>;
}

/**
 * Selects stacks by name. With no names every stack is selected. Unless `only` is set, the
 * transitive closure is added: dependencies (for preview/up/refresh/outputs) or dependants (for
 * destroy, whose order is then reversed so dependants go first).
 */
export function selectStacks(graph: StackGraph, names: string[], opts: { only: boolean; direction: Direction }): Selection {
  const unknown = names.filter((n) => !graph.stacks.has(n));
  if (unknown.length > 0) {
    throw new StackGraphError(
      `unknown stack${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")} ` +
        `(known stacks: ${graph.order.join(", ")})`,
    );
  }
  const requested = new Set(names.length > 0 ? names : graph.order);
  const selected = new Set(requested);
  if (!opts.only) {
    for (const name of requested) {
      const closure = opts.direction === "dependencies" ? dependenciesOf(graph, name) : dependantsOf(graph, name);
      for (const extra of closure) selected.add(extra);
    }
  }
  const pulledIn = new Set([...selected].filter((n) => !requested.has(n)));
  const forward = graph.order.filter((n) => selected.has(n));
  return { order: opts.direction === "dependants" ? forward.reverse() : forward, requested, pulledIn };
}
