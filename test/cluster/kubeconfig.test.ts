/** The kubelogin rewrite of the AKS user kubeconfig (pure). */
import { parse, stringify } from "yaml";
import { AKS_AAD_SERVER_APP_ID, kubeloginArgs, toKubeloginKubeconfig } from "../../components/azure/cluster";
import { fakeAksUserKubeconfig } from "../../tools/synth/fakes/cluster";

const TENANT = "11111111-1111-1111-1111-111111111111";
const aks = fakeAksUserKubeconfig({ cluster: "aks-x", server: "https://x.privatelink.uksouth.azmk8s.io:443", tenantId: TENANT, resourceGroup: "rg" });

describe("toKubeloginKubeconfig", () => {
  it.each(["azurecli", "workloadidentity", "spn", "msi"] as const)("rewrites devicecode to non-interactive %s", (mode) => {
    const out = parse(toKubeloginKubeconfig(aks, { mode }));
    const exec = out.users[0].user.exec;
    expect(exec.command).toBe("kubelogin");
    expect(exec.args.slice(0, 5)).toEqual(["get-token", "--login", mode, "--server-id", AKS_AAD_SERVER_APP_ID]);
    expect(exec.args).not.toContain("devicecode");
    expect(exec.interactiveMode).toBe("Never");
    // The cluster entry (server, CA) is untouched.
    expect(out.clusters).toEqual(parse(aks).clusters);
    if (mode === "azurecli") expect(exec.args).not.toContain("--tenant-id");
    else expect(exec.args).toEqual(expect.arrayContaining(["--tenant-id", TENANT]));
  });

  it("passes a user-assigned identity's client ID in msi mode only", () => {
    expect(kubeloginArgs({ mode: "msi", msiClientId: "c" })).toEqual(expect.arrayContaining(["--client-id", "c"]));
    expect(kubeloginArgs({ mode: "spn", msiClientId: "c" })).not.toContain("--client-id");
  });

  it("refuses kubeconfigs with static credentials", () => {
    const doc = parse(aks);
    doc.users[0].user = { token: "abc" };
    expect(() => toKubeloginKubeconfig(stringify(doc), { mode: "azurecli" })).toThrow(/static credentials \(token\)/);
    doc.users[0].user = { "client-key-data": "abc", "client-certificate-data": "def" };
    expect(() => toKubeloginKubeconfig(stringify(doc), { mode: "azurecli" })).toThrow(/static credentials/);
  });

  it("refuses a kubeconfig without users or exec", () => {
    expect(() => toKubeloginKubeconfig("apiVersion: v1\nkind: Config\n", { mode: "azurecli" })).toThrow(/no users/);
    const doc = parse(aks);
    doc.users[0].user = {};
    expect(() => toKubeloginKubeconfig(stringify(doc), { mode: "azurecli" })).toThrow(/no exec plugin/);
  });
});
