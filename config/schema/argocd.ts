/** `k8tre:argocd` (management stack) and `k8tre:registration` (environment stacks). */
import { z } from "zod";
import { bool, dnsLabel, guid } from "./fields";

export const argocd = z.strictObject({
  hostname: dnsLabel("the ArgoCD host label (argocd.<mgmt domain>)").default("argocd"),
  adminGroupObjectIds: z.array(guid("an Entra ID group object ID")).min(1, "at least one Entra ID group for ArgoCD admins"),
  repoUrl: z
    .string({ error: "the HTTPS URL of your fork of the K8TRE repository" })
    .regex(/^https:\/\/[^\s]+$/, "an https:// Git repository URL such as https://github.com/<org>/k8tre.git"),
  revision: z.string().min(1).default("main").describe("Branch, tag or commit of the fork to deploy."),
  appsPath: z.string().min(1).default("appsets").describe("Path of the ApplicationSets in the fork."),
});

/** Opt-outs K8TRE's ApplicationSets read as `skip-<component>=true`. */
export const SKIPPABLE = ["cert-manager", "external-secrets", "gateway", "kare-dns", "nginx", "cr8tor", "metallb"] as const;

export const registration = z.strictObject({
  enabled: bool("whether to register this cluster in the management ArgoCD").default(true),
  skip: z.array(z.enum(SKIPPABLE)).default([]).describe("K8TRE components to opt out of (skip-<name> labels)."),
  labels: z.record(z.string().regex(/^[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/, "a label name"), z.string().max(63)).default({})
    .describe("Extra labels on the ArgoCD cluster secret."),
});

export type ArgocdConfig = z.infer<typeof argocd>;
export type RegistrationConfig = z.infer<typeof registration>;
