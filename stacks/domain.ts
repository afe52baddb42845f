/**
 * Names every stack derives from config the same way, on every platform (pure).
 */

/** The environment's DNS zone: `<environment>.<domain>`, or `<domain>` when k8tre:dns.apex is set. */
export function environmentDomain(c: { environment: string; domain: string; dns?: { apex?: boolean } }): string {
  return c.dns?.apex ? c.domain : `${c.environment}.${c.domain}`;
}
