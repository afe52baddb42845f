/**
 * The kubeconfig of an EKS cluster for the Kubernetes provider: the private endpoint, its CA,
 * and an exec user that runs `aws eks get-token` for every connection — a token that lives 15
 * minutes, minted from the deployer's own AWS credentials (optionally after assuming the
 * deployer role). Nothing in it is a credential, so it is safe in state. Pure.
 * https://docs.aws.amazon.com/eks/latest/userguide/create-kubeconfig.html
 */
import { stringify } from "yaml";

export interface EksKubeconfigInput {
  readonly clusterName: string;
  /** `https://<id>.<gr7>.<region>.eks.amazonaws.com` (the private endpoint: public access is off). */
  readonly endpoint: string;
  /** Base64 PEM CA of the API server. */
  readonly caData: string;
  readonly region: string;
  /** Role `aws eks get-token --role-arn` assumes (the deployer role of `k8tre:aws.assumeRoleArn`). */
  readonly roleArn?: string;
}

export function getTokenArgs(i: Pick<EksKubeconfigInput, "clusterName" | "region" | "roleArn">): string[] {
  const args = ["eks", "get-token", "--cluster-name", i.clusterName, "--region", i.region, "--output", "json"];
  if (i.roleArn) args.push("--role-arn", i.roleArn);
  return args;
}

export function eksKubeconfig(i: EksKubeconfigInput): string {
  if (!/^https:\/\/[^/:]+$/.test(i.endpoint)) throw new Error(`EKS endpoint must be https://<host>, got "${i.endpoint}"`);
  if (!i.caData) throw new Error(`EKS cluster ${i.clusterName} has no certificate authority data`);
  const name = i.clusterName;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: i.endpoint, "certificate-authority-data": i.caData } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    preferences: {},
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: getTokenArgs(i),
            env: null,
            interactiveMode: "Never",
            provideClusterInfo: false,
            installHint: "The AWS CLI v2 is required on PATH: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html",
          },
        },
      },
    ],
  });
}

/** The bare API host of an endpoint URL (Cilium's k8sServiceHost). */
export function endpointHost(endpoint: string): string {
  return endpoint.replace(/^https:\/\//, "").replace(/\/.*$/, "");
}
