/**
 * An AWS environment stack (aws-dev, …): the cluster foundation (stacks/foundation/aws.ts), the
 * ArgoCD deployer role and access entry on the cluster, then the cluster's registration in the
 * management ArgoCD (awsAuthConfig: ArgoCD's Pod Identity assumes the deployer role).
 *
 * Everything that reads the management stack (its ArgoCD role, its nodes' security group) waits,
 * like the registration itself, until that stack has outputs: on a greenfield deployment the
 * update leaves it out and records it in `deferred` for the runner's late pass
 * (docs/adr/0005-schedule-and-late-registration.md).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { eksPodIdentityAuth, ARGOCD_DEPLOYER_GROUP } from "../../components/argocd/auth";
import { ArgoCdDeployerAccess } from "../../components/aws/eks/identities";
import type { StackContext, StackOutputs } from "../context";
import { awsFoundationOutputs, buildAwsClusterFoundation } from "../foundation/aws";
import { registerWithManagement } from "../registration";

export function buildEnvironmentStack(ctx: StackContext): StackOutputs {
  const register = ctx.config.registration?.enabled === true;
  const mgmt = register && ctx.managementOutputsExist !== false ? ctx.stackRef("management") : undefined;
  if (register && !mgmt) {
    ctx.deferred.push({
      what: "argocd-deployer-access",
      reason: `the management stack ${ctx.stackRefName("management")} has no outputs yet (its ArgoCD role and security group); run \`pulumi up\` again once it is deployed`,
      // The deployer role and access entry, and the API endpoint's rule for the management cluster.
      targets: ["**::argocd-deployer*", "**::argocd-api-ingress"],
    });
  }
  const foundation = buildAwsClusterFoundation(ctx);
  const { cluster } = foundation;
  const outputs = awsFoundationOutputs(ctx, foundation);
  if (!register) return outputs;

  if (mgmt) {
    // ArgoCD's pods carry the management cluster's security group (ENI mode): they reach this
    // cluster's private endpoint on 443 through it, and nothing else of the cluster.
    new aws.vpc.SecurityGroupIngressRule(
      "argocd-api-ingress",
      {
        securityGroupId: cluster.peerSecurityGroupId,
        referencedSecurityGroupId: mgmt.requireOutput("nodeSecurityGroupId") as pulumi.Output<string>,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: "Kubernetes API from the management ArgoCD",
      },
      { provider: ctx.awsProvider() },
    );
  }
  const deployer = mgmt
    ? new ArgoCdDeployerAccess(
        "argocd-deployer",
        {
          roleName: ctx.awsNaming.iamRole("argocd-deployer"),
          clusterName: cluster.clusterName,
          argocdRoleArn: mgmt.requireOutput("argocdRoleArn") as pulumi.Output<string>,
          kubernetesGroup: ARGOCD_DEPLOYER_GROUP,
          tags: ctx.tags,
        },
        { provider: ctx.awsProvider(), dependsOn: [cluster.resource] },
      )
    : undefined;
  const clusterName = ctx.awsNaming.eksCluster();
  registerWithManagement(
    ctx,
    { clusterName, server: cluster.endpoint, caData: cluster.caData, provider: cluster.k8sProvider },
    // EKS: ArgoCD's Pod Identity assumes this cluster's deployer role (awsAuthConfig). Only
    // called when the management stack has outputs, i.e. when the deployer role exists.
    () => {
      if (!deployer) throw new Error(`stack ${ctx.stack}: the ArgoCD deployer role needs the management stack's outputs`);
      return deployer.roleArn.apply((roleArn) => eksPodIdentityAuth({ clusterName, roleArn }));
    },
    // Register once Cilium, the nodes and CoreDNS run (ArgoCD syncs need a working CNI), and the
    // deployer role's access entry exists (the RBAC binding names its group).
    { dependsOn: [...foundation.ready, ...(deployer ? [deployer.accessEntry] : [])] },
  );
  return deployer ? { ...outputs, argocdDeployerRoleArn: deployer.roleArn } : outputs;
}
