/**
 * Downloads the pinned Gateway API CRDs into vendor/gateway-api/<version>/ over HTTPS and keeps
 * a file only if its SHA-256 matches the pin (components/kubernetes/bootstrap/gateway-api-crds.ts
 * and vendor/gateway-api/<version>/SHA256SUMS). Usage: `npm run vendor:gateway-api [-- <dir>]`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_VENDOR_DIR, GATEWAY_API_CRD_FILES, httpsFetch, sha256, upstreamUrl, vendoredName, verifiedCrd } from "../components/kubernetes/bootstrap/gateway-api-crds";

async function main(): Promise<number> {
  const dir = path.resolve(process.argv[2] ?? DEFAULT_VENDOR_DIR);
  fs.mkdirSync(dir, { recursive: true });
  let failed = 0;
  for (const f of GATEWAY_API_CRD_FILES) {
    const url = upstreamUrl(f);
    let body: Buffer;
    try {
      // The same fetch and check the program uses when nothing is vendored.
      body = await httpsFetch(url);
      verifiedCrd(f, body, url);
    } catch (e) {
      console.error(`✗ ${(e as Error).message}; not written`);
      failed++;
      continue;
    }
    const actual = sha256(body);
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
