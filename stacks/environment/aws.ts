/**
 * An AWS environment stack (aws-dev, …): the cluster foundation (stacks/foundation/aws.ts), the
 * ArgoCD deployer role and access entry on the cluster, then the cluster's registration in the
 * management ArgoCD (awsAuthConfig: ArgoCD's Pod Identity assumes the deployer role).
 */
import type * as pulumi from "@pulumi/pulumi";
import { ARGOCD_DEPLOYER_GROUP } from "../../components/argocd/registration";
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
  registerWithManagement(
    ctx,
    { clusterName: ctx.awsNaming.eksCluster(), server: cluster.endpoint, kubeconfig: cluster.kubeconfig, provider: cluster.k8sProvider },
    {
      // Register once Cilium, the nodes and CoreDNS run (ArgoCD syncs need a working CNI).
      dependsOn: foundation.ready,
      targetAuth: () => ({
        auth: { kind: "aws", clusterName: cluster.clusterName, roleArn: deployer.roleArn },
        subject: { kind: "Group", name: ARGOCD_DEPLOYER_GROUP },
        before: [deployer.accessEntry],
      }),
    },
  );
  return { ...outputs, argocdDeployerRoleArn: deployer.roleArn };
}
