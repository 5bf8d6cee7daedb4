/**
 * @internal Private networking: the checks SageMaker and Lambda apply to a VPC configuration, made before
 * anything is created, and the EC2 permissions each service's role needs for its network interfaces.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ModelApiArgs } from "../args";
import type { Report } from "../checks";
import { Statement } from "../iam";

/** @internal The network settings, defaults applied. */
export interface NetworkSettings {
    subnetIds: pulumi.Input<string>[];
    securityGroupIds: pulumi.Input<string>[];
    functionInVpc: boolean;
}

/** @internal SageMaker's VpcConfig takes 1 to 16 subnets and 1 to 5 security groups (CreateModel, VpcConfig). */
export const MAX_SUBNETS = 16;
/** @internal */
export const MAX_SECURITY_GROUPS = 5;
/**
 * @internal "You must create at least two subnets in different availability zones in your private VPC, even
 * if you have only one hosting instance" (AWS, Give SageMaker Hosted Endpoints Access to Resources in Your
 * Amazon VPC).
 */
export const MIN_SUBNETS = 2;

const SUBNET_ID = /^subnet-[0-9a-z]+$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-z]+$/;

/** @internal Reports everything about a network SageMaker or Lambda would refuse. */
export function validateNetwork(args: ModelApiArgs, report: Report): void {
    const network = args.network;
    if (network === undefined || network === null) {
        return;
    }
    if (args.endpoint?.serverless) {
        // AWS, Serverless Inference, "Feature exclusions": VPC configuration is not supported.
        report("network", `cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not support VPC configuration`);
    }
    const { subnetIds, securityGroupIds } = network;
    if (!Array.isArray(subnetIds) || subnetIds.length < MIN_SUBNETS || subnetIds.length > MAX_SUBNETS) {
        report(
            "network.subnetIds",
            `must list ${MIN_SUBNETS} to ${MAX_SUBNETS} subnets in at least two Availability Zones ` +
                `(SageMaker asks for two even for one instance); got ${Array.isArray(subnetIds) ? subnetIds.length : JSON.stringify(subnetIds)}`,
        );
    }
    if (!Array.isArray(securityGroupIds) || securityGroupIds.length < 1 || securityGroupIds.length > MAX_SECURITY_GROUPS) {
        report(
            "network.securityGroupIds",
            `must list 1 to ${MAX_SECURITY_GROUPS} security groups; got ${Array.isArray(securityGroupIds) ? securityGroupIds.length : JSON.stringify(securityGroupIds)}`,
        );
    }
    // Outputs (a VPC made in the same program) are checked by AWS; plain ids here.
    const subnets = Array.isArray(subnetIds) ? subnetIds : [];
    subnets.forEach((id, i) => {
        if (typeof id === "string" && !SUBNET_ID.test(id)) report(`network.subnetIds[${i}]`, `"${id}" is not a subnet id (subnet-...)`);
    });
    (Array.isArray(securityGroupIds) ? securityGroupIds : []).forEach((id, i) => {
        if (typeof id === "string" && !SECURITY_GROUP_ID.test(id))
            report(`network.securityGroupIds[${i}]`, `"${id}" is not a security group id (sg-...)`);
    });
    const plain = subnets.filter((id): id is string => typeof id === "string");
    if (new Set(plain).size !== plain.length) {
        report("network.subnetIds", `lists a subnet more than once`);
    }
}

/** @internal The network settings of `args`, or undefined when the API is not in a VPC. */
export function networkSettings(args: ModelApiArgs): NetworkSettings | undefined {
    const network = args.network;
    return network
        ? {
              subnetIds: [...network.subnetIds],
              securityGroupIds: [...network.securityGroupIds],
              functionInVpc: network.functionInVpc ?? false,
          }
        : undefined;
}

/**
 * @internal What SageMaker needs to attach a hosted model to the VPC, as listed by AWS ("Give SageMaker
 * Hosted Endpoints Access to Resources in Your Amazon VPC", section on permissions for containers in a
 * VPC). SageMaker creates the network interfaces itself, so their ids and ARNs exist only afterwards; the
 * Describe actions accept no resource but "*" (Service Authorization Reference, Amazon EC2). Both
 * statements are therefore on "*", each action named, none wildcarded, and the role can be assumed by
 * SageMaker only.
 */
export function modelVpcStatements(): Statement[] {
    return [
        {
            Sid: "DescribeVpcForModel",
            Effect: "Allow",
            Action: [
                "ec2:DescribeVpcs",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeNetworkInterfaces",
            ],
            Resource: ["*"],
        },
        {
            Sid: "ManageModelNetworkInterfaces",
            Effect: "Allow",
            Action: [
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            Resource: ["*"],
        },
    ];
}

/**
 * @internal What a Lambda function in a VPC needs for its network interfaces: the actions of AWS's
 * AWSLambdaVPCAccessExecutionRole ("Giving Lambda functions access to resources in an Amazon VPC"), which
 * AWS grants on "*" as the interfaces are created by Lambda and their ids are not known beforehand.
 */
export function functionVpcStatements(): Statement[] {
    return [
        {
            Sid: "DescribeVpcForFunction",
            Effect: "Allow",
            Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            Resource: ["*"],
        },
        {
            Sid: "ManageFunctionNetworkInterfaces",
            Effect: "Allow",
            Action: [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            Resource: ["*"],
        },
    ];
}
