/**
 * Project-wide view: the stack files next to Pulumi.yaml and the checks that span stacks
 * sharing one network (CIDR overlaps between hub, spokes, pods and services; every cluster
 * stack has a spoke). Used by the offline synth, the tests, the automation runner and, for
 * the current stack only, the program itself. Values are never exchanged this way — stacks
 * read each other's outputs through StackReference (docs/adr/0002-config.md).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { type Cidr, parseCidr } from "./cidr";
import { ConfigError, type ConfigIssue } from "./errors";
import { type LoadedStack, loadStackConfig, overlapIssues, SECRET_PLACEHOLDER } from "./load";

export interface StackFile {
  readonly stack: string;
  readonly file: string;
  /** Fully-qualified key → value, `secure:` values replaced by {@link SECRET_PLACEHOLDER}. */
  readonly raw: Record<string, unknown>;
  /** Keys whose values were `secure:` in the file. */
  readonly secretKeys: readonly string[];
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

export function readStackFile(file: string, stack: string): StackFile {
  const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const raw: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(doc.config ?? {})) {
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v) {
      raw[k] = SECRET_PLACEHOLDER;
      secretKeys.push(k);
    } else {
      raw[k] = v;
    }
  }
  return { stack, file, raw, secretKeys };
}

/** Loads every stack file; returns the loaded stacks and every stack's errors. */
export function loadProject(files: ProjectFiles): { loaded: Map<string, LoadedStack>; errors: ConfigError[] } {
  const loaded = new Map<string, LoadedStack>();
  const errors: ConfigError[] = [];
  for (const f of files.stacks) {
    try {
      loaded.set(f.stack, loadStackConfig(f.raw, { stack: f.stack }));
    } catch (e) {
      if (e instanceof ConfigError) errors.push(e);
      else throw e;
    }
  }
  const cross = crossStackIssues(loaded);
  if (cross.length) errors.push(new ConfigError(cross));
  return { loaded, errors };
}

/** Last segment of a stack reference (`organization/k8tre/network` → `network`). */
export function shortStackName(ref: string): string {
  return ref.split("/").pop()!;
}

interface Owned {
  readonly stack: string;
  readonly key: string;
  readonly cidr: Cidr;
}

/**
 * Checks across stacks that share a network stack: hub/spoke VNets, pod and service CIDRs of
 * every cluster must be pairwise disjoint, and every Azure cluster stack needs a spoke.
 */
export function crossStackIssues(loaded: ReadonlyMap<string, LoadedStack>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [netStack, net] of loaded) {
    const n = net.config.network;
    if (net.config.kind !== "network" || !n) continue;
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
    for (const [stack, s] of loaded) {
      const c = s.config;
      if (!c.cluster || shortStackName(c.stackRefs.network ?? "") !== netStack) continue;
      if (!(c.environment in n.spokes)) {
        issues.push({
          stack,
          key: "k8tre:environment",
          value: c.environment,
          expected: `an environment with a spoke in stack ${netStack}'s k8tre:network.spokes (${Object.keys(n.spokes).join(", ") || "none"})`,
        });
      }
      if (c.cluster.outboundType === "userDefinedRouting" && n.mode === "create" && !n.hub.firewallPrivateIp) {
        issues.push({
          stack,
          key: "k8tre:cluster.outboundType",
          value: c.cluster.outboundType,
          expected: `"loadBalancer", or set k8tre:network.hub.firewallPrivateIp in stack ${netStack} (userDefinedRouting needs a route table sending 0.0.0.0/0 to the hub firewall)`,
        });
      }
      add(stack, "k8tre:cluster.podCidr", c.cluster.podCidr);
      add(stack, "k8tre:cluster.serviceCidr", c.cluster.serviceCidr);
    }
    // Pairs inside one stack were already reported by that stack's own loader.
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        if (ranges[i].stack === ranges[j].stack) continue;
        for (const issue of overlapIssues([
          { key: `${ranges[i].key} of stack ${ranges[i].stack}`, cidr: ranges[i].cidr },
          { key: ranges[j].key, cidr: ranges[j].cidr },
        ])) {
          issues.push({ ...issue, stack: ranges[j].stack });
        }
      }
    }
  }
  return issues;
}
