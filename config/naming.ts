/**
 * Every physical resource name comes from here: `<abbr>-<prefix>-<environment>-<region>[-<purpose>]`,
 * with Azure's length and character rules applied. Globally unique names (storage accounts,
 * key vaults, public DNS labels) carry a stable suffix: a hash of the subscription, prefix and
 * environment, so the same inputs always give the same names and a second adopter (another
 * subscription) never collides. Pure: no Pulumi, no I/O.
 */
import { createHash } from "node:crypto";
import { AZURE_REGION_CODES } from "./regions";

export interface NamingInput {
  readonly prefix: string;
  readonly environment: string;
  /** Azure region, e.g. uksouth. */
  readonly location: string;
  /** Overrides the region abbreviation (for regions not in the table). */
  readonly regionCode?: string;
  /** The subscription (or any adopter-unique string) the suffix is derived from. */
  readonly suffixSeed: string;
  /** Explicit suffix; wins over the derived one. */
  readonly nameSuffix?: string;
}

export interface NameRule {
  readonly min: number;
  readonly max: number;
  readonly pattern: RegExp;
  readonly describe: string;
}

export const RULES = {
  storageAccount: { min: 3, max: 24, pattern: /^[a-z0-9]+$/, describe: "3-24 lower-case letters and digits" },
  keyVault: { min: 3, max: 24, pattern: /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/, describe: "3-24 letters, digits and single hyphens, starting with a letter" },
  dnsLabel: { min: 3, max: 63, pattern: /^[a-z][a-z0-9-]*[a-z0-9]$/, describe: "3-63 lower-case letters, digits and hyphens" },
  resourceGroup: { min: 1, max: 90, pattern: /^[-\w._()]*[-\w_()]$/, describe: "1-90 letters, digits, -, _, ., ( or )" },
  aksCluster: { min: 1, max: 63, pattern: /^[a-zA-Z0-9][-_a-zA-Z0-9]*[a-zA-Z0-9]$/, describe: "1-63 letters, digits, - and _" },
  aksDnsPrefix: { min: 1, max: 54, pattern: /^[a-zA-Z0-9][-a-zA-Z0-9]*[a-zA-Z0-9]$/, describe: "1-54 letters, digits and hyphens" },
  generic: { min: 1, max: 80, pattern: /^[a-zA-Z0-9][-\w.]*[\w]$/, describe: "1-80 letters, digits, -, _ and ." },
} satisfies Record<string, NameRule>;

export type NameKind = keyof typeof RULES;

export class NameTooLongError extends Error {
  constructor(readonly kind: NameKind, readonly value: string, readonly rule: NameRule) {
    super(`${kind} name "${value}" is ${value.length} characters; Azure allows ${rule.describe}`);
  }
}

/** Derives the stable 6-character suffix. */
export function uniqueSuffix(...parts: string[]): string {
  const digest = createHash("sha256").update(parts.join("/").toLowerCase()).digest();
  return digest.readUInt32BE(0).toString(36).padStart(7, "0").slice(-6);
}

export function regionCode(location: string, override?: string): string | undefined {
  return override ?? AZURE_REGION_CODES[location];
}

export class Naming {
  readonly region: string;
  readonly suffix: string;

  constructor(readonly input: NamingInput) {
    const code = regionCode(input.location, input.regionCode);
    if (!code) throw new Error(`unknown Azure region "${input.location}": set k8tre:regionCode`);
    this.region = code;
    this.suffix = input.nameSuffix ?? uniqueSuffix(input.suffixSeed, input.prefix, input.environment);
  }

  private base(): string {
    return `${this.input.prefix}-${this.input.environment}-${this.region}`;
  }

  /** `<abbr>-<prefix>-<env>-<region>[-<purpose>]`, e.g. `aks-k8tre-dev-uks`, `id-k8tre-dev-uks-externaldns`. */
  resource(abbr: string, purpose?: string, kind: NameKind = "generic"): string {
    return check(kind, [abbr, this.base(), purpose].filter(Boolean).join("-"));
  }

  resourceGroup(purpose: string): string {
    return this.resource("rg", purpose, "resourceGroup");
  }

  aksCluster(): string {
    return this.resource("aks", undefined, "aksCluster");
  }

  aksDnsPrefix(): string {
    return check("aksDnsPrefix", `${this.input.prefix}-${this.input.environment}`);
  }

  /** `st<prefix><env><purpose><suffix>` — storage account names are global and alphanumeric. */
  storageAccount(purpose: string): string {
    return check("storageAccount", `st${this.input.prefix}${this.input.environment}${purpose}${this.suffix}`);
  }

  /** `kv-<prefix>-<env>-<suffix>`; an optional purpose for a second vault (e.g. `cert`). */
  keyVault(purpose?: string): string {
    return check("keyVault", ["kv", this.input.prefix, this.input.environment, purpose, this.suffix].filter(Boolean).join("-"));
  }

  /** A public DNS label (e.g. the gateway's public IP): `<prefix>-<env>-<purpose>-<suffix>`. */
  dnsLabel(purpose: string): string {
    return check("dnsLabel", `${this.input.prefix}-${this.input.environment}-${purpose}-${this.suffix}`);
  }
}

export function check(kind: NameKind, value: string): string {
  const rule: NameRule = RULES[kind];
  if (value.length < rule.min || value.length > rule.max || !rule.pattern.test(value)) {
    throw new NameTooLongError(kind, value, rule);
  }
  return value;
}

/** Deterministic UUID (v5-style) for role-assignment names, so re-runs never create duplicates. */
export function stableUuid(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("|")).digest("hex");
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
