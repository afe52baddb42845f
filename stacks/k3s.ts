/** A k3s environment stack: an existing on-prem cluster reached by kubeconfig; no cloud resources. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import type { StackOutputs } from "./index";

export function buildK3sStack(ctx: StackContext): StackOutputs {
  const k3s = ctx.config.k3s!;
  const provider = new k8s.Provider("k3s", {
    kubeconfig: pulumi.secret(ctx.config.kubeconfig!),
    context: k3s.context,
  });
  return { apiServer: `https://${k3s.apiServerHost}:${k3s.apiServerPort}`, provider: provider.urn };
}
