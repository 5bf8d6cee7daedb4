import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type EndpointKind, VARIANT_NAMES_ENV } from "../../contract";
import { resolveLambdaBundle } from "../../lambda/bundle";
import { FunctionArgs } from "../args";
import { assumeRolePolicy, logGroupResources, policyDocument, type Statement } from "../iam";
import { ASYNC_BUCKET_ENV, ASYNC_PREFIXES } from "../../contract/async";
import { asyncObjectArns } from "../artifacts/async-storage";
import { ArtifactBucket, multiModelArchiveName } from "../artifacts/model-artifacts";
import { functionVpcStatements, NetworkSettings } from "../endpoint/network";

/** @internal What the function needs to know about the endpoint it calls. */
export interface FunctionTarget {
    endpoint: aws.sagemaker.Endpoint;
    kind: EndpointKind;
    /** Allowed model names in multi-model mode; undefined for one model. */
    modelNames?: string[];
    /** The production variants callers may pin; undefined without `endpoint.variants`. */
    variantNames?: string[];
    /** Origins browsers may call from; undefined when CORS is off. */
    corsAllowOrigins?: string[];
    /** The artifact bucket holding inputs and results, on an asynchronous endpoint. */
    asyncStorage?: ArtifactBucket;
    /** The bucket's KMS key, when it has one. */
    kmsKeyArn?: string;
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
                ...(target.asyncStorage
                    ? asyncFunctionStatements(target.endpoint, target.asyncStorage, target.kmsKeyArn)
                    : [
                          {
                              Sid: "InvokeOwnEndpoint",
                              Effect: "Allow" as const,
                              Action: ["sagemaker:InvokeEndpoint"],
                              Resource: [target.endpoint.arn],
                              // Multi-model: IAM enforces the allow list too, not only the handler.
                              Condition: target.modelNames
                                  ? { StringEquals: { "sagemaker:TargetModel": target.modelNames.map(multiModelArchiveName) } }
                                  : undefined,
                          },
                      ]),
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
    if (target.asyncStorage) {
        environment[ASYNC_BUCKET_ENV] = target.asyncStorage.bucket.bucket;
    }
    if (target.modelNames) {
        environment.MODEL_NAMES = target.modelNames.join(",");
    }
    if (target.variantNames) {
        environment[VARIANT_NAMES_ENV] = target.variantNames.join(",");
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

/**
 * @internal What the function needs on an asynchronous endpoint, each on its prefixes only:
 * - `sagemaker:InvokeEndpointAsync` on the endpoint, an action of its own ("Create an asynchronous inference
 *   endpoint", prerequisites, SageMaker Developer Guide); the endpoint takes no other invocation.
 * - `s3:PutObject` on inputs (bodies too large to send inline), uploads (a presigned URL acts with the
 *   credentials of whoever signed it, "Download and upload objects with presigned URLs", Amazon S3 User Guide)
 *   and its request records.
 * - `s3:GetObject` (HeadObject too) on uploads, results, failures and request records.
 * - `s3:ListBucket` limited to those prefixes: without it S3 answers a key that does not exist yet (a pending
 *   result) with 403 rather than 404 ("HeadObject", "GetObject", Amazon S3 API Reference, Permissions). S3 decides
 *   that with the missing key as `s3:prefix`, so the prefix condition still allows it (observed behaviour that
 *   Ceph's RGW copied to match AWS: ceph/ceph pull request 68577).
 * - with a KMS key, kms:GenerateDataKey to write and kms:Decrypt to read through it (SSE-KMS, Amazon S3 User Guide).
 */
export function asyncFunctionStatements(
    endpoint: aws.sagemaker.Endpoint,
    storage: ArtifactBucket,
    kmsKeyArn: string | undefined,
): Statement[] {
    const listed = ["uploads", "outputs", "failures", "requests"] as const;
    const statements: Statement[] = [
        { Sid: "InvokeOwnEndpointAsync", Effect: "Allow", Action: ["sagemaker:InvokeEndpointAsync"], Resource: [endpoint.arn] },
        {
            Sid: "StoreAsyncInputs",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: asyncObjectArns(storage.bucket.arn, ["inputs", "uploads", "requests"]),
        },
        {
            Sid: "ReadAsyncResults",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: asyncObjectArns(storage.bucket.arn, [...listed]),
        },
        {
            Sid: "ListAsyncResults",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [storage.bucket.arn],
            Condition: { StringLike: { "s3:prefix": listed.map((prefix) => `${ASYNC_PREFIXES[prefix]}*`) } },
        },
    ];
    if (kmsKeyArn) {
        statements.push({ Sid: "UseBucketKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: [kmsKeyArn] });
    }
    return statements;
}
