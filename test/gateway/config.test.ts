/**
 * Bad gateway input is rejected before any resource, naming the stack file, the key, the value and
 * the expectation: per stack (the loader) and across the gateway and its network stack (config/project.ts).
 */
import { loadStackConfig } from "../../config/load";
import { loadProject } from "../../config/project";
import { configErrorOf, shippedFiles, shippedRaw } from "../helpers/config";
import { PROJECT_DIR } from "../helpers/synth";

const files = shippedFiles;
const raw = shippedRaw;

const errorOf = (stack: string, edit: (r: Record<string, any>) => void) => configErrorOf(stack, edit, { file: `Pulumi.${stack}.yaml` });

/** The project's problems after editing some stack files (and adding others), by stack. */
function projectErrors(edits: Record<string, (r: Record<string, any>) => void>, added: Record<string, Record<string, any>> = {}): Map<string, string> {
  const stacks = files.stacks.map((f) => (edits[f.stack] ? { ...f, raw: (() => { const r = raw(f.stack); edits[f.stack](r); return r; })() } : f));
  for (const [stack, r] of Object.entries(added)) stacks.push({ stack, file: `${PROJECT_DIR}/Pulumi.${stack}.yaml`, raw: r, secretKeys: [] });
  return new Map(loadProject({ ...files, stacks }).errors.map((e) => [e.stack!, e.message]));
}

it("ships two valid gateway stacks: on the greenfield network (vault created) and on the landing zone (its vault)", () => {
  expect(loadStackConfig(raw("gateway"), { stack: "gateway" }).config.gateway?.certificateVaultId).toBeUndefined();
  expect(loadStackConfig(raw("gateway-lz"), { stack: "gateway-lz" }).config.gateway?.certificateVaultId).toMatch(/kv-lz-certificates$/);
  expect(projectErrors({}).size).toBe(0);
});

it("rejects a listener without a certificate reference", () => {
  expect(errorOf("gateway", (r) => delete r["k8tre:gateway"].listeners[1].certificateSecretName)).toContain(
    "k8tre:gateway.listeners.1.certificateSecretName: got nothing (the key is missing); expected a value (required): the name of the Key Vault certificate/secret",
  );
});

it("rejects a production gateway that cannot survive one instance failing", () => {
  expect(errorOf("gateway", (r) => (r["k8tre:gateway"].minCapacity = 1))).toContain("k8tre:gateway.minCapacity: got 1; expected at least 2 on a protected (production) stack");
});

it("needs a network stack reference, and reads no management stack", () => {
  expect(errorOf("gateway", (r) => delete r["k8tre:stackRefs"])).toContain(
    'Invalid configuration for stack "gateway" (Pulumi.gateway.yaml): 1 problem\n  - k8tre:stackRefs.network: got nothing (the key is missing); expected the network stack whose App Gateway subnet',
  );
  expect(errorOf("gateway", (r) => (r["k8tre:stackRefs"].management = "mgmt"))).toContain('k8tre:stackRefs.management: got "mgmt"; expected no value: a gateway stack reads only its network stack');
});

it("says where the allow-list moved: the network stack's file it references", () => {
  const msg = errorOf("gateway", (r) => (r["k8tre:gateway"].allowedSourceCidrs = ["203.0.113.0/24"]));
  expect(msg).toContain(
    'k8tre:gateway.allowedSourceCidrs: got ["203.0.113.0/24"]; expected no value here: moved to k8tre:network.gatewayAllowedSourceCidrs in Pulumi.network.yaml (the network stack this stack references)',
  );
  expect(msg).toMatch(/: 1 problem\n/);
});

it("is an Azure kind only", () => {
  expect(errorOf("gateway", (r) => (r["k8tre:platform"] = "aws"))).toContain('k8tre:kind: got "gateway"; expected one of network, management, environment on platform aws');
});

describe("across the gateway and its network stack", () => {
  it("refuses a subscription other than the App Gateway subnet's (the provider is built from it)", () => {
    const msg = projectErrors({ gateway: (r) => (r["k8tre:azure"].subscriptionId = "00000000-0000-0000-0000-000000000009") }).get("gateway")!;
    expect(msg).toContain('Invalid configuration for stack "gateway" (Pulumi.gateway.yaml)');
    expect(msg).toContain(
      'k8tre:azure.subscriptionId: got "00000000-0000-0000-0000-000000000009"; expected 00000000-0000-0000-0000-000000000001, the connectivity subscription of Pulumi.network.yaml: an Application Gateway lives in its subnet\'s subscription',
    );
    // A landing zone: the subscription of its gateway subnet ID.
    const lz = projectErrors({ "gateway-lz": (r) => (r["k8tre:azure"].connectivitySubscriptionId = "00000000-0000-0000-0000-0000000000a2") }).get("gateway-lz")!;
    expect(lz).toContain("k8tre:azure.connectivitySubscriptionId: got \"00000000-0000-0000-0000-0000000000a2\"; expected 00000000-0000-0000-0000-0000000000a1, the subscription of Pulumi.network-lz.yaml's k8tre:network.hub.gatewaySubnetId");
  });

  it("refuses another region or domain than the network's", () => {
    const msg = projectErrors({ gateway: (r) => { r["k8tre:location"] = "ukwest"; r["k8tre:domain"] = "example.com"; } }).get("gateway")!;
    expect(msg).toContain('k8tre:location: got "ukwest"; expected uksouth like Pulumi.network.yaml');
    expect(msg).toContain('k8tre:domain: got "example.com"; expected example.org like Pulumi.network.yaml');
  });

  it("checks each listener against the network's spokes and the environments' stacks", () => {
    const spoke = projectErrors({ gateway: (r) => r["k8tre:gateway"].listeners.push({ environment: "uat", certificateSecretName: "tls-uat" }) }).get("gateway")!;
    expect(spoke).toContain("k8tre:gateway.listeners.3.environment: got \"uat\"; expected an environment with a spoke in Pulumi.network.yaml's k8tre:network.spokes (mgmt, dev, stg, prd)");
    const apex = projectErrors({ gateway: (r) => (r["k8tre:gateway"].listeners[2].apex = false) }).get("gateway")!;
    expect(apex).toContain("k8tre:gateway.listeners.2.apex: got false; expected true like stack prd's k8tre:dns.apex");
  });

  it("allows one gateway stack per network stack", () => {
    const second = raw("gateway");
    const errors = projectErrors({}, { gateway2: second });
    for (const [stack, other] of [["gateway", "gateway2"], ["gateway2", "gateway"]]) {
      expect(errors.get(stack)).toContain(`k8tre:stackRefs.network: got "network"; expected a network stack no other gateway stack uses (network also has: ${other})`);
    }
  });

  it("needs a hub endpoint subnet from a landing zone when it creates the (private) vault", () => {
    const msg = projectErrors({ "gateway-lz": (r) => delete r["k8tre:gateway"].certificateVaultId }).get("gateway-lz")!;
    expect(msg).toContain("k8tre:gateway.certificateVaultId: got nothing (the key is missing); expected the landing zone's own (private) vault, or set k8tre:network.hub.endpointSubnetId in Pulumi.network-lz.yaml");
    const fixed = projectErrors({
      "gateway-lz": (r) => delete r["k8tre:gateway"].certificateVaultId,
      "network-lz": (r) => (r["k8tre:network"].hub.endpointSubnetId = `${r["k8tre:network"].hub.vnetId}/subnets/snet-privatelinkendpoints`),
    });
    expect(fixed.get("gateway-lz")).toBeUndefined();
  });

  it("refuses a reference to a stack that is not a network stack", () => {
    expect(projectErrors({ gateway: (r) => (r["k8tre:stackRefs"].network = "mgmt") }).get("gateway")).toContain('k8tre:stackRefs.network: got "mgmt"; expected a network stack (mgmt is a management stack');
  });
});
