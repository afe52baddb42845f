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
import * as vpc from "@pulumi/aws/vpc";
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

  // ArgoCD reaches this cluster's private endpoint from the management cluster's pods. Their
  // addresses sit on ENIs that carry the management cluster's security group: Cilium gives the
  // ENIs it creates the security groups of the node's eth0 when none are configured
  // (https://docs.cilium.io/en/stable/network/concepts/ipam/eni/, `spec.eni.security-groups`),
  // and EKS attaches the cluster security group to the network interfaces of managed node groups
  // (https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html). The endpoint's
  // network interfaces carry the security groups given at cluster creation (same page), among
  // them the rule-less peer group this rule opens, 443 only. A standalone rule on a group without
  // in-line rules (the provider warns against mixing the two:
  // https://www.pulumi.com/registry/packages/aws/api-docs/vpc/securitygroupingressrule/), so the
  // late pass adds it without touching the cluster or anything the main pass manages.
  const apiIngress = mgmt
    ? new vpc.SecurityGroupIngressRule(
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
      )
    : undefined;
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
    // Register once Cilium, the nodes and CoreDNS run (ArgoCD syncs need a working CNI), the
    // deployer role's access entry exists (the RBAC binding names its group), and ArgoCD can
    // reach the API endpoint (the rule above): the cluster Secret is what makes ArgoCD connect.
    { dependsOn: [...foundation.ready, ...(deployer ? [deployer.accessEntry] : []), ...(apiIngress ? [apiIngress] : [])] },
  );
  return deployer ? { ...outputs, argocdDeployerRoleArn: deployer.roleArn } : outputs;
}
