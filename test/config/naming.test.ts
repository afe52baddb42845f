import { check, Naming, NameTooLongError, stableUuid, uniqueSuffix } from "../../config/naming";

const base = { prefix: "k8tre", environment: "dev", location: "uksouth", suffixSeed: "00000000-0000-0000-0000-000000000003" };

describe("Naming", () => {
  it("builds conventional names with the region abbreviation", () => {
    const n = new Naming(base);
    expect(n.aksCluster()).toBe("aks-k8tre-dev-uks");
    expect(n.resourceGroup("aks")).toBe("rg-k8tre-dev-uks-aks");
    expect(n.resource("id", "externaldns")).toBe("id-k8tre-dev-uks-externaldns");
    expect(n.aksDnsPrefix()).toBe("k8tre-dev");
  });

  it("is deterministic: two runs give identical names", () => {
    const a = new Naming(base);
    const b = new Naming({ ...base });
    expect([a.storageAccount("core"), a.keyVault(), a.dnsLabel("appgw")]).toEqual([b.storageAccount("core"), b.keyVault(), b.dnsLabel("appgw")]);
  });

  it("gives a second adopter (another subscription) different global names", () => {
    const a = new Naming(base);
    const b = new Naming({ ...base, suffixSeed: "00000000-0000-0000-0000-000000000099" });
    expect(a.storageAccount("core")).not.toBe(b.storageAccount("core"));
    expect(a.keyVault()).not.toBe(b.keyVault());
    expect(a.dnsLabel("appgw")).not.toBe(b.dnsLabel("appgw"));
    // ...but the same non-global names.
    expect(a.aksCluster()).toBe(b.aksCluster());
  });

  it("keeps global names within Azure's rules", () => {
    const n = new Naming(base);
    expect(n.storageAccount("core")).toMatch(/^[a-z0-9]{3,24}$/);
    expect(n.keyVault()).toMatch(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/);
    expect(n.keyVault()).not.toContain("--");
    expect(n.dnsLabel("appgw").length).toBeLessThanOrEqual(63);
  });

  it("uses an explicit suffix when configured", () => {
    expect(new Naming({ ...base, nameSuffix: "ab12" }).storageAccount("ws")).toBe("stk8tredevwsab12");
  });

  it("refuses names over Azure's limits instead of truncating them", () => {
    const n = new Naming({ ...base, prefix: "researchtr", environment: "devtest1" });
    expect(() => n.storageAccount("core")).toThrow(NameTooLongError);
    expect(() => n.storageAccount("core")).toThrow(/storageAccount name "stresearchtrdevtest1core[a-z0-9]{6}" is 30 characters; Azure allows 3-24 lower-case letters and digits/);
    expect(() => check("keyVault", "kv--double")).toThrow(/keyVault name/);
  });

  it("needs a region code for regions it does not know", () => {
    expect(() => new Naming({ ...base, location: "marsnorth" })).toThrow(/unknown Azure region "marsnorth": set k8tre:regionCode/);
    expect(new Naming({ ...base, location: "marsnorth", regionCode: "mn" }).aksCluster()).toBe("aks-k8tre-dev-mn");
  });
});

describe("uniqueSuffix and stableUuid", () => {
  it("is a stable 6-character lower-case suffix", () => {
    expect(uniqueSuffix("a", "b")).toMatch(/^[a-z0-9]{6}$/);
    expect(uniqueSuffix("a", "b")).toBe(uniqueSuffix("a", "b"));
    expect(uniqueSuffix("a", "b")).not.toBe(uniqueSuffix("a", "c"));
  });

  it("makes valid deterministic UUIDs for role assignment names", () => {
    const u = stableUuid("scope", "role", "principal");
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableUuid("scope", "role", "principal")).toBe(u);
    expect(stableUuid("scope", "role", "other")).not.toBe(u);
  });
});
