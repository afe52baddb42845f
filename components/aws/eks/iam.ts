/**
 * IAM policy documents of the EKS clusters and their controllers, as pure builders (unit-tested
 * without Pulumi). Each controller's policy names exactly what it touches: the environment's
 * hosted zone, secret prefix, KMS key, file system, and resources tagged with this cluster's
 * name. No `*` on a write action unless AWS offers no resource-level permission for it, and then
 * a tag condition narrows it. No `iam:PassRole`, no AWS "FullAccess" managed policy.
 */

export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: Record<string, string | readonly string[]>;
  readonly Condition?: Record<string, Record<string, string | boolean | readonly string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly Statement[];
}

const doc = (...Statement: Statement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });

/** Account, region and partition every ARN is built from. */
export interface AwsScope {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
}

export const arn = {
  /** Route53 hosted zones are global: no region, no account. */
  hostedZone: (s: AwsScope, zoneId: string) => `arn:${s.partition}:route53:::hostedzone/${zoneId}`,
  role: (s: AwsScope, name: string) => `arn:${s.partition}:iam::${s.accountId}:role/${name}`,
  root: (s: AwsScope) => `arn:${s.partition}:iam::${s.accountId}:root`,
  cluster: (s: AwsScope, name: string) => `arn:${s.partition}:eks:${s.region}:${s.accountId}:cluster/${name}`,
};

/** AWS managed policies the cluster and node roles use (none grants FullAccess or PassRole). */
export const MANAGED_POLICIES = {
  /** https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html */
  cluster: ["AmazonEKSClusterPolicy"],
  /**
   * https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html. AmazonEKS_CNI_Policy:
   * the Cilium operator (host network, so it reaches IMDS despite the hop limit of 1) manages
   * ENIs and secondary addresses for ENI IPAM with the node's credentials, as Cilium's ENI docs
   * describe (https://docs.cilium.io/en/stable/network/concepts/ipam/eni/#required-privileges).
   */
  node: ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy"],
} as const;

export function managedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

/** Trust of the EKS cluster role (https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html). */
export function clusterRoleTrust(): PolicyDocument {
  return doc({ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] });
}

/**
 * The cluster role's use of the cluster key for secrets envelope encryption (the key policy
 * delegates to IAM; AmazonEKSClusterPolicy grants no KMS access). One key only.
 * https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
 */
export function clusterKmsPolicy(kmsKeyArn: string): PolicyDocument {
  return doc({ Sid: "SecretsEnvelopeEncryption", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: kmsKeyArn });
}

/** Trust of the node role: EC2 instances only. */
export function nodeRoleTrust(): PolicyDocument {
  return doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });
}

export interface PodIdentitySubject {
  readonly clusterName: string;
  readonly namespace: string;
  /** One service account, or several of the same namespace (any of them). */
  readonly serviceAccount: string | readonly string[];
}

/**
 * Trust of a Pod Identity role: the EKS Pod Identity service, and only for one service account
 * of one cluster in this account — conditions on the session tags Pod Identity sets
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html,
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html). Without them any Pod
 * Identity association in the account could be pointed at the role.
 */
export function podIdentityTrust(s: AwsScope, subject: PodIdentitySubject): PolicyDocument {
  return doc({
    Sid: "EksPodIdentity",
    Effect: "Allow",
    Principal: { Service: "pods.eks.amazonaws.com" },
    Action: ["sts:AssumeRole", "sts:TagSession"],
    Condition: {
      StringEquals: {
        "aws:SourceAccount": s.accountId,
        "aws:RequestTag/eks-cluster-name": subject.clusterName,
        "aws:RequestTag/kubernetes-namespace": subject.namespace,
        "aws:RequestTag/kubernetes-service-account": typeof subject.serviceAccount === "string" ? subject.serviceAccount : [...subject.serviceAccount],
      },
    },
  });
}

/**
 * ExternalDNS on one hosted zone: records in that zone only; listing zones is account-wide by
 * API design (no resource-level permission). https://kubernetes-sigs.github.io/external-dns/latest/docs/tutorials/aws/#iam-policy
 */
export function externalDnsPolicy(s: AwsScope, zoneId: string): PolicyDocument {
  return doc(
    { Sid: "RecordsInTheEnvironmentZone", Effect: "Allow", Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"], Resource: arn.hostedZone(s, zoneId) },
    { Sid: "ListZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: "*" },
  );
}

/**
 * cert-manager DNS-01 on one zone: only `_acme-challenge` TXT records, and reading the change
 * status. https://cert-manager.io/docs/configuration/acme/dns01/route53/#set-up-an-iam-policy
 */
export function certManagerPolicy(s: AwsScope, zoneId: string): PolicyDocument {
  return doc(
    { Sid: "ChangeStatus", Effect: "Allow", Action: "route53:GetChange", Resource: `arn:${s.partition}:route53:::change/*` },
    { Sid: "ReadZone", Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: arn.hostedZone(s, zoneId) },
    {
      Sid: "AcmeChallengeRecordsOnly",
      Effect: "Allow",
      Action: "route53:ChangeResourceRecordSets",
      Resource: arn.hostedZone(s, zoneId),
      Condition: {
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
        "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
      },
    },
  );
}

export type SecretBackend = "SecretsManager" | "ParameterStore";

/** The ARN pattern of the environment's own secrets (`<prefix>/*`). */
export function secretArnPattern(s: AwsScope, backend: SecretBackend, prefix: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, "");
  return backend === "SecretsManager"
    ? `arn:${s.partition}:secretsmanager:${s.region}:${s.accountId}:secret:${p}/*`
    : `arn:${s.partition}:ssm:${s.region}:${s.accountId}:parameter/${p}/*`;
}

/**
 * External Secrets Operator: read-only, the environment's prefix only, and decrypt only through
 * that service with the environment's key (not every secret, parameter or key in the account).
 * https://external-secrets.io/latest/provider/aws-secrets-manager/#iam-policy
 */
export function externalSecretsPolicy(s: AwsScope, backend: SecretBackend, prefix: string, kmsKeyArn: string): PolicyDocument {
  const read =
    backend === "SecretsManager"
      ? ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds", "secretsmanager:GetResourcePolicy"]
      : ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"];
  const service = backend === "SecretsManager" ? "secretsmanager" : "ssm";
  return doc(
    { Sid: "ReadEnvironmentSecrets", Effect: "Allow", Action: read, Resource: secretArnPattern(s, backend, prefix) },
    {
      Sid: "DecryptThroughTheSecretService",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `${service}.${s.region}.amazonaws.com` } },
    },
  );
}

/**
 * Cluster Autoscaler: scale only the node groups tagged as this cluster's (EKS adds the
 * `k8s.io/cluster-autoscaler/<cluster>` tag to managed node group ASGs); describe calls have no
 * resource-level permissions. https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#iam-policy
 */
export function clusterAutoscalerPolicy(s: AwsScope, clusterName: string): PolicyDocument {
  return doc(
    {
      Sid: "ScaleThisClustersGroups",
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: `arn:${s.partition}:autoscaling:${s.region}:${s.accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
      Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
    },
    {
      Sid: "Describe",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
      ],
      Resource: "*",
    },
    { Sid: "DescribeThisClustersNodegroups", Effect: "Allow", Action: "eks:DescribeNodegroup", Resource: `arn:${s.partition}:eks:${s.region}:${s.accountId}:nodegroup/${clusterName}/*/*` },
  );
}

/**
 * The EBS CSI driver's use of the environment key (the AWS managed AmazonEBSCSIDriverPolicy
 * covers the EC2 calls, tag-conditioned; it grants no KMS access). Grants only for AWS resources.
 * https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html (custom KMS key)
 */
export function ebsCsiKmsPolicy(kmsKeyArn: string): PolicyDocument {
  return doc(
    { Sid: "GrantsForVolumes", Effect: "Allow", Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], Resource: kmsKeyArn, Condition: { Bool: { "kms:GrantIsForAWSResource": true } } },
    { Sid: "UseKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: kmsKeyArn },
  );
}

/**
 * The EFS CSI driver on the environment's file system only (dynamic provisioning through access
 * points): AmazonEFSCSIDriverPolicy narrowed from `*` to the one file system.
 * https://github.com/kubernetes-sigs/aws-efs-csi-driver/blob/master/docs/iam-policy-example.json
 */
export function efsCsiPolicy(fileSystemArn: string): PolicyDocument {
  const accessPoints = `${fileSystemArn.replace(/:file-system\/.*/, "")}:access-point/*`;
  return doc(
    { Sid: "Describe", Effect: "Allow", Action: ["elasticfilesystem:DescribeAccessPoints", "elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeMountTargets", "ec2:DescribeAvailabilityZones"], Resource: "*" },
    { Sid: "CreateAccessPointsOnTheFileSystem", Effect: "Allow", Action: ["elasticfilesystem:CreateAccessPoint"], Resource: fileSystemArn, Condition: { StringLike: { "aws:RequestTag/efs.csi.aws.com/cluster": "true" } } },
    { Sid: "TagNewAccessPoints", Effect: "Allow", Action: ["elasticfilesystem:TagResource"], Resource: accessPoints, Condition: { StringLike: { "aws:ResourceTag/efs.csi.aws.com/cluster": "true" } } },
    { Sid: "DeleteOwnAccessPoints", Effect: "Allow", Action: "elasticfilesystem:DeleteAccessPoint", Resource: accessPoints, Condition: { StringEquals: { "aws:ResourceTag/efs.csi.aws.com/cluster": "true" } } },
  );
}

/**
 * The AWS Load Balancer Controller's documented policy (docs/install/iam_policy.json at v3.5.0,
 * sha256 16f232c9…a16a; https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/docs/install/iam_policy.json),
 * narrowed where IAM allows: every "tag present" (`Null`) condition on `elbv2.k8s.aws/cluster`
 * becomes "tag equals this cluster", ARNs carry this region and account, security groups are
 * created in this VPC only, and the Shield/WAF/Cognito/ACM statements are dropped (K8TRE's
 * gateway is an NLB to Cilium's Envoy: TLS terminates at the gateway with cert-manager's
 * certificate, no ALB features).
 */
export function loadBalancerControllerPolicy(s: AwsScope, clusterName: string, vpcId: string): PolicyDocument {
  const r = `${s.region}:${s.accountId}`;
  const elb = `arn:${s.partition}:elasticloadbalancing:${r}`;
  const sg = `arn:${s.partition}:ec2:${r}:security-group/*`;
  const mine = { "aws:ResourceTag/elbv2.k8s.aws/cluster": clusterName };
  const tagging = { "aws:RequestTag/elbv2.k8s.aws/cluster": clusterName };
  return doc(
    { Sid: "ElbServiceLinkedRole", Effect: "Allow", Action: "iam:CreateServiceLinkedRole", Resource: "*", Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } } },
    {
      Sid: "Describe",
      Effect: "Allow",
      Action: [
        "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones", "ec2:DescribeInternetGateways", "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags", "ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools", "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools", "ec2:DescribeRouteTables",
        "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerCertificates", "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeCapacityReservation",
      ],
      Resource: "*",
    },
    { Sid: "CreateSecurityGroupInTheVpc", Effect: "Allow", Action: "ec2:CreateSecurityGroup", Resource: [sg, `arn:${s.partition}:ec2:${r}:vpc/${vpcId}`] },
    { Sid: "TagNewSecurityGroups", Effect: "Allow", Action: "ec2:CreateTags", Resource: sg, Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", ...tagging } } },
    { Sid: "RetagOwnSecurityGroups", Effect: "Allow", Action: ["ec2:CreateTags", "ec2:DeleteTags"], Resource: sg, Condition: { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true" }, StringEquals: mine } },
    // The documented policy also allows ingress changes on every security group (the node
    // groups' rules for the load balancer): limited here to security groups in this VPC.
    { Sid: "IngressRulesInTheVpc", Effect: "Allow", Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"], Resource: sg, Condition: { ArnEquals: { "ec2:Vpc": `arn:${s.partition}:ec2:${r}:vpc/${vpcId}` } } },
    { Sid: "DeleteOwnSecurityGroups", Effect: "Allow", Action: "ec2:DeleteSecurityGroup", Resource: sg, Condition: { StringEquals: mine } },
    { Sid: "CreateTaggedLoadBalancers", Effect: "Allow", Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"], Resource: "*", Condition: { StringEquals: tagging } },
    // Listeners and rules carry no cluster tag of their own: unconditioned, as documented.
    {
      Sid: "ListenersAndRules",
      Effect: "Allow",
      Action: ["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"],
      Resource: "*",
    },
    {
      Sid: "RetagOwnLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: [`${elb}:targetgroup/*/*`, `${elb}:loadbalancer/net/*/*`, `${elb}:loadbalancer/app/*/*`],
      Condition: { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true" }, StringEquals: mine },
    },
    {
      Sid: "TagListenersOfOwnLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: [`${elb}:listener/net/*/*/*`, `${elb}:listener/app/*/*/*`, `${elb}:listener-rule/net/*/*/*`, `${elb}:listener-rule/app/*/*/*`],
    },
    {
      Sid: "ModifyOwnLoadBalancers",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType", "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:ModifyCapacityReservation", "elasticloadbalancing:ModifyIpPools",
      ],
      Resource: "*",
      Condition: { StringEquals: mine },
    },
    {
      Sid: "TagOnCreate",
      Effect: "Allow",
      Action: "elasticloadbalancing:AddTags",
      Resource: [`${elb}:targetgroup/*/*`, `${elb}:loadbalancer/net/*/*`, `${elb}:loadbalancer/app/*/*`],
      Condition: { StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"], ...tagging } },
    },
    { Sid: "Targets", Effect: "Allow", Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], Resource: `${elb}:targetgroup/*/*` },
    {
      Sid: "ListenersOfOwnLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:ModifyListener", "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities"],
      Resource: "*",
    },
  );
}

/**
 * The key policy of a cluster or environment KMS key: the account administers it through IAM
 * (the standard delegation statement — it gives nobody access by itself), CloudWatch Logs may
 * use it for this account's log groups, and the Auto Scaling service-linked role may use it for
 * the nodes' encrypted root volumes (without that grant managed node groups cannot launch
 * instances with a customer managed key:
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
 */
export function keyPolicy(s: AwsScope, opts: { logs: boolean; autoscaling: boolean }): PolicyDocument {
  const statements: Statement[] = [
    { Sid: "AccountAdministersThroughIam", Effect: "Allow", Principal: { AWS: arn.root(s) }, Action: "kms:*", Resource: "*" },
  ];
  if (opts.logs) {
    statements.push({
      Sid: "CloudWatchLogsOfThisAccount",
      Effect: "Allow",
      Principal: { Service: `logs.${s.region}.amazonaws.com` },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${s.partition}:logs:${s.region}:${s.accountId}:log-group:*` } },
    });
  }
  if (opts.autoscaling) {
    const asg = `arn:${s.partition}:iam::${s.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    statements.push(
      { Sid: "AutoScalingUsesKeyForNodeVolumes", Effect: "Allow", Principal: { AWS: asg }, Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*" },
      { Sid: "AutoScalingGrantsForVolumes", Effect: "Allow", Principal: { AWS: asg }, Action: "kms:CreateGrant", Resource: "*", Condition: { Bool: { "kms:GrantIsForAWSResource": true } } },
    );
  }
  return doc(...statements);
}

/**
 * Pod Identity policy of the management ArgoCD: assume the environments' deployer roles, and
 * nothing else (https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#eks).
 * `sts:TagSession` lets Pod Identity's transitive session tags pass through.
 */
export function argocdAssumePolicy(deployerRoleArnPattern: string): PolicyDocument {
  return doc({ Sid: "AssumeEnvironmentDeployerRoles", Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: deployerRoleArnPattern });
}

/** Trust of an environment's ArgoCD deployer role: exactly the management ArgoCD's role. */
export function deployerRoleTrust(argocdRoleArn: string): PolicyDocument {
  return doc({ Sid: "ManagementArgoCdOnly", Effect: "Allow", Principal: { AWS: argocdRoleArn }, Action: ["sts:AssumeRole", "sts:TagSession"] });
}

/** Action patterns that must never appear in a K8TRE policy (policy pack and tests check them). */
export function escalationFindings(d: PolicyDocument): string[] {
  const out: string[] = [];
  for (const st of d.Statement) {
    if (st.Effect !== "Allow") continue;
    const actions = ([] as string[]).concat(st.Action as string | string[]);
    const resources = ([] as string[]).concat((st.Resource ?? []) as string | string[]);
    for (const a of actions) {
      if (/^iam:(PassRole|\*)$/i.test(a) && resources.some((r) => r === "*" || /:role\/\*$/.test(r))) out.push(`${st.Sid ?? "statement"}: ${a} on ${resources.join(", ")}`);
      if (a === "*" || /^[a-z0-9-]+:\*$/i.test(a)) {
        if (!(st.Principal && "AWS" in st.Principal && String(st.Principal.AWS).endsWith(":root"))) out.push(`${st.Sid ?? "statement"}: wildcard action ${a}`);
      }
    }
  }
  return out;
}
