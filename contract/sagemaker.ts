/**
 * SageMaker's side of the data path: endpoint kinds, the production variant, multi-model target names,
 * the headers of InvokeEndpoint, and the wire shape of its errors (what the AWS SDK deserialises).
 */

export const ENDPOINT_KINDS = ["realtime", "serverless", "async"] as const;
/**
 * A real-time (instance-backed), a serverless or an asynchronous endpoint; payload limits depend on it.
 * An asynchronous endpoint "can only receive asynchronous invocations" ("Asynchronous inference",
 * SageMaker Developer Guide), so its API answers with 202 and a prediction id.
 */
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

/** The endpoint's only production variant; autoscaling addresses it by this name. */
export const PRODUCTION_VARIANT = "AllTraffic";

const ARCHIVE_SUFFIX = ".tar.gz";

/** A multi-model endpoint's `TargetModel` for a model: its archive's name under the shared prefix. */
export function targetModelName(modelName: string): string {
    return `${modelName}${ARCHIVE_SUFFIX}`;
}

/** The model name of a `TargetModel`: `iris.tar.gz` → `iris`. */
export function modelNameOfTarget(target: string): string {
    return target.endsWith(ARCHIVE_SUFFIX) ? target.slice(0, -ARCHIVE_SUFFIX.length) : target;
}

/** Header names, lower-case (HTTP header names are case-insensitive). */
export const HEADERS = {
    /** API Gateway's API key header (apiKeySource HEADER). */
    apiKey: "x-api-key",
    /** Passed to the model and back untouched (InvokeEndpoint `CustomAttributes`). */
    customAttributes: "x-amzn-sagemaker-custom-attributes",
    targetModel: "x-amzn-sagemaker-target-model",
    invokedVariant: "x-amzn-invoked-production-variant",
    errorType: "x-amzn-errortype",
    requestId: "x-amzn-requestid",
} as const;

/**
 * InvokeEndpointAsync's own header names, lower-case: the request's (the SDK sends ContentType and Accept
 * as these, not as Content-Type and Accept) and the answer's output and failure locations
 * (@aws-sdk/client-sagemaker-runtime 3.1162.0, InvokeEndpointAsyncInput and InvokeEndpointAsyncOutput).
 */
export const ASYNC_INVOKE_HEADERS = {
    contentType: "x-amzn-sagemaker-content-type",
    accept: "x-amzn-sagemaker-accept",
    inferenceId: "x-amzn-sagemaker-inference-id",
    inputLocation: "x-amzn-sagemaker-inputlocation",
    requestTtlSeconds: "x-amzn-sagemaker-requestttlseconds",
    invocationTimeoutSeconds: "x-amzn-sagemaker-invocationtimeoutseconds",
    outputLocation: "x-amzn-sagemaker-outputlocation",
    failureLocation: "x-amzn-sagemaker-failurelocation",
} as const;

/** Stand-in account id for the local twin and its tests; there is no account locally. */
export const LOCAL_ACCOUNT_ID = "000000000000";
export const LOCAL_REGION = "us-east-1";

/** The error types InvokeEndpoint answers with (SageMaker Runtime API reference, "Errors"). */
export type SageMakerErrorType =
    | "ModelError"
    | "ValidationError"
    | "ModelNotReadyException"
    | "ServiceUnavailable"
    | "InternalFailure"
    | "InternalDependencyException"
    | "ThrottlingException"
    | "UnknownOperationException";

export interface WireError {
    status: number;
    headers: Record<string, string>;
    body: string;
}

/**
 * InvokeEndpoint's `CustomAttributes`, passed to the model and back in this header: "no more than 1024
 * visible US-ASCII characters as specified in Section 3.3.6 Field Value Components of the Hypertext
 * Transfer Protocol (HTTP/1.1)" (SageMaker Runtime API reference, InvokeEndpoint), spaces and tabs between them.
 */
export const CUSTOM_ATTRIBUTES_MAX_LENGTH = 1024;
const CUSTOM_ATTRIBUTES_CHARS = /^[\x20-\x7E\t]*$/;

/** Why `value` cannot be custom attributes, or undefined when it can; the value itself is never quoted (it may be secret). */
export function customAttributesProblem(value: string): string | undefined {
    if (value.length > CUSTOM_ATTRIBUTES_MAX_LENGTH) {
        return `${value.length} characters, more than the ${CUSTOM_ATTRIBUTES_MAX_LENGTH} SageMaker accepts`;
    }
    if (!CUSTOM_ATTRIBUTES_CHARS.test(value)) return "characters other than visible US-ASCII, spaces and tabs, which SageMaker refuses";
    return undefined;
}

/** An InvokeEndpoint error with the JSON body `body`, its type in `x-amzn-ErrorType`, as the service sends it (REST-JSON). */
function wireError(type: SageMakerErrorType, status: number, body: Record<string, unknown>): WireError {
    return {
        status,
        headers: {
            "Content-Type": "application/json",
            "x-amzn-ErrorType": `${type}:http://internal.amazon.com/coral/com.amazonaws.sagemaker/`,
        },
        body: JSON.stringify(body),
    };
}

/**
 * An InvokeEndpoint error other than ModelError: the message in `message`, extra fields beside it. Both
 * AWS SDKs read the type from `x-amzn-ErrorType` first and the message from `message` or `Message`
 * (@aws-sdk/core's REST-JSON protocol, botocore's parsers.py).
 */
export function sageMakerError(type: SageMakerErrorType, status: number, message: string, fields: Record<string, unknown> = {}): WireError {
    return wireError(type, status, { ...fields, message });
}

/** ModelError's `ErrorCode` when the container answered 4xx, as SageMaker sends it. */
export const CLIENT_ERROR_FROM_MODEL = "CLIENT_ERROR_FROM_MODEL";

/**
 * SageMaker's answer when the container returned a non-2xx: always 424 ModelError, the container's own
 * status and body inside. An `originalStatus` of 0 is a container that did not answer in time. The body
 * has the fields and spelling of a real one (quoted in opensearch-project/skills, PPLToolTests.java):
 * `ErrorCode` `CLIENT_ERROR_FROM_MODEL` for a 4xx, `LogStreamArn`, `Message`, `OriginalMessage`,
 * `OriginalStatusCode`. No source shows the `ErrorCode` of a 5xx, so none is made up for it.
 */
export function modelError(
    endpointName: string,
    originalStatus: number,
    originalMessage: string,
    account = LOCAL_ACCOUNT_ID,
    region = LOCAL_REGION,
): WireError {
    const client = originalStatus >= 400 && originalStatus < 500;
    const logGroup = `/aws/sagemaker/Endpoints/${endpointName}`;
    return wireError("ModelError", 424, {
        ...(client ? { ErrorCode: CLIENT_ERROR_FROM_MODEL } : {}),
        LogStreamArn: `arn:aws:logs:${region}:${account}:log-group:${logGroup}`,
        Message: `Received ${client ? "client" : "server"} error (${originalStatus}) from primary with message "${originalMessage}". See https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logEventViewer:group=${logGroup} in account ${account} for more information.`,
        OriginalMessage: originalMessage,
        OriginalStatusCode: originalStatus,
    });
}
