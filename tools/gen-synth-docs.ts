/**
 * Regenerates the generated blocks of docs/synth.md (`npm run docs:synth`): the `--help` text,
 * an excerpt of the shipped `dev` stack's plan and its network view. A test compares the
 * committed blocks with what this renders from the current program, so the example cannot go
 * stale when types, names or the plan format change.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { USAGE } from "./synth/cli";
import { emptyIndex, indexNetworks, networkModel, renderNetworkMermaid } from "./synth/diagram";
import type { SynthResult } from "./synth/engine";
import { evaluatePlan } from "./synth/policy";
import { planDocument } from "./synth/report";

export const DOC = path.resolve(__dirname, "../docs/synth.md");

/** The resource, inputs, outputs and policies the excerpt shows (everything else is left out). */
const EXAMPLE = {
  resource: "cluster-aks",
  properties: ["apiServerAccessProfile", "networkProfile"],
  outputs: ["clusterName", "privateFqdn", "kubeconfig"],
  policies: ["aks-private-cluster", "argocd-cluster-no-bearer-token", "appgw-waf-enabled"],
};

/** The generated blocks, by marker name, from the shipped `network` and `dev` plans. */
export function renderSynthDocBlocks(plans: { network: SynthResult; dev: SynthResult }): Record<string, string> {
  const dev = plans.dev;
  const policy = evaluatePlan(dev);
  const doc = planDocument(dev, { policy });
  const cluster = doc.resources.find((r) => r.name === EXAMPLE.resource);
  if (!cluster) throw new Error(`the dev plan has no resource named ${EXAMPLE.resource}: update EXAMPLE in tools/gen-synth-docs.ts`);
  const props = cluster.inputs.properties as Record<string, unknown>;
  const excerpt = {
    project: doc.project,
    stack: doc.stack,
    resources: [
      {
        ...cluster,
        inputs: {
          resourceProviderNamespace: cluster.inputs.resourceProviderNamespace,
          resourceType: cluster.inputs.resourceType,
          apiVersion: cluster.inputs.apiVersion,
          properties: Object.fromEntries(EXAMPLE.properties.map((k) => [k, props[k]])),
        },
      },
    ],
    outputs: Object.fromEntries(EXAMPLE.outputs.map((k) => [k, doc.outputs[k]])),
    warnings: doc.warnings,
    policy: {
      ...policy,
      policies: policy.policies.filter((p) => EXAMPLE.policies.includes(p.name)),
    },
  };
  const index = emptyIndex();
  indexNetworks(index, "network", plans.network.resources);
  return {
    usage: ["```", USAGE, "```"].join("\n"),
    "example-plan": ["```json", JSON.stringify(excerpt, null, 2), "```"].join("\n"),
    "example-network": ["```mermaid", renderNetworkMermaid(networkModel(dev.resources, "dev", index), "dev"), "```"].join("\n"),
  };
}

/** Replaces each `<!-- generated:NAME -->…<!-- /generated:NAME -->` block of `doc`. */
export function applyBlocks(doc: string, blocks: Record<string, string>): string {
  let out = doc;
  for (const [name, body] of Object.entries(blocks)) {
    const re = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!re.test(out)) throw new Error(`docs/synth.md has no generated block "${name}"`);
    out = out.replace(re, (_m, a: string, b: string) => `${a}\n${body}\n${b}`);
  }
  return out;
}

async function main(): Promise<void> {
  (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
  const { loadProject, readProject } = await import("../config/project");
  const { orderStacks } = await import("./synth/order");
  const { synthStack } = await import("./synth/engine");
  const { buildStack } = await import("../stacks");
  const files = readProject(path.resolve(__dirname, ".."));
  const { loaded, errors } = loadProject(files);
  if (errors.length) throw errors[0];
  const order = orderStacks(loaded, ["dev"]);
  if (typeof order === "string") throw new Error(order);
  const outputs: Record<string, Record<string, unknown>> = {};
  const results: Record<string, SynthResult> = {};
  for (const { stack } of order) {
    const file = files.stacks.find((f) => f.stack === stack)!;
    results[stack] = await synthStack(() => buildStack(loaded.get(stack)!), { project: files.project, stack, config: file.raw, secretKeys: file.secretKeys, stackOutputs: outputs });
    outputs[stack] = results[stack].rawOutputs;
  }
  fs.writeFileSync(DOC, applyBlocks(fs.readFileSync(DOC, "utf8"), renderSynthDocBlocks({ network: results.network, dev: results.dev })));
  console.log(`updated ${path.relative(process.cwd(), DOC)}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
