/**
 * An AWS environment stack (aws-dev, …): the cluster foundation (stacks/foundation/aws.ts), the
 * ArgoCD deployer role and access entry on the cluster, then the cluster's registration in the
 * management ArgoCD (awsAuthConfig: ArgoCD's Pod Identity assumes the deployer role).
 */
import type * as pulumi from "@pulumi/pulumi";
import { ARGOCD_DEPLOYER_GROUP, eksPodIdentityAuth } from "../../components/argocd/auth";
import { ArgoCdDeployerAccess } from "../../components/aws/eks/identities";
import type { StackContext, StackOutputs } from "../context";
import { awsFoundationOutputs, buildAwsClusterFoundation } from "../foundation/aws";
import { registerWithManagement } from "../registration";

export function buildEnvironmentStack(ctx: StackContext): StackOutputs {
  const register = ctx.config.registration?.enabled === true;
  const mgmt = register ? ctx.stackRef("management") : undefined;
  // ArgoCD's pods carry the management cluster's security group (ENI mode): they reach this
  // cluster's private endpoint on 443 through it, and nothing else of the cluster.
  const foundation = buildAwsClusterFoundation(ctx, {
    apiAccessSecurityGroupIds: mgmt ? [mgmt.requireOutput("nodeSecurityGroupId") as pulumi.Output<string>] : [],
  });
  const { cluster } = foundation;
  const outputs = awsFoundationOutputs(ctx, foundation);
  if (!mgmt) return outputs;

  const deployer = new ArgoCdDeployerAccess(
    "argocd-deployer",
    {
      roleName: ctx.awsNaming.iamRole("argocd-deployer"),
      clusterName: cluster.clusterName,
      argocdRoleArn: mgmt.requireOutput("argocdRoleArn") as pulumi.Output<string>,
      kubernetesGroup: ARGOCD_DEPLOYER_GROUP,
      tags: ctx.tags,
    },
    { provider: ctx.awsProvider(), dependsOn: [cluster.resource] },
  );
  const clusterName = ctx.awsNaming.eksCluster();
  registerWithManagement(
    ctx,
    { clusterName, server: cluster.endpoint, caData: cluster.caData, provider: cluster.k8sProvider },
    // EKS: ArgoCD's Pod Identity assumes this cluster's deployer role (awsAuthConfig).
    () => deployer.roleArn.apply((roleArn) => eksPodIdentityAuth({ clusterName, roleArn })),
    // Register once Cilium, the nodes and CoreDNS run (ArgoCD syncs need a working CNI), and the
    // deployer role's access entry exists (the RBAC binding names its group).
    { dependsOn: [...foundation.ready, deployer.accessEntry] },
  );
  return { ...outputs, argocdDeployerRoleArn: deployer.roleArn };
}
