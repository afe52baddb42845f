/**
 * Storage classes: `rwo-default` and `rwx-default` on every platform, so application manifests
 * never name a vendor. Azure: Azure Disk (zone-redundant SKU by default) and Azure Files (NFS or
 * SMB) on the environment's Premium FileStorage account (docs/environment.md, "Storage"). AWS: EBS
 * gp3 encrypted with the environment's KMS key, and EFS access points (one per claim, dynamic
 * provisioning `efs-ap`) on the environment's encrypted file system. k3s: Longhorn, or an existing NFS export
 * through the NFS CSI driver. RWX research data is `Retain`: deleting a claim never deletes data.
 * Neither class is the cluster default: K8TRE manifests name their class, and AKS (`default`) and
 * K3s (`local-path`) already ship one — two defaults would make unnamed claims ambiguous.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespace, pinnedRelease } from "./common";
import { type NamespacePolicy, namespacePolicies } from "./network-policy";
import type { PlatformInputs } from "./platform";

export const RWO_CLASS = "rwo-default";
export const RWX_CLASS = "rwx-default";
export const LONGHORN_NAMESPACE = "storage-system";

export interface StorageClassSpec {
  readonly name: string;
  readonly provisioner: string;
  readonly parameters: Record<string, pulumi.Input<string>>;
  readonly reclaimPolicy: "Delete" | "Retain";
  readonly volumeBindingMode: "Immediate" | "WaitForFirstConsumer";
  readonly allowVolumeExpansion: boolean;
  readonly mountOptions?: string[];
}

/** Mount options of the SMB class, as the K8TRE reference standardised them. */
export const SMB_MOUNT_OPTIONS = ["dir_mode=0777", "file_mode=0777", "uid=1000", "gid=1000", "mfsymlinks", "nosharesock", "cache=strict", "actimeo=30", "nobrl"];
/** Mount options of the NFS 4.1 class (Microsoft's Azure Files NFS recommendations). */
export const NFS_MOUNT_OPTIONS = ["nconnect=4", "noresvport", "actimeo=30"];

/** The two classes for a platform. */
export function storageClassSpecs(platform: PlatformInputs, opts: { azureDiskSku?: string } = {}): [StorageClassSpec, StorageClassSpec] {
  switch (platform.kind) {
    case "azure": {
      const nfs = (platform.fileShareProtocol ?? "NFS") === "NFS";
      return [
        {
          name: RWO_CLASS,
          provisioner: "disk.csi.azure.com",
          parameters: { skuName: opts.azureDiskSku ?? "StandardSSD_ZRS", kind: "Managed" },
          reclaimPolicy: "Delete",
          volumeBindingMode: "WaitForFirstConsumer",
          allowVolumeExpansion: true,
        },
        {
          name: RWX_CLASS,
          provisioner: "file.csi.azure.com",
          parameters: {
            storageAccount: platform.storageAccountName,
            resourceGroup: platform.storageResourceGroup,
            // For NFS the driver makes sure the node subnet has the Storage service endpoint before
            // each share is created (azurefile-csi-driver CreateVolume -> updateSubnetServiceEndpoints);
            // without a subnet name it lists and updates every subnet of the VNet.
            ...(nfs ? { protocol: "nfs", ...(platform.nodeSubnet ?? {}) } : {}),
          },
          reclaimPolicy: "Retain",
          volumeBindingMode: "Immediate",
          allowVolumeExpansion: true,
          mountOptions: nfs ? NFS_MOUNT_OPTIONS : SMB_MOUNT_OPTIONS,
        },
      ];
    }
    case "aws":
      return [
        {
          // https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md
          name: RWO_CLASS,
          provisioner: "ebs.csi.aws.com",
          parameters: { type: "gp3", encrypted: "true", kmsKeyId: platform.kmsKeyArn, "csi.storage.k8s.io/fstype": "ext4" },
          reclaimPolicy: "Delete",
          volumeBindingMode: "WaitForFirstConsumer",
          allowVolumeExpansion: true,
        },
        {
          // https://github.com/kubernetes-sigs/aws-efs-csi-driver/blob/master/docs/README.md#storage-class-parameters-for-dynamic-provisioning
          name: RWX_CLASS,
          provisioner: "efs.csi.aws.com",
          parameters: {
            provisioningMode: "efs-ap",
            fileSystemId: platform.fileSystemId,
            directoryPerms: "750",
            // A GID per access point: 50 000 claims before the range runs out (K8TRE's 1000-2000 caps at ~1000).
            gidRangeStart: "50000",
            gidRangeEnd: "100000",
            basePath: "/dynamic_provisioning",
            subPathPattern: "${.PVC.namespace}/${.PVC.name}",
            ensureUniqueDirectory: "true",
            reuseAccessPoint: "false",
          },
          // Research data: deleting a claim never deletes the directory.
          reclaimPolicy: "Retain",
          volumeBindingMode: "Immediate",
          allowVolumeExpansion: true,
          // TLS to the mount target (the file system policy denies plain NFS).
          mountOptions: ["tls"],
        },
      ];
    case "k3s": {
      if (platform.storageBackend === "nfs") {
        if (!platform.nfs) throw new Error("the nfs storage backend needs platform.nfs (server and path)");
        const parameters = { server: platform.nfs.server, share: platform.nfs.path, subDir: "${pvc.metadata.namespace}/${pvc.metadata.name}" };
        const common = { provisioner: "nfs.csi.k8s.io", volumeBindingMode: "Immediate", allowVolumeExpansion: true, mountOptions: ["nfsvers=4.1", "hard"] } as const;
        return [
          { name: RWO_CLASS, parameters: { ...parameters, onDelete: "delete" }, reclaimPolicy: "Delete", ...common, mountOptions: [...common.mountOptions] },
          { name: RWX_CLASS, parameters: { ...parameters, onDelete: "retain" }, reclaimPolicy: "Retain", ...common, mountOptions: [...common.mountOptions] },
        ];
      }
      const parameters = { numberOfReplicas: String(platform.longhornReplicas ?? 1), staleReplicaTimeout: "2880", fsType: "ext4", dataLocality: "best-effort" };
      return [
        { name: RWO_CLASS, provisioner: "driver.longhorn.io", parameters, reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer", allowVolumeExpansion: true },
        // Longhorn serves RWX claims through its NFS share manager (nodes need nfs-common).
        { name: RWX_CLASS, provisioner: "driver.longhorn.io", parameters, reclaimPolicy: "Retain", volumeBindingMode: "Immediate", allowVolumeExpansion: true },
      ];
    }
  }
}

/** Leaf paths of {@link longhornValues}; each must be a key of the pinned chart. */
export const LONGHORN_VALUE_PATHS = ["persistence.defaultClass", "persistence.defaultClassReplicaCount", "defaultSettings.defaultReplicaCount"] as const;

export function longhornValues(replicas: number): Record<string, unknown> {
  // The chart's own `longhorn` class stays, but is not the default (rwo-default/rwx-default are ours).
  return { persistence: { defaultClass: false, defaultClassReplicaCount: replicas }, defaultSettings: { defaultReplicaCount: replicas } };
}

/** Longhorn's managers, engines and share managers talk among themselves and to the nodes. */
export function longhornPolicy(): NamespacePolicy {
  return {
    namespace: LONGHORN_NAMESPACE,
    kubeApiserver: true,
    webhookIngress: true,
    intraNamespace: true,
    // RWX share managers serve NFS to the nodes; CSI plugins run on the hosts.
    entityIngress: [{ entities: ["host", "remote-node"] }],
    entityEgress: [{ entities: ["host", "remote-node"] }],
  };
}

export interface StorageClassesArgs {
  readonly platform: PlatformInputs;
  readonly azureDiskSku?: string;
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  readonly networkPolicies: boolean;
}

export class StorageClasses extends pulumi.ComponentResource {
  readonly classes: k8s.storage.v1.StorageClass[];
  readonly release?: k8s.helm.v3.Release;

  constructor(name: string, args: StorageClassesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:agnostics:StorageClasses", name, {}, opts);
    const { platform } = args;
    let provisionerDeps: pulumi.Input<pulumi.Resource>[] = [...args.dependsOn];
    if (platform.kind === "k3s" && platform.storageBackend === "longhorn") {
      const ns = namespace(LONGHORN_NAMESPACE, this, true);
      const before: pulumi.Input<pulumi.Resource>[] = [...args.dependsOn, ns];
      if (args.networkPolicies) before.push(...namespacePolicies(`${name}-longhorn`, LONGHORN_NAMESPACE, longhornPolicy(), { parent: this, dependsOn: before.slice() }));
      this.release = pinnedRelease(`${name}-longhorn`, "longhorn", {
        name: "longhorn",
        namespace: LONGHORN_NAMESPACE,
        values: longhornValues(platform.longhornReplicas ?? 1),
        dependsOn: before,
        parent: this,
        timeout: 900,
      });
      provisionerDeps = [this.release];
    } else if (platform.kind === "k3s" && platform.storageBackend === "nfs") {
      // The NFS CSI driver runs in kube-system (host-networked controller, node plugin on every node).
      this.release = pinnedRelease(`${name}-csi-nfs`, "csiDriverNfs", { name: "csi-driver-nfs", namespace: "kube-system", values: {}, dependsOn: args.dependsOn, parent: this });
      provisionerDeps = [this.release];
    }
    this.classes = storageClassSpecs(platform, { azureDiskSku: args.azureDiskSku }).map(
      (c) =>
        new k8s.storage.v1.StorageClass(
          `${name}-${c.name}`,
          {
            metadata: { name: c.name, annotations: { "storageclass.kubernetes.io/is-default-class": "false" } },
            provisioner: c.provisioner,
            parameters: c.parameters,
            reclaimPolicy: c.reclaimPolicy,
            volumeBindingMode: c.volumeBindingMode,
            allowVolumeExpansion: c.allowVolumeExpansion,
            ...(c.mountOptions ? { mountOptions: c.mountOptions } : {}),
          },
          { parent: this, dependsOn: provisionerDeps },
        ),
    );
    this.registerOutputs({ classes: this.classes.map((c) => c.metadata.name) });
  }
}
