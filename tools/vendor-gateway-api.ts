/**
 * Downloads the pinned Gateway API CRDs into vendor/gateway-api/<version>/ over HTTPS and keeps
 * a file only if its SHA-256 matches the pin (components/kubernetes/bootstrap/gateway-api-crds.ts
 * and vendor/gateway-api/<version>/SHA256SUMS). Usage: `npm run vendor:gateway-api [-- <dir>]`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_VENDOR_DIR, GATEWAY_API_CRD_FILES, sha256, upstreamUrl, vendoredName } from "../components/kubernetes/bootstrap/gateway-api-crds";

async function main(): Promise<number> {
  const dir = path.resolve(process.argv[2] ?? DEFAULT_VENDOR_DIR);
  fs.mkdirSync(dir, { recursive: true });
  let failed = 0;
  for (const f of GATEWAY_API_CRD_FILES) {
    const url = upstreamUrl(f);
    if (!url.startsWith("https://")) throw new Error(`refusing non-HTTPS URL ${url}`);
    const res = await fetch(url, { redirect: "error" });
    if (!res.ok) {
      console.error(`✗ ${url}: HTTP ${res.status}`);
      failed++;
      continue;
    }
    const body = Buffer.from(await res.arrayBuffer());
    const actual = sha256(body);
    if (actual !== f.sha256) {
      console.error(`✗ ${url}: SHA-256 ${actual}, expected ${f.sha256}; not written`);
      failed++;
      continue;
    }
    const target = path.join(dir, vendoredName(f));
    fs.writeFileSync(`${target}.tmp`, body);
    fs.renameSync(`${target}.tmp`, target);
    console.log(`✓ ${vendoredName(f)} (${body.length} bytes, sha256 ${actual})`);
  }
  if (failed) console.error(`${failed} file(s) failed verification; the program will refuse a partial vendor directory.`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
