/** Dependency order of stacks (StackReference edges from `k8tre:stackRefs`). */
import type { LoadedStack } from "../../config/load";
import { shortStackName } from "../../config/project";

export interface Planned {
  stack: string;
  /** False for a dependency evaluated only to feed its outputs to a selected stack. */
  selected: boolean;
}

export function dependenciesOf(l: LoadedStack): string[] {
  return Object.values(l.config.stackRefs ?? {})
    .filter((r): r is string => typeof r === "string")
    .map(shortStackName);
}

/** Topological order of the wanted stacks plus their dependencies; a string on error. */
export function orderStacks(loaded: ReadonlyMap<string, LoadedStack>, wanted: readonly string[]): Planned[] | string {
  const selected = new Set(wanted.length ? wanted : [...loaded.keys()]);
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (s: string, trail: string[]): string | undefined => {
    if (state.get(s) === "done") return undefined;
    if (state.get(s) === "visiting") return `stack reference cycle: ${[...trail, s].join(" -> ")}`;
    const l = loaded.get(s);
    if (!l) return `stack ${trail[trail.length - 1]} references stack ${s}, which has no Pulumi.${s}.yaml`;
    state.set(s, "visiting");
    for (const d of dependenciesOf(l)) {
      const err = visit(d, [...trail, s]);
      if (err) return err;
    }
    state.set(s, "done");
    order.push(s);
    return undefined;
  };
  for (const s of [...selected].sort(byKind(loaded))) {
    const err = visit(s, []);
    if (err) return err;
  }
  return order.map((stack) => ({ stack, selected: selected.has(stack) }));
}

/** Ties broken by kind, then name: the gateway stack last (nothing reads it; automation/graph.ts KIND_RANK). */
const RANK = { network: 0, management: 1, environment: 2, gateway: 3 } as const;

function byKind(loaded: ReadonlyMap<string, LoadedStack>) {
  return (a: string, b: string) => {
    const ka = loaded.get(a)?.config.kind;
    const kb = loaded.get(b)?.config.kind;
    return (ka ? RANK[ka] : 9) - (kb ? RANK[kb] : 9) || a.localeCompare(b);
  };
}
