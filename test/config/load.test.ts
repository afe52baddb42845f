import { parse } from "yaml";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, formatIssue } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { readStackFile } from "../../config/project";

const ROOT = path.resolve(__dirname, "../..");

/** The shipped dev stack's raw config, with overrides applied (undefined deletes a key). */
function devRaw(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const raw = { ...readStackFile(path.join(ROOT, "Pulumi.dev.yaml"), "dev").raw };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete raw[k];
    else raw[k] = v;
  }
  return raw;
}

function cluster(patch: Record<string, unknown>): Record<string, unknown> {
  return { ...(devRaw()["k8tre:cluster"] as Record<string, unknown>), ...patch };
}

const ZONE = (name: string) => `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dns-public/providers/Microsoft.Network/dnsZones/${name}`;

/** Runs the loader and returns the formatted issues (fails the test when it does not throw). */
function problems(raw: Record<string, unknown>): string[] {
  try {
    loadStackConfig(raw, { stack: "dev" });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map(formatIssue);
  }
  throw new Error("expected a ConfigError");
}

describe("shipped stack files", () => {
  const files = fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
  it.each(files)("%s passes validation", (file) => {
    const stack = file.split(".")[1];
    const loaded = loadStackConfig(readStackFile(path.join(ROOT, file), stack).raw, { stack });
    expect(loaded.config.environment).toMatch(/^[a-z][a-z0-9]+$/);
  });

  it("use placeholder tenant and subscription IDs only", () => {
    for (const file of files) {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      for (const guid of text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? []) {
        expect(guid.startsWith("00000000-0000-0000-0000-")).toBe(true);
      }
      expect(text).not.toMatch(/karectl|\blth\b|rg-kare-|kv-kare-/i); // the reference organisation's names (kare-dns is K8TRE's)
    }
  });
});

describe("loadStackConfig: structure", () => {
  it("returns typed values with defaults applied", () => {
    const { config } = loadStackConfig(devRaw(), { stack: "dev" });
    expect(config.kind).toBe("environment");
    expect(config.cluster?.kubeProxy).toBe("disabled");
    expect(config.cluster?.systemPool.hostEncryption).toBe(true);
    expect(config.keyVault?.softDeleteRetentionDays).toBe(90);
    expect(config.network).toBeUndefined();
  });

  it("accepts the strings the Pulumi runtime passes (objects as JSON, booleans as text)", () => {
    const raw = Object.fromEntries(Object.entries(devRaw()).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    const { config } = loadStackConfig(raw, { stack: "dev" });
    expect(config.protected).toBe(false);
    expect(config.cluster?.podCidr).toBe("100.65.0.0/16");
  });

  it("treats the empty-string project defaults as unset", () => {
    const { config } = loadStackConfig(devRaw({ "k8tre:regionCode": "", "k8tre:nameSuffix": "" }), { stack: "dev" });
    expect(config.regionCode).toBeUndefined();
  });

  it("ignores other namespaces (provider settings)", () => {
    expect(() => loadStackConfig(devRaw({ "azure-native:location": "uksouth" }), { stack: "dev" })).not.toThrow();
  });

  it("rejects an unknown top-level key and suggests the intended one", () => {
    expect(problems(devRaw({ "k8tre:clustr": {} }))).toEqual([
      'k8tre:clustr: got {}; expected a known key (did you mean k8tre:cluster? see docs/config.md)',
    ]);
  });

  it("rejects an unknown nested key with a suggestion", () => {
    const [p] = problems(devRaw({ "k8tre:cluster": cluster({ podCIDR: "10.0.0.0/16" }) }));
    expect(p).toBe('k8tre:cluster.podCIDR: got "10.0.0.0/16"; expected no such key here (did you mean podCidr?)');
  });

  it("rejects a missing required key, naming it", () => {
    expect(problems(devRaw({ "k8tre:cluster": undefined }))).toEqual([
      expect.stringMatching(/^k8tre:cluster: got nothing \(the key is missing\); expected a value: required for a environment stack/),
    ]);
  });

  it("rejects a key that does not apply to the stack's kind", () => {
    const [p] = problems(devRaw({ "k8tre:argocd": { adminGroupObjectIds: [] } }));
    expect(p).toMatch(/^k8tre:argocd: got .*; expected no value: this key is not used by a environment stack on azure \(used by management stacks on azure\/aws\)$/);
  });

  it("reports several problems together, one line each", () => {
    const raw = devRaw({
      "k8tre:environment": "Dev-1",
      "k8tre:domain": "not a domain",
      "k8tre:cluster": cluster({ kubernetesVersion: 1.3, systemPool: { vmSize: "" } }),
      "k8tre:bogus": true,
    });
    const ps = problems(raw);
    expect(ps).toHaveLength(5);
    expect(ps).toEqual(
      expect.arrayContaining([
        expect.stringContaining('k8tre:bogus: got true; expected a known key'),
        expect.stringContaining('k8tre:environment: got "Dev-1"; expected an environment name of 2-8 lower-case letters'),
        expect.stringContaining('k8tre:domain: got "not a domain"; expected the base DNS domain as a lower-case DNS name'),
        expect.stringContaining("k8tre:cluster.kubernetesVersion: got 1.3; expected a Kubernetes version as a quoted string"),
        expect.stringContaining('k8tre:cluster.systemPool.vmSize: got ""; expected a VM size as Azure names it, e.g. Standard_D4ds_v5'),
      ]),
    );
  });

  it("rejects an unknown kind and platform", () => {
    expect(problems(devRaw({ "k8tre:kind": "cluster", "k8tre:platform": "gke" }))).toEqual([
      'k8tre:kind: got "cluster"; expected one of "network", "management", "environment", "gateway"',
      'k8tre:platform: got "gke"; expected one of "azure", "aws", "k3s"',
    ]);
  });

  it("rejects malformed GUIDs", () => {
    const [p] = problems(devRaw({ "k8tre:azure": { tenantId: "my-tenant", subscriptionId: "00000000-0000-0000-0000-000000000003" } }));
    expect(p).toBe('k8tre:azure.tenantId: got "my-tenant"; expected the Entra ID tenant ID as a GUID such as 00000000-0000-0000-0000-000000000000');
  });
});

describe("loadStackConfig: CIDRs", () => {
  it.each([
    ["10.0.0.0/33", "an IPv4 CIDR such as 10.20.0.0/16"],
    ["10.0.0/16", "an IPv4 CIDR such as 10.20.0.0/16"],
    ["300.0.0.0/8", "an IPv4 CIDR such as 10.20.0.0/16"],
    ["10.0.1.0/16", "a network address: the host bits are set (did you mean 10.0.0.0/16?)"],
  ])("rejects pod CIDR %s", (bad, expected) => {
    expect(problems(devRaw({ "k8tre:cluster": cluster({ podCidr: bad }) }))).toEqual([
      `k8tre:cluster.podCidr: got "${bad}"; expected the Cilium pod CIDR as ${expected}`,
    ]);
  });

  it("rejects overlapping pod and service CIDRs", () => {
    expect(problems(devRaw({ "k8tre:cluster": cluster({ podCidr: "172.16.0.0/16" }) }))).toEqual([
      'k8tre:cluster.serviceCidr: got "172.16.16.0/20"; expected a range that does not overlap k8tre:cluster.podCidr (172.16.0.0/16)',
    ]);
  });

  it("rejects a DNS service IP outside the service CIDR, and AKS-reserved addresses", () => {
    expect(problems(devRaw({ "k8tre:cluster": cluster({ dnsServiceIp: "10.0.0.10" }) }))).toEqual([
      'k8tre:cluster.dnsServiceIp: got "10.0.0.10"; expected an address inside k8tre:cluster.serviceCidr (172.16.16.0/20)',
    ]);
    expect(problems(devRaw({ "k8tre:cluster": cluster({ dnsServiceIp: "172.16.16.1" }) }))[0]).toMatch(/neither the first, second nor last address/);
  });
});

describe("loadStackConfig: names and pools", () => {
  it("rejects a prefix and environment that make the storage account name too long", () => {
    const ps = problems(devRaw({ "k8tre:prefix": "researchtre", "k8tre:environment": "devtest01" }));
    expect(ps).toEqual([
      'k8tre:prefix: got "researchtre"; expected a name prefix of 2-10 lower-case letters or digits starting with a letter, e.g. k8tre',
      'k8tre:environment: got "devtest01"; expected an environment name of 2-8 lower-case letters or digits, starting with a letter (e.g. dev, stg, prd)',
    ]);
    const long = problems(devRaw({ "k8tre:prefix": "researchtr", "k8tre:environment": "devtest1", "k8tre:dns": { publicZoneId: ZONE("example.org") } }));
    expect(long).toHaveLength(4); // the key vault and the three storage accounts, one line each
    expect(long).toContainEqual(
      expect.stringMatching(
        /^k8tre:prefix \+ k8tre:environment: got "stresearchtrdevtest1ws[a-z0-9]{6}"; expected a storageAccount name of 3-24 lower-case letters and digits \(this one is 28\); shorten k8tre:prefix or k8tre:environment$/,
      ),
    );
    expect(long).toContainEqual(expect.stringMatching(/got "kv-researchtr-devtest1-[a-z0-9]{6}"; expected a keyVault name of 3-24/));
  });

  it("rejects an unknown region unless a region code is given", () => {
    expect(problems(devRaw({ "k8tre:location": "marsnorth" }))).toEqual([
      'k8tre:location: got "marsnorth"; expected a known Azure region, or set k8tre:regionCode to its abbreviation',
    ]);
    expect(() => loadStackConfig(devRaw({ "k8tre:location": "marsnorth", "k8tre:regionCode": "mn" }), { stack: "dev" })).not.toThrow();
  });

  it("rejects a pool whose minimum exceeds its maximum, and duplicate pool names", () => {
    const pools = [
      { name: "gpu", vmSize: "Standard_NC6s_v3", minCount: 3, maxCount: 1 },
      { name: "gpu", vmSize: "Standard_NC6s_v3" },
    ];
    expect(problems(devRaw({ "k8tre:cluster": cluster({ userPools: pools }) }))).toEqual([
      "k8tre:cluster.userPools.0.minCount: got 3; expected at most k8tre:cluster.userPools.0.maxCount (1)",
      'k8tre:cluster.userPools.1.name: got "gpu"; expected a unique pool name other than system',
    ]);
  });

  it("warns (but deploys) when the system pool has fewer than 4 vCPUs", () => {
    const { warnings } = loadStackConfig(devRaw({ "k8tre:cluster": cluster({ systemPool: { vmSize: "Standard_D2ds_v5" } }) }), { stack: "dev" });
    expect(warnings).toContainEqual(expect.stringMatching(/Standard_D2ds_v5 has fewer than 4 vCPUs/));
  });
});

describe("loadStackConfig: cross-field rules", () => {
  it("needs a management stack to register with, unless registration is off", () => {
    const refs = { network: "network" };
    expect(problems(devRaw({ "k8tre:stackRefs": refs }))).toEqual([
      "k8tre:stackRefs.management: got nothing (the key is missing); expected the management stack to register with (e.g. mgmt), or set k8tre:registration.enabled false",
    ]);
    expect(() => loadStackConfig(devRaw({ "k8tre:stackRefs": refs, "k8tre:registration": { enabled: false } }), { stack: "dev" })).not.toThrow();
  });

  it("needs an e-mail and a public zone for Let's Encrypt on Azure", () => {
    const ps = problems(devRaw({ "k8tre:agnostics": { certificates: { issuer: "letsencrypt" } }, "k8tre:dns": { apex: false } }));
    expect(ps).toEqual([
      "k8tre:agnostics.certificates.email: got nothing (the key is missing); expected a contact e-mail address for the letsencrypt ACME account",
      "k8tre:dns.publicZoneId: got nothing (the key is missing); expected the public Azure DNS zone for Let's Encrypt DNS-01 challenges",
    ]);
  });

  it("parses YAML typed the way operators write it", () => {
    const raw = parse(`
k8tre:kind: environment
k8tre:platform: k3s
k8tre:prefix: k8tre
k8tre:environment: lab
k8tre:domain: lab.example.org
k8tre:registration: { enabled: false }
k8tre:k3s: { apiServerHost: k3s.lab.example.org }
k8tre:kubeconfig: "[secret]"
k8tre:agnostics: { metallbAddressPool: 192.168.10.240-192.168.10.250 }
`);
    const { config, naming } = loadStackConfig(raw, { stack: "lab" });
    expect(config.k3s?.podCidr).toBe("10.42.0.0/16");
    expect(naming).toBeUndefined();
  });
});

describe("loadStackConfig: k3s registration", () => {
  const raw = {
    "k8tre:kind": "environment",
    "k8tre:platform": "k3s",
    "k8tre:prefix": "k8tre",
    "k8tre:environment": "lab",
    "k8tre:domain": "example.org",
    "k8tre:k3s": { apiServerHost: "k3s.example.org" },
    "k8tre:kubeconfig": "[secret]",
    "k8tre:agnostics": { metallbAddressPool: "192.168.10.240-192.168.10.250" },
  };

  it("registers by default (token-free), with the management stack to register with", () => {
    const { config } = loadStackConfig({ ...raw, "k8tre:stackRefs": { management: "mgmt" } }, { stack: "lab" });
    expect(config.registration?.enabled).toBe(true);
    expect(config.k3s?.kubernetesVersion).toBe("1.33");
  });

  it("asks for the management stack when registration is on", () => {
    expect(problems(raw)).toEqual([
      "k8tre:stackRefs.management: got nothing (the key is missing); expected the management stack to register with (e.g. mgmt), or set k8tre:registration.enabled false",
    ]);
  });

  it("needs a K3s version with structured authentication configuration", () => {
    expect(problems({ ...raw, "k8tre:stackRefs": { management: "mgmt" }, "k8tre:k3s": { apiServerHost: "k3s.example.org", kubernetesVersion: "1.29" } })).toEqual([
      'k8tre:k3s.kubernetesVersion: got "1.29"; expected the K3s Kubernetes minor version, 1.30 or later, such as "1.33" (structured authentication configuration needs 1.30)',
    ]);
  });
});

describe("stack kinds per platform", () => {
  it("refuses a kind that is not built on the stack's platform, naming the key", () => {
    const raw = { ...readStackFile(path.join(ROOT, "Pulumi.k3s.yaml"), "k3s").raw, "k8tre:kind": "network" };
    let msgs: string[] = [];
    try {
      loadStackConfig(raw, { stack: "k3s" });
    } catch (e) {
      msgs = (e as ConfigError).issues.map(formatIssue);
    }
    expect(msgs).toContain('k8tre:kind: got "network"; expected one of environment on platform k3s');
  });
});
