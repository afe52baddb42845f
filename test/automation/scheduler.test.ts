import { schedule, type ProgressEvent } from "../../automation/scheduler";

type R = { node: string; ok: boolean; skippedBy?: string; error?: string };

function harness(deps: Record<string, string[]>, opts: { fail?: string[]; throwIn?: string[]; delay?: Record<string, number> } = {}) {
  let inFlight = 0;
  let maxInFlight = 0;
  const started: string[] = [];
  const finished: string[] = [];
  const run = async (node: string): Promise<R> => {
    started.push(node);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, opts.delay?.[node] ?? 5));
    inFlight -= 1;
    finished.push(node);
    if (opts.throwIn?.includes(node)) throw new Error(`boom in ${node}`);
    return { node, ok: !opts.fail?.includes(node) };
  };
  return {
    started,
    finished,
    maxInFlight: () => maxInFlight,
    go: (parallel: number, onProgress?: (e: ProgressEvent<R>) => void) =>
      schedule<R>({
        nodes: Object.keys(deps),
        waitsFor: (n) => deps[n],
        parallel,
        run,
        succeeded: (r) => r.ok,
        skipped: (node, blockedBy) => ({ node, ok: false, skippedBy: blockedBy }),
        crashed: (node, err) => ({ node, ok: false, error: (err as Error).message }),
        onProgress,
      }),
  };
}

const FAN_OUT = { net: [], mgmt: ["net"], e1: ["mgmt", "net"], e2: ["mgmt", "net"], e3: ["mgmt", "net"], e4: ["mgmt", "net"], k3s: ["net"] };

describe("schedule", () => {
  it("never runs a node before the nodes it waits for have finished", async () => {
    const h = harness(FAN_OUT);
    await h.go(3);
    for (const [node, deps] of Object.entries(FAN_OUT)) {
      for (const d of deps) expect(h.finished.indexOf(d)).toBeLessThan(h.started.indexOf(node));
    }
    expect(h.started[0]).toBe("net");
  });

  it.each([1, 2, 3])("keeps at most %i nodes in flight", async (parallel) => {
    const h = harness(FAN_OUT);
    await h.go(parallel);
    expect(h.maxInFlight()).toBe(parallel);
  });

  it("runs independent nodes concurrently up to the bound", async () => {
    const h = harness({ a: [], b: [], c: [], d: [] }, { delay: { a: 60, b: 60, c: 60, d: 60 } });
    const t0 = Date.now();
    await h.go(4);
    expect(h.maxInFlight()).toBe(4);
    expect(Date.now() - t0).toBeLessThan(200); // sequential would take 4 × 60 ms
  });

  it("skips the whole downstream subgraph of a failure, naming the blocker, and keeps independent work going", async () => {
    const h = harness(FAN_OUT, { fail: ["mgmt"] });
    const results = await h.go(2);
    expect(results.get("mgmt")).toEqual({ node: "mgmt", ok: false });
    for (const e of ["e1", "e2", "e3", "e4"]) expect(results.get(e)).toEqual({ node: e, ok: false, skippedBy: "mgmt" });
    expect(results.get("k3s")).toEqual({ node: "k3s", ok: true });
    expect(h.started).not.toContain("e1");
    expect([...results.keys()]).toEqual(Object.keys(FAN_OUT)); // results in node order
  });

  it("cascades skips transitively (a skipped node blocks its own dependants)", async () => {
    const h = harness({ a: [], b: ["a"], c: ["b"] }, { fail: ["a"] });
    const results = await h.go(2);
    expect(results.get("b")!.skippedBy).toBe("a");
    expect(results.get("c")!.skippedBy).toBe("b");
    expect(h.started).toEqual(["a"]);
  });

  it("records a thrown error as a crash result and propagates it like a failure", async () => {
    const h = harness({ a: [], b: ["a"] }, { throwIn: ["a"] });
    const results = await h.go(1);
    expect(results.get("a")).toEqual({ node: "a", ok: false, error: "boom in a" });
    expect(results.get("b")!.skippedBy).toBe("a");
  });

  it("ignores dependencies outside the node set (e.g. not selected with --only)", async () => {
    const h = harness({ dev: ["mgmt", "net"] });
    const results = await h.go(1);
    expect(results.get("dev")!.ok).toBe(true);
  });

  it("reports progress for every start, finish and skip", async () => {
    const h = harness({ a: [], b: ["a"], c: [] }, { fail: ["a"] });
    const events: string[] = [];
    await h.go(2, (e) => events.push(`${e.type}:${e.node}:${e.done}/${e.total}`));
    expect(events).toEqual(["start:a:0/3", "start:c:0/3", "finish:a:1/3", "skip:b:2/3", "finish:c:3/3"]);
  });

  it("rejects a non-positive bound", async () => {
    await expect(harness({ a: [] }).go(0)).rejects.toThrow("parallel must be a positive integer, got 0");
  });
});
