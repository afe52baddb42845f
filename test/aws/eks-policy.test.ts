/**
 * The EKS rules of the policy pack (policy/aws.ts): each rejects the shape the reference
 * implementation shipped (public endpoint, aws-auth ConfigMap, account-root admin, IMDSv1, PassRole
 * on every role, FullAccess) and accepts what our components register; the shipped AWS cluster
 * plans pass every one of them.
 */
import { AWS_TYPES, iamDocumentFindings } from "../../policy/aws";
import { normalizeResource, type PolicyResource, ruleByName, type RuleContext } from "../../policy/rules";
import { evaluatePlan } from "../../tools/synth/policy";
import { synthShipped } from "../helpers/synth";

const ctx: RuleContext = { engine: "crossguard", notEvaluable: (reason) => { throw new Error(reason); } };

function check(policy: string, type: string, inputs: Record<string, any>): string[] {
  const r: PolicyResource = normalizeResource({ type, name: "r", urn: `urn:pulumi:aws-dev::k8tre::${type}::r`, inputs, protect: true });
  return ruleByName(policy).check(r, ctx);
}

const cluster = {
  vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, subnetIds: ["subnet-1"] },
  accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
  encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-2:1:key/k" } },
  enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
};

describe("EKS control plane rules", () => {
  it("accept the cluster our component declares", () => {
    for (const p of ["aws-eks-private-endpoint", "aws-eks-access-entries", "aws-eks-secrets-encryption", "aws-eks-control-plane-logs"]) {
      expect(check(p, AWS_TYPES.eksCluster, cluster)).toEqual([]);
    }
  });

  it("reject the reference's public endpoint, and an endpoint left at EKS's public default", () => {
    expect(check("aws-eks-private-endpoint", AWS_TYPES.eksCluster, { ...cluster, vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: true } })).toEqual([
      "vpcConfig.endpointPublicAccess must be false (found true; EKS defaults it to true)",
    ]);
    expect(check("aws-eks-private-endpoint", AWS_TYPES.eksCluster, { ...cluster, vpcConfig: {} })).toHaveLength(2);
  });

  it("reject API_AND_CONFIG_MAP, creator admin and the account root as a principal", () => {
    expect(check("aws-eks-access-entries", AWS_TYPES.eksCluster, { ...cluster, accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } })).toEqual([
      'accessConfig.authenticationMode must be "API" (found "API_AND_CONFIG_MAP")',
      "accessConfig.bootstrapClusterCreatorAdminPermissions must be false (found unset)",
    ]);
    expect(check("aws-eks-access-entries", AWS_TYPES.eksAccessEntry, { clusterName: "c", principalArn: "arn:aws:iam::111111111111:root" })).toHaveLength(1);
    expect(check("aws-eks-access-entries", AWS_TYPES.eksAccessEntry, { clusterName: "c", principalArn: "arn:aws:iam::111111111111:role/admins" })).toEqual([]);
  });

  it("reject unencrypted secrets and missing log types", () => {
    const { encryptionConfig: _e, ...plain } = cluster;
    expect(check("aws-eks-secrets-encryption", AWS_TYPES.eksCluster, plain)).toEqual(['encryptionConfig must encrypt resources ["secrets"] with provider.keyArn set']);
    expect(check("aws-eks-control-plane-logs", AWS_TYPES.eksCluster, { ...cluster, enabledClusterLogTypes: ["api", "audit"] })).toEqual([
      "enabledClusterLogTypes lacks authenticator, controllerManager, scheduler",
    ]);
  });
});

describe("aws-eks-nodes-imdsv2", () => {
  const lt = {
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeType: "gp3", encrypted: "true", kmsKeyId: "k" } }],
  };
  it("accepts our launch template and a node group that uses one", () => {
    expect(check("aws-eks-nodes-imdsv2", AWS_TYPES.launchTemplate, lt)).toEqual([]);
    expect(check("aws-eks-nodes-imdsv2", AWS_TYPES.eksNodeGroup, { launchTemplate: { id: "lt-1", version: "1" } })).toEqual([]);
  });
  it("rejects IMDSv1, a hop limit pods can use, unencrypted roots, and node groups on EKS's default template", () => {
    expect(
      check("aws-eks-nodes-imdsv2", AWS_TYPES.launchTemplate, { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 }, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 200 } }] }),
    ).toEqual([
      'metadataOptions.httpTokens must be "required" (found "optional")',
      "metadataOptions.httpPutResponseHopLimit must be 1 (found 2)",
      'block device "/dev/xvda" must be encrypted',
    ]);
    expect(check("aws-eks-nodes-imdsv2", AWS_TYPES.eksNodeGroup, { diskSize: 200 })).toEqual(["launchTemplate must name a template that requires IMDSv2 with hop limit 1"]);
  });
});

describe("aws-iam-least-privilege", () => {
  it("rejects the reference's ACK controller: AmazonEC2FullAccess and iam:PassRole on role/*", () => {
    expect(check("aws-iam-least-privilege", AWS_TYPES.rolePolicyAttachment, { role: "ack", policyArn: "arn:aws:iam::aws:policy/AmazonEC2FullAccess" })).toEqual([
      "policyArn arn:aws:iam::aws:policy/AmazonEC2FullAccess grants service-wide or administrative access",
    ]);
    const passRole = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Pass", Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::1:role/*" }] });
    expect(check("aws-iam-least-privilege", AWS_TYPES.rolePolicy, { role: "ack", policy: passRole })).toEqual([
      "statement Pass allows iam:PassRole on arn:aws:iam::1:role/*: a role that may pass every role can become any of them",
    ]);
  });
  it("rejects admin and service-wide wildcards, accepts scoped statements", () => {
    expect(iamDocumentFindings({ Statement: [{ Effect: "Allow", Action: ["*"], Resource: "*" }, { Sid: "S3", Effect: "Allow", Action: "s3:*", Resource: "*" }] })).toEqual([
      'a statement allows every action ("*")',
      "statement S3 allows every action of a service (s3:*)",
    ]);
    expect(iamDocumentFindings({ Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:eu-west-2:1:secret:k8tre/dev/*" }] })).toEqual([]);
    expect(check("aws-iam-least-privilege", AWS_TYPES.rolePolicyAttachment, { role: "node", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" })).toEqual([]);
  });
});

describe("the shipped AWS cluster plans", () => {
  it.each(["aws-dev", "aws-mgmt"])("%s passes every EKS and IAM rule", async (stack) => {
    const plan = await synthShipped(stack);
    const report = evaluatePlan(plan);
    const mine = ["aws-eks-private-endpoint", "aws-eks-access-entries", "aws-eks-secrets-encryption", "aws-eks-control-plane-logs", "aws-eks-nodes-imdsv2", "aws-iam-least-privilege"];
    expect(report.violations.filter((v) => mine.includes(v.policy))).toEqual([]);
    for (const p of mine) expect(report.policies.find((x) => x.name === p)?.status).toBe("passed");
  }, 180_000);
});
