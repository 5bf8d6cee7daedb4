/**
 * The one SageMaker Runtime client of this container, and the single call made with it.
 * Created on first use, not at import, so loading the module has no side effects and the
 * local twin can set AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME (which the SDK reads itself) beforehand.
 */
import { InvokeEndpointAsyncCommand, InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import type { ModelRequest, ModelResponse } from "./payload";

/**
 * One retry absorbs a dropped keep-alive socket or a brief throttle; more would spend the
 * caller's time budget inside the Lambda instead of letting the caller act on a 503.
 * AWS_MAX_ATTEMPTS still overrides it, as everywhere in the SDK.
 */
const DEFAULT_MAX_ATTEMPTS = 2;

/** A connection that takes longer than this is not coming; fail into a retry. */
const CONNECTION_TIMEOUT_MS = 3_000;

let client: SageMakerRuntimeClient | undefined;
let clientKey = "";

/**
 * The container-wide client; exported so a warm-up or benchmark can construct it ahead of a request.
 * In Lambda the environment never changes, so this is built once. A process hosting several local
 * twins (or tests) in turn changes the endpoint URL between them; the client follows it.
 */
export function getClient(): SageMakerRuntimeClient {
    const env = process.env;
    const key = [env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, env.AWS_ENDPOINT_URL, env.AWS_REGION, env.AWS_MAX_ATTEMPTS].join("|");
    if (client === undefined || key !== clientKey) {
        client?.destroy();
        client = new SageMakerRuntimeClient({
            maxAttempts: env.AWS_MAX_ATTEMPTS ? undefined : DEFAULT_MAX_ATTEMPTS,
            requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS },
        });
        clientKey = key;
    }
    return client;
}

export interface InvokeTarget {
    endpointName: string;
    /** Multi-model endpoints only: the artifact to route to, `{name}.tar.gz`. */
    targetModel?: string;
    /** A production variant the caller pinned (`TargetVariant`); otherwise SageMaker picks one by weight. */
    targetVariant?: string;
    /** Recorded with the request and answer by data capture, so records of every variant join on it. */
    inferenceId?: string;
    /** The whole call, retries included, is abandoned after this; the SDK then throws AbortError. */
    timeoutMs: number;
}

export async function invokeModel(req: ModelRequest, target: InvokeTarget): Promise<ModelResponse> {
    const out = await getClient().send(
        new InvokeEndpointCommand({
            EndpointName: target.endpointName,
            TargetModel: target.targetModel,
            TargetVariant: target.targetVariant,
            InferenceId: target.inferenceId,
            Body: req.body,
            ContentType: req.contentType,
            Accept: req.accept,
            CustomAttributes: req.customAttributes,
        }),
        { abortSignal: AbortSignal.timeout(target.timeoutMs) },
    );
    return {
        body: out.Body ?? new Uint8Array(0),
        contentType: out.ContentType,
        customAttributes: out.CustomAttributes,
        invokedVariant: out.InvokedProductionVariant,
    };
}

/** What an asynchronous invocation sends: the input inline (≤ 128,000 bytes) or where it is in S3, never both. */
export interface AsyncModelRequest {
    contentType: string;
    accept: string;
    customAttributes?: string;
    body?: Uint8Array;
    inputLocation?: string;
    inferenceId: string;
    /** How long the request may wait in the endpoint's queue (60..21600 s). */
    requestTtlSeconds: number;
    /** How long the model may take once it has the request (1..3600 s). */
    invocationTimeoutSeconds: number;
}

export interface AsyncInvocation {
    /** Where SageMaker will write the model's answer (`s3://…`). */
    outputLocation: string;
    /** Where SageMaker will write the model's error (`s3://…`). */
    failureLocation?: string;
}

/** Queues one request on an asynchronous endpoint ("InvokeEndpointAsync", SageMaker Runtime API Reference). */
export async function invokeModelAsync(req: AsyncModelRequest, endpointName: string, timeoutMs: number): Promise<AsyncInvocation> {
    const out = await getClient().send(
        new InvokeEndpointAsyncCommand({
            EndpointName: endpointName,
            ContentType: req.contentType,
            Accept: req.accept,
            CustomAttributes: req.customAttributes,
            InferenceId: req.inferenceId,
            InputLocation: req.inputLocation,
            Body: req.body,
            RequestTTLSeconds: req.requestTtlSeconds,
            InvocationTimeoutSeconds: req.invocationTimeoutSeconds,
        }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    if (!out.OutputLocation) throw new Error("InvokeEndpointAsync answered without an OutputLocation");
    return { outputLocation: out.OutputLocation, failureLocation: out.FailureLocation };
}
