/** `k8tre:argocd` (management stack) and `k8tre:registration` (environment stacks). */
import { z } from "zod";
import { oidcSso } from "./eks";
import { bool, dnsLabel, guid } from "./fields";

export const argocd = z.strictObject({
  hostname: dnsLabel("the ArgoCD host label (argocd.<mgmt domain>)").default("argocd").describe("Host label: ArgoCD is served at <hostname>.<environment>.<domain> on the internal gateway."),
  adminGroupObjectIds: z.array(guid("an Entra ID group object ID")).min(1, "at least one Entra ID group for ArgoCD admins").optional()
    .describe("Azure: Entra ID groups that get ArgoCD admin (required on Azure)."),
  oidc: oidcSso.optional().describe("AWS: the institution's OIDC provider ArgoCD signs users in with (PKCE, no client secret)."),
  repoUrl: z
    .string({ error: "the HTTPS URL of your fork of the K8TRE repository" })
    .regex(/^https:\/\/[^\s]+$/, "an https:// Git repository URL such as https://github.com/<org>/k8tre.git")
    .describe("HTTPS URL of your fork of K8TRE (the root app-of-apps and every ApplicationSet use it)."),
  revision: z.string().min(1).default("main").describe("Branch, tag or commit of the fork to deploy."),
  appsPath: z.string().min(1).default("appsets").describe("Path of the ApplicationSets in the fork."),
});

/** Opt-outs K8TRE's ApplicationSets read as `skip-<component>=true`. */
export const SKIPPABLE = ["cert-manager", "external-secrets", "gateway", "kare-dns", "nginx", "cr8tor", "metallb"] as const;

/**
 * Labels the registration computes from the stack (K8TRE's ApplicationSets read them); extra
 * labels may not redefine them, or a typo could silently retarget an environment.
 */
export const COMPUTED_REGISTRATION_LABELS = [
  "argocd.argoproj.io/secret-type", "environment", "vendor", "secret-store", "external-dns", "external-domain", "region", "cluster-name",
] as const;

const LABEL_NAME = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Why a key cannot be an extra label, or undefined when it can. */
export function extraLabelProblem(key: string): string | undefined {
  if (!LABEL_NAME.test(key)) return "a Kubernetes label name such as team or example.org/team";
  if ((COMPUTED_REGISTRATION_LABELS as readonly string[]).includes(key) || key.startsWith("skip-")) {
    return `a label other than ${COMPUTED_REGISTRATION_LABELS.join(", ")} and skip-* (those are computed from the stack; opt out with k8tre:registration.skip)`;
  }
  return undefined;
}

const labelValue = z
  .string()
  .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/, "a Kubernetes label value: letters, digits, -, _ and ., starting and ending alphanumeric")
  .max(63, "a Kubernetes label value of at most 63 characters");

export const registration = z.strictObject({
  enabled: bool("whether to register this cluster in the management ArgoCD").default(true),
  skip: z.array(z.enum(SKIPPABLE)).default([]).describe("K8TRE components to opt out of (skip-<name> labels)."),
  labels: z
    .record(z.string(), labelValue)
    .superRefine((labels, ctx) => {
      for (const key of Object.keys(labels)) {
        const problem = extraLabelProblem(key);
        if (problem) ctx.addIssue({ code: "custom", message: problem, path: [key], input: key });
      }
    })
    .default({})
    .describe("Extra labels on the ArgoCD cluster secret."),
});

export type ArgocdConfig = z.infer<typeof argocd>;
export type RegistrationConfig = z.infer<typeof registration>;
