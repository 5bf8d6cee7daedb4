/**
 * Asynchronous inference: where requests, inputs and results live in the artifact bucket, and what the
 * component tells the Lambda. SageMaker writes results and failures under the EndpointConfig's
 * `AsyncInferenceConfig.OutputConfig` paths ("AsyncInferenceOutputConfig", SageMaker API Reference);
 * the Lambda stores inputs and reads results. The component, the Lambda and the local twin agree on these.
 */

/** Key prefixes inside the artifact bucket; each is its own IAM scope and lifecycle rule. */
export const ASYNC_PREFIXES = {
    /** Bodies of `POST /predict` that the Lambda stores for `InvokeEndpointAsync`'s `InputLocation`. */
    inputs: "async/inputs/",
    /** Objects callers PUT through a presigned URL from `POST /uploads`. */
    uploads: "async/uploads/",
    /** SageMaker's answers (`S3OutputPath`). */
    outputs: "async/outputs/",
    /** SageMaker's failures (`S3FailurePath`). */
    failures: "async/failures/",
    /** The Lambda's record of each request: where its answer or failure will be, and until when. */
    requests: "async/requests/",
} as const;

/** The Lambda's environment on an asynchronous API: the bucket holding the prefixes above. */
export const ASYNC_BUCKET_ENV = "ASYNC_BUCKET";

/** `InvokeEndpointAsync` carries a body inline up to this size ("InvokeEndpointAsync", SageMaker Runtime API Reference). */
export const ASYNC_INLINE_BODY_BYTES = 128_000;

/** An input in S3 may be up to 1 GB ("Asynchronous inference", SageMaker Developer Guide). */
export const ASYNC_MAX_INPUT_BYTES = 1024 * 1024 * 1024;
