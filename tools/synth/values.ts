/** Turns serialized Pulumi property values into plain JSON for plans. */

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";

const SPECIAL_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function plainValue(v: unknown): unknown {
  if (v === UNKNOWN_VALUE) return UNKNOWN;
  if (Array.isArray(v)) return v.map(plainValue);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const sig = o[SPECIAL_SIG];
    if (sig === SECRET_SIG) return SECRET;
    if (sig === RESOURCE_SIG) return o["urn"];
    if (sig === OUTPUT_SIG) {
      if (o["secret"]) return SECRET;
      return "value" in o ? plainValue(o["value"]) : UNKNOWN;
    }
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(o)) out[k] = plainValue(val);
    return out;
  }
  return v;
}
