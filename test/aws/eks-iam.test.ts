/**
 * The IAM policy documents of the EKS clusters, read the way an auditor reads them: who may
 * assume each role, which resources each write action reaches, and that no statement opens a
 * privilege-escalation path (PassRole on every role, service-wide wildcards, FullAccess).
 */
import {
  argocdAssumePolicy,
  type AwsScope,
  certManagerPolicy,
  clusterAutoscalerPolicy,
  clusterKmsPolicy,
  clusterRoleTrust,
  deployerRoleTrust,
  ebsCsiKmsPolicy,
  efsCsiPolicy,
  escalationFindings,
  externalDnsPolicy,
  externalSecretsPolicy,
  keyPolicy,
  loadBalancerControllerPolicy,
  MANAGED_POLICIES,
  nodeRoleTrust,
  type PolicyDocument,
  podIdentityTrust,
  type Statement,
} from "../../components/aws/eks/iam";

const S: AwsScope = { partition: "aws", accountId: "111111111111", region: "eu-west-2" };
const ZONE = "Z0123456789ABCDEFGHIJ";
const KEY = "arn:aws:kms:eu-west-2:111111111111:key/0000aaaa-0000-0000-0000-000000000000";
const FS = "arn:aws:elasticfilesystem:eu-west-2:111111111111:file-system/fs-0123456789abcdef0";

const list = <T>(v: T | readonly T[] | undefined): T[] => (v === undefined ? [] : ([] as T[]).concat(v as T));
const actions = (d: PolicyDocument) => d.Statement.flatMap((s) => list(s.Action));
const statementsWith = (d: PolicyDocument, action: string): Statement[] => d.Statement.filter((s) => list(s.Action).includes(action));

const ALL: Record<string, PolicyDocument> = {
  externalDns: externalDnsPolicy(S, ZONE),
  certManager: certManagerPolicy(S, ZONE),
  secretsManager: externalSecretsPolicy(S, "SecretsManager", "k8tre/dev", KEY),
  parameterStore: externalSecretsPolicy(S, "ParameterStore", "/k8tre/dev/", KEY),
  autoscaler: clusterAutoscalerPolicy(S, "k8tre-dev"),
  lbc: loadBalancerControllerPolicy(S, "k8tre-dev", "vpc-0123456789abcdef0"),
  ebsKms: ebsCsiKmsPolicy(KEY),
  clusterKms: clusterKmsPolicy(KEY),
  efs: efsCsiPolicy(FS),
  argocd: argocdAssumePolicy("arn:aws:iam::111111111111:role/k8tre-*-euw2-argocd-deployer"),
};

describe("pod identity trust", () => {
  it("admits only the EKS Pod Identity service, for one service account of one cluster in this account", () => {
    const t = podIdentityTrust(S, { clusterName: "k8tre-dev", namespace: "externaldns", serviceAccount: "externaldns" });
    expect(t.Statement).toHaveLength(1);
    const st = t.Statement[0];
    expect(st.Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    expect(list(st.Action).sort()).toEqual(["sts:AssumeRole", "sts:TagSession"]);
    expect(st.Condition?.StringEquals).toEqual({
      "aws:SourceAccount": "111111111111",
      "aws:RequestTag/eks-cluster-name": "k8tre-dev",
      "aws:RequestTag/kubernetes-namespace": "externaldns",
      "aws:RequestTag/kubernetes-service-account": "externaldns",
    });
  });

  it("the environment deployer role trusts exactly the management ArgoCD role, no account root", () => {
    const argocd = "arn:aws:iam::111111111111:role/k8tre-mgmt-euw2-argocd";
    const t = deployerRoleTrust(argocd);
    expect(t.Statement.map((s) => s.Principal)).toEqual([{ AWS: argocd }]);
    expect(JSON.stringify(t)).not.toMatch(/:root/);
  });

  it("cluster and node roles trust their AWS service only", () => {
    expect(clusterRoleTrust().Statement.map((s) => s.Principal)).toEqual([{ Service: "eks.amazonaws.com" }]);
    expect(nodeRoleTrust().Statement.map((s) => s.Principal)).toEqual([{ Service: "ec2.amazonaws.com" }]);
  });
});

describe("controller policies touch only their own resources", () => {
  it("ExternalDNS changes records in the environment zone only", () => {
    const [change] = statementsWith(ALL.externalDns, "route53:ChangeResourceRecordSets");
    expect(change.Resource).toBe(`arn:aws:route53:::hostedzone/${ZONE}`);
  });

  it("cert-manager writes only _acme-challenge TXT records in its zone", () => {
    const [change] = statementsWith(ALL.certManager, "route53:ChangeResourceRecordSets");
    expect(change.Resource).toBe(`arn:aws:route53:::hostedzone/${ZONE}`);
    expect(change.Condition).toEqual({
      "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
      "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
    });
  });

  it("ESO reads only the environment's prefix, and decrypts only through the secret service", () => {
    const [read] = statementsWith(ALL.secretsManager, "secretsmanager:GetSecretValue");
    expect(read.Resource).toBe("arn:aws:secretsmanager:eu-west-2:111111111111:secret:k8tre/dev/*");
    const [ssm] = statementsWith(ALL.parameterStore, "ssm:GetParametersByPath");
    expect(ssm.Resource).toBe("arn:aws:ssm:eu-west-2:111111111111:parameter/k8tre/dev/*");
    const [kms] = statementsWith(ALL.secretsManager, "kms:Decrypt");
    expect(kms.Resource).toBe(KEY);
    expect(kms.Condition).toEqual({ StringEquals: { "kms:ViaService": "secretsmanager.eu-west-2.amazonaws.com" } });
    for (const d of [ALL.secretsManager, ALL.parameterStore]) {
      expect(actions(d).filter((a) => /:(Put|Create|Delete|Update)/.test(a))).toEqual([]);
    }
  });

  it("the cluster autoscaler scales only groups tagged as this cluster's", () => {
    const [scale] = statementsWith(ALL.autoscaler, "autoscaling:SetDesiredCapacity");
    expect(scale.Condition).toEqual({ StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/k8tre-dev": "owned" } });
  });

  it("the load balancer controller changes only load balancers and security groups tagged with this cluster's name", () => {
    const lbc = ALL.lbc;
    for (const action of ["elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup", "ec2:DeleteSecurityGroup"]) {
      const [st] = statementsWith(lbc, action);
      expect(st.Condition?.StringEquals).toEqual({ "aws:ResourceTag/elbv2.k8s.aws/cluster": "k8tre-dev" });
    }
    const [create] = statementsWith(lbc, "elasticloadbalancing:CreateLoadBalancer");
    expect(create.Condition?.StringEquals).toEqual({ "aws:RequestTag/elbv2.k8s.aws/cluster": "k8tre-dev" });
    const [sg] = statementsWith(lbc, "ec2:CreateSecurityGroup");
    expect(list(sg.Resource)).toContain("arn:aws:ec2:eu-west-2:111111111111:vpc/vpc-0123456789abcdef0");
    const [ingress] = statementsWith(lbc, "ec2:AuthorizeSecurityGroupIngress");
    expect(ingress.Condition).toEqual({ ArnEquals: { "ec2:Vpc": "arn:aws:ec2:eu-west-2:111111111111:vpc/vpc-0123456789abcdef0" } });
    // The documented policy's "tag present" (Null) conditions are all narrowed to this cluster.
    expect(JSON.stringify(lbc)).not.toMatch(/"aws:(Request|Resource)Tag\/elbv2\.k8s\.aws\/cluster":"false"/);
    // No ALB add-on permissions (the gateway is an NLB).
    expect(actions(lbc).filter((a) => /^(shield|wafv2|waf-regional|cognito-idp|acm):/.test(a))).toEqual([]);
  });

  it("the CSI drivers use the environment's key and file system only", () => {
    for (const st of ALL.ebsKms.Statement) expect(st.Resource).toBe(KEY);
    const [grant] = statementsWith(ALL.ebsKms, "kms:CreateGrant");
    expect(grant.Condition).toEqual({ Bool: { "kms:GrantIsForAWSResource": true } });
    const [create] = statementsWith(ALL.efs, "elasticfilesystem:CreateAccessPoint");
    expect(create.Resource).toBe(FS);
  });

  it("ArgoCD may only assume the environments' deployer roles", () => {
    expect(ALL.argocd.Statement).toHaveLength(1);
    expect(ALL.argocd.Statement[0].Resource).toBe("arn:aws:iam::111111111111:role/k8tre-*-euw2-argocd-deployer");
    expect(actions(ALL.argocd).sort()).toEqual(["sts:AssumeRole", "sts:TagSession"]);
  });
});

describe("no privilege escalation", () => {
  it.each(Object.entries(ALL))("%s has no PassRole on every role and no service-wide wildcard", (_name, doc) => {
    expect(escalationFindings(doc)).toEqual([]);
    expect(actions(doc)).not.toContain("iam:PassRole");
  });

  it("the checker itself catches PassRole on role/* and service wildcards", () => {
    const bad: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "Ack", Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::111111111111:role/*" },
        { Sid: "Ec2", Effect: "Allow", Action: "ec2:*", Resource: "*" },
      ],
    };
    expect(escalationFindings(bad)).toEqual(["Ack: iam:PassRole on arn:aws:iam::111111111111:role/*", "Ec2: wildcard action ec2:*"]);
  });

  it("no AWS managed FullAccess policy is attached to the cluster or node roles", () => {
    expect([...MANAGED_POLICIES.cluster, ...MANAGED_POLICIES.node].filter((p) => /FullAccess/i.test(p))).toEqual([]);
  });

  it("key policies delegate to IAM (account root as key administrator only) and scope service use", () => {
    const k = keyPolicy(S, { logs: true, autoscaling: true });
    const logs = k.Statement.find((s) => s.Sid === "CloudWatchLogsOfThisAccount")!;
    expect(logs.Condition).toEqual({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-2:111111111111:log-group:*" } });
    const grant = k.Statement.find((s) => s.Sid === "AutoScalingGrantsForVolumes")!;
    expect(grant.Condition).toEqual({ Bool: { "kms:GrantIsForAWSResource": true } });
    expect(escalationFindings(k)).toEqual([]);
  });
});
