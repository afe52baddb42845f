/**
 * Which Kubernetes minor versions a managed Kubernetes service still creates clusters on, and
 * until when. Pure data plus one pure evaluator; the config loader checks
 * `k8tre:cluster.kubernetesVersion` against it, the offline engine's Azure rules cite it, and
 * `components/kubernetes/versions.ts` re-exports it next to the chart pins (it lives here
 * because config/ imports nothing above it, ADR 0004).
 *
 * Update it from the source below when Microsoft publishes a new minor (roughly every four
 * months); a test fails once the shipped stacks' pin is inside the warning window.
 */

/** One row of the AKS Kubernetes release calendar. */
export interface KubernetesMinorSupport {
  /** `1.35`. */
  readonly minor: string;
  /** AKS general availability, as the month the calendar names (`YYYY-MM`). */
  readonly ga: string;
  /** Last day of community support (`YYYY-MM-DD`): after it AKS creates no new clusters on this minor without LTS. */
  readonly endOfLife: string;
  /** Last day of long-term support (Premium tier + `AKSLongTermSupport` plan), `YYYY-MM-DD`. */
  readonly ltsEndOfLife?: string;
  readonly source: string;
}

/**
 * The AKS release calendar and LTS calendar, from
 * https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#aks-kubernetes-release-calendar-and-upcoming-versions
 * (source: MicrosoftDocs/azure-aks-docs, articles/aks/supported-kubernetes-versions.md, commit
 * fb060abe of 2026-08-21). The page says: "Unless an explicit date is provided, the End of Life
 * (EOL) date is the last day of the specified month", so "Mar 2027" is recorded as 2027-03-31.
 * Long-term support: "All supported Kubernetes versions are eligible for LTS" and "Enabling LTS
 * requires moving your cluster to the Premium tier and explicitly selecting the LTS support plan"
 * (https://learn.microsoft.com/azure/aks/long-term-support). During the platform-support window
 * that follows community support "the creation of new clusters isn't possible" (same page, FAQ).
 */
const AKS_CALENDAR = "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#aks-kubernetes-release-calendar-and-upcoming-versions";
const AKS_LTS_CALENDAR = "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#lts-versions";

export const AKS_KUBERNETES_VERSIONS: readonly KubernetesMinorSupport[] = [
  { minor: "1.29", ga: "2024-03", endOfLife: "2025-03-31", ltsEndOfLife: "2026-04-30", source: AKS_LTS_CALENDAR },
  { minor: "1.30", ga: "2024-07", endOfLife: "2025-08-22", ltsEndOfLife: "2026-07-31", source: AKS_LTS_CALENDAR },
  { minor: "1.31", ga: "2024-11", endOfLife: "2025-11-01", ltsEndOfLife: "2026-11-30", source: AKS_LTS_CALENDAR },
  { minor: "1.32", ga: "2025-04", endOfLife: "2026-03-31", ltsEndOfLife: "2027-03-31", source: AKS_CALENDAR },
  { minor: "1.33", ga: "2025-06", endOfLife: "2026-07-31", ltsEndOfLife: "2027-07-31", source: AKS_CALENDAR },
  { minor: "1.34", ga: "2025-11", endOfLife: "2026-11-30", ltsEndOfLife: "2027-11-30", source: AKS_CALENDAR },
  { minor: "1.35", ga: "2026-03", endOfLife: "2027-03-31", ltsEndOfLife: "2028-03-31", source: AKS_CALENDAR },
  { minor: "1.36", ga: "2026-06", endOfLife: "2027-06-30", ltsEndOfLife: "2028-06-30", source: AKS_CALENDAR },
  { minor: "1.37", ga: "2026-10", endOfLife: "2027-10-31", ltsEndOfLife: "2028-10-31", source: AKS_CALENDAR },
];

/** Days before the end of support from which the loader warns. */
export const SUPPORT_WARNING_DAYS = 60;

export type VersionSupport =
  | { readonly status: "unknown"; readonly minor: string }
  | { readonly status: "not-yet-ga"; readonly row: KubernetesMinorSupport }
  | { readonly status: "supported"; readonly row: KubernetesMinorSupport; readonly until: string; readonly lts: boolean; readonly daysLeft: number }
  | { readonly status: "ending"; readonly row: KubernetesMinorSupport; readonly until: string; readonly lts: boolean; readonly daysLeft: number }
  | { readonly status: "lts-only"; readonly row: KubernetesMinorSupport }
  | { readonly status: "out-of-support"; readonly row: KubernetesMinorSupport; readonly until: string; readonly lts: boolean };

/** `1.35.2` → `1.35`. */
export function minorOf(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** UTC midnight of a `YYYY-MM-DD` date. */
function utcDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/**
 * Support status of `version` on `today` (UTC day): out of support the day after the last
 * supported day, "ending" within {@link SUPPORT_WARNING_DAYS} of it. With `lts`, the LTS end
 * of life counts; without it, a minor past community support but inside LTS is "lts-only".
 */
export function versionSupport(table: readonly KubernetesMinorSupport[], version: string, today: Date, lts: boolean): VersionSupport {
  const minor = minorOf(version);
  const row = table.find((r) => r.minor === minor);
  if (!row) return { status: "unknown", minor };
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  if (day < utcDay(`${row.ga}-01`)) return { status: "not-yet-ga", row };
  const until = lts && row.ltsEndOfLife ? row.ltsEndOfLife : row.endOfLife;
  const daysLeft = Math.round((utcDay(until) - day) / DAY_MS);
  if (daysLeft < 0) {
    if (!lts && row.ltsEndOfLife && utcDay(row.ltsEndOfLife) >= day) return { status: "lts-only", row };
    return { status: "out-of-support", row, until, lts };
  }
  return { status: daysLeft <= SUPPORT_WARNING_DAYS ? "ending" : "supported", row, until, lts, daysLeft };
}

/** Minors supported on `today` without LTS, oldest first (for messages). */
export function supportedMinors(table: readonly KubernetesMinorSupport[], today: Date): string[] {
  return table.filter((r) => {
    const s = versionSupport(table, r.minor, today, false).status;
    return s === "supported" || s === "ending";
  }).map((r) => r.minor);
}
