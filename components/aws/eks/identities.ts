/**
 * EKS Pod Identity for everything in the cluster that calls AWS, one IAM role per controller,
 * each trusted only by its own service account on this cluster ({@link podIdentityTrust}) and
 * allowed only what it touches ({@link ./iam.ts}); then the pinned EKS add-ons.
 *
 * - `k8tre:aws:PodIdentity`: one role + inline policy (+ AWS managed policies where AWS
 *   maintains the exact action list, e.g. the EBS CSI driver) + the association.
 * - `k8tre:aws:ClusterAddons`: Pod Identity agent, CoreDNS, EBS CSI and EFS CSI drivers at the
 *   versions pinned for the cluster's Kubernetes version (config/eks-versions.ts), conflict
 *   resolution OVERWRITE on create and update (the declared configuration wins), created after
 *   the node groups. CoreDNS becoming ACTIVE is the proof Cilium works: its pods need
 *   Cilium-assigned addresses, and the provider waits for the add-on to be ACTIVE.
 */
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { EKS_ADDON_VERSIONS, type EksAddonName, eksMinor } from "../../../config/eks-versions";
import { type AwsScope, deployerRoleTrust, ebsCsiKmsPolicy, efsCsiPolicy, managedPolicyArn, type PolicyDocument, podIdentityTrust } from "./iam";

export interface PodIdentityArgs {
  readonly roleName: string;
  readonly clusterName: pulumi.Input<string>;
  /** The cluster's name as a plain string (trust policy condition). */
  readonly clusterNameValue: string;
  readonly namespace: string;
  /** The service account(s) that may use the role; one association each. */
  readonly serviceAccount: string | readonly string[];
  readonly scope: AwsScope;
  readonly policy?: pulumi.Input<PolicyDocument>;
  readonly managedPolicies?: readonly string[];
  /** Create the association here (false for add-ons, which carry their own). */
  readonly associate: boolean;
  readonly tags: Record<string, string>;
}

export class PodIdentity extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  /** The role and its policies: depend on these before a pod uses the identity. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: PodIdentityArgs, opts: pulumi.ComponentResourceOptions & { provider: pulumi.ProviderResource }) {
    super("k8tre:aws:PodIdentity", name, {}, opts);
    const child = { parent: this, provider: opts.provider };
    const role = new iam.Role(
      `${name}-role`,
      {
        name: args.roleName,
        description: `EKS Pod Identity: ${args.namespace}/${([] as string[]).concat(args.serviceAccount).join(",")} on ${args.clusterNameValue}`,
        assumeRolePolicy: JSON.stringify(podIdentityTrust(args.scope, { clusterName: args.clusterNameValue, namespace: args.namespace, serviceAccount: args.serviceAccount })),
        maxSessionDuration: 3600,
        tags: args.tags,
      },
      child,
    );
    this.ready = [role];
    if (args.policy) {
      this.ready.push(new iam.RolePolicy(`${name}-policy`, { role: role.id, name: "k8tre", policy: pulumi.output(args.policy).apply((p) => JSON.stringify(p)) }, child));
    }
    for (const p of args.managedPolicies ?? []) {
      this.ready.push(new iam.RolePolicyAttachment(`${name}-${p.split("/").pop()}`, { role: role.name, policyArn: managedPolicyArn(args.scope.partition, p) }, child));
    }
    if (args.associate) {
      const accounts = ([] as string[]).concat(args.serviceAccount);
      const policies = this.ready.slice();
      for (const serviceAccount of accounts) {
        this.ready.push(
          new eks.PodIdentityAssociation(
            accounts.length === 1 ? `${name}-association` : `${name}-association-${serviceAccount}`,
            { clusterName: args.clusterName, namespace: args.namespace, serviceAccount, roleArn: role.arn, tags: args.tags },
            { ...child, dependsOn: policies },
          ),
        );
      }
    }
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}

/** Service accounts the add-ons' controllers run as (EKS add-on defaults). */
export const ADDON_SERVICE_ACCOUNTS = {
  "aws-ebs-csi-driver": "ebs-csi-controller-sa",
  "aws-efs-csi-driver": "efs-csi-controller-sa",
} as const;

/** The pinned version of an add-on for a Kubernetes version; throws when no row exists. */
export function addonVersion(kubernetesVersion: string, addon: EksAddonName): string {
  const row = EKS_ADDON_VERSIONS[eksMinor(kubernetesVersion)];
  if (!row) throw new Error(`no EKS add-on versions are pinned for Kubernetes ${kubernetesVersion} (config/eks-versions.ts)`);
  return row[addon];
}

export interface ClusterAddonsArgs {
  readonly clusterName: pulumi.Input<string>;
  readonly clusterNameValue: string;
  readonly kubernetesVersion: string;
  readonly scope: AwsScope;
  /** The environment data key the EBS CSI driver encrypts volumes with. */
  readonly dataKeyArn: pulumi.Input<string>;
  /** The environment's EFS file system (the EFS CSI driver may create access points there only). */
  readonly fileSystemArn: pulumi.Input<string>;
  readonly roleNames: { readonly ebsCsi: string; readonly efsCsi: string };
  /** The node groups (CoreDNS and the CSI controllers need nodes with a working CNI). */
  readonly nodeGroups: pulumi.Resource[];
  readonly tags: Record<string, string>;
}

export class ClusterAddons extends pulumi.ComponentResource {
  readonly addons: Record<EksAddonName, eks.Addon>;
  /** Everything later in-cluster work must follow (CoreDNS up means pods get addresses and DNS). */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: ClusterAddonsArgs, opts: pulumi.ComponentResourceOptions & { provider: pulumi.ProviderResource }) {
    super("k8tre:aws:ClusterAddons", name, {}, opts);
    const child = { parent: this, provider: opts.provider };
    const v = (a: EksAddonName) => addonVersion(args.kubernetesVersion, a);
    const common = { clusterName: args.clusterName, resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE", tags: args.tags };

    const agent = new eks.Addon(`${name}-pod-identity-agent`, { ...common, addonName: "eks-pod-identity-agent", addonVersion: v("eks-pod-identity-agent") }, { ...child, dependsOn: args.nodeGroups });
    const coredns = new eks.Addon(`${name}-coredns`, { ...common, addonName: "coredns", addonVersion: v("coredns") }, { ...child, dependsOn: args.nodeGroups });

    const ebsRole = new PodIdentity(
      `${name}-ebs-csi`,
      {
        roleName: args.roleNames.ebsCsi,
        clusterName: args.clusterName,
        clusterNameValue: args.clusterNameValue,
        namespace: "kube-system",
        serviceAccount: ADDON_SERVICE_ACCOUNTS["aws-ebs-csi-driver"],
        scope: args.scope,
        // AWS maintains the EC2 action list (tag-conditioned); the key grant is ours, on one key.
        managedPolicies: ["service-role/AmazonEBSCSIDriverPolicy"],
        policy: pulumi.output(args.dataKeyArn).apply(ebsCsiKmsPolicy),
        associate: false,
        tags: args.tags,
      },
      child,
    );
    const efsRole = new PodIdentity(
      `${name}-efs-csi`,
      {
        roleName: args.roleNames.efsCsi,
        clusterName: args.clusterName,
        clusterNameValue: args.clusterNameValue,
        namespace: "kube-system",
        serviceAccount: ADDON_SERVICE_ACCOUNTS["aws-efs-csi-driver"],
        scope: args.scope,
        policy: pulumi.output(args.fileSystemArn).apply(efsCsiPolicy),
        associate: false,
        tags: args.tags,
      },
      child,
    );
    const csi = (addon: keyof typeof ADDON_SERVICE_ACCOUNTS, role: PodIdentity) =>
      new eks.Addon(
        `${name}-${addon}`,
        { ...common, addonName: addon, addonVersion: v(addon), podIdentityAssociations: [{ roleArn: role.roleArn, serviceAccount: ADDON_SERVICE_ACCOUNTS[addon] }] },
        { ...child, dependsOn: [...args.nodeGroups, agent, ...role.ready] },
      );
    const ebs = csi("aws-ebs-csi-driver", ebsRole);
    const efs = csi("aws-efs-csi-driver", efsRole);
    this.addons = { "eks-pod-identity-agent": agent, coredns, "aws-ebs-csi-driver": ebs, "aws-efs-csi-driver": efs };
    this.ready = [agent, coredns];
    this.registerOutputs({});
  }
}

export interface ArgoCdDeployerAccessArgs {
  readonly roleName: string;
  readonly clusterName: pulumi.Input<string>;
  /** The management ArgoCD's Pod Identity role: the only principal that may assume the deployer role. */
  readonly argocdRoleArn: pulumi.Input<string>;
  /** The Kubernetes group the access entry maps the role to (bound to the deployer ClusterRole). */
  readonly kubernetesGroup: string;
  readonly tags: Record<string, string>;
}

/**
 * `k8tre:aws:ArgoCdDeployerAccess` — an environment cluster's side of ArgoCD's access: an IAM
 * role only the management ArgoCD's Pod Identity role can assume, with no IAM permissions at all
 * (an EKS token is a presigned sts:GetCallerIdentity; it needs none), and an EKS access entry
 * that maps the role to one Kubernetes group and no access policy — the group's rights come from
 * the Kubernetes RBAC binding the registration creates (components/argocd/registration.ts).
 */
export class ArgoCdDeployerAccess extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly accessEntry: eks.AccessEntry;

  constructor(name: string, args: ArgoCdDeployerAccessArgs, opts: pulumi.ComponentResourceOptions & { provider: pulumi.ProviderResource }) {
    super("k8tre:aws:ArgoCdDeployerAccess", name, {}, opts);
    const child = { parent: this, provider: opts.provider };
    const role = new iam.Role(
      `${name}-role`,
      {
        name: args.roleName,
        description: "The management ArgoCD deploys K8TRE to this cluster as this role (EKS access entry, Kubernetes RBAC)",
        assumeRolePolicy: pulumi.output(args.argocdRoleArn).apply((arn) => JSON.stringify(deployerRoleTrust(arn))),
        maxSessionDuration: 3600,
        tags: args.tags,
      },
      child,
    );
    this.accessEntry = new eks.AccessEntry(
      `${name}-access-entry`,
      { clusterName: args.clusterName, principalArn: role.arn, type: "STANDARD", kubernetesGroups: [args.kubernetesGroup], tags: args.tags },
      child,
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
