/**
 * The `kustomize-with-envsubst` config-management plugin (CMP) K8TRE's ApplicationSets use
 * (`plugin.name: kustomize-with-envsubst-v1.0`), and the repo-server sidecar that serves it.
 *
 * What the reference implementation got wrong and this fixes: it passed a whole manifest string
 * as the plugin value (the chart wraps the value under `spec:`, so the result was malformed) and
 * mounted a ConfigMap nothing created. Here the chart value is the ConfigManagementPlugin *spec*
 * object, the chart creates `argocd-cmp-cm` from it, and the sidecar mounts that ConfigMap's
 * `<name>.yaml` key as its plugin.yaml.
 *
 * Substitution is deliberately narrow: only the braced forms `${ENVIRONMENT}`, `${DOMAIN}`,
 * `${METALLB_IP_RANGE}`, `${CLUSTER_NAME}` and `${REGION}` are replaced, literally (no regular
 * expressions, so values containing `/`, `&` or `\` cannot corrupt the output), with the
 * `ARGOCD_ENV_<NAME>` values ArgoCD passes from the ApplicationSet. Anything else that looks like
 * a shell variable — e.g. nginx's `$host` in K8TRE's guacamole proxy config — is left alone, which
 * an unrestricted `envsubst` would not do. The kustomize output goes to a file first, so a failed
 * build fails the plugin instead of handing ArgoCD an empty manifest list (which, with automated
 * prune, would delete the application's resources). A manifest that references `${ENVIRONMENT}`
 * or `${DOMAIN}` while the value is empty (e.g. a cluster secret without `external-domain`) fails
 * too, instead of rendering host names like `keycloak.`.
 */
import { ARGOCD_IMAGE, CMP_PLUGIN, KUSTOMIZE_BUILD_OPTIONS } from "./chart";

/** Variables the plugin substitutes, in K8TRE's names (ArgoCD prefixes them with ARGOCD_ENV_). */
export const PLUGIN_VARIABLES = ["ENVIRONMENT", "DOMAIN", "METALLB_IP_RANGE", "CLUSTER_NAME", "REGION"] as const;

/** Variables that must not render empty when a manifest references them. */
export const REQUIRED_PLUGIN_VARIABLES = ["ENVIRONMENT", "DOMAIN"] as const;

/**
 * A single-pass, literal `${NAME}` substitution in POSIX awk (the argocd image is Ubuntu and has
 * mawk, but no envsubst). Single pass: a substituted value is never scanned again.
 */
export function substitutionAwk(): string {
  return [
    "BEGIN {",
    "  n = split(names, k, \" \"); for (i = 1; i <= n; i++) allowed[k[i]] = 1",
    "  m = split(required, r, \" \"); for (i = 1; i <= m; i++) needed[r[i]] = 1",
    "}",
    "{",
    "  line = $0; out = \"\"",
    "  while ((p = index(line, \"${\")) > 0) {",
    "    rest = substr(line, p + 2); q = index(rest, \"}\")",
    "    name = (q > 0) ? substr(rest, 1, q - 1) : \"\"",
    "    if (name in allowed) {",
    "      value = ENVIRON[\"ARGOCD_ENV_\" name]",
    "      if (value == \"\" && (name in needed)) {",
    "        printf \"kustomize-with-envsubst: %s is referenced but ARGOCD_ENV_%s is empty\\n\", name, name > \"/dev/stderr\"",
    "        exit 1",
    "      }",
    "      out = out substr(line, 1, p - 1) value; line = substr(rest, q + 1)",
    "    } else {",
    "      out = out substr(line, 1, p + 1); line = rest",
    "    }",
    "  }",
    "  print out line",
    "}",
  ].join("\n");
}

/** The `sh -c` script of the plugin's generate step. */
export function generateScript(): string {
  return [
    "set -eu",
    "rendered=\"$(mktemp)\"",
    "trap 'rm -f \"$rendered\"' EXIT",
    `kustomize build ${KUSTOMIZE_BUILD_OPTIONS} . > "$rendered"`,
    `awk -v names="${PLUGIN_VARIABLES.join(" ")}" -v required="${REQUIRED_PLUGIN_VARIABLES.join(" ")}" '`,
    substitutionAwk(),
    "' \"$rendered\"",
  ].join("\n");
}

/** The ConfigManagementPlugin `spec` (the value of the chart's `configs.cmp.plugins.<name>`). */
export function cmpPluginSpec(): Record<string, unknown> {
  return {
    version: CMP_PLUGIN.version,
    generate: { command: ["sh", "-c"], args: [generateScript()] },
  };
}

/** The ConfigMap the chart creates from `configs.cmp.plugins` (fixed name in the chart). */
export const CMP_CONFIGMAP = "argocd-cmp-cm";

/** Repo-server pod volumes the sidecar needs (besides the chart's own `var-files` and `plugins`). */
export function cmpVolumes(): Record<string, unknown>[] {
  return [
    { name: CMP_CONFIGMAP, configMap: { name: CMP_CONFIGMAP } },
    // The chart warns not to share the repo-server's tmp volume with a plugin (since v2.4).
    { name: "cmp-tmp", emptyDir: {} },
  ];
}

/** The repo-server sidecar that runs the plugin: ArgoCD's own image, non-root, read-only. */
export function cmpSidecar(image: string = ARGOCD_IMAGE): Record<string, unknown> {
  return {
    name: "cmp-kustomize-envsubst",
    image,
    command: ["/var/run/argocd/argocd-cmp-server"],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 999,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    volumeMounts: [
      { mountPath: "/var/run/argocd", name: "var-files" },
      { mountPath: "/home/argocd/cmp-server/plugins", name: "plugins" },
      { mountPath: "/home/argocd/cmp-server/config/plugin.yaml", subPath: `${CMP_PLUGIN.name}.yaml`, name: CMP_CONFIGMAP },
      { mountPath: "/tmp", name: "cmp-tmp" },
    ],
  };
}

/** The name ApplicationSets use to select the plugin: `<name>-<version>`. */
export function pluginReference(): string {
  return `${CMP_PLUGIN.name}-${CMP_PLUGIN.version}`;
}
