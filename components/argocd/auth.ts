/**
 * How the management ArgoCD authenticates to a target cluster: one strategy per platform, each a
 * pure function from a few IDs to a {@link ClusterAuth}. A strategy supplies the credential-free
 * part of the ArgoCD cluster Secret's `config` (an `execProviderConfig`, or e.g. an
 * `awsAuthConfig`) and the RBAC subjects the target cluster binds its deployer role to. The
 * registration (./registration.ts) adds the API server CA and refuses any config that carries a
 * stored credential.
 *
 * ArgoCD's cluster Secret format: https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#clusters
 */
import { AKS_AAD_SERVER_APP_ID, ARGOCD_NAMESPACE, ARGOCD_SERVICE_ACCOUNTS, serviceAccountSubject } from "./chart";

/** An RBAC subject on the target cluster (User or Group; never a ServiceAccount with a token). */
export interface RbacSubject {
  readonly apiGroup: "rbac.authorization.k8s.io";
  readonly kind: "User" | "Group";
  readonly name: string;
}

export interface ClusterAuth {
  /** The strategy's name, for messages and docs (e.g. `entra-workload-identity`). */
  readonly strategy: string;
  /** The cluster Secret's `config` without `tlsClientConfig`: how ArgoCD gets a short-lived credential. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Who the target cluster's deployer role is bound to. */
  readonly subjects: readonly RbacSubject[];
}

/** Keys of ArgoCD's cluster config that hold a stored credential; no strategy may set them. */
export const STORED_CREDENTIAL_KEYS = ["bearerToken", "username", "password"] as const;
const STORED_TLS_KEYS = ["keyData", "certData"] as const;

/** Throws when a cluster config would store a credential (a bearer token, password or client key). */
export function assertNoStoredCredential(config: Readonly<Record<string, unknown>>): void {
  for (const k of STORED_CREDENTIAL_KEYS) {
    if (config[k] !== undefined && config[k] !== "") throw new Error(`ArgoCD cluster config must not hold ${k}: use a short-lived credential strategy (components/argocd/auth.ts)`);
  }
  const tls = (config.tlsClientConfig ?? {}) as Record<string, unknown>;
  for (const k of STORED_TLS_KEYS) {
    if (tls[k] !== undefined && tls[k] !== "") throw new Error(`ArgoCD cluster config must not hold tlsClientConfig.${k} (a client certificate is a long-lived credential)`);
  }
}

const RBAC = "rbac.authorization.k8s.io" as const;

// ---------------------------------------------------------------------------------------------
// Azure (AKS with Entra ID integration)

export interface EntraWorkloadIdentityInput {
  readonly tenantId: string;
  /** Client ID of the management ArgoCD controller's user-assigned identity. */
  readonly clientId: string;
  /** Its object (principal) ID: AKS names Entra principals by `oid`. */
  readonly principalId: string;
  /** Entra cloud (kubelogin's AAD_ENVIRONMENT_NAME). */
  readonly cloud?: string;
}

/**
 * `argocd-k8s-auth azure` (kubelogin, workload identity): the controller's projected token is
 * exchanged with Entra ID for an AKS access token of the controller identity. AZURE_FEDERATED_TOKEN_FILE
 * and AZURE_AUTHORITY_HOST are injected by the workload-identity webhook into the labelled ArgoCD
 * pods; AZURE_CLIENT_ID is set here because the argocd-server pod's own annotation names the SSO
 * application, not this identity.
 */
export function entraWorkloadIdentityAuth(input: EntraWorkloadIdentityInput): ClusterAuth {
  return {
    strategy: "entra-workload-identity",
    config: {
      execProviderConfig: {
        command: "argocd-k8s-auth",
        args: ["azure"],
        env: {
          AAD_ENVIRONMENT_NAME: input.cloud ?? "AzurePublicCloud",
          AAD_LOGIN_METHOD: "workloadidentity",
          AAD_SERVER_APPLICATION_ID: AKS_AAD_SERVER_APP_ID,
          AZURE_CLIENT_ID: input.clientId,
          AZURE_TENANT_ID: input.tenantId,
        },
        apiVersion: "client.authentication.k8s.io/v1beta1",
      },
    },
    subjects: [{ apiGroup: RBAC, kind: "User", name: input.principalId }],
  };
}

// ---------------------------------------------------------------------------------------------
// AWS (EKS with access entries)

/** The Kubernetes group the EKS access entry of an environment's ArgoCD deployer role maps to. */
export const ARGOCD_DEPLOYER_GROUP = "k8tre:argocd-deployers";

export interface EksPodIdentityInput {
  /** The target EKS cluster's name. */
  readonly clusterName: string;
  /** The environment's deployer role, which only the management ArgoCD's Pod Identity role may assume. */
  readonly roleArn: string;
}

/**
 * `awsAuthConfig` (ArgoCD's `v1alpha1.AWSAuthConfig`: `clusterName`, `roleARN`): ArgoCD runs
 * `argocd-k8s-auth aws`, which takes the controller's (or server's) EKS Pod Identity credentials,
 * assumes the deployer role and presents a 15-minute EKS token (a presigned
 * sts:GetCallerIdentity). The target's access entry maps the role to {@link ARGOCD_DEPLOYER_GROUP}.
 * https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#eks
 */
export function eksPodIdentityAuth(input: EksPodIdentityInput): ClusterAuth {
  return {
    strategy: "eks-pod-identity-assume-role",
    config: { awsAuthConfig: { clusterName: input.clusterName, roleARN: input.roleArn } },
    subjects: [{ apiGroup: RBAC, kind: "Group", name: ARGOCD_DEPLOYER_GROUP }],
  };
}

// ---------------------------------------------------------------------------------------------
// K3s (any API server that can trust an external JWT issuer)

/**
 * The management ArgoCD's cluster token: a projected service-account token of the controller
 * and server pods, issued by the management cluster's service-account issuer (its public OIDC
 * issuer on AKS) for this one audience. Clusters that trust the issuer *for this audience* accept
 * it; nothing else does (the Kubernetes API of the management cluster itself rejects a token whose
 * audience is not its own). One audience for every cluster the management ArgoCD manages, so the
 * management stack never lists environments (docs/management.md, "k3s clusters").
 */
export const ARGOCD_CLUSTER_TOKEN = {
  audience: "k8tre-argocd-cluster-access",
  /** Kubelet refreshes a projected token at 80% of its lifetime; 600 s is the API's minimum. */
  expirationSeconds: 3600,
  volume: "k8tre-cluster-token",
  mountPath: "/var/run/secrets/k8tre/cluster-token",
  file: "token",
} as const;

export const ARGOCD_CLUSTER_TOKEN_PATH = `${ARGOCD_CLUSTER_TOKEN.mountPath}/${ARGOCD_CLUSTER_TOKEN.file}`;

/**
 * Prefix of the Kubernetes user names the target cluster maps the token's `sub` to. Without a
 * prefix the user would be `system:serviceaccount:argocd:…`, which a target cluster would confuse
 * with its own service accounts.
 */
export const MANAGEMENT_USER_PREFIX = "k8tre-mgmt:";

/** The ArgoCD service accounts that may act on target clusters (controller: syncs; server: UI actions, logs). */
export const CLUSTER_TOKEN_SERVICE_ACCOUNTS = ["controller", "server"] as const satisfies readonly (keyof typeof ARGOCD_SERVICE_ACCOUNTS)[];

/** The token subjects a target cluster accepts (claimValidationRules). */
export function clusterTokenSubjects(): string[] {
  return CLUSTER_TOKEN_SERVICE_ACCOUNTS.map(serviceAccountSubject);
}

/** The Kubernetes user names those subjects become on a target cluster. */
export function clusterTokenUsers(): string[] {
  return clusterTokenSubjects().map((s) => `${MANAGEMENT_USER_PREFIX}${s}`);
}

/**
 * Exec credential plugin that hands client-go the projected token. The ArgoCD image is Ubuntu
 * based (argoproj/argo-cd Dockerfile: `FROM $BASE_IMAGE` ubuntu, plus git, tini, gpg, tzdata), so
 * `/bin/sh`, `cat` and GNU `date` exist; it has no kubectl, curl or jq. The ExecCredential reports
 * an expiry five minutes ahead: kubelet rotates the file at 80% of the token's hour, so the file
 * always holds a token valid for at least 12 more minutes, and client-go re-runs the plugin
 * before the reported expiry instead of waiting for a 401.
 * ExecCredential format: https://kubernetes.io/docs/reference/access-authn-authz/authentication/#input-and-output-formats
 */
export const EXEC_CREDENTIAL_SCRIPT =
  'printf \'{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\' ' +
  '"$(cat "$K8TRE_TOKEN_FILE")" "$(date -u -d "+5 minutes" +%Y-%m-%dT%H:%M:%SZ)"';

/** The projected-token strategy: the exec plugin reads the token file; no credential is stored. */
export function projectedTokenAuth(): ClusterAuth {
  return {
    strategy: "projected-service-account-token",
    config: {
      execProviderConfig: {
        command: "/bin/sh",
        args: ["-c", EXEC_CREDENTIAL_SCRIPT],
        env: { K8TRE_TOKEN_FILE: ARGOCD_CLUSTER_TOKEN_PATH },
        apiVersion: "client.authentication.k8s.io/v1beta1",
        installHint: `the management ArgoCD mounts its cluster token at ${ARGOCD_CLUSTER_TOKEN_PATH} (components/argocd/values.ts)`,
      },
    },
    subjects: clusterTokenUsers().map((name) => ({ apiGroup: RBAC, kind: "User" as const, name })),
  };
}

/** The projected volume and mount the management ArgoCD's controller and server get (Helm values). */
export function clusterTokenVolume(): { volume: Record<string, unknown>; mount: Record<string, unknown> } {
  return {
    volume: {
      name: ARGOCD_CLUSTER_TOKEN.volume,
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: ARGOCD_CLUSTER_TOKEN.audience,
              expirationSeconds: ARGOCD_CLUSTER_TOKEN.expirationSeconds,
              path: ARGOCD_CLUSTER_TOKEN.file,
            },
          },
        ],
      },
    },
    mount: { name: ARGOCD_CLUSTER_TOKEN.volume, mountPath: ARGOCD_CLUSTER_TOKEN.mountPath, readOnly: true },
  };
}

export interface AuthenticationConfigInput {
  /** The management cluster's service-account issuer (`iss` of its projected tokens). */
  readonly issuerUrl: string;
  /** The audience the management ArgoCD's cluster token carries. */
  readonly audience: string;
  /** Kubernetes minor version of the target API server, e.g. "1.33". */
  readonly kubernetesVersion: string;
}

/**
 * `apiserver.config.k8s.io` AuthenticationConfiguration apiVersion for a Kubernetes minor:
 * v1beta1 from 1.30 (beta, on by default), v1 from 1.34 (stable).
 * https://kubernetes.io/docs/reference/access-authn-authz/authentication/#using-authentication-configuration
 */
export function authenticationConfigApiVersion(kubernetesVersion: string): string {
  const minor = Number(/^1\.(\d+)/.exec(kubernetesVersion)?.[1]);
  if (!(minor >= 30)) throw new Error(`structured authentication configuration needs Kubernetes 1.30 or later (got ${kubernetesVersion})`);
  return minor >= 34 ? "apiserver.config.k8s.io/v1" : "apiserver.config.k8s.io/v1beta1";
}

/**
 * The target API server's JWT authenticator for the management ArgoCD: trust the management
 * cluster's issuer for the one audience, accept only the ArgoCD controller and server subjects,
 * and map them to prefixed user names (which the deployer role is bound to).
 */
export function authenticationConfiguration(input: AuthenticationConfigInput): Record<string, unknown> {
  const subjects = clusterTokenSubjects();
  return {
    apiVersion: authenticationConfigApiVersion(input.kubernetesVersion),
    kind: "AuthenticationConfiguration",
    jwt: [
      {
        issuer: { url: input.issuerUrl, audiences: [input.audience] },
        claimValidationRules: [
          {
            expression: `claims.sub in [${subjects.map((s) => JSON.stringify(s)).join(", ")}]`,
            message: `only the management ArgoCD (${ARGOCD_NAMESPACE} controller and server) may use this issuer`,
          },
        ],
        // No groups mapping: the users get only system:authenticated besides their own bindings.
        claimMappings: { username: { claim: "sub", prefix: MANAGEMENT_USER_PREFIX } },
      },
    ],
  };
}
