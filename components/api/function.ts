import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { resolveLambdaBundle } from "../../lambda/bundle";
import { FunctionArgs } from "../args";
import { assumeRolePolicy, logGroupResources, policyDocument } from "../iam";
import { multiModelArchiveName } from "../artifacts/model-artifacts";
import { functionVpcStatements, NetworkSettings } from "../endpoint/network";

/** @internal What the function needs to know about the endpoint it calls. */
export interface FunctionTarget {
    endpoint: aws.sagemaker.Endpoint;
    kind: import("../../contract").EndpointKind;
    /** Allowed model names in multi-model mode; undefined for one model. */
    modelNames?: string[];
    /** Origins browsers may call from; undefined when CORS is off. */
    corsAllowOrigins?: string[];
}

/**
 * @internal The Lambda between API Gateway and SageMaker: the prebuilt deterministic esbuild bundle as a
 * file archive, a role that may invoke only this endpoint and write only its own log group, and that log
 * group with a retention.
 */
export function apiFunction(
    name: string,
    target: FunctionTarget,
    settings: Required<FunctionArgs>,
    tags: { [key: string]: string },
    parent: pulumi.Resource,
    network?: NetworkSettings,
): aws.lambda.Function {
    const vpc = network?.functionInVpc ? network : undefined;
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-function-logs`, { retentionInDays: settings.logRetentionDays, tags }, { parent });
    const role = new aws.iam.Role(
        `${name}-function-role`,
        { assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"), tags },
        { parent },
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-function-policy`,
        {
            role: role.id,
            policy: policyDocument([
                {
                    Sid: "InvokeOwnEndpoint",
                    Effect: "Allow",
                    Action: ["sagemaker:InvokeEndpoint"],
                    Resource: [target.endpoint.arn],
                    // Multi-model: IAM enforces the allow list too, not only the handler.
                    Condition: target.modelNames
                        ? { StringEquals: { "sagemaker:TargetModel": target.modelNames.map(multiModelArchiveName) } }
                        : undefined,
                },
                {
                    Sid: "WriteOwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: logGroupResources(logGroup.arn),
                },
                ...(vpc ? functionVpcStatements() : []),
            ]),
        },
        { parent },
    );
    const environment: { [key: string]: pulumi.Input<string> } = {
        ENDPOINT_NAME: target.endpoint.name,
        ENDPOINT_KIND: target.kind,
    };
    if (target.modelNames) {
        environment.MODEL_NAMES = target.modelNames.join(",");
    }
    if (target.corsAllowOrigins) {
        environment.CORS_ALLOW_ORIGINS = target.corsAllowOrigins.join(",");
    }
    return new aws.lambda.Function(
        `${name}-function`,
        {
            runtime: aws.lambda.Runtime.NodeJS22dX,
            architectures: ["arm64"],
            handler: "index.handler",
            code: new pulumi.asset.FileArchive(resolveLambdaBundle()),
            role: role.arn,
            timeout: settings.timeoutSeconds,
            memorySize: settings.memorySizeMb,
            environment: { variables: environment },
            vpcConfig: vpc ? { subnetIds: vpc.subnetIds, securityGroupIds: vpc.securityGroupIds } : undefined,
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            tags,
        },
        // Without its permissions in place the first invocations would fail or log nowhere.
        { parent, dependsOn: [policy] },
    );
}
