/** The program itself (what `pulumi up` runs) rejects bad config before declaring anything. */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackFile } from "../../config/project";

const ROOT = path.resolve(__dirname, "../..");

describe("program entry", () => {
  const registered: string[] = [];

  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push(args.type);
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "k8tre",
      "dev",
      false,
      "organization",
    );
  });

  function setStackConfig(patch: Record<string, unknown>): void {
    const raw = { ...readStackFile(path.join(ROOT, "Pulumi.dev.yaml"), "dev").raw, ...patch };
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));
  }

  it("throws a RunError (no stack trace, non-zero exit) listing every problem", async () => {
    const { loadCurrentStack } = await import("../../stacks");
    const dev = readStackFile(path.join(ROOT, "Pulumi.dev.yaml"), "dev").raw;
    setStackConfig({
      "k8tre:cluster": JSON.stringify({ ...(dev["k8tre:cluster"] as object), podCidr: "172.16.16.0/21" }),
      "k8tre:prefix": "researchtr",
      "k8tre:environment": "devtest1",
      "k8tre:unknownKey": "x",
    });
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "k8tre-noproject-"));
    let error: unknown;
    try {
      loadCurrentStack(empty);
    } catch (e) {
      error = e;
    }
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    // unknown key + overlap + public zone of the old name + key vault and three storage names too long
    expect(message).toMatch(/^Invalid configuration for stack "dev" \(Pulumi\.dev\.yaml\): 7 problems/);
    expect(message).toContain('k8tre:unknownKey: got "x"; expected a known key');
    expect(message).toContain('k8tre:cluster.serviceCidr: got "172.16.16.0/20"; expected a range that does not overlap k8tre:cluster.podCidr (172.16.16.0/21)');
    expect(message).toMatch(/k8tre:prefix \+ k8tre:environment: got "stresearchtrdevtest1core[a-z0-9]{6}"; expected a storageAccount name/);
    expect(registered).toEqual([]);
  });

  it("checks the stack against its sibling stack files (overlap with another stack's spoke)", async () => {
    const { loadCurrentStack } = await import("../../stacks");
    const dev = readStackFile(path.join(ROOT, "Pulumi.dev.yaml"), "dev").raw;
    setStackConfig({ "k8tre:cluster": { ...(dev["k8tre:cluster"] as object), podCidr: "10.13.0.0/16" } });
    expect(() => loadCurrentStack(ROOT)).toThrow(/k8tre:cluster\.podCidr: got "10\.13\.0\.0\/16"; expected a range that does not overlap k8tre:network\.spokes\.stg\.addressSpace of stack network/);
    expect(registered).toEqual([]);
  });
});
