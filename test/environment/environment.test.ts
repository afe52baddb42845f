/**
 * The shipped environment stacks (network stack first, feeding the StackReference): every
 * security property the issue lists, checked on the synthesized resource inputs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { loadStackConfig } from "../../config/load";
import { storageAccountSettings } from "../../components/azure/environment";
import { federatedSubject, WORKLOAD_IDENTITIES } from "../../components/agnostics/identities";
import { CILIUM_VERIFIED_PATHS, leafPaths } from "../../components/kubernetes/bootstrap";
import { VERSIONS } from "../../components/kubernetes/versions";
import type { PlannedResource, SynthResult } from "../../tools/synth/engine";
import { ofType, one, PROJECT_DIR, synthShipped } from "../helpers/synth";

const CONN = "00000000-0000-0000-0000-000000000001";
const DEV_SUB = "00000000-0000-0000-0000-000000000003";

let dev: SynthResult;
let prd: SynthResult;
beforeAll(async () => {
  dev = await synthShipped("dev");
  prd = await synthShipped("prd");
}, 180_000);

const named = (r: SynthResult, name: string): PlannedResource => {
  const found = r.resources.filter((x) => x.name === name);
  if (found.length !== 1) throw new Error(`expected one ${name}, found ${found.length}`);
  return found[0];
};
const urnOf = (r: SynthResult, name: string) => named(r, name).urn;

describe("cluster", () => {
  it("disables kube-proxy through the preview API and is private, Entra-only, BYO CNI", () => {
    const aks = named(dev, "cluster-aks");
    expect(aks.type).toBe("azure-native:resources:Resource");
    expect(String(aks.inputs.apiVersion)).toMatch(/^\d{4}-\d{2}-\d{2}-preview$/);
    const p = aks.inputs.properties as any;
    expect(p.networkProfile).toMatchObject({ networkPlugin: "none", kubeProxyConfig: { enabled: false }, serviceCidr: "172.16.16.0/20", dnsServiceIP: "172.16.16.10" });
    expect(p.apiServerAccessProfile.enablePrivateCluster).toBe(true);
    expect(p.apiServerAccessProfile.enablePrivateClusterPublicFQDN).toBe(false);
    expect(p.apiServerAccessProfile.privateDNSZone).toMatch(/privatelink\.uksouth\.azmk8s\.io$/);
    expect(p.disableLocalAccounts).toBe(true);
    expect(p.aadProfile.enableAzureRBAC).toBe(true);
  });

  it("is protected in prd only", () => {
    expect(named(dev, "cluster-aks").protect).toBe(false);
    expect(named(prd, "cluster-aks").protect).toBe(true);
  });

  it("keeps config differences in config: CIDRs and sizes differ between dev and prd", () => {
    const d = named(dev, "cluster-aks").inputs.properties as any;
    const p = named(prd, "cluster-aks").inputs.properties as any;
    expect(d.networkProfile.serviceCidr).not.toBe(p.networkProfile.serviceCidr);
    expect(d.agentPoolProfiles[0].vmSize).toBe("Standard_D4ds_v5");
    expect(p.agentPoolProfiles[0].vmSize).toBe("Standard_D8ds_v5");
  });
});

describe("bootstrap: Gateway API CRDs, then Cilium, then everything else", () => {
  it("installs Cilium (pinned) after every Gateway API CRD, including experimental TLSRoute", () => {
    const cilium = one(dev, "kubernetes:helm.sh/v3:Release", "bootstrap-cilium");
    expect(cilium.inputs).toMatchObject({ chart: "cilium", version: VERSIONS.cilium.version, namespace: "kube-system" });
    const crds = dev.resources.filter((r) => r.name.startsWith("bootstrap-crd-"));
    expect(crds.map((c) => c.name).sort()).toEqual(
      ["backendtlspolicies", "gatewayclasses", "gateways", "grpcroutes", "httproutes", "referencegrants", "tlsroutes"].map((k) => `bootstrap-crd-gateway.networking.k8s.io_${k}`),
    );
    for (const crd of crds) expect(cilium.dependsOn).toContain(crd.urn);
    // Everything in the cluster goes through the cluster's explicit provider.
    const k8sProvider = dev.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === "cluster-k8s")!;
    expect(cilium.provider).toBe(k8sProvider.urn);
    // The only other Kubernetes provider targets the management cluster (ArgoCD registration).
    const others = dev.resources.filter((r) => r.type === "pulumi:providers:kubernetes" && r !== k8sProvider);
    expect(others.map((p) => p.name)).toEqual(["management-k8s"]);
  });

  it("sets Cilium's values for AKS BYO CNI with kube-proxy replacement on the private FQDN", () => {
    const values = one(dev, "kubernetes:helm.sh/v3:Release", "bootstrap-cilium").inputs.values as any;
    const fqdn = String(dev.outputs.privateFqdn);
    expect(values.k8sServiceHost).toBe(fqdn);
    expect(values.k8sServiceHost).not.toMatch(/[/:]/);
    expect(values.k8sServicePort).toBe(443);
    expect(values).toMatchObject({
      aksbyocni: { enabled: true },
      kubeProxyReplacement: "true",
      routingMode: "tunnel",
      ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: ["100.65.0.0/16"] } },
      gatewayAPI: { enabled: true },
      l7Proxy: true,
      hubble: { relay: { enabled: true }, ui: { enabled: true } },
      operator: { replicas: 2 },
      cluster: { name: "dev" },
    });
    for (const path of leafPaths(values)) expect(CILIUM_VERIFIED_PATHS).toContain(path);
    const prdValues = one(prd, "kubernetes:helm.sh/v3:Release", "bootstrap-cilium").inputs.values as any;
    expect(prdValues.cluster.name).toBe("prd");
    expect(prdValues.ipam.operator.clusterPoolIPv4PodCIDRList).toEqual(["100.67.0.0/16"]);
  });
});

describe("storage accounts", () => {
  it("are two, private, TLS 1.2, HTTPS only, HNS, no public blobs, no shared keys, protected", () => {
    const accounts = ofType(dev, "azure-native:storage:StorageAccount");
    expect(accounts).toHaveLength(2);
    for (const a of accounts) {
      expect(a.inputs).toMatchObject({
        isHnsEnabled: true,
        publicNetworkAccess: "Disabled",
        minimumTlsVersion: "TLS1_2",
        enableHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
        networkRuleSet: { defaultAction: "Deny" },
      });
      expect(a.protect).toBe(true);
    }
  });

  it("keep shared keys off, except on the core account when its rwx class uses SMB (Azure Files CSI needs the key)", () => {
    const cfg = { replication: "ZRS", softDeleteDays: 14, versioning: true, fileShareProtocol: "NFS" } as const;
    expect(storageAccountSettings(cfg, "core").allowSharedKeyAccess).toBe(false);
    expect(storageAccountSettings({ ...cfg, fileShareProtocol: "SMB" }, "core").allowSharedKeyAccess).toBe(true);
    expect(storageAccountSettings({ ...cfg, fileShareProtocol: "SMB" }, "workspace").allowSharedKeyAccess).toBe(false);
  });

  it("keep deleted blobs and containers and versions", () => {
    const svc = ofType(dev, "azure-native:storage:BlobServiceProperties");
    expect(svc).toHaveLength(2);
    for (const s of svc) {
      expect(s.inputs).toMatchObject({ deleteRetentionPolicy: { enabled: true }, containerDeleteRetentionPolicy: { enabled: true }, isVersioningEnabled: true });
    }
  });

  it("have private endpoints for blob, file, queue, table and dfs, each with a DNS zone group for its zone", () => {
    const pes = ofType(dev, "azure-native:network:PrivateEndpoint");
    const groups = ofType(dev, "azure-native:network:PrivateDnsZoneGroup");
    for (const role of ["workspace", "core"]) {
      for (const sub of ["blob", "file", "queue", "table", "dfs"]) {
        const pe = named(dev, `env-pe-${role}-${sub}`);
        expect((pe.inputs.privateLinkServiceConnections as any)[0].groupIds).toEqual([sub]);
        expect(String((pe.inputs.subnet as any).id)).toMatch(/subnets\/[^/]+$/);
        const group = groups.find((g) => g.name === `env-pe-${role}-${sub}-dns`)!;
        const zoneId = String((group.inputs.privateDnsZoneConfigs as any)[0].privateDnsZoneId);
        expect(zoneId).toContain(`/subscriptions/${CONN}/`);
        expect(zoneId).toContain(`privatelink.${sub}.core.windows.net`);
      }
    }
    expect(pes.length).toBe(11);
  });

  it("grant data access to the kubelet (CSI) identity, never the control-plane identity", () => {
    const controlPlane = named(dev, "cluster-subnet-network-contributor").inputs.principalId;
    expect(controlPlane).toMatch(/^[0-9a-f-]{36}$/);
    const grants = ofType(dev, "azure-native:authorization:RoleAssignment").filter((g) => String(g.inputs.scope).includes("Microsoft.Storage/storageAccounts"));
    expect(grants).toHaveLength(2);
    for (const g of grants) {
      expect(String(g.inputs.roleDefinitionId)).toMatch(/ba92f5b4-2d11-453d-a403-e96b0029c9fe$/);
      expect(g.inputs.principalId).toMatch(/^[0-9a-f-]{36}$/);
      expect(g.inputs.principalId).not.toBe(controlPlane);
    }
  });
});

describe("key vault", () => {
  it("uses RBAC, purge protection, soft delete, no public access, a private endpoint, and is protected", () => {
    const kv = one(dev, "azure-native:keyvault:Vault");
    expect(kv.inputs.properties).toMatchObject({
      enableRbacAuthorization: true,
      enablePurgeProtection: true,
      enableSoftDelete: true,
      publicNetworkAccess: "Disabled",
      networkAcls: { defaultAction: "Deny" },
    });
    expect(kv.protect).toBe(true);
    const pe = named(dev, "env-pe-vault");
    expect((pe.inputs.privateLinkServiceConnections as any)[0].groupIds).toEqual(["vault"]);
    const group = named(dev, "env-pe-vault-dns");
    expect(String((group.inputs.privateDnsZoneConfigs as any)[0].privateDnsZoneId)).toContain("privatelink.vaultcore.azure.net");
  });
});

describe("environment DNS zone", () => {
  it("is <env>.<domain> (apex in prd), linked to the hub without registration, protected, in the connectivity subscription", () => {
    const zone = one(dev, "azure-native:privatedns:PrivateZone");
    expect(zone.inputs.privateZoneName).toBe("dev.example.org");
    expect(zone.protect).toBe(true);
    expect(zone.provider).toContain(CONN);
    expect(one(prd, "azure-native:privatedns:PrivateZone").inputs.privateZoneName).toBe("example.org");
    const link = one(dev, "azure-native:privatedns:VirtualNetworkLink");
    expect(link.inputs.registrationEnabled).toBe(false);
    expect(String((link.inputs.virtualNetwork as any).id)).toMatch(/virtualNetworks\/[^/]*hub/);
    expect(link.provider).toContain(CONN);
  });
});

describe("workload identities", () => {
  const cases = [
    ["externalDns", "externaldns"],
    ["externalSecrets", "externalsecrets"],
    ["certManager", "certmanager"],
  ] as const;

  it.each(cases)("%s: one identity whose federated credential matches the agnostics service account", (key, purpose) => {
    const fic = named(dev, `env-id-${purpose}-fic`);
    expect(fic.inputs.subject).toBe(federatedSubject(key));
    expect(fic.inputs.subject).toBe(`system:serviceaccount:${WORKLOAD_IDENTITIES[key].namespace}:${WORKLOAD_IDENTITIES[key].serviceAccount}`);
    expect(fic.inputs.issuer).toBe(dev.outputs.oidcIssuerUrl);
    expect(fic.inputs.audiences).toEqual(["api://AzureADTokenExchange"]);
    expect(fic.dependsOn).toContain(urnOf(dev, `env-id-${purpose}`));
  });

  it("ExternalDNS may edit this environment's private zone only", () => {
    const g = named(dev, "env-externaldns-zone");
    expect(g.inputs.scope).toBe(dev.outputs.dnsZoneId);
    expect(String(g.inputs.roleDefinitionId)).toMatch(/b12aa53e-6015-4669-85d0-8515ebb3ae7f$/);
    expect(g.provider).toContain(CONN);
  });

  it("External Secrets may read secrets of this environment's vault only", () => {
    const g = named(dev, "env-externalsecrets-kv");
    expect(String(g.inputs.scope)).toMatch(/Microsoft\.KeyVault\/vaults\/kv-k8tre-dev-/);
    expect(String(g.inputs.roleDefinitionId)).toMatch(/4633458b-17de-408a-b874-0445c86b69e6$/);
  });

  it("cert-manager may edit the configured public zone only", () => {
    const g = named(dev, "env-certmanager-zone");
    expect(g.inputs.scope).toBe("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dns-public/providers/Microsoft.Network/dnsZones/dev.example.org");
    expect(String(g.inputs.roleDefinitionId)).toBe(`/subscriptions/${CONN}/providers/Microsoft.Authorization/roleDefinitions/befefa01-2a29-4197-83a8-272ff33ce314`);
  });

  it("no identity holds a role outside its own scope list", () => {
    const grants = ofType(dev, "azure-native:authorization:RoleAssignment").map((g) => g.name).sort();
    expect(grants).toEqual(
      [
        "cluster-dns-zone-contributor",
        "cluster-ingress-subnet-join",
        "cluster-subnet-network-contributor",
        "cluster-vnet-link-join",
        "env-certmanager-zone",
        "env-externaldns-zone",
        "env-externalsecrets-kv",
        "env-st-core-blob-data",
        "env-st-workspace-blob-data",
      ].sort(),
    );
  });
});

describe("stack outputs", () => {
  it("exports what the management and agnostics stacks rely on", () => {
    const o = dev.outputs as any;
    for (const k of ["clusterName", "clusterId", "resourceGroupName", "privateFqdn", "oidcIssuerUrl", "kubeconfig", "keyVaultUri", "keyVaultName", "dnsZoneName", "dnsZoneId", "tenantId", "subscriptionId"]) {
      expect(o[k]).toBeDefined();
    }
    expect(o.subscriptionId).toBe(DEV_SUB);
    expect(o.storageAccounts.workspace).toMatch(/^stk8tredevws/);
    expect(o.storageAccounts.core).toMatch(/^stk8tredevcore/);
    expect(o.keyVaultUri).toMatch(/^https:\/\/kv-k8tre-dev-.*\.vault\.azure\.net\/$/);
    for (const id of ["externalDns", "externalSecrets", "certManager"]) {
      expect(o.identities[id].clientId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(String(dev.rawOutputs.kubeconfig)).toContain("--login");
  });
});

describe("preview of a brand-new stack", () => {
  it("evaluates without throwing while cluster outputs are unknown", async () => {
    const r = await synthShipped("dev", { preview: true });
    // Cilium's values wait for the private FQDN: unknown in a first preview, but declared.
    expect(one(r, "kubernetes:helm.sh/v3:Release", "bootstrap-cilium").inputs.values).toBe("[unknown]");
    expect(named(r, "cluster-aks").inputs.apiVersion).toMatch(/-preview$/);
    expect(r.outputs.kubeconfig === undefined || r.outputs.kubeconfig === "[unknown]").toBe(true);
  }, 180_000);
});

describe("config", () => {
  const devRaw = (): Record<string, any> => parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")).config;

  it("rejects kube-proxy enabled while the agnostics gateway needs Cilium's Gateway API", () => {
    const raw = devRaw();
    raw["k8tre:cluster"].kubeProxy = "enabled";
    expect(() => loadStackConfig(raw, { stack: "dev" })).toThrow(/k8tre:cluster\.kubeProxy.*kube-proxy replacement/s);
  });

  it("allows kube-proxy enabled without the agnostics layer", () => {
    const raw = devRaw();
    raw["k8tre:cluster"].kubeProxy = "enabled";
    raw["k8tre:agnostics"] = { ...raw["k8tre:agnostics"], enabled: false };
    expect(loadStackConfig(raw, { stack: "dev" }).config.cluster?.kubeProxy).toBe("enabled");
  });
});
