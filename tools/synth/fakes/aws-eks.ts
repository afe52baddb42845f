/**
 * Fakes for the EKS cluster stacks: the cluster (private endpoint host, CA, cluster security
 * group), access entries and policy associations, node groups and their launch templates,
 * add-ons, Pod Identity associations, EFS (file system, mount targets, policies) and the
 * environment zone's records. Shapes follow the EKS and EFS API references.
 */
import { fakeGuid, registerResourceFake } from "../fakes";
import { arnOf, awsId, awsOf, tagsAll } from "./aws-core";

registerResourceFake("aws:eks/cluster:Cluster", (args, ctx) => {
  const name = String(args.inputs.name ?? args.name);
  const a = awsOf(ctx);
  const hash = fakeGuid("eks", ctx.stack, name).replace(/-/g, "").slice(0, 32).toUpperCase();
  const vpcConfig = (args.inputs.vpcConfig ?? {}) as Record<string, unknown>;
  return {
    id: name,
    state: {
      name,
      arn: arnOf(ctx, "eks", `cluster/${name}`),
      endpoint: `https://${hash}.gr7.${a.region}.eks.amazonaws.com`,
      certificateAuthority: { data: Buffer.from(`offline-synth-eks-ca-${name}`).toString("base64") },
      identity: [{ oidcs: [{ issuer: `https://oidc.eks.${a.region}.amazonaws.com/id/${hash}` }] }],
      vpcConfig: { ...vpcConfig, clusterSecurityGroupId: awsId("sg", ctx.stack, name, "eks-cluster-sg"), vpcId: awsId("vpc", ctx.stack, "shared") },
      platformVersion: "eks.1",
      status: "ACTIVE",
      tagsAll: tagsAll(args),
    },
  };
});

registerResourceFake("aws:eks/accessEntry:AccessEntry", (args, ctx) => {
  const cluster = String(args.inputs.clusterName ?? "cluster");
  const principal = String(args.inputs.principalArn ?? "");
  return { id: `${cluster}:${principal}`, state: { accessEntryArn: arnOf(ctx, "eks", `access-entry/${cluster}/${fakeGuid(principal)}`), userName: principal, tagsAll: tagsAll(args) } };
});

registerResourceFake("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", (args) => ({
  id: `${String(args.inputs.clusterName)}#${String(args.inputs.principalArn)}#${String(args.inputs.policyArn)}`,
  state: { associatedAt: "2026-01-01T00:00:00Z" },
}));

registerResourceFake("aws:ec2/launchTemplate:LaunchTemplate", (args, ctx) => {
  const id = awsId("lt", ctx.stack, args.name);
  return { id, state: { arn: arnOf(ctx, "ec2", `launch-template/${id}`), latestVersion: 1, defaultVersion: 1, tagsAll: tagsAll(args) } };
});

registerResourceFake("aws:eks/nodeGroup:NodeGroup", (args, ctx) => {
  const cluster = String(args.inputs.clusterName ?? "cluster");
  const name = String(args.inputs.nodeGroupName ?? args.name);
  return {
    id: `${cluster}:${name}`,
    state: {
      arn: arnOf(ctx, "eks", `nodegroup/${cluster}/${name}/${fakeGuid(name).slice(0, 8)}`),
      status: "ACTIVE",
      resources: [{ autoscalingGroups: [{ name: `eks-${name}-${fakeGuid(name).slice(0, 8)}` }] }],
      tagsAll: tagsAll(args),
    },
  };
});

registerResourceFake("aws:eks/addon:Addon", (args, ctx) => {
  const cluster = String(args.inputs.clusterName ?? "cluster");
  const name = String(args.inputs.addonName ?? args.name);
  return { id: `${cluster}:${name}`, state: { arn: arnOf(ctx, "eks", `addon/${cluster}/${name}/${fakeGuid(name).slice(0, 8)}`), tagsAll: tagsAll(args) } };
});

registerResourceFake("aws:eks/podIdentityAssociation:PodIdentityAssociation", (args, ctx) => {
  const id = `a-${fakeGuid("pia", ctx.stack, args.name).replace(/-/g, "").slice(0, 17)}`;
  return { id: `${String(args.inputs.clusterName)},${id}`, state: { associationId: id, associationArn: arnOf(ctx, "eks", `podidentityassociation/${String(args.inputs.clusterName)}/${id}`), tagsAll: tagsAll(args) } };
});

registerResourceFake("aws:efs/fileSystem:FileSystem", (args, ctx) => {
  const id = awsId("fs", ctx.stack, args.name);
  const a = awsOf(ctx);
  return { id, state: { arn: arnOf(ctx, "elasticfilesystem", `file-system/${id}`), dnsName: `${id}.efs.${a.region}.amazonaws.com`, ownerId: a.accountId, tagsAll: tagsAll(args) } };
});
registerResourceFake("aws:efs/mountTarget:MountTarget", (args, ctx) => {
  const id = awsId("fsmt", ctx.stack, args.name);
  return { id, state: { networkInterfaceId: awsId("eni", ctx.stack, args.name), ipAddress: "10.0.16.10" } };
});
registerResourceFake("aws:efs/backupPolicy:BackupPolicy", (args) => ({ id: String(args.inputs.fileSystemId ?? args.name), state: {} }));
registerResourceFake("aws:efs/fileSystemPolicy:FileSystemPolicy", (args) => ({ id: String(args.inputs.fileSystemId ?? args.name), state: {} }));
