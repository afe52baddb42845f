/**
 * Secrets: External Secrets Operator and the one `ClusterSecretStore` named `secret-store` that
 * every K8TRE application's `ExternalSecret` references. Azure: the environment Key Vault through
 * workload identity (the "referenced service account" pattern). AWS: Secrets Manager or
 * Parameter Store in the environment's region through EKS Pod Identity (the controller's ambient
 * credentials: no `auth` block, as ESO's AWS provider documents for Pod Identity; the IAM role
 * reads only the environment's prefix). k3s: Kubernetes Secrets in the
 * `secret-store` namespace, readable by ESO through a namespaced Role (not K8TRE's cluster-wide
 * read).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WORKLOAD_IDENTITIES } from "./identities";
import { namespace, pinnedRelease, WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "./common";
import { type NamespacePolicy, namespacePolicies } from "./network-policy";
import { hostOf, type PlatformInputs, POD_IDENTITY_AGENT } from "./platform";

export const SECRET_STORE_NAME = "secret-store";
/** k3s: namespace holding the source Secrets of the Kubernetes store. */
export const SECRET_STORE_NAMESPACE = "secret-store";
const ESO = WORKLOAD_IDENTITIES.externalSecrets;

/** Leaf paths of {@link externalSecretsValues}; each must be a key of the pinned chart. */
export const EXTERNAL_SECRETS_VALUE_PATHS = ["installCRDs", "serviceAccount.name", "serviceAccount.annotations", "podLabels"] as const;

export function externalSecretsValues(platform: PlatformInputs): Record<string, unknown> {
  const base = { installCRDs: true, serviceAccount: { name: ESO.serviceAccount } as Record<string, unknown> };
  switch (platform.kind) {
    case "azure":
      return {
        ...base,
        serviceAccount: { ...base.serviceAccount, annotations: { [WI_CLIENT_ID_ANNOTATION]: platform.identities.externalSecrets.clientId } },
        podLabels: { [WI_USE_LABEL]: "true" },
      };
    case "aws":
    case "k3s":
      return base;
  }
}

/** The `spec.provider` of the ClusterSecretStore. */
export function secretStoreProvider(platform: PlatformInputs): Record<string, unknown> {
  const sa = { name: ESO.serviceAccount, namespace: ESO.namespace };
  switch (platform.kind) {
    case "azure":
      return {
        azurekv: {
          authType: "WorkloadIdentity",
          vaultUrl: platform.keyVaultUri,
          tenantId: platform.tenantId,
          serviceAccountRef: sa,
        },
      };
    case "aws":
      // https://external-secrets.io/latest/provider/aws-secrets-manager/ (EKS Pod Identity:
      // no auth block; the controller's credentials come from the Pod Identity agent).
      return { aws: { service: platform.secretBackend, region: platform.region } };
    case "k3s":
      return {
        kubernetes: {
          remoteNamespace: SECRET_STORE_NAMESPACE,
          server: { caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt", namespace: ESO.namespace } },
          auth: { serviceAccount: sa },
        },
      };
  }
}

/** What ESO must reach: the API server; on Azure Entra ID and the one Key Vault; on AWS the secret service of its region and the Pod Identity agent. */
export function externalSecretsPolicy(platform: PlatformInputs, keyVaultHost = "*.vault.azure.net"): NamespacePolicy {
  const base = { namespace: ESO.namespace, kubeApiserver: true, webhookIngress: true };
  switch (platform.kind) {
    case "azure":
      return { ...base, fqdns: ["login.microsoftonline.com", keyVaultHost] };
    case "aws":
      return {
        ...base,
        fqdns: [`${platform.secretBackend === "SecretsManager" ? "secretsmanager" : "ssm"}.${platform.region}.amazonaws.com`],
        cidrEgress: [{ cidr: POD_IDENTITY_AGENT.cidr, ports: [{ port: POD_IDENTITY_AGENT.port, protocol: "TCP" }] }],
      };
    case "k3s":
      return { ...base, fqdns: [] };
  }
}

export interface SecretsArgs {
  readonly platform: PlatformInputs;
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  readonly networkPolicies: boolean;
}

export class Secrets extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly store: k8s.apiextensions.CustomResource;
  readonly storeName = SECRET_STORE_NAME;

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:agnostics:Secrets", name, {}, opts);
    const { platform } = args;
    const ns = namespace(ESO.namespace, this);
    const before: pulumi.Input<pulumi.Resource>[] = [...args.dependsOn, ns];
    if (args.networkPolicies) {
      const policy =
        platform.kind === "azure"
          ? pulumi.output(platform.keyVaultUri).apply((uri) => externalSecretsPolicy(platform, hostOf(uri)))
          : externalSecretsPolicy(platform);
      before.push(...namespacePolicies(`${name}-eso`, ESO.namespace, policy, { parent: this, dependsOn: [...args.dependsOn, ns] }));
    }
    this.release = pinnedRelease(`${name}-eso`, "externalSecrets", {
      name: "external-secrets",
      namespace: ESO.namespace,
      values: externalSecretsValues(platform),
      dependsOn: before,
      parent: this,
    });

    const storeDeps: pulumi.Input<pulumi.Resource>[] = [this.release];
    if (platform.kind === "k3s") {
      const storeNs = namespace(SECRET_STORE_NAMESPACE, this);
      if (args.networkPolicies) {
        // No pods live here; the deny policy documents (and enforces) that.
        namespacePolicies(`${name}-store`, SECRET_STORE_NAMESPACE, { namespace: SECRET_STORE_NAMESPACE }, { parent: this, dependsOn: [...args.dependsOn, storeNs] });
      }
      const role = new k8s.rbac.v1.Role(
        `${name}-store-reader`,
        {
          metadata: { name: "external-secrets-reader", namespace: SECRET_STORE_NAMESPACE },
          rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
        },
        { parent: this, dependsOn: [storeNs] },
      );
      const binding = new k8s.rbac.v1.RoleBinding(
        `${name}-store-reader`,
        {
          metadata: { name: "external-secrets-reader", namespace: SECRET_STORE_NAMESPACE },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "external-secrets-reader" },
          subjects: [{ kind: "ServiceAccount", name: ESO.serviceAccount, namespace: ESO.namespace }],
        },
        { parent: this, dependsOn: [role] },
      );
      storeDeps.push(binding);
    }
    this.store = new k8s.apiextensions.CustomResource(
      `${name}-store`,
      {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: { name: SECRET_STORE_NAME },
        spec: { provider: secretStoreProvider(platform) },
      },
      { parent: this, dependsOn: storeDeps },
    );
    this.registerOutputs({ storeName: this.storeName });
  }
}
