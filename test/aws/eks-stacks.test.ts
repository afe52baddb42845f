/**
 * The shipped AWS cluster stacks (aws-dev, aws-mgmt) as an auditor reads their plans: a private
 * EKS control plane with access entries only, encrypted secrets and logs, Cilium as the only CNI
 * before any node, hardened nodes, pinned add-ons, scoped Pod Identities, encrypted storage, the
 * agnostics layer on AWS services, and ArgoCD's token-free registration.
 */
import { parse } from "yaml";
import { eksPodIdentityAuth } from "../../components/argocd/auth";
import { clusterConfig } from "../../components/argocd/registration";
import { EKS_ADDON_VERSIONS } from "../../config/eks-versions";
import type { PlannedResource, SynthResult } from "../../tools/synth/engine";
import { byUrn, one, ofType, synthShipped } from "../helpers/synth";

let dev: SynthResult;
let mgmt: SynthResult;
beforeAll(async () => {
  dev = await synthShipped("aws-dev");
  mgmt = await synthShipped("aws-mgmt");
}, 240_000);

const named = (r: SynthResult, suffix: string) => r.resources.filter((x) => x.urn.endsWith(`::${suffix}`));
const depNames = (res: PlannedResource) => res.dependsOn.map((u) => u.split("::").pop());
const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);

describe("EKS control plane", () => {
  it.each([["aws-dev"], ["aws-mgmt"]])("%s: private endpoint only, access entries only, no self-managed add-ons, secrets encrypted, every log type", (stack) => {
    const r = stack === "aws-dev" ? dev : mgmt;
    const c = one(r, "aws:eks/cluster:Cluster").inputs as any;
    expect(c.vpcConfig.endpointPublicAccess).toBe(false);
    expect(c.vpcConfig.endpointPrivateAccess).toBe(true);
    expect(c.accessConfig).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
    expect(c.bootstrapSelfManagedAddons).toBe(false);
    expect(c.encryptionConfig.resources).toEqual(["secrets"]);
    expect(c.enabledClusterLogTypes.sort()).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    const key = named(r, "cluster-key")[0];
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(key.protect).toBe(true);
    // The cluster role may use that one key (AmazonEKSClusterPolicy has no KMS access), before the cluster exists.
    const kms = named(r, "cluster-cluster-kms")[0];
    expect(json(kms.inputs.policy).Statement[0].Resource).toBe(c.encryptionConfig.provider.keyArn);
    expect(one(r, "aws:eks/cluster:Cluster").dependsOn).toContain(kms.urn);
  });

  it("the control-plane log group exists first, KMS-encrypted, retained, and survives the stack", () => {
    const lg = one(dev, "aws:cloudwatch/logGroup:LogGroup");
    expect(lg.inputs.name).toBe("/aws/eks/k8tre-dev/cluster");
    expect(lg.inputs.retentionInDays).toBe(365);
    expect(String(lg.inputs.kmsKeyId)).toMatch(/^arn:aws:kms:/);
    expect(lg.retainOnDelete).toBe(true);
    expect(one(dev, "aws:eks/cluster:Cluster").dependsOn).toContain(lg.urn);
  });

  it("deletion protection follows k8tre:protected (mgmt protected, dev not)", () => {
    expect(one(mgmt, "aws:eks/cluster:Cluster").inputs.deletionProtection).toBe(true);
    expect(one(mgmt, "aws:eks/cluster:Cluster").protect).toBe(true);
    expect(one(dev, "aws:eks/cluster:Cluster").inputs.deletionProtection).toBe(false);
  });

  it("cluster admins are the configured roles and the deployer role, never the account root", () => {
    const principals = ofType(dev, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((a) => a.inputs.principalArn).sort();
    expect(principals).toEqual(["arn:aws:iam::111111111111:role/k8tre-deployer", "arn:aws:iam::111111111111:role/k8tre-platform-admins"]);
    for (const a of ofType(dev, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")) {
      expect(a.inputs.policyArn).toBe("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
    }
    expect(JSON.stringify(ofType(dev, "aws:eks/accessEntry:AccessEntry").map((e) => e.inputs.principalArn))).not.toMatch(/:root"/);
  });

  it("the API endpoint admits 443 from the deployer path and the management cluster only, and has no egress", () => {
    const sg = named(dev, "cluster-api-sg")[0].inputs as any;
    expect(sg.egress).toEqual([]);
    for (const rule of sg.ingress) expect([rule.fromPort, rule.toPort, rule.protocol]).toEqual([443, 443, "tcp"]);
    expect(sg.ingress.flatMap((r: any) => r.cidrBlocks ?? [])).toEqual(expect.arrayContaining(["10.0.2.0/27", "192.168.20.0/24"]));
    // The management ArgoCD's path: one standalone rule on the peer group, from the management nodes' group.
    // No in-line rule argument at all on that group (the provider warns against mixing in-line and
    // standalone rules); the provider removes AWS's default egress rule when it creates the group.
    const peer = named(dev, "cluster-api-peer-sg")[0].inputs as any;
    expect(peer.ingress).toBeUndefined();
    expect(peer.egress).toBeUndefined();
    const rule = one(dev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "argocd-api-ingress").inputs as any;
    expect(rule).toMatchObject({ ipProtocol: "tcp", fromPort: 443, toPort: 443, referencedSecurityGroupId: (mgmt.rawOutputs as any).nodeSecurityGroupId });
    expect(ofType(mgmt, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toEqual([]);
  });

  it("the Kubernetes provider authenticates with `aws eks get-token` as the deployer role, never a stored token", () => {
    const provider = named(dev, "cluster-k8s")[0];
    expect(provider.type).toBe("pulumi:providers:kubernetes");
    const kubeconfig = parse(String((dev.rawOutputs as any).kubeconfig));
    const user = kubeconfig.users[0].user;
    expect(Object.keys(user)).toEqual(["exec"]);
    expect(user.exec.command).toBe("aws");
    expect(user.exec.args).toEqual(["eks", "get-token", "--cluster-name", "k8tre-dev", "--region", "eu-west-2", "--output", "json", "--role-arn", "arn:aws:iam::111111111111:role/k8tre-deployer"]);
    expect(kubeconfig.clusters[0].cluster.server).toMatch(/^https:\/\/[0-9A-F]+\.gr7\.eu-west-2\.eks\.amazonaws\.com$/);
  });
});

describe("Cilium, then nodes", () => {
  it("Cilium is the whole CNI: ENI IPAM in the pod subnets, native routing, kube-proxy replacement on the private endpoint host", () => {
    const cilium = named(dev, "cluster-bootstrap-cilium")[0];
    const v = cilium.inputs.values as any;
    expect(v.eni).toMatchObject({ enabled: true, awsReleaseExcessIPs: true });
    expect(v.eni.nodeSpec.subnetIDs).toHaveLength(3);
    expect(v.ipam).toEqual({ mode: "eni" });
    expect(v.routingMode).toBe("native");
    expect(v.kubeProxyReplacement).toBe("true");
    expect(v.k8sServiceHost).toMatch(/\.gr7\.eu-west-2\.eks\.amazonaws\.com$/);
    expect(v.gatewayAPI.enabled).toBe(true);
    expect(v.l7Proxy).toBe(true);
    expect(v.hubble.enabled).toBe(true);
    expect(JSON.stringify(v)).not.toMatch(/chainingMode|aws-cni/);
    // Gateway API CRDs before Cilium.
    const crds = cilium.dependsOn.filter((u) => u.includes("bootstrap-crd-"));
    expect(crds.length).toBeGreaterThanOrEqual(7);
  });

  it("every node group follows the Cilium release (nodes stay NotReady without a CNI) and carries Cilium's not-ready taint", () => {
    const cilium = named(dev, "cluster-bootstrap-cilium")[0];
    const groups = ofType(dev, "aws:eks/nodeGroup:NodeGroup");
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(g.dependsOn).toContain(cilium.urn);
      expect((g.inputs.taints as any[])[0]).toEqual({ key: "node.cilium.io/agent-not-ready", value: "true", effect: "NO_EXECUTE" });
      const s = g.inputs.scalingConfig as any;
      expect(s.minSize).toBeLessThan(s.maxSize);
      expect(g.inputs.subnetIds).toHaveLength(3);
    }
  });

  it("launch templates require IMDSv2 with hop limit 1 and encrypted gp3 root volumes with the cluster key", () => {
    const key = (named(dev, "cluster-key")[0].inputs as any);
    for (const lt of ofType(dev, "aws:ec2/launchTemplate:LaunchTemplate")) {
      const i = lt.inputs as any;
      expect(i.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
      const ebs = i.blockDeviceMappings[0].ebs;
      expect(ebs).toMatchObject({ volumeType: "gp3", encrypted: "true" });
      expect(String(ebs.kmsKeyId)).toMatch(/^arn:aws:kms:eu-west-2:111111111111:key\//);
    }
    expect(key.policy).toBeDefined();
  });

  it("EKS add-ons are pinned for the Kubernetes version, resolve conflicts, and CoreDNS follows the node groups", () => {
    const pins = EKS_ADDON_VERSIONS["1.35"];
    const addons = ofType(dev, "aws:eks/addon:Addon");
    expect(addons.map((a) => a.inputs.addonName).sort()).toEqual(["aws-ebs-csi-driver", "aws-efs-csi-driver", "coredns", "eks-pod-identity-agent"]);
    for (const a of addons) {
      expect(a.inputs.addonVersion).toBe(pins[a.inputs.addonName as keyof typeof pins]);
      expect(a.inputs.resolveConflictsOnCreate).toBe("OVERWRITE");
      expect(a.inputs.resolveConflictsOnUpdate).toBe("OVERWRITE");
    }
    const coredns = addons.find((a) => a.inputs.addonName === "coredns")!;
    for (const g of ofType(dev, "aws:eks/nodeGroup:NodeGroup")) expect(coredns.dependsOn).toContain(g.urn);
    const ebs = addons.find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
    expect(ebs.inputs.podIdentityAssociations).toEqual([{ roleArn: "arn:aws:iam::111111111111:role/k8tre-dev-euw2-ebs-csi", serviceAccount: "ebs-csi-controller-sa" }]);
    expect(ofType(dev, "aws:eks/addon:Addon").map((a) => a.inputs.addonName)).not.toContain("vpc-cni");
  });
});

describe("Pod Identities", () => {
  it("one association per controller, each role trusted by exactly its service account", () => {
    const assoc = ofType(dev, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map((a) => `${a.inputs.namespace}/${a.inputs.serviceAccount}`).sort();
    expect(assoc).toEqual(["external-secrets/external-secrets", "externaldns/externaldns", "kube-system/cluster-autoscaler-sa", "loadbalancer/aws-load-balancer-controller"]);
    const role = named(dev, "id-externaldns-role")[0];
    const trust = json(role.inputs.assumeRolePolicy);
    expect(trust.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"]).toBe("externaldns");
  });

  it("ESO's policy reads only k8tre/dev/* in Secrets Manager", () => {
    const p = json(named(dev, "id-externalsecrets-policy")[0].inputs.policy);
    expect(p.Statement[0].Resource).toBe("arn:aws:secretsmanager:eu-west-2:111111111111:secret:k8tre/dev/*");
  });

  it("no role gets PassRole or a FullAccess managed policy", () => {
    for (const r of [dev, mgmt]) {
      expect(ofType(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn).filter((p) => /FullAccess/.test(String(p)))).toEqual([]);
      expect(JSON.stringify(ofType(r, "aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.policy))).not.toMatch(/iam:PassRole/);
    }
  });
});

describe("storage", () => {
  it("EFS is encrypted with the environment key, backed up, protected, mounted in every node subnet, NFS from the nodes only", () => {
    const fs = one(dev, "aws:efs/fileSystem:FileSystem");
    expect(fs.inputs.encrypted).toBe(true);
    expect(fs.protect).toBe(true);
    expect(String(fs.inputs.kmsKeyId)).toMatch(/^arn:aws:kms:/);
    expect((one(dev, "aws:efs/backupPolicy:BackupPolicy").inputs.backupPolicy as any).status).toBe("ENABLED");
    expect(ofType(dev, "aws:efs/mountTarget:MountTarget")).toHaveLength(3);
    const sg = named(dev, "data-efs-sg")[0].inputs as any;
    expect(sg.ingress).toEqual([{ protocol: "tcp", fromPort: 2049, toPort: 2049, securityGroups: [(dev.rawOutputs as any).nodeSecurityGroupId], description: "NFS from the EKS nodes" }]);
    expect(sg.egress).toEqual([]);
  });

  it("rwo-default is encrypted gp3 with the environment key; rwx-default is EFS access points", () => {
    const classes = Object.fromEntries(ofType(dev, "kubernetes:storage.k8s.io/v1:StorageClass").map((c) => [(c.inputs.metadata as any).name, c.inputs as any]));
    expect(classes["rwo-default"].provisioner).toBe("ebs.csi.aws.com");
    expect(classes["rwo-default"].parameters).toMatchObject({ type: "gp3", encrypted: "true", kmsKeyId: (dev.rawOutputs as any).dataKmsKeyArn });
    expect(classes["rwx-default"].provisioner).toBe("efs.csi.aws.com");
    expect(classes["rwx-default"].parameters).toMatchObject({ provisioningMode: "efs-ap", fileSystemId: (dev.rawOutputs as any).fileSystemId });
  });
});

describe("agnostics on AWS", () => {
  it("ESO's ClusterSecretStore `secret-store` reads Secrets Manager in the region with Pod Identity (no auth block)", () => {
    const store = ofType(dev, "kubernetes:external-secrets.io/v1:ClusterSecretStore")[0];
    expect((store.inputs.metadata as any).name).toBe("secret-store");
    expect((store.inputs.spec as any).provider).toEqual({ aws: { service: "SecretsManager", region: "eu-west-2" } });
  });

  it("ExternalDNS writes the environment's private Route53 zone only", () => {
    const edns = ofType(dev, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "external-dns")!;
    const v = edns.inputs.values as any;
    expect(v.provider.name).toBe("aws");
    expect(v.extraArgs["aws-zone-type"]).toBe("private");
    expect(v.extraArgs["zone-id-filter"]).toBe((dev.rawOutputs as any).dnsZoneId);
    expect(v.domainFilters).toEqual(["dev.k8tre.example.org"]);
  });

  it("the internal gateway becomes an internal NLB (instance targets) with gw.<env>.<domain>", () => {
    const gw = ofType(dev, "kubernetes:gateway.networking.k8s.io/v1:Gateway")[0];
    const ann = (gw.inputs.spec as any).infrastructure.annotations;
    expect(ann).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance",
      "external-dns.alpha.kubernetes.io/hostname": "gw.dev.k8tre.example.org,*.dev.k8tre.example.org",
    });
    expect(ann["service.beta.kubernetes.io/load-balancer-source-ranges"]).toContain("10.0.0.0/16");
    const lbc = ofType(dev, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "aws-loadbalancer")!;
    expect(gw.dependsOn).toContain(lbc.urn);
    expect((lbc.inputs.values as any).vpcId).toMatch(/^vpc-/);
  });
});

describe("registration in the management ArgoCD", () => {
  it("the cluster Secret carries every K8TRE label, vendor aws", () => {
    const secret = ofType(dev, "kubernetes:core/v1:Secret").find((s) => s.name === "argocd-registration-secret")!;
    expect((secret.inputs.metadata as any).labels).toEqual({
      "argocd.argoproj.io/secret-type": "cluster",
      "cluster-name": "k8tre-dev",
      environment: "dev",
      "external-dns": "aws",
      "external-domain": "dev.k8tre.example.org",
      region: "eu-west-2",
      "secret-store": "aws-secretsmanager",
      vendor: "aws",
    });
  });

  it("awsAuthConfig names the cluster and the deployer role; no bearer token, TLS verified", () => {
    const auth = eksPodIdentityAuth({ clusterName: "k8tre-dev", roleArn: "arn:aws:iam::111111111111:role/k8tre-dev-euw2-argocd-deployer" });
    expect(auth.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "k8tre:argocd-deployers" }]);
    const cfg = JSON.parse(clusterConfig(auth, "Q0E="));
    expect(cfg).toEqual({ awsAuthConfig: { clusterName: "k8tre-dev", roleARN: "arn:aws:iam::111111111111:role/k8tre-dev-euw2-argocd-deployer" }, tlsClientConfig: { insecure: false, caData: "Q0E=" } });
  });

  it("the deployer role only the management ArgoCD role can assume, mapped to one Kubernetes group with no access policy", () => {
    const role = named(dev, "argocd-deployer-role")[0];
    const trust = json(role.inputs.assumeRolePolicy);
    expect(trust.Statement.map((s: any) => s.Principal)).toEqual([{ AWS: (mgmt.rawOutputs as any).argocdRoleArn }]);
    const entry = named(dev, "argocd-deployer-access-entry")[0];
    expect(entry.inputs.kubernetesGroups).toEqual(["k8tre:argocd-deployers"]);
    const deployerArn = "arn:aws:iam::111111111111:role/k8tre-dev-euw2-argocd-deployer";
    expect(ofType(dev, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((a) => a.inputs.principalArn)).not.toContain(deployerArn);
    const binding = ofType(dev, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").find((b) => b.name === "argocd-access-binding")!;
    expect((binding.inputs.subjects as any[])[0]).toMatchObject({ kind: "Group", name: "k8tre:argocd-deployers" });
    // The RBAC binding follows the access entry; the cluster Secret follows the binding.
    expect(depNames(one(dev, "k8tre:argocd:TargetAccess"))).toContain("argocd-deployer-access-entry");
    expect(depNames(one(dev, "k8tre:argocd:ClusterRegistration"))).toContain("argocd-access-binding");
  });

  it("ArgoCD's Pod Identity (controller and server) may only assume deployer roles", () => {
    const p = json(named(mgmt, "argocd-identity-policy")[0].inputs.policy);
    expect(p.Statement).toEqual([{ Sid: "AssumeEnvironmentDeployerRoles", Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: "arn:aws:iam::111111111111:role/k8tre-*-euw2-argocd-deployer" }]);
    const assoc = ofType(mgmt, "aws:eks/podIdentityAssociation:PodIdentityAssociation").filter((a) => a.inputs.namespace === "argocd").map((a) => a.inputs.serviceAccount).sort();
    expect(assoc).toEqual(["argocd-application-controller", "argocd-server"]);
  });

  it("management ArgoCD: admin off, OIDC with PKCE (no client secret), default-deny RBAC, the K8TRE plugin, root app from the fork", () => {
    const release = ofType(mgmt, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "argocd")!;
    const v = release.inputs.values as any;
    expect(v.configs.cm["admin.enabled"]).toBe(false);
    const oidc = parse(v.configs.cm["oidc.config"]);
    expect(oidc).toMatchObject({ issuer: "https://login.example.org/realms/k8tre", clientID: "argocd", enablePKCEAuthentication: true });
    expect(oidc.clientSecret).toBeUndefined();
    expect(v.configs.rbac["policy.default"]).toBe("");
    expect(v.configs.rbac["policy.csv"]).toBe("g, k8tre-platform-admins, role:admin\n");
    expect(Object.keys(v.configs.cmp.plugins)).toEqual(["kustomize-with-envsubst"]);
    expect(byUrn(mgmt, release.urn)).toBeDefined();
    const root = ofType(mgmt, "kubernetes:argoproj.io/v1alpha1:Application")[0];
    expect(JSON.stringify(root.inputs)).toContain("https://github.com/example-org/k8tre.git");
  });
});
