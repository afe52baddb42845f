/**
 * Generates .github/workflows/deploy.yml from the stack files: `npm run deploy:workflow`.
 * test/automation/workflows.test.ts fails when the committed file differs from what this renders,
 * so a new stack (`Pulumi.uat.yaml`) gets its job, in its own GitHub environment, by regenerating.
 *
 * One job per stack that is not an example (`k8tre:example: true`), needing the jobs of the
 * stacks it really needs; a stack with a late reference (an environment's `management`) does not
 * wait for that stack: a `<stack>-late` job of the same stack, in the same environment, runs after
 * both when the first job reports `deferred` (docs/adr/0005-schedule-and-late-registration.md).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { discoverStacks, type StackGraph } from "./graph";

export const WORKFLOW_FILE = path.join(".github", "workflows", "deploy.yml");

const HEADER = `# GENERATED from the Pulumi.<stack>.yaml files by \`npm run deploy:workflow\` (automation/workflow.ts).
# Do not edit by hand: test/automation/workflows.test.ts fails when this file is stale.
#
# Deploys K8TRE with the Automation-API runner (\`npm run deploy -- up <stack> --only\`), one job per
# stack (example stacks never), each in the GitHub environment named after its stack (configure
# required reviewers there) and in the concurrency group deploy-<stack>. Jobs use \`--only\`: a
# stack's dependencies are deployed by their own job, under their own approval, never implicitly.
# An environment does not wait for the management stack; when its job reports that it deferred its
# ArgoCD registration (greenfield), <stack>-late deploys it again once mgmt has succeeded.
#
# On push to main only the stacks affected by the pushed commits run (automation/affected.ts);
# workflow_dispatch takes an explicit list (empty = every stack except the examples).
name: deploy

on:
  push:
    branches: [main]
  workflow_dispatch:
    inputs:
      stacks:
        description: "Stacks to deploy, space-separated (empty = every stack except the examples)"
        type: string
        required: false
        default: ""

permissions:
  contents: read

jobs:
  plan:
    name: affected stacks
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      contents: read
    outputs:
      stacks: \${{ steps.affected.outputs.stacks }}
    steps:
      - uses: actions/checkout@df4cb1c069e1874edd31b4311f1884172cec0e10 # v6.0.3
        with:
          persist-credentials: false
          fetch-depth: 0
      - uses: actions/setup-node@249970729cb0ef3589644e2896645e5dc5ba9c38 # v6.5.0
        with:
          node-version: 22
          cache: npm
      - run: npm ci
      - name: Affected stacks
        id: affected
        env:
          EVENT_NAME: \${{ github.event_name }}
          REQUESTED: \${{ inputs.stacks }}
          BEFORE_SHA: \${{ github.event.before }}
        run: |
          if [ "$EVENT_NAME" = "workflow_dispatch" ]; then
            npm run deploy:affected -- --stacks "$REQUESTED"
          else
            npm run deploy:affected -- --base "$BEFORE_SHA" --head HEAD
          fi
`;

function job(id: string, stack: string, platform: string, needs: string[], condition: string): string {
  return [
    "",
    `  ${id}:`,
    `    needs: [${needs.join(", ")}]`,
    `    if: \${{ ${condition} }}`,
    "    permissions:",
    "      contents: read",
    "      id-token: write",
    "    uses: ./.github/workflows/deploy-stack.yml",
    "    with:",
    `      stack: ${stack}`,
    `      platform: ${platform}`,
    "    secrets:",
    "      PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
  ].join("\n");
}

/** The workflow text for a project's stacks. */
export function renderDeployWorkflow(graph: StackGraph): string {
  const deployable = graph.order.filter((s) => !graph.stacks.get(s)!.example);
  const jobs: string[] = [];
  for (const stack of deployable) {
    const node = graph.stacks.get(stack)!;
    const early = node.dependsOn.filter((d) => deployable.includes(d) && !node.lateDependsOn.includes(d));
    const ok = early.map((d) => ` && needs.${d}.result != 'failure'`).join("");
    jobs.push(job(stack, stack, node.platform, ["plan", ...early], `!cancelled() && needs.plan.result == 'success'${ok} && contains(fromJSON(needs.plan.outputs.stacks), '${stack}')`));
    const late = node.lateDependsOn.filter((d) => deployable.includes(d));
    if (late.length > 0) {
      const lateOk = late.map((d) => ` && needs.${d}.result != 'failure'`).join("");
      jobs.push(job(`${stack}-late`, stack, node.platform, ["plan", stack, ...late], `!cancelled() && needs.${stack}.result == 'success' && needs.${stack}.outputs.deferred == 'true'${lateOk}`));
    }
  }
  return HEADER + jobs.join("\n") + "\n";
}

if (require.main === module) {
  const dir = process.cwd();
  fs.writeFileSync(path.join(dir, WORKFLOW_FILE), renderDeployWorkflow(discoverStacks(dir)));
  process.stdout.write(`wrote ${WORKFLOW_FILE}\n`);
}
