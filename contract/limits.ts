/**
 * Payload limits: AWS's quotas on the path API Gateway → Lambda → SageMaker, and the request-body
 * limits that follow from them per endpoint kind, for text and for binary bodies. The handler answers
 * 413 above these, so a caller gets that clear answer instead of an opaque failure further down.
 */
import { ASYNC_MAX_INPUT_BYTES } from "./async";
import type { EndpointKind } from "./sagemaker";

const MiB = 1024 * 1024;

/** "Quotas for configuring and running a REST API in API Gateway": payload size 10 MB, not adjustable. */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * MiB;

/**
 * "Lambda quotas": invocation payload of a synchronous invocation, 6 MB for the request and 6 MB for
 * the response. The request is the whole proxy event (headers, context, body), not only the body.
 */
export const LAMBDA_SYNC_PAYLOAD_BYTES = 6 * MiB;

/**
 * InvokeEndpoint's request and response payloads: 6 MB on real-time endpoints ("InvokeEndpoint",
 * SageMaker Runtime API reference), 4 MB on serverless endpoints ("Invoke a serverless endpoint").
 * MB is read as MiB here, as the serving container's own limit is. An asynchronous endpoint takes an
 * input in S3 of up to 1 GB ("Asynchronous inference", SageMaker Developer Guide): the Lambda stores a
 * body too large to pass inline, so only API Gateway and Lambda bound `POST /predict` there, and
 * `POST /uploads` carries the rest.
 */
export const SAGEMAKER_MAX_PAYLOAD_BYTES: Record<EndpointKind, number> = {
    realtime: 6 * MiB,
    serverless: 4 * MiB,
    async: ASYNC_MAX_INPUT_BYTES,
};

/**
 * Room kept in the Lambda event for everything but the body: the request context, and the headers and
 * query string, each twice (single and multi-value maps). A regional API's URL is at most 10240
 * characters ("Quotas for configuring and running a REST API in API Gateway"); ordinary headers are a
 * few KiB. A request with unusually large headers leaves its body less room than this assumes.
 */
export const EVENT_ENVELOPE_RESERVE_BYTES = 64 * 1024;

/**
 * Room a text body needs for JSON escaping inside the event (a newline or a quote takes two bytes):
 * a text body may be this fraction of the event's room for the body.
 */
export const TEXT_BODY_SHARE = 5 / 6;

/** Room kept in the Lambda result for the status, headers and JSON envelope around the answer. */
export const RESULT_ENVELOPE_RESERVE_BYTES = 8 * 1024;

export interface BodyLimits {
    /** A text body (JSON, CSV), counted in bytes as sent. */
    text: number;
    /** A binary body (a binary media type), counted decoded; it travels base64-encoded (4 bytes per 3). */
    binary: number;
}

/** What fits through API Gateway, the Lambda event and InvokeEndpoint, per endpoint kind. */
export function requestBodyLimits(kind: EndpointKind): BodyLimits {
    const room = LAMBDA_SYNC_PAYLOAD_BYTES - EVENT_ENVELOPE_RESERVE_BYTES;
    const sagemaker = SAGEMAKER_MAX_PAYLOAD_BYTES[kind];
    return {
        text: Math.min(Math.floor(room * TEXT_BODY_SHARE), sagemaker, API_GATEWAY_MAX_PAYLOAD_BYTES),
        binary: Math.min(Math.floor(room / 4) * 3, sagemaker, API_GATEWAY_MAX_PAYLOAD_BYTES),
    };
}

/** The largest Lambda result (its JSON, body included) API Gateway receives; past it the caller gets a 502. */
export const MAX_RESULT_JSON_BYTES = LAMBDA_SYNC_PAYLOAD_BYTES - RESULT_ENVELOPE_RESERVE_BYTES;
