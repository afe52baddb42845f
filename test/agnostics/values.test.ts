/**
 * Pure builders of the agnostics layer: Helm values (every leaf path must be a key verified in
 * the pinned chart), the secret store, storage classes, gateway, ExternalDNS, kare-dns, issuers.
 */
import { CERT_MANAGER_VALUE_PATHS, certManagerValues, certManagerPolicy, issuerSpecs, LETSENCRYPT } from "../../components/agnostics/certificates";
import { leafPaths } from "../../components/agnostics/common";
import {
  corednsCustomServer,
  defaultKareDnsClusterIp,
  defaultKareDnsIp,
  EXTERNAL_DNS_VALUE_PATHS,
  externalDnsValues,
  KARE_DNS_VALUE_PATHS,
  kareDnsValues,
  azureDnsConfig,
} from "../../components/agnostics/dns";
import { federatedSubject, WORKLOAD_IDENTITIES } from "../../components/agnostics/identities";
import {
  gatewayInfrastructureAnnotations,
  gatewaySpec,
  METALLB_VALUE_PATHS,
  metallbValues,
  NGINX_INGRESS_VALUE_PATHS,
  nginxIngressValues,
  redirectRouteSpec,
} from "../../components/agnostics/ingress";
import { allowSpec } from "../../components/agnostics/network-policy";
import type { AzurePlatform, K3sPlatform } from "../../components/agnostics/platform";
import { EXTERNAL_SECRETS_VALUE_PATHS, externalSecretsValues, externalSecretsPolicy, secretStoreProvider } from "../../components/agnostics/secrets";
import { LONGHORN_VALUE_PATHS, longhornValues, storageClassSpecs } from "../../components/agnostics/storage";
import { containsIp, parseCidr, type Cidr } from "../../config/cidr";

/**
 * Keys verified in each pinned chart (values.yaml / values.schema.json / templates at the tag),
 * read from each chart's repository at its tag, plus `service.clusterIP` of coredns 1.46.2, which I read in
 * charts/coredns/templates/service.yaml at tag coredns-1.46.2 (commented out in values.yaml,
 * rendered by the template). Keys only.
 */
const VERIFIED = {
  // external-secrets 2.9.0
  externalSecrets: ["serviceAccount.name", "serviceAccount.annotations", "podLabels", "installCRDs", "webhook.create", "certController.create", "crds.createClusterSecretStore", "serviceAccount.extraLabels"],
  // cert-manager v1.21.1 (strict schema)
  certManager: ["crds.enabled", "crds.keep", "config.gatewayAPI.enabled", "podLabels", "serviceAccount.labels", "serviceAccount.annotations", "serviceAccount.name", "extraArgs", "replicaCount", "dns01RecursiveNameservers", "dns01RecursiveNameserversOnly"],
  // external-dns 1.21.1
  externalDns: ["provider.name", "sources", "domainFilters", "policy", "txtOwnerId", "serviceAccount.name", "serviceAccount.labels", "serviceAccount.annotations", "podLabels", "extraArgs", "env", "extraVolumes", "extraVolumeMounts", "rbac.additionalPermissions", "interval", "logLevel", "txtPrefix", "fullnameOverride"],
  // coredns 1.46.2
  coredns: ["serviceType", "servers", "service.annotations", "service.clusterIP", "replicaCount", "isClusterService", "rbac.create", "fullnameOverride", "deployment.dnsPolicy"],
  // longhorn 1.11.3
  longhorn: ["persistence.defaultClass", "persistence.defaultClassReplicaCount", "defaultSettings.defaultReplicaCount", "preUpgradeChecker.jobEnabled", "preUpgradeChecker.upgradeVersionCheck"],
  // metallb 0.16.1
  metallb: ["crds.enabled", "controller.enabled", "speaker.enabled", "speaker.frr.enabled", "frrk8s.enabled", "loadBalancerClass"],
  // nginx-ingress (F5) 2.6.4
  nginxIngress: ["controller.service.annotations", "controller.service.type", "controller.service.externalTrafficPolicy", "controller.ingressClass.name", "controller.ingressClass.create", "controller.ingressClass.setAsDefaultIngress", "controller.reportIngressStatus.enable", "controller.enableSnippets", "controller.replicaCount"],
} as const;

const azure: AzurePlatform = {
  kind: "azure",
  tenantId: "00000000-0000-0000-0000-0000000000aa",
  subscriptionId: "00000000-0000-0000-0000-000000000003",
  keyVaultUri: "https://kv-k8tre-dev-uks-ab12.vault.azure.net/",
  dnsZoneName: "dev.example.org",
  dnsZoneResourceGroup: "rg-k8tre-net-uks-dns",
  dnsZoneSubscriptionId: "00000000-0000-0000-0000-000000000001",
  publicDnsZone: { name: "dev.example.org", resourceGroup: "rg-dns-public", subscriptionId: "00000000-0000-0000-0000-000000000001" },
  identities: { externalDns: { clientId: "client-edns" }, externalSecrets: { clientId: "client-eso" }, certManager: { clientId: "client-cm" } },
  storageAccountName: "stk8tredevcoreab12",
  storageResourceGroup: "rg-k8tre-dev-uks-aks",
  ingressSubnetName: "snet-ingress",
  location: "uksouth",
};
const k3s: K3sPlatform = {
  kind: "k3s",
  metallbAddressPool: "192.168.50.240-192.168.50.250",
  kareDnsIp: "192.168.50.250",
  kareDnsClusterIp: "10.43.0.53",
  storageBackend: "longhorn",
};
const cert = { issuer: "selfsigned", letsencryptStaging: false } as const;
const le = { issuer: "letsencrypt", email: "ops@example.org", letsencryptStaging: false } as const;

function assertVerified(values: Record<string, unknown>, declared: readonly string[], verified: readonly string[]) {
  const leaves = leafPaths(values, declared);
  expect(leaves.filter((l) => !declared.includes(l))).toEqual([]);
  expect(declared.filter((d) => !verified.includes(d))).toEqual([]);
}

describe("Helm values use only keys of the pinned charts", () => {
  test.each([
    ["external-secrets azure", () => externalSecretsValues(azure), EXTERNAL_SECRETS_VALUE_PATHS, VERIFIED.externalSecrets],
    ["external-secrets k3s", () => externalSecretsValues(k3s), EXTERNAL_SECRETS_VALUE_PATHS, VERIFIED.externalSecrets],
    ["cert-manager azure letsencrypt", () => certManagerValues(azure, le), CERT_MANAGER_VALUE_PATHS, VERIFIED.certManager],
    ["cert-manager k3s", () => certManagerValues(k3s, cert), CERT_MANAGER_VALUE_PATHS, VERIFIED.certManager],
    ["external-dns azure", () => externalDnsValues(azure, "dev.example.org", "aks-k8tre-dev"), EXTERNAL_DNS_VALUE_PATHS, VERIFIED.externalDns],
    ["external-dns k3s", () => externalDnsValues(k3s, "lab.example.org", "k8tre-lab"), EXTERNAL_DNS_VALUE_PATHS, VERIFIED.externalDns],
    ["kare-dns", () => kareDnsValues(k3s, "lab.example.org"), KARE_DNS_VALUE_PATHS, VERIFIED.coredns],
    ["longhorn", () => longhornValues(3), LONGHORN_VALUE_PATHS, VERIFIED.longhorn],
    ["metallb", () => metallbValues(), METALLB_VALUE_PATHS, VERIFIED.metallb],
    ["nginx-ingress azure", () => nginxIngressValues(azure), NGINX_INGRESS_VALUE_PATHS, VERIFIED.nginxIngress],
  ])("%s", (_name, build, declared, verified) => assertVerified(build(), declared, verified));

  test("the walk catches an unverified key", () => {
    const values = { ...metallbValues(), speaker: { frr: { enabled: false }, tolerateMaster: true } };
    expect(leafPaths(values, METALLB_VALUE_PATHS)).toContain("speaker.tolerateMaster");
  });

  test("cert-manager enables the Gateway API shim and installs its CRDs", () => {
    expect(certManagerValues(k3s, cert)).toMatchObject({ crds: { enabled: true }, config: { gatewayAPI: { enabled: true } } });
    // DNS-01 self-check against public resolvers only when DNS-01 is used.
    expect(certManagerValues(k3s, cert)).not.toHaveProperty("dns01RecursiveNameservers");
    expect(certManagerValues(azure, le)).toMatchObject({ dns01RecursiveNameservers: "1.1.1.1:53,8.8.8.8:53", dns01RecursiveNameserversOnly: true });
  });
});

describe("workload identity wiring uses the shared service-account names", () => {
  test("each chart runs as the federated service account with its client ID", () => {
    const cases = [
      ["externalSecrets", externalSecretsValues(azure), "client-eso"],
      ["certManager", certManagerValues(azure, le), "client-cm"],
      ["externalDns", externalDnsValues(azure, "dev.example.org", "c"), "client-edns"],
    ] as const;
    for (const [id, values, clientId] of cases) {
      const v = values as any;
      expect(v.serviceAccount.name).toBe(WORKLOAD_IDENTITIES[id].serviceAccount);
      expect(v.serviceAccount.annotations["azure.workload.identity/client-id"]).toBe(clientId);
      expect(v.podLabels["azure.workload.identity/use"]).toBe("true");
      expect(federatedSubject(id)).toBe(`system:serviceaccount:${WORKLOAD_IDENTITIES[id].namespace}:${v.serviceAccount.name}`);
    }
  });
  test("k3s charts carry no Azure identity", () => {
    expect(JSON.stringify([externalSecretsValues(k3s), certManagerValues(k3s, cert), externalDnsValues(k3s, "x.org", "c")])).not.toContain("azure.workload.identity");
  });
});

describe("ClusterSecretStore provider", () => {
  test("azure: Key Vault through workload identity with the ESO service account", () => {
    expect(secretStoreProvider(azure)).toEqual({
      azurekv: {
        authType: "WorkloadIdentity",
        vaultUrl: azure.keyVaultUri,
        tenantId: azure.tenantId,
        serviceAccountRef: { name: "external-secrets", namespace: "external-secrets" },
      },
    });
  });
  test("k3s: Kubernetes secrets in the secret-store namespace", () => {
    expect(secretStoreProvider(k3s)).toMatchObject({
      kubernetes: { remoteNamespace: "secret-store", auth: { serviceAccount: { name: "external-secrets", namespace: "external-secrets" } } },
    });
  });
});

describe("storage classes", () => {
  test("azure: zone-redundant disk and NFS Azure Files on the core account, RWX retained", () => {
    const [rwo, rwx] = storageClassSpecs(azure);
    expect(rwo).toMatchObject({ name: "rwo-default", provisioner: "disk.csi.azure.com", parameters: { skuName: "StandardSSD_ZRS" }, reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer", allowVolumeExpansion: true });
    expect(rwx).toMatchObject({ name: "rwx-default", provisioner: "file.csi.azure.com", reclaimPolicy: "Retain", parameters: { protocol: "nfs", storageAccount: "stk8tredevcoreab12", resourceGroup: "rg-k8tre-dev-uks-aks" } });
    expect(rwx.mountOptions).toContain("nconnect=4");
  });
  test("azure SMB uses the K8TRE mount options; a configured disk SKU wins", () => {
    const [rwo, rwx] = storageClassSpecs({ ...azure, fileShareProtocol: "SMB" }, { azureDiskSku: "Premium_LRS" });
    expect(rwo.parameters.skuName).toBe("Premium_LRS");
    expect(rwx.parameters).not.toHaveProperty("protocol");
    expect(rwx.mountOptions).toEqual(expect.arrayContaining(["mfsymlinks", "nobrl", "cache=strict"]));
  });
  test("k3s: Longhorn, or the NFS export; RWX retained on both", () => {
    const [rwo, rwx] = storageClassSpecs({ ...k3s, longhornReplicas: 3 });
    expect(rwo).toMatchObject({ provisioner: "driver.longhorn.io", reclaimPolicy: "Delete", parameters: { numberOfReplicas: "3" } });
    expect(rwx).toMatchObject({ provisioner: "driver.longhorn.io", reclaimPolicy: "Retain" });
    const [nrwo, nrwx] = storageClassSpecs({ ...k3s, storageBackend: "nfs", nfs: { server: "nas.lab", path: "/export/k8tre" } });
    expect(nrwo).toMatchObject({ provisioner: "nfs.csi.k8s.io", reclaimPolicy: "Delete", parameters: { server: "nas.lab", share: "/export/k8tre", onDelete: "delete" } });
    expect(nrwx).toMatchObject({ provisioner: "nfs.csi.k8s.io", reclaimPolicy: "Retain", parameters: { onDelete: "retain" } });
  });
});

describe("internal gateway", () => {
  test("HTTP and HTTPS listeners for *.<domain>, TLS from gw-tls", () => {
    const spec = gatewaySpec(k3s, "lab.example.org") as any;
    expect(spec.gatewayClassName).toBe("cilium");
    expect(spec.listeners.map((l: any) => [l.name, l.port, l.protocol, l.hostname])).toEqual([
      ["http", 80, "HTTP", "*.lab.example.org"],
      ["https", 443, "HTTPS", "*.lab.example.org"],
    ]);
    expect(spec.listeners[1].tls).toEqual({ mode: "Terminate", certificateRefs: [{ kind: "Secret", group: "", name: "gw-tls" }] });
  });
  test("azure: internal LB in the ingress subnet, probe path, gw and wildcard records", () => {
    expect(gatewayInfrastructureAnnotations(azure, "dev.example.org")).toEqual({
      "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
      "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "snet-ingress",
      "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path": "/healthz",
      "external-dns.alpha.kubernetes.io/hostname": "gw.dev.example.org,*.dev.example.org",
    });
  });
  test("k3s: the MetalLB pool, and only gw.<domain> (etcd cannot serve wildcards)", () => {
    expect(gatewayInfrastructureAnnotations(k3s, "lab.example.org")).toEqual({
      "metallb.io/address-pool": "k8tre-pool",
      "external-dns.alpha.kubernetes.io/hostname": "gw.lab.example.org",
    });
  });
  test("http redirects to https with 301", () => {
    expect(redirectRouteSpec()).toMatchObject({
      parentRefs: [{ name: "internal-gateway", namespace: "gateway", sectionName: "http" }],
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    });
  });
});

describe("ExternalDNS provider settings", () => {
  test("azure: private DNS, the environment zone, owner per cluster, config file without secrets", () => {
    const v = externalDnsValues(azure, "dev.example.org", "aks-k8tre-dev") as any;
    expect(v).toMatchObject({ provider: { name: "azure-private-dns" }, domainFilters: ["dev.example.org"], txtOwnerId: "aks-k8tre-dev", policy: "sync" });
    expect(v.sources).toEqual(["service", "gateway-httproute", "gateway-grpcroute"]);
    expect(v.extraVolumeMounts).toEqual([{ name: "azure-config-file", mountPath: "/etc/kubernetes", readOnly: true }]);
    expect(azureDnsConfig(azure)).toEqual({
      tenantId: azure.tenantId,
      subscriptionId: azure.dnsZoneSubscriptionId,
      resourceGroup: azure.dnsZoneResourceGroup,
      useWorkloadIdentityExtension: true,
    });
  });
  test("k3s: coredns provider writing to kare-dns's etcd", () => {
    const v = externalDnsValues(k3s, "lab.example.org", "k8tre-lab") as any;
    expect(v).toMatchObject({ provider: { name: "coredns" }, domainFilters: ["lab.example.org"], txtOwnerId: "k8tre-lab" });
    expect(v.env).toEqual([{ name: "ETCD_URLS", value: "http://etcd.kare-dns.svc.cluster.local:2379" }]);
  });
});

describe("kare-dns", () => {
  const svc = parseCidr("10.43.0.0/16") as Cidr;
  test("default ClusterIP is inside the service CIDR, in the static band", () => {
    expect(defaultKareDnsClusterIp("10.43.0.0/16")).toBe("10.43.0.53");
    expect(containsIp(svc, defaultKareDnsClusterIp("10.43.0.0/16"))).toBe(true);
    expect(defaultKareDnsClusterIp("172.20.0.0/24")).toBe("172.20.0.14");
  });
  test("default LB IP is the pool's last usable address", () => {
    expect(defaultKareDnsIp("192.168.50.240-192.168.50.250")).toBe("192.168.50.250");
    expect(defaultKareDnsIp("192.168.50.224/28")).toBe("192.168.50.238");
  });
  test("authoritative for the domain from etcd, fixed ClusterIP, pinned LB IP", () => {
    const v = kareDnsValues(k3s, "lab.example.org") as any;
    expect(v.isClusterService).toBe(false);
    expect(v.serviceType).toBe("LoadBalancer");
    expect(v.service).toEqual({ clusterIP: "10.43.0.53", annotations: { "metallb.io/loadBalancerIPs": "192.168.50.250" } });
    const server = v.servers[0];
    expect(server.zones).toEqual([{ zone: "lab.example.org", use_tcp: true }]);
    const etcd = server.plugins.find((p: any) => p.name === "etcd");
    expect(etcd.configBlock).toContain("endpoint http://etcd.kare-dns.svc.cluster.local:2379");
    expect(etcd.configBlock).toContain("path /skydns");
    // No recursion: kare-dns answers for its zone only.
    expect(JSON.stringify(v.servers)).not.toContain("forward");
  });
  test("the cluster CoreDNS forwards the domain to kare-dns's ClusterIP", () => {
    expect(corednsCustomServer("lab.example.org", "10.43.0.53")).toEqual({
      "lab.example.org.server": "lab.example.org:53 {\n    errors\n    cache 30\n    forward . 10.43.0.53\n}\n",
    });
  });
});

describe("ClusterIssuers", () => {
  const gw = { name: "internal-gateway", namespace: "gateway" };
  test("selfsigned only by default", () => {
    expect(Object.keys(issuerSpecs(k3s, cert, gw))).toEqual(["selfsigned"]);
  });
  test("letsencrypt: DNS-01 in the public Azure zone with the cert-manager identity", () => {
    const specs = issuerSpecs(azure, le, gw) as any;
    expect(specs["letsencrypt-ca"].acme).toMatchObject({
      server: LETSENCRYPT.production,
      email: "ops@example.org",
      solvers: [{ dns01: { azureDNS: { subscriptionID: azure.publicDnsZone!.subscriptionId, resourceGroupName: "rg-dns-public", hostedZoneName: "dev.example.org", managedIdentity: { clientID: "client-cm" } } } }],
    });
    expect((issuerSpecs(azure, { ...le, letsencryptStaging: true }, gw) as any)["letsencrypt-ca"].acme.server).toBe(LETSENCRYPT.staging);
    expect(() => issuerSpecs({ ...azure, publicDnsZone: undefined }, le, gw)).toThrow(/public DNS zone/);
  });
  test("acme on k3s: HTTP-01 through the internal gateway, with External Account Binding", () => {
    const c = { issuer: "acme", acmeServer: "https://acme.ca.example.ac.uk/directory", email: "ops@example.org", eabKeyId: "kid-1", eabSecretName: "acme-eab", letsencryptStaging: false } as const;
    const acme = (issuerSpecs(k3s, c, gw) as any).acme.acme;
    expect(acme.server).toBe(c.acmeServer);
    expect(acme.externalAccountBinding).toEqual({ keyID: "kid-1", keySecretRef: { name: "acme-eab", key: "secret" } });
    expect(acme.solvers[0].http01.gatewayHTTPRoute.parentRefs[0]).toMatchObject({ name: "internal-gateway", namespace: "gateway", sectionName: "http" });
  });
  test("ca: the institutional CA key pair", () => {
    expect((issuerSpecs(k3s, { issuer: "ca", caSecretName: "inst-ca", letsencryptStaging: false }, gw) as any)["institutional-ca"]).toEqual({ ca: { secretName: "inst-ca" } });
  });
});

describe("network policy", () => {
  test("every allow policy lets DNS through the proxy (needed by toFQDNs)", () => {
    const spec = allowSpec(externalSecretsPolicy(azure, "kv.vault.azure.net")) as any;
    expect(spec.egress[0]).toEqual({
      toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "kube-system", "k8s:k8s-app": "kube-dns" } }],
      toPorts: [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }],
    });
  });
  test("ESO on azure reaches Entra ID and exactly its Key Vault", () => {
    const spec = allowSpec(externalSecretsPolicy(azure, "kv.vault.azure.net")) as any;
    const fq = spec.egress.find((e: any) => e.toFQDNs);
    expect(fq.toFQDNs).toEqual([{ matchName: "login.microsoftonline.com" }, { matchName: "kv.vault.azure.net" }]);
    expect(fq.toPorts).toEqual([{ ports: [{ port: "443", protocol: "TCP" }] }]);
    expect(allowSpec(externalSecretsPolicy(k3s)).egress).not.toContainEqual(expect.objectContaining({ toFQDNs: expect.anything() }));
  });
  test("cert-manager reaches ARM, Entra ID, the ACME server and the DNS-01 resolvers", () => {
    const spec = allowSpec(certManagerPolicy(azure, le)) as any;
    expect(spec.egress.find((e: any) => e.toFQDNs).toFQDNs).toEqual([
      { matchName: "login.microsoftonline.com" },
      { matchName: "management.azure.com" },
      { matchName: "acme-v02.api.letsencrypt.org" },
    ]);
    expect(spec.egress.filter((e: any) => e.toCIDR).map((e: any) => e.toCIDR[0])).toEqual(["1.1.1.1/32", "8.8.8.8/32"]);
  });
});
