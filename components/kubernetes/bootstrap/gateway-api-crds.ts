/**
 * Gateway API CRDs, pinned: v1.4.1 standard channel plus the experimental TLSRoute CRD that
 * Cilium 1.19 needs (v1.5+ breaks the 1.19 operator; see docs/environment.md). The files are
 * vendored under `vendor/gateway-api/<version>/` by `npm run vendor:gateway-api`, which, like
 * this loader, refuses any file whose SHA-256 differs from the pins below. When the files are
 * absent, the program itself fetches each pinned URL (during `pulumi preview` and `up`), checks it
 * against the same pin and applies the verified content: tampered content is refused, and a
 * preview of a new cluster shows the CRDs. The fetch is injectable ({@link CrdFetcher}); the
 * offline synth installs a fixture source ({@link setDefaultCrdSource}).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { VERSIONS } from "../versions";

export interface PinnedCrdFile {
  /** Path at the upstream tag. */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

export const GATEWAY_API_VERSION = VERSIONS.gatewayApi.version;

/** The seven files and their SHA-256 at tag v1.4.1 (also in vendor/gateway-api/v1.4.1/SHA256SUMS). */
export const GATEWAY_API_CRD_FILES: readonly PinnedCrdFile[] = [
  { path: "config/crd/standard/gateway.networking.k8s.io_backendtlspolicies.yaml", sha256: "f94f34b0c19cab6c25b53a6e672d9a684116a4e52193531fe2abcea20b51574f", bytes: 75307 },
  { path: "config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml", sha256: "7d958ad3965ea4a4996616846d9ecaf1fededbf9351b9752b8b85973936ae8c8", bytes: 23136 },
  { path: "config/crd/standard/gateway.networking.k8s.io_gateways.yaml", sha256: "a02ea425fc901f197b668c9ddd56375e1f6896994914c6e6b9b4fdb85cf3ba6e", bytes: 122317 },
  { path: "config/crd/standard/gateway.networking.k8s.io_grpcroutes.yaml", sha256: "b72068b42cb32051ca609e5a8dfefb16904d164abe2e71d9f3c776fae41c4dab", bytes: 122267 },
  { path: "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml", sha256: "98c6777c22309d319292e9c288ee632006c9ffdd4272383d6f9dffa3fbccaf14", bytes: 344583 },
  { path: "config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml", sha256: "d74fc2f8e90094f4c4d6dc13a2d720011a40e30e5640b3e2a2051fac820f6584", bytes: 7785 },
  { path: "config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml", sha256: "1dee8d7e1a56dadf0e88466bfef8a8afc5664a94e95d6b2fb812f03d0b198748", bytes: 91660 },
];

export const GATEWAY_API_URL_BASE = `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/${GATEWAY_API_VERSION}/`;

const REPO_ROOT = path.resolve(__dirname, "../../..");

/** The repository's vendor directory for the pinned version. */
export const DEFAULT_VENDOR_DIR = path.join(REPO_ROOT, "vendor/gateway-api", GATEWAY_API_VERSION);

/**
 * A directory as messages show it: relative to the repository when inside it, so that warnings
 * copied into plans and PR comments carry no path of the machine that ran the program.
 */
export function displayDir(dir: string): string {
  const rel = path.relative(REPO_ROOT, path.resolve(dir));
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel.split(path.sep).join("/") : dir;
}

/** File name inside the vendor directory (flat; the seven base names are distinct). */
export function vendoredName(f: PinnedCrdFile): string {
  return path.posix.basename(f.path);
}

export function upstreamUrl(f: PinnedCrdFile): string {
  return GATEWAY_API_URL_BASE + f.path;
}

export function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

export type CrdSource =
  | { readonly mode: "vendored"; readonly dir: string; readonly crds: ReadonlyArray<{ readonly file: PinnedCrdFile; readonly object: Record<string, any> }> }
  | { readonly mode: "url"; readonly dir: string; readonly urls: readonly string[]; readonly warning: string };

export class CrdChecksumError extends Error {}

/** Fetches the bytes behind a pinned URL (injectable: tests pass fixtures). */
export type CrdFetcher = (url: string) => Promise<Buffer>;

/** The verified CRD object of a pinned file (what the bootstrap applies in URL mode). */
export type CrdContentSource = (file: PinnedCrdFile) => Promise<Record<string, any>>;

/** HTTPS GET without redirects (raw.githubusercontent.com answers directly). */
export const httpsFetch: CrdFetcher = async (url) => {
  if (!url.startsWith("https://")) throw new CrdChecksumError(`refusing non-HTTPS URL ${url}`);
  const res = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new CrdChecksumError(`fetching ${url} failed: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
};

/**
 * The single CustomResourceDefinition in `content`, if its SHA-256 is the pinned one; otherwise
 * a {@link CrdChecksumError} naming where it came from, the actual and the expected sum.
 */
export function verifiedCrd(file: PinnedCrdFile, content: Buffer, from: string): Record<string, any> {
  const actual = sha256(content);
  if (actual !== file.sha256) {
    throw new CrdChecksumError(
      `Gateway API CRD ${from} fails its checksum: SHA-256 ${actual}, expected ${file.sha256} (${file.path} at ${GATEWAY_API_VERSION}). ` +
        "Refusing to apply it: the content was modified or is from another release.",
    );
  }
  const docs = parseAllDocuments(content.toString("utf8")).map((d) => d.toJS() as Record<string, any> | null).filter((d) => d);
  const object = docs[0];
  if (docs.length !== 1 || object?.kind !== "CustomResourceDefinition") throw new CrdChecksumError(`${from} is not a single CustomResourceDefinition`);
  return object;
}

/** Fetches a pinned file from its upstream URL and verifies it ({@link verifiedCrd}). */
export function fetchVerifiedCrd(fetcher: CrdFetcher = httpsFetch): CrdContentSource {
  return async (file) => {
    const url = upstreamUrl(file);
    return verifiedCrd(file, await fetcher(url), url);
  };
}

let defaultCrdSource: CrdContentSource = fetchVerifiedCrd(httpsFetch);

/** What URL mode uses when the caller passes no source: the verified HTTPS fetch. */
export function getDefaultCrdSource(): CrdContentSource {
  return defaultCrdSource;
}

/**
 * Replaces the default source for the current process (the offline synth, which has no network,
 * installs fixture CRDs while it runs) and returns the previous one so it can be restored.
 */
export function setDefaultCrdSource(source: CrdContentSource): CrdContentSource {
  const previous = defaultCrdSource;
  defaultCrdSource = source;
  return previous;
}

/**
 * Loads the vendored CRDs from `dir`, checking every file against its pinned SHA-256. All seven
 * present → vendored mode; none present → URL mode with a warning; some present → error.
 */
export function loadGatewayApiCrds(dir: string = DEFAULT_VENDOR_DIR): CrdSource {
  const present = GATEWAY_API_CRD_FILES.filter((f) => fs.existsSync(path.join(dir, vendoredName(f))));
  if (present.length === 0) {
    return {
      mode: "url",
      dir,
      urls: GATEWAY_API_CRD_FILES.map(upstreamUrl),
      warning:
        `Gateway API ${GATEWAY_API_VERSION} CRDs are not vendored in ${displayDir(dir)}: the program fetches them from ${GATEWAY_API_URL_BASE} at deploy time ` +
        "and applies them only if each matches its pinned SHA-256 (the deployer needs HTTPS access to GitHub). Run `npm run vendor:gateway-api` to download and checksum-verify them into the repository.",
    };
  }
  if (present.length < GATEWAY_API_CRD_FILES.length) {
    const missing = GATEWAY_API_CRD_FILES.filter((f) => !present.includes(f)).map(vendoredName);
    throw new CrdChecksumError(`Gateway API CRDs in ${displayDir(dir)} are incomplete: missing ${missing.join(", ")}. Run \`npm run vendor:gateway-api\`.`);
  }
  const crds = GATEWAY_API_CRD_FILES.map((file) => {
    const full = path.join(dir, vendoredName(file));
    const content = fs.readFileSync(full);
    const actual = sha256(content);
    if (actual !== file.sha256) {
      throw new CrdChecksumError(
        `Gateway API CRD ${full} fails its checksum: SHA-256 ${actual}, expected ${file.sha256} (${file.path} at ${GATEWAY_API_VERSION}). ` +
          "The file was modified or is from another release; delete it and run `npm run vendor:gateway-api`.",
      );
    }
    const docs = parseAllDocuments(content.toString("utf8")).map((d) => d.toJS() as Record<string, any> | null).filter((d) => d);
    const object = docs[0]!;
    if (docs.length !== 1 || object.kind !== "CustomResourceDefinition") throw new CrdChecksumError(`${full} is not a single CustomResourceDefinition`);
    return { file, object };
  });
  return { mode: "vendored", dir, crds };
}
