/**
 * The AWS management stack (aws-mgmt): the management EKS cluster (the same foundation as the
 * environments) and ArgoCD on it, hardened as on Azure — local admin off, SSO through the
 * institution's OIDC provider (PKCE, no client secret), default-deny RBAC with the configured
 * groups as admins, the K8TRE config-management plugin, the internal HTTPRoute, and the root
 * app-of-apps for the operator's fork at any ref. ArgoCD's controller and server run with one
 * Pod Identity role whose only permission is assuming the environments' deployer roles.
 */
import * as pulumi from "@pulumi/pulumi";
import { GATEWAY_NAME, GATEWAY_NAMESPACE } from "../../components/agnostics/ingress";
import { ArgoCd } from "../../components/argocd/argocd";
import { ARGOCD_NAMESPACE, ARGOCD_SERVICE_ACCOUNTS } from "../../components/argocd/chart";
import { argocdAssumePolicy, type AwsScope } from "../../components/aws/eks";
import { PodIdentity } from "../../components/aws/eks/identities";
import type { StackContext, StackOutputs } from "../context";
import { environmentDomain } from "../domain";
import { awsFoundationOutputs, buildAwsClusterFoundation } from "../foundation/aws";

/** The internal gateway's HTTPS listener (never the plain-HTTP one) carries ArgoCD. */
const INTERNAL_GATEWAY = { name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE, sectionName: "https" } as const;

/** The deployer roles of every environment of this prefix in the account and region (stacks/environment/aws.ts). */
export function deployerRolePattern(s: AwsScope, prefix: string, regionCode: string): string {
  return `arn:${s.partition}:iam::${s.accountId}:role/${prefix}-*-${regionCode}-argocd-deployer`;
}

export function buildManagementStack(ctx: StackContext): StackOutputs {
  const c = ctx.config;
  const argocdConfig = c.argocd!;
  const foundation = buildAwsClusterFoundation(ctx);
  const { cluster } = foundation;
  const scope: AwsScope = { partition: ctx.awsPartition, accountId: ctx.awsAccountId, region: ctx.awsRegion };

  const argocdIdentity = new PodIdentity(
    "argocd-identity",
    {
      roleName: ctx.awsNaming.iamRole("argocd"),
      clusterName: cluster.clusterName,
      clusterNameValue: ctx.awsNaming.eksCluster(),
      namespace: ARGOCD_NAMESPACE,
      // Syncs (controller) and live views, logs and resource actions (server) reach clusters.
      serviceAccount: [ARGOCD_SERVICE_ACCOUNTS.controller, ARGOCD_SERVICE_ACCOUNTS.server],
      scope,
      policy: argocdAssumePolicy(deployerRolePattern(scope, c.prefix, ctx.awsNaming.region)),
      associate: true,
      tags: ctx.tags,
    },
    { provider: ctx.awsProvider(), dependsOn: [cluster.resource] },
  );

  const host = `${argocdConfig.hostname}.${environmentDomain(c)}`;
  const argocd = new ArgoCd(
    "argocd",
    {
      host,
      oidc: argocdConfig.oidc!,
      repo: { url: argocdConfig.repoUrl, revision: argocdConfig.revision, path: argocdConfig.appsPath },
      gateway: INTERNAL_GATEWAY,
      // ArgoCD's pods start only once Cilium and CoreDNS run, with their Pod Identity in place.
      dependsOn: [...foundation.ready, ...argocdIdentity.ready],
    },
    { provider: cluster.k8sProvider },
  );

  return {
    ...awsFoundationOutputs(ctx, foundation),
    argocdNamespace: pulumi.output(ARGOCD_NAMESPACE),
    argocdUrl: argocd.url,
    argocdRoleArn: argocdIdentity.roleArn,
  };
}
