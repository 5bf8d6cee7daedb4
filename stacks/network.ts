/**
 * A private network for the stack's APIs, from one setting (`modelapi:network: {createVpc: true}`): an
 * awsx VPC whose subnets have no route to the internet (isolated subnets: no NAT, and no route to the
 * internet gateway awsx attaches to every VPC), and the VPC
 * endpoints a network-isolated model needs to start and log there: S3 (gateway; the model archive), ECR
 * api and dkr (the image), CloudWatch Logs, and SageMaker Runtime when the Lambda runs inside too.
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkArgs } from "../components";

/** What the stack asks of its VPC. */
export interface VpcPlan {
    cidrBlock: string;
    availabilityZoneCount: number;
    functionInVpc: boolean;
}

/** The private network and how the APIs join it. */
export interface PrivateNetwork {
    vpc: awsx.ec2.Vpc;
    /** The ModelApi `network` argument: the private subnets and the workload security group. */
    network: NetworkArgs;
    /** Interface and gateway endpoints, by service. */
    endpoints: Record<string, aws.ec2.VpcEndpoint>;
}

/** Interface endpoints every deployment needs: pulling the image (ECR api and dkr) and writing logs. */
export const INTERFACE_SERVICES = ["ecr.api", "ecr.dkr", "logs"];
/** The interface endpoint the Lambda calls InvokeEndpoint through when it runs in the VPC. */
export const RUNTIME_SERVICE = "sagemaker.runtime";

/**
 * The VPC, two security groups (the workload's, which may reach only the endpoints over HTTPS, and the
 * endpoints', reachable only from the workload), and the endpoints. The subnet ids handed to ModelApi
 * resolve only once every endpoint exists, so SageMaker never starts a model that cannot reach S3 or ECR.
 */
export function privateNetwork(name: string, plan: VpcPlan, tags?: { [key: string]: string }): PrivateNetwork {
    const vpc = new awsx.ec2.Vpc(`${name}-vpc`, {
        cidrBlock: plan.cidrBlock,
        numberOfAvailabilityZones: plan.availabilityZoneCount,
        subnetStrategy: "Auto",
        // Isolated: private subnets whose route tables have no default route at all (awsx still attaches an
        // internet gateway to the VPC, unused here); everything goes through the endpoints below.
        subnetSpecs: [{ type: "Isolated", name: "private" }],
        natGateways: { strategy: "None" },
        // Interface endpoints answer the services' usual names only with DNS support and hostnames on.
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags,
    });
    const subnetIds = vpc.isolatedSubnetIds;
    const routeTableIds = aws.ec2
        .getRouteTablesOutput({ vpcId: vpc.vpcId, filters: [{ name: "association.subnet-id", values: subnetIds }] })
        .apply((found) => found.ids);

    const s3 = new aws.ec2.VpcEndpoint(`${name}-s3-endpoint`, {
        vpcId: vpc.vpcId,
        vpcEndpointType: "Gateway",
        serviceName: serviceName("s3", "Gateway"),
        routeTableIds,
        tags,
    });
    const workload = new aws.ec2.SecurityGroup(`${name}-workload-sg`, {
        vpcId: vpc.vpcId,
        description: "ModelApi model and Lambda: HTTPS to the VPC endpoints only",
        egress: [
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [plan.cidrBlock], description: "interface endpoints" },
            {
                protocol: "tcp",
                fromPort: 443,
                toPort: 443,
                prefixListIds: [s3.prefixListId],
                description: "S3 through the gateway endpoint",
            },
        ],
        tags,
    });
    const endpointGroup = new aws.ec2.SecurityGroup(`${name}-endpoints-sg`, {
        vpcId: vpc.vpcId,
        description: "ModelApi VPC endpoints: HTTPS from the model and Lambda",
        ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [workload.id], description: "model and Lambda" }],
        tags,
    });
    const endpoints: Record<string, aws.ec2.VpcEndpoint> = { s3 };
    const services = plan.functionInVpc ? [...INTERFACE_SERVICES, RUNTIME_SERVICE] : INTERFACE_SERVICES;
    for (const service of services) {
        endpoints[service] = new aws.ec2.VpcEndpoint(`${name}-${service.replace(/\./g, "-")}-endpoint`, {
            vpcId: vpc.vpcId,
            vpcEndpointType: "Interface",
            serviceName: serviceName(service, "Interface"),
            subnetIds,
            securityGroupIds: [endpointGroup.id],
            privateDnsEnabled: true,
            tags,
        });
    }
    const endpointIds = pulumi.all(Object.values(endpoints).map((e) => e.id));
    const ready = pulumi.all([subnetIds, endpointIds]).apply(([ids]) => ids);
    const count = plan.availabilityZoneCount;
    return {
        vpc,
        endpoints,
        network: {
            // One subnet per Availability Zone, as many as planned, so the count is known before deployment.
            subnetIds: Array.from({ length: count }, (_, i) => ready.apply((ids) => ids[i])),
            securityGroupIds: [workload.id],
            functionInVpc: plan.functionInVpc,
        },
    };
}

/** The region's name of an AWS service's endpoint, as AWS reports it (no hand-built names). */
function serviceName(service: string, serviceType: "Gateway" | "Interface"): pulumi.Output<string> {
    return aws.ec2.getVpcEndpointServiceOutput({ service, serviceType }).serviceName;
}
