/**
 * Bounded-concurrency DAG scheduler with failure propagation.
 *
 * Pure module: the work itself is injected (`run`). A node starts once every node it waits for has
 * succeeded; if one of them failed (or was itself skipped), the node is not run and is reported as
 * skipped, naming the blocking node. Independent nodes keep running after a failure.
 */

export interface ScheduleOptions<R> {
  /** Nodes in priority order (a topological order); ready nodes start in this order. */
  nodes: string[];
  /** Nodes that must succeed before `node` may start. Names outside `nodes` are ignored. */
  waitsFor: (node: string) => string[];
  /** Maximum number of nodes running at once (>= 1). */
  parallel: number;
  run: (node: string) => Promise<R>;
  /** Whether a result lets the nodes waiting for it proceed. */
  succeeded: (result: R) => boolean;
  /** The result recorded for a node that is not run because `blockedBy` did not succeed. */
  skipped: (node: string, blockedBy: string) => R;
  /** The result recorded when `run` throws or rejects. */
  crashed: (node: string, error: unknown) => R;
  /** Called when a node starts and when it settles, with the counts at that moment. */
  onProgress?: (event: ProgressEvent<R>) => void;
}

export interface ProgressEvent<R> {
  type: "start" | "finish" | "skip";
  node: string;
  result?: R;
  running: string[];
  done: number;
  total: number;
}

export async function schedule<R>(opts: ScheduleOptions<R>): Promise<Map<string, R>> {
  if (!Number.isInteger(opts.parallel) || opts.parallel < 1) {
    throw new Error(`parallel must be a positive integer, got ${opts.parallel}`);
  }
  const members = new Set(opts.nodes);
  const waits = new Map(opts.nodes.map((n) => [n, opts.waitsFor(n).filter((d) => members.has(d) && d !== n)]));
  const results = new Map<string, R>();
  const ok = new Set<string>();
  /** Nodes settled without success (failed or skipped): only they can block a pending node. */
  let unsuccessful = 0;
  const running = new Set<string>();
  const pending = [...opts.nodes];
  const total = opts.nodes.length;

  const progress = (type: ProgressEvent<R>["type"], node: string, result?: R) =>
    opts.onProgress?.({ type, node, result, running: [...running], done: results.size, total });

  return new Promise((resolve) => {
    const pump = () => {
      // Skip every pending node blocked by a node that settled without success; repeat until stable
      // so that skips cascade to the whole downstream subgraph. (None yet: nothing to scan; the
      // deploy-time estimate runs thousands of resources through here, all successful.)
      let changed = unsuccessful > 0;
      while (changed) {
        changed = false;
        for (const node of [...pending]) {
          const blockedBy = waits.get(node)!.find((d) => results.has(d) && !ok.has(d));
          if (blockedBy !== undefined) {
            pending.splice(pending.indexOf(node), 1);
            const result = opts.skipped(node, blockedBy);
            results.set(node, result);
            unsuccessful++;
            progress("skip", node, result);
            changed = true;
          }
        }
      }
      for (const node of [...pending]) {
        if (running.size >= opts.parallel) break;
        if (!waits.get(node)!.every((d) => ok.has(d))) continue;
        pending.splice(pending.indexOf(node), 1);
        running.add(node);
        progress("start", node);
        Promise.resolve()
          .then(() => opts.run(node))
          .catch((err: unknown) => opts.crashed(node, err))
          .then((result) => {
            running.delete(node);
            results.set(node, result);
            if (opts.succeeded(result)) ok.add(node);
            else unsuccessful++;
            progress("finish", node, result);
            pump();
          });
      }
      if (pending.length === 0 && running.size === 0) {
        resolve(new Map(opts.nodes.map((n) => [n, results.get(n)!])));
      }
    };
    pump();
  });
}
