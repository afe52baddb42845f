import * as fs from "node:fs";
import * as path from "node:path";
import { dependantsOf, discoverStacks, resolveStackRef, selectStacks, StackGraphError } from "../../automation/graph";
import { STANDARD_STACKS, writeProject } from "./helpers";

describe("discoverStacks", () => {
  it("builds the network -> mgmt -> environments graph from the stack files", () => {
    const dir = writeProject(STANDARD_STACKS);
    const g = discoverStacks(dir);
    expect(g.project).toBe("k8tre");
    expect(g.order).toEqual(["network", "mgmt", "dev", "prd", "stg"]);
    expect(g.stacks.get("dev")).toMatchObject({ kind: "environment", dependsOn: ["mgmt", "network"], protected: false, file: "Pulumi.dev.yaml" });
    expect(g.stacks.get("prd")!.protected).toBe(true);
    expect(g.notes).toEqual([]);
  });

  it("orders by references, not by kind or name alone", () => {
    // "a-net" sorts before everything, "zz-mgmt" after the environments: only edges decide.
    const dir = writeProject({
      "a-net": { kind: "network" },
      "zz-mgmt": { kind: "management", refs: { network: "a-net" } },
      alpha: { kind: "environment", refs: { management: "zz-mgmt" } },
    });
    expect(discoverStacks(dir).order).toEqual(["a-net", "zz-mgmt", "alpha"]);
  });

  it("accepts a k3s environment that references only the network (no management edge)", () => {
    const dir = writeProject({ ...STANDARD_STACKS, k3s: { kind: "environment", refs: { network: "network" } } });
    const g = discoverStacks(dir);
    expect(g.stacks.get("k3s")!.dependsOn).toEqual(["network"]);
    // k3s does not wait for mgmt: it may come right after the network.
    expect(g.order.indexOf("k3s")).toBeGreaterThan(g.order.indexOf("network"));
    expect(selectStacks(g, ["k3s"], { only: false, direction: "dependencies" }).order).toEqual(["network", "k3s"]);
  });

  it("accepts a standalone environment without any stackRefs", () => {
    const dir = writeProject({ k3s: { kind: "environment" } });
    expect(discoverStacks(dir).stacks.get("k3s")!.dependsOn).toEqual([]);
  });

  it("reports a reference to a missing stack with the file, key and known stacks", () => {
    const dir = writeProject({
      network: { kind: "network" },
      dev: { kind: "environment", refs: { network: "network", management: "mgmt" } },
    });
    expect(() => discoverStacks(dir)).toThrow(StackGraphError);
    expect(() => discoverStacks(dir)).toThrow(
      'Pulumi.dev.yaml: k8tre:stackRefs.management refers to stack "mgmt", but there is no Pulumi.mgmt.yaml (known stacks: dev, network)',
    );
  });

  it("reports a cycle with its path", () => {
    const dir = writeProject({
      m1: { kind: "management", refs: { network: "n1" } },
      n1: { kind: "network", refs: { management: "m1" } },
    });
    expect(() => discoverStacks(dir)).toThrow(/stack reference cycle: m1 -> n1 -> m1 \(see k8tre:stackRefs in Pulumi\.m1\.yaml, Pulumi\.n1\.yaml\)/);
  });

  it("rejects a self reference", () => {
    const dir = writeProject({ net: { kind: "network", refs: { network: "net" } } });
    expect(() => discoverStacks(dir)).toThrow("Pulumi.net.yaml: k8tre:stackRefs.network refers to the stack itself");
  });

  it("rejects a reference to a stack of the wrong kind", () => {
    const dir = writeProject({
      network: { kind: "network" },
      dev: { kind: "environment", refs: { network: "network" } },
      stg: { kind: "environment", refs: { management: "dev" } },
    });
    expect(() => discoverStacks(dir)).toThrow(
      'Pulumi.stg.yaml: k8tre:stackRefs.management refers to "dev", whose k8tre:kind is environment, not management',
    );
  });

  it("requires k8tre:kind and validates its value", () => {
    expect(() => discoverStacks(writeProject({ dev: {} }))).toThrow(
      'Pulumi.dev.yaml: stack "dev" must set config k8tre:kind to one of network | management | environment | gateway (it is missing)',
    );
    expect(() => discoverStacks(writeProject({ dev: { kind: "cluster" } }))).toThrow(/got "cluster"/);
  });

  it("rejects unknown stackRefs keys and non-string targets", () => {
    expect(() => discoverStacks(writeProject({ n: { kind: "network" }, d: { kind: "environment", refs: { hub: "n" } } }))).toThrow(
      "Pulumi.d.yaml: unknown key k8tre:stackRefs.hub (allowed: network, management)",
    );
    const dir = writeProject({ n: { kind: "network" }, d: { kind: "environment", extra: "  k8tre:stackRefs: [n]" } });
    expect(() => discoverStacks(dir)).toThrow("k8tre:stackRefs must be a map");
  });

  it("resolves fully-qualified references and ignores (with a note) those of another project", () => {
    const dir = writeProject({
      network: { kind: "network" },
      mgmt: { kind: "management", refs: { network: "organization/k8tre/network" } },
      dev: { kind: "environment", refs: { network: "organization/shared-net/hub", management: "organization/mgmt" } },
    });
    const g = discoverStacks(dir);
    expect(g.stacks.get("mgmt")!.dependsOn).toEqual(["network"]);
    expect(g.stacks.get("dev")!.dependsOn).toEqual(["mgmt"]);
    expect(g.notes).toEqual([
      'Pulumi.dev.yaml: k8tre:stackRefs.network = organization/shared-net/hub belongs to project "shared-net", not "k8tre"; it is not ordered by this runner',
    ]);
  });

  it("parses k8tre:protected as a boolean or the string pulumi config set writes", () => {
    const g = discoverStacks(writeProject({ a: { kind: "network", protected: "true" }, b: { kind: "network", protected: "false" }, c: { kind: "network" } }));
    expect([g.stacks.get("a")!.protected, g.stacks.get("b")!.protected, g.stacks.get("c")!.protected]).toEqual([true, false, false]);
    expect(() => discoverStacks(writeProject({ a: { kind: "network", protected: "yes" } }))).toThrow(
      'Pulumi.a.yaml: k8tre:protected must be true or false, got "yes"',
    );
  });

  it("records a non-passphrase secrets provider", () => {
    const g = discoverStacks(
      writeProject({ a: { kind: "network", topLevel: "secretsprovider: azurekeyvault://kv.vault.azure.net/keys/pulumi" }, b: { kind: "network" } }),
    );
    expect(g.stacks.get("a")!.secretsProvider).toBe("azurekeyvault://kv.vault.azure.net/keys/pulumi");
    expect(g.stacks.get("b")!.secretsProvider).toBeUndefined();
  });

  it("fails clearly without Pulumi.yaml, without stacks, or with invalid YAML", () => {
    const dir = writeProject({ a: { kind: "network" } });
    fs.rmSync(path.join(dir, "Pulumi.yaml"));
    expect(() => discoverStacks(dir)).toThrow(/no Pulumi.yaml in .*is this the Pulumi project directory\?/);
    expect(() => discoverStacks(writeProject({}))).toThrow(/no Pulumi.<stack>.yaml files in/);
    const bad = writeProject({ a: { kind: "network" } });
    fs.writeFileSync(path.join(bad, "Pulumi.a.yaml"), "config:\n  k8tre:kind: [unclosed\n");
    expect(() => discoverStacks(bad)).toThrow(/Pulumi.a.yaml: not valid YAML/);
  });

  it("accepts the repository's own stack files", () => {
    const root = path.resolve(__dirname, "../..");
    if (!fs.readdirSync(root).some((f) => /^Pulumi\..+\.ya?ml$/.test(f))) return; // no stacks yet
    const g = discoverStacks(root);
    expect(g.project).toBe("k8tre");
    for (const node of g.stacks.values()) {
      for (const dep of node.dependsOn) expect(g.order.indexOf(dep)).toBeLessThan(g.order.indexOf(node.name));
    }
  });

  it("orders the gateway stack after its network stack only, and no stack after it (ADR 0006)", () => {
    const g = discoverStacks(path.resolve(__dirname, "../.."));
    expect(g.stacks.get("gateway")).toMatchObject({ kind: "gateway", dependsOn: ["network"], lateDependsOn: [] });
    expect(g.stacks.get("gateway-lz")).toMatchObject({ kind: "gateway", dependsOn: ["network-lz"], example: true });
    expect([...dependantsOf(g, "gateway")]).toEqual([]);
    for (const cluster of ["mgmt", "dev", "stg", "prd"]) expect(g.stacks.get(cluster)!.dependsOn).not.toContain("gateway");
    // Deploying a cluster never pulls the gateway in; destroying the network takes it down first.
    expect(selectStacks(g, ["dev"], { only: false, direction: "dependencies" }).order).not.toContain("gateway");
    const destroy = selectStacks(g, ["network"], { only: false, direction: "dependants" }).order;
    expect(destroy.indexOf("gateway")).toBeLessThan(destroy.indexOf("network"));
  });

  it("refuses a gateway stack referenced as a cluster's network", () => {
    const dir = writeProject({ ...STANDARD_STACKS, gw: { kind: "gateway", refs: { network: "network" } }, dev: { kind: "environment", refs: { network: "gw" } } });
    expect(() => discoverStacks(dir)).toThrow('Pulumi.dev.yaml: k8tre:stackRefs.network refers to "gw", whose k8tre:kind is gateway, not network');
  });
});

describe("resolveStackRef", () => {
  it("uses the last segment and flags other projects", () => {
    expect(resolveStackRef("dev", "k8tre")).toEqual({ stack: "dev" });
    expect(resolveStackRef("org/dev", "k8tre")).toEqual({ stack: "dev" });
    expect(resolveStackRef("org/k8tre/dev", "k8tre")).toEqual({ stack: "dev" });
    expect(resolveStackRef("org/other/dev", "k8tre")).toEqual({ stack: "dev", foreignProject: "other" });
    expect(() => resolveStackRef("a//b", "k8tre")).toThrow("invalid stack reference");
    expect(() => resolveStackRef("a/b/c/d", "k8tre")).toThrow("invalid stack reference");
  });
});

describe("selectStacks", () => {
  const g = discoverStacks(writeProject({ ...STANDARD_STACKS, k3s: { kind: "environment", refs: { network: "network" } } }));

  it("selects every stack when none is named", () => {
    const s = selectStacks(g, [], { only: false, direction: "dependencies" });
    expect(s.order).toEqual(["network", "mgmt", "dev", "k3s", "prd", "stg"]);
    expect(s.pulledIn.size).toBe(0);
  });

  it("pulls in the dependencies of named stacks", () => {
    const s = selectStacks(g, ["dev"], { only: false, direction: "dependencies" });
    expect(s.order).toEqual(["network", "mgmt", "dev"]);
    expect([...s.requested]).toEqual(["dev"]);
    expect([...s.pulledIn].sort()).toEqual(["mgmt", "network"]);
  });

  it("--only keeps just the named stacks, in dependency order", () => {
    expect(selectStacks(g, ["stg", "network"], { only: true, direction: "dependencies" }).order).toEqual(["network", "stg"]);
  });

  it("for destroy pulls in dependants and reverses the order", () => {
    const s = selectStacks(g, ["mgmt"], { only: false, direction: "dependants" });
    expect(s.order).toEqual(["stg", "prd", "dev", "mgmt"]);
    expect([...s.pulledIn].sort()).toEqual(["dev", "prd", "stg"]);
    expect(selectStacks(g, [], { only: false, direction: "dependants" }).order).toEqual(["stg", "prd", "k3s", "dev", "mgmt", "network"]);
    expect([...dependantsOf(g, "network")].sort()).toEqual(["dev", "k3s", "mgmt", "prd", "stg"]);
  });

  it("names unknown stacks and lists the known ones", () => {
    expect(() => selectStacks(g, ["dev", "qa"], { only: false, direction: "dependencies" })).toThrow(
      'unknown stack "qa" (known stacks: network, mgmt, dev, k3s, prd, stg)',
    );
  });
});

describe("late references", () => {
  it("make management a late reference of every environment, EKS included (each defers what reads it)", () => {
    const dir = writeProject({
      ...STANDARD_STACKS,
      k3s: { kind: "environment", refs: { network: "network", management: "mgmt" }, platform: "k3s" },
      eks: { kind: "environment", refs: { network: "network", management: "mgmt" }, platform: "aws" },
    });
    const g = discoverStacks(dir);
    expect(g.stacks.get("dev")!.lateDependsOn).toEqual(["mgmt"]);
    expect(g.stacks.get("k3s")!.lateDependsOn).toEqual(["mgmt"]);
    // An EKS environment reads the management stack only in its late pass (the ArgoCD deployer
    // access, the API rule for the management cluster, the registration: stacks/environment/aws.ts).
    expect(g.stacks.get("eks")!.lateDependsOn).toEqual(["mgmt"]);
    expect(g.stacks.get("eks")!.dependsOn).toEqual(["mgmt", "network"]);
    expect(g.stacks.get("mgmt")!.lateDependsOn).toEqual([]);
  });
});
