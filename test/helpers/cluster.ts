/** A valid AKS cluster config for component tests: the shipped dev settings' essentials, plus overrides. */
import { type ClusterConfig, cluster as clusterSchema } from "../../config/schema/cluster";

export function testClusterConfig(over: Record<string, unknown> = {}): ClusterConfig {
  return clusterSchema.parse({
    kubernetesVersion: "1.35",
    podCidr: "100.65.0.0/16",
    serviceCidr: "172.16.16.0/20",
    dnsServiceIp: "172.16.16.10",
    outboundType: "userDefinedRouting",
    adminGroupObjectIds: ["00000000-0000-0000-0000-00000000a001"],
    systemPool: { vmSize: "Standard_D4ds_v5" },
    ...over,
  });
}
