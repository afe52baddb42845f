/**
 * VPC endpoints so the clusters reach AWS APIs without leaving the VPC: an S3 gateway endpoint on
 * every private route table (ECR image layers are served from S3) and interface endpoints with
 * private DNS in every zone's endpoint subnet, behind a security group that admits HTTPS from the
 * VPC only (docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html).
 */
import * as ec2 from "@pulumi/aws/ec2";
import * as vpc from "@pulumi/aws/vpc";
import * as pulumi from "@pulumi/pulumi";
import { endpointServiceName } from "./plan";

export interface VpcEndpointsArgs {
  vpcId: pulumi.Input<string>;
  vpcCidr: string;
  partition: string;
  region: string;
  subnetIds: pulumi.Input<string>[];
  routeTableIds: pulumi.Input<string>[];
  /** Interface endpoint short names, e.g. ecr.api. */
  services: readonly string[];
  securityGroupName: string;
  namePrefix: string;
}

export class VpcEndpoints extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  /** Endpoint IDs by short service name (s3 is the gateway endpoint). */
  readonly endpointIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: VpcEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:aws:VpcEndpoints", name, {}, opts);
    const parent = { parent: this };

    // No egress rules: an interface endpoint only answers connections made to it.
    const sg = new ec2.SecurityGroup(`${name}-sg`, {
      name: args.securityGroupName,
      description: "VPC interface endpoints: HTTPS from the VPC only",
      vpcId: args.vpcId,
      tags: { Name: args.securityGroupName },
    }, parent);
    new vpc.SecurityGroupIngressRule(`${name}-https-from-vpc`, {
      securityGroupId: sg.id,
      description: "HTTPS to AWS APIs from inside the VPC",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: args.vpcCidr,
    }, parent);
    this.securityGroupId = sg.id;

    this.endpointIds = {};
    const s3 = new ec2.VpcEndpoint(`${name}-s3`, {
      vpcId: args.vpcId,
      serviceName: endpointServiceName(args.partition, args.region, "s3"),
      vpcEndpointType: "Gateway",
      routeTableIds: args.routeTableIds,
      tags: { Name: `${args.namePrefix}-s3` },
    }, parent);
    this.endpointIds.s3 = s3.id;

    for (const service of args.services) {
      const ep = new ec2.VpcEndpoint(`${name}-${service.replace(/\./g, "-")}`, {
        vpcId: args.vpcId,
        serviceName: endpointServiceName(args.partition, args.region, service),
        vpcEndpointType: "Interface",
        subnetIds: args.subnetIds,
        securityGroupIds: [sg.id],
        // The service's public hostname resolves to the endpoint inside the VPC, so SDKs and
        // kubelet need no endpoint configuration.
        privateDnsEnabled: true,
        tags: { Name: `${args.namePrefix}-${service}` },
      }, parent);
      this.endpointIds[service] = ep.id;
    }
    this.registerOutputs({ securityGroupId: this.securityGroupId, endpointIds: this.endpointIds });
  }
}
