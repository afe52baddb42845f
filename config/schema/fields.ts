/**
 * Reusable field validators. Each error message completes the sentence
 * "expected ..." so the loader can print `<key>: got <value>; expected <message>`.
 */
import { z } from "zod";
import { isIpv4, parseCidr } from "../cidr";

export const guid = (what: string) =>
  z.guid({ error: `${what} as a GUID such as 00000000-0000-0000-0000-000000000000` }).describe(`${what} (GUID)`);

export const cidr = (what: string) =>
  z.string({ error: `${what} as an IPv4 CIDR string such as 10.20.0.0/16` }).superRefine((value, ctx) => {
    const parsed = parseCidr(value);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: `${what} as ${parsed}`, input: value });
  }).describe(`${what} (IPv4 CIDR)`);

export const ipv4 = (what: string) =>
  z.string({ error: `${what} as an IPv4 address such as 10.0.0.10` }).refine(isIpv4, {
    message: `${what} as an IPv4 address such as 10.0.0.10`,
  }).describe(`${what} (IPv4 address)`);

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A fully-qualified DNS name (lower case, at least two labels, 253 characters at most). */
export const dnsName = (what: string) =>
  z
    .string({ error: `${what} as a DNS name such as example.org` })
    .refine(
      (v) => v.length <= 253 && v.split(".").length >= 2 && v.split(".").every((l) => DNS_LABEL.test(l)) && !/^\d+$/.test(v.split(".").pop()!),
      { message: `${what} as a lower-case DNS name such as example.org (labels of 1-63 letters, digits or hyphens)` },
    )
    .describe(`${what} (DNS name)`);

export const dnsLabel = (what: string) =>
  z.string({ error: `${what} as a DNS label` }).regex(DNS_LABEL, `${what} as a DNS label: 1-63 lower-case letters, digits or hyphens, not starting or ending with a hyphen`);

/** `/subscriptions/<guid>/resourceGroups/<rg>/providers/<ns>/<type>/<name>...` */
export const armId = (what: string, type?: string) =>
  z
    .string({ error: `${what} as an Azure resource ID` })
    .refine(
      (v) =>
        /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[^/]+(\/providers\/[^/]+\/[^/]+\/[^/]+(\/[^/]+\/[^/]+)*)?$/.test(v) &&
        (!type || v.toLowerCase().includes(`/providers/${type.toLowerCase()}/`)),
      { message: `${what} as an Azure resource ID like /subscriptions/<id>/resourceGroups/<rg>/providers/${type ?? "<namespace>/<type>"}/<name>` },
    )
    .describe(`${what} (Azure resource ID)`);

export const resourceGroupId = (what: string) =>
  z.string({ error: `${what} as a resource group ID` }).regex(/^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[^/]+$/, `${what} as a resource group ID like /subscriptions/<id>/resourceGroups/<name>`);

export const nonEmpty = (what: string) => z.string({ error: what }).trim().min(1, `${what} (not empty)`);

/** Environment names end up in resource names and ArgoCD labels: keep them short and plain. */
export const envName = z
  .string({ error: "an environment name such as dev" })
  .regex(/^[a-z][a-z0-9]{1,7}$/, "an environment name of 2-8 lower-case letters or digits, starting with a letter (e.g. dev, stg, prd)");

export const zones = z
  .array(z.enum(["1", "2", "3"], { error: 'availability zones as strings "1", "2" or "3"' }))
  .max(3);

export const tags = z.record(
  z.string().min(1).max(512).regex(/^[^<>%&\\?/]+$/, "tag names of 1-512 characters without < > % & \\ ? /"),
  z.string().max(256, "tag values of at most 256 characters"),
);

export const bool = (what: string) => z.boolean({ error: `${what} as true or false` }).describe(`Whether ${what.replace(/^whether /, "")}.`.replace(/^Whether (encryption|Microsoft|Azure|the|blob|Hubble)/, "Enable $1"));
export const int = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} as a whole number from ${min} to ${max}` })
    .int(`${what} as a whole number`)
    .min(min, `${what} of at least ${min}`)
    .max(max, `${what} of at most ${max}`)
    .describe(`${what[0].toUpperCase()}${what.slice(1)} (${min}-${max}).`);

/**
 * An Azure VM size as Azure names it: `Standard_` + family (upper case) + vCPUs + optional
 * constrained vCPUs + lower-case additive features + `_`-separated accelerator and version, e.g.
 * Standard_D4ds_v5, Standard_E64-32s_v5, Standard_NC24ads_A100_v4.
 * https://learn.microsoft.com/en-us/azure/virtual-machines/vm-naming-conventions
 */
export const AZURE_VM_SIZE = /^Standard_[A-Z]{1,4}\d+(-\d+)?[a-z]*(_[A-Za-z0-9]+)*$/;

export const azureVmSize = (what: string) =>
  z
    .string({ error: `${what} such as Standard_D4ds_v5` })
    .regex(AZURE_VM_SIZE, `${what} as Azure names it, e.g. Standard_D4ds_v5 (Standard_<family><vCPUs><features>_<version>; see learn.microsoft.com/azure/virtual-machines/vm-naming-conventions)`)
    .describe(`${what} (Azure VM size)`);
