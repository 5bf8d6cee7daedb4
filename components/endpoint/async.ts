/**
 * @internal The endpoint's side of asynchronous inference: the EndpointConfig's AsyncInferenceConfig, the SNS
 * topics SageMaker notifies, and what the execution role may do with the bucket and the topics.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ASYNC_MAX_INPUT_BYTES } from "../../contract/async";
import { asyncObjectArns, asyncS3Uri } from "../artifacts/async-storage";
import type { ArtifactBucket } from "../artifacts/model-artifacts";
import type { Statement } from "../iam";
import type { AsyncSettings } from "./defaults";

/** @internal The topics SageMaker notifies; each unset when it notifies none. */
export interface AsyncTopics {
    successTopic?: pulumi.Input<string>;
    errorTopic?: pulumi.Input<string>;
}

/**
 * @internal The notification topics: those given by ARN, and with `createTopics` one created for each not given,
 * encrypted with the bucket's KMS key when there is one (the execution role may then use the key to publish).
 */
export function asyncTopics(
    name: string,
    async: AsyncSettings,
    kmsKeyArn: string | undefined,
    tags: { [key: string]: string },
    parent: pulumi.Resource,
): AsyncTopics {
    const notifications = async.notifications;
    if (!notifications) {
        return {};
    }
    const topic = (which: "success" | "error", given: string | undefined): pulumi.Input<string> | undefined => {
        if (given !== undefined) return given;
        if (!notifications.createTopics) return undefined;
        return new aws.sns.Topic(`${name}-async-${which}`, { kmsMasterKeyId: kmsKeyArn, tags }, { parent }).arn;
    };
    return { successTopic: topic("success", notifications.successTopicArn), errorTopic: topic("error", notifications.errorTopicArn) };
}

/**
 * @internal The EndpointConfig's `asyncInferenceConfig` ("AsyncInferenceConfig", SageMaker API Reference):
 * results and failures under their prefixes of the artifact bucket, encrypted with its KMS key when there is
 * one, the topics, and the per-instance concurrency when set. The failure path is always set, so a failed
 * request leaves an object the API can answer from rather than only a log line.
 */
export function asyncInferenceConfig(
    async: AsyncSettings,
    bucketName: pulumi.Input<string>,
    kmsKeyArn: string | undefined,
    topics: AsyncTopics,
) {
    const notify = topics.successTopic !== undefined || topics.errorTopic !== undefined;
    return {
        outputConfig: {
            s3OutputPath: asyncS3Uri(bucketName, "outputs"),
            s3FailurePath: asyncS3Uri(bucketName, "failures"),
            kmsKeyId: kmsKeyArn,
            notificationConfig: notify ? { successTopic: topics.successTopic, errorTopic: topics.errorTopic } : undefined,
        },
        clientConfig:
            async.maxConcurrentInvocationsPerInstance !== undefined
                ? { maxConcurrentInvocationsPerInstance: async.maxConcurrentInvocationsPerInstance }
                : undefined,
    };
}

/**
 * @internal The same config as the generation sees it (generation.ts): the whole block replaces an
 * EndpointConfiguration (terraform-provider-aws endpoint_configuration.go: `async_inference_config` is
 * ForceNew). The bucket is the component's own, auto-named with no input that replaces it; a created topic is
 * named by what creates it.
 */
export function asyncGenerationKey(name: string, async: AsyncSettings, kmsKeyArn: string | undefined) {
    const notifications = async.notifications;
    const topic = (which: string, given: string | undefined) =>
        given ?? (notifications?.createTopics ? `${name}-async-${which}` : undefined);
    return asyncInferenceConfig(async, `${name}-artifacts`, kmsKeyArn, {
        successTopic: topic("success", notifications?.successTopicArn),
        errorTopic: topic("error", notifications?.errorTopicArn),
    });
}

/**
 * @internal What the execution role needs for asynchronous requests: SageMaker reads each input and writes each
 * result with it ("Create an asynchronous inference endpoint", prerequisites, SageMaker Developer Guide). AWS's
 * example grants the whole bucket; here the role reads only the input prefixes, writes only the result
 * prefixes (with AbortMultipartUpload: a result of up to 1 GB may be uploaded in parts), and publishes to
 * exactly the topics ("In order to receive Amazon SNS notifications, your IAM role must have sns:Publish
 * permissions", "Check prediction results").
 */
export function asyncEndpointRoleStatements(storage: ArtifactBucket, topics: AsyncTopics): Statement[] {
    const statements: Statement[] = [
        {
            Sid: "ReadAsyncInputs",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: asyncObjectArns(storage.bucket.arn, ["inputs", "uploads"]),
        },
        {
            Sid: "WriteAsyncResults",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
            Resource: asyncObjectArns(storage.bucket.arn, ["outputs", "failures"]),
        },
    ];
    const topicArns = [topics.successTopic, topics.errorTopic].filter((t): t is pulumi.Input<string> => t !== undefined);
    if (topicArns.length > 0) {
        statements.push({ Sid: "PublishAsyncNotifications", Effect: "Allow", Action: ["sns:Publish"], Resource: topicArns });
    }
    return statements;
}

/**
 * @internal The serving container's environment on an asynchronous endpoint, under the user's own
 * `endpoint.environment`: bodies up to the 1 GB an asynchronous input may be ("Asynchronous inference",
 * SageMaker Developer Guide) rather than InvokeEndpoint's 6 MB, and an answer within the hour
 * InvocationTimeoutSeconds allows at most ("InvokeEndpointAsync", SageMaker Runtime API Reference) rather than
 * 60 s. AWS's own containers need the same raised for asynchronous use ("How to create an Asynchronous
 * Inference Endpoint", its table of MMS and TorchServe variables). The server's deadline for reading a body
 * is raised too: its 60 s default is sized for 6 MB, and 1 GB arrives in many times that.
 */
export function asyncContainerEnvironment(): { [key: string]: string } {
    return {
        MODELAPI_MAX_BODY_BYTES: String(ASYNC_MAX_INPUT_BYTES),
        SAGEMAKER_MODEL_SERVER_TIMEOUT: "3600",
        MODELAPI_BODY_TIMEOUT: "900",
    };
}
