/**
 * The private-link DNS zones every cluster stack needs (AKS API server, storage, Key Vault),
 * created (greenfield) or referenced (landing zone), and linked to VNets with auto-registration
 * off: VM records never land in the API-server zone and no VNet's single registration slot is
 * used up (k8tre-azure had registration on; parity §4 item 25).
 */
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import { parseArmId } from "./armId";

import { type PrivateZoneKey, PRIVATE_ZONE_KEYS, privateZoneNames, type ZoneMap } from "../../../config/private-zones";

export { PRIVATE_ZONE_KEYS, privateZoneNames };
export type { PrivateZoneKey, ZoneMap };

export interface ZoneLink {
  /** Stable key of the VNet in logical names (`hub`, an environment, or `x<hash>`). */
  readonly key: string;
  /** The link's Azure name (unique within each zone). */
  readonly linkName: string;
  readonly vnetId: pulumi.Input<string>;
}

export type PrivateDnsZonesArgs =
  | {
      readonly mode: "create";
      /** Region of the AKS zone name. */
      readonly location: string;
      readonly resourceGroupName: pulumi.Input<string>;
      readonly links: readonly ZoneLink[];
      readonly tags?: Record<string, string>;
    }
  | {
      readonly mode: "existing";
      /** Existing zones by resource ID; links are created in each zone's resource group. */
      readonly zoneIds: ZoneMap<string>;
      readonly links: readonly ZoneLink[];
      readonly tags?: Record<string, string>;
    };

export class PrivateDnsZones extends pulumi.ComponentResource {
  readonly zoneIds: ZoneMap<pulumi.Output<string>>;
  readonly zoneNames: ZoneMap<string>;
  readonly links: privatedns.VirtualNetworkLink[] = [];

  /** `opts.provider` must be the provider of the zones' subscription (links live with the zone). */
  constructor(name: string, args: PrivateDnsZonesArgs, opts: pulumi.ComponentResourceOptions & { provider: pulumi.ProviderResource }) {
    super("k8tre:network:PrivateDnsZones", name, {}, opts);
    const provider = opts.provider;
    const ids = {} as ZoneMap<pulumi.Output<string>>;
    const names = {} as ZoneMap<string>;
    const groups = {} as ZoneMap<pulumi.Input<string>>;
    const created = {} as Partial<ZoneMap<privatedns.PrivateZone>>;

    if (args.mode === "create") {
      const zoneNames = privateZoneNames(args.location);
      for (const key of PRIVATE_ZONE_KEYS) {
        const zone = new privatedns.PrivateZone(
          `${name}-${key}`,
          { privateZoneName: zoneNames[key], resourceGroupName: args.resourceGroupName, location: "global", tags: args.tags },
          // A zone holds the records of every private endpoint and cluster: never delete it by accident.
          { parent: this, provider, protect: true },
        );
        created[key] = zone;
        ids[key] = zone.id;
        names[key] = zoneNames[key];
        groups[key] = args.resourceGroupName;
      }
    } else {
      for (const key of PRIVATE_ZONE_KEYS) {
        const parts = parseArmId(args.zoneIds[key]);
        ids[key] = pulumi.output(args.zoneIds[key]);
        names[key] = parts.name;
        groups[key] = parts.resourceGroupName;
      }
    }

    for (const key of PRIVATE_ZONE_KEYS) {
      for (const link of args.links) {
        this.links.push(
          new privatedns.VirtualNetworkLink(
            `${name}-${key}-${link.key}`,
            {
              privateZoneName: names[key],
              resourceGroupName: groups[key],
              virtualNetworkLinkName: link.linkName,
              virtualNetwork: { id: link.vnetId },
              registrationEnabled: false,
              location: "global",
              tags: args.tags,
            },
            // Links name their zone by its (known) name, so the created zone is an explicit dependency.
            { parent: this, provider, dependsOn: created[key] ? [created[key]] : [] },
          ),
        );
      }
    }
    this.zoneIds = ids;
    this.zoneNames = names;
    this.registerOutputs({ zoneIds: ids, zoneNames: names });
  }
}
