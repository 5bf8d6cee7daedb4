/**
 * The routes of an asynchronous API. `POST /predict` and `POST /uploads/{id}/predict` queue the input on
 * the endpoint with InvokeEndpointAsync and answer 202 with an id; `GET /predictions/{id}` looks in S3 for
 * the answer or the failure SageMaker wrote; `POST /uploads` hands out a presigned PUT for inputs larger
 * than API Gateway carries. Each request leaves a ticket in S3 (where its answer will be, and until when),
 * so the Lambda keeps no state of its own.
 */
import { randomBytes } from "node:crypto";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import {
    ASYNC_INLINE_BODY_BYTES,
    ASYNC_MAX_INPUT_BYTES,
    ASYNC_PREFIXES,
    DEFAULT_CONTENT_TYPE,
    MAX_RESULT_JSON_BYTES,
    mediaType,
    REQUEST_CONTENT_TYPES,
} from "../contract";
import { chooseAccept } from "./accept";
import { invokeModelAsync } from "./client";
import { ConfigError, type HandlerConfig } from "./config";
import { fromInvokeError, HttpError, modelMessage } from "./errors";
import { elapsedMs } from "./log";
import { customAttributes, decodeBody, header, modelResult, readModelRequest, requestMediaType } from "./payload";
import type { RouteRequest } from "./route-handlers";
import { getObject, headObject, parseS3Uri, presignGet, presignPut, putObject, s3Uri } from "./s3";

/**
 * How long a request may wait in the endpoint's queue: SageMaker's default and maximum, 6 hours
 * (`RequestTTLSeconds`, 60..21600, "InvokeEndpointAsync", SageMaker Runtime API Reference).
 */
export const REQUEST_TTL_SECONDS = 21_600;
/** How long the model may work on one request: SageMaker's default, 15 minutes (`InvocationTimeoutSeconds`, 1..3600). */
export const INVOCATION_TIMEOUT_SECONDS = 900;
/** Lifetime of an upload URL; presigned with the Lambda's temporary credentials, it cannot outlive them anyway. */
export const UPLOAD_URL_SECONDS = 900;
/** Lifetime of the presigned GET a large answer redirects to. */
export const RESULT_URL_SECONDS = 900;
/** Seconds a caller should wait between polls. */
export const POLL_AFTER_SECONDS = 5;

/** 128 random bits, hex: an id nobody can guess, usable as an S3 key, a URL segment and an InferenceId. */
const ID_PATTERN = /^[0-9a-f]{32}$/;

export function newId(): string {
    return randomBytes(16).toString("hex");
}

/** What the Lambda records about one queued request, at `ASYNC_PREFIXES.requests/<id>.json`. */
export interface Ticket {
    id: string;
    /** Where SageMaker writes the answer, as InvokeEndpointAsync returned it (its key is not derived from the id). */
    outputLocation: string;
    failureLocation?: string;
    /** The answer type asked for, which the answer is served as when S3 has no type for it. */
    accept: string;
    createdAt: string;
    /** After this the request has left the queue or the model unanswered: queue TTL plus invocation timeout. */
    deadline: string;
}

function bucketOf(config: HandlerConfig): string {
    if (!config.asyncBucket) throw new ConfigError("ASYNC_BUCKET is not set on an asynchronous API");
    return config.asyncBucket;
}

function endpointOf(config: HandlerConfig): string {
    if (!config.endpointName) throw new ConfigError("ENDPOINT_NAME is not set");
    return config.endpointName;
}

/** `POST /predict`: the body inline when InvokeEndpointAsync can carry it, else stored under inputs/ first. */
export async function predictAsync({ event, config, log }: RouteRequest): Promise<APIGatewayProxyResult> {
    endpointOf(config);
    const bucket = bucketOf(config);
    const body = decodeBody(event);
    log.requestBytes = body.length;
    const request = readModelRequest(event, body, config.bodyLimits);
    const id = newId();
    let inputLocation: string | undefined;
    if (body.length > ASYNC_INLINE_BODY_BYTES) {
        const key = `${ASYNC_PREFIXES.inputs}${id}`;
        await putObject(bucket, key, body, request.contentType);
        inputLocation = s3Uri(bucket, key);
    }
    return startPrediction(event, config, log, id, {
        contentType: request.contentType,
        accept: request.accept,
        customAttributes: request.customAttributes,
        body: inputLocation ? undefined : body,
        inputLocation,
    });
}

/** `POST /uploads/{id}/predict`: the uploaded object is the input, its type from Content-Type or the upload. */
export async function predictUploadAsync({ event, config, log, route }: RouteRequest): Promise<APIGatewayProxyResult> {
    endpointOf(config);
    const bucket = bucketOf(config);
    const id = knownId(route.resourceId, "upload");
    const key = `${ASYNC_PREFIXES.uploads}${id}`;
    const head = await headObject(bucket, key);
    if (!head) throw notFound("upload", id);
    if (head.size === 0) throw new HttpError(400, "BadRequest", `Upload ${id} is empty.`);
    log.requestBytes = head.size;
    const contentType = header(event, "content-type")?.trim() || uploadedType(head.contentType) || DEFAULT_CONTENT_TYPE;
    requestMediaType(contentType);
    return startPrediction(event, config, log, newId(), {
        contentType,
        accept: chooseAccept(header(event, "accept")),
        customAttributes: customAttributes(event),
        inputLocation: s3Uri(bucket, key),
    });
}

/**
 * The type stored with an object, unless it is the generic one a store gives an object PUT without a type
 * (AWS S3: `binary/octet-stream`; s3rver: `application/octet-stream`), which says nothing of its data.
 */
function uploadedType(type: string | undefined): string | undefined {
    return type && !GENERIC_TYPES.has(mediaType(type)) ? type : undefined;
}

const GENERIC_TYPES = new Set(["binary/octet-stream", "application/octet-stream"]);

interface AsyncInput {
    contentType: string;
    accept: string;
    customAttributes?: string;
    body?: Uint8Array;
    inputLocation?: string;
}

async function startPrediction(
    event: APIGatewayProxyEvent,
    config: HandlerConfig,
    log: RouteRequest["log"],
    id: string,
    input: AsyncInput,
): Promise<APIGatewayProxyResult> {
    const bucket = bucketOf(config);
    const invokeStart = process.hrtime.bigint();
    let invocation;
    try {
        invocation = await invokeModelAsync(
            { ...input, inferenceId: id, requestTtlSeconds: REQUEST_TTL_SECONDS, invocationTimeoutSeconds: INVOCATION_TIMEOUT_SECONDS },
            endpointOf(config),
            config.invokeTimeoutMs,
        );
    } catch (err) {
        throw fromInvokeError(err);
    } finally {
        log.invokeMs = elapsedMs(invokeStart);
    }
    const created = new Date();
    const ticket: Ticket = {
        id,
        outputLocation: invocation.outputLocation,
        failureLocation: invocation.failureLocation,
        accept: input.accept,
        createdAt: created.toISOString(),
        deadline: new Date(created.getTime() + (REQUEST_TTL_SECONDS + INVOCATION_TIMEOUT_SECONDS) * 1000).toISOString(),
    };
    await putObject(bucket, ticketKey(id), JSON.stringify(ticket), "application/json");
    const location = predictionUrl(event, id);
    return json(202, { id, status: "pending", location }, { Location: location, "Retry-After": String(POLL_AFTER_SECONDS) });
}

function ticketKey(id: string): string {
    return `${ASYNC_PREFIXES.requests}${id}.json`;
}

/** `GET /predictions/{id}`: the answer once SageMaker wrote it, the model's error once it failed, else pending. */
export async function getPrediction({ config, route }: RouteRequest): Promise<APIGatewayProxyResult> {
    const bucket = bucketOf(config);
    const id = knownId(route.resourceId, "prediction");
    const stored = await getObject(bucket, ticketKey(id));
    if (!stored) throw notFound("prediction", id);
    const ticket = JSON.parse(Buffer.from(stored.body).toString("utf8")) as Ticket;

    const output = parseS3Uri(ticket.outputLocation);
    if (!output) throw new ConfigError(`ticket ${id} has no S3 output location`);
    const head = await headObject(output.bucket, output.key);
    if (head) {
        const contentType = uploadedType(head.contentType) ?? ticket.accept;
        if (head.size <= MAX_RESULT_JSON_BYTES) {
            const answer = await getObject(output.bucket, output.key);
            if (answer) {
                try {
                    return modelResult({ body: answer.body, contentType });
                } catch (err) {
                    if (!(err instanceof HttpError && err.code === "ResponseTooLarge")) throw err;
                }
            }
        }
        // Too large for a Lambda answer: the caller fetches it from S3 directly.
        const url = await presignGet(output.bucket, output.key, contentType, RESULT_URL_SECONDS);
        return json(303, { id, status: "done", resultUrl: url }, { Location: url });
    }
    const failure = ticket.failureLocation ? parseS3Uri(ticket.failureLocation) : undefined;
    if (failure) {
        const failed = await getObject(failure.bucket, failure.key);
        if (failed) throw modelFailure(Buffer.from(failed.body).toString("utf8"));
    }
    if (Date.now() > Date.parse(ticket.deadline)) {
        throw new HttpError(504, "GatewayTimeout", `Prediction ${id} did not finish before ${ticket.deadline}.`);
    }
    return json(202, { id, status: "pending" }, { "Retry-After": String(POLL_AFTER_SECONDS) });
}

/**
 * The failure object holds the container's error answer verbatim ("Check prediction results", SageMaker
 * Developer Guide); ours is `{"status", "message"}`. Mapped as a synchronous ModelError is (errors.ts):
 * the model's 4xx passes through with its message, anything else is the contract's 500 ModelFailure.
 */
function modelFailure(text: string): HttpError {
    let status: unknown;
    try {
        status = (JSON.parse(text) as { status?: unknown }).status;
    } catch {
        status = undefined;
    }
    if (typeof status === "number" && status >= 400 && status < 500) {
        return new HttpError(status, "ModelError", modelMessage(text));
    }
    return new HttpError(500, "ModelFailure", "The model failed to process the request.");
}

/** `POST /uploads`: a presigned PUT for exactly `contentLength` bytes of `contentType`. */
export async function createUpload({ event, config }: RouteRequest): Promise<APIGatewayProxyResult> {
    const bucket = bucketOf(config);
    const { contentType, contentLength } = readUploadRequest(event);
    const id = newId();
    const uploadUrl = await presignPut(bucket, `${ASYNC_PREFIXES.uploads}${id}`, contentLength, contentType, UPLOAD_URL_SECONDS);
    const expiresAt = new Date(Date.now() + UPLOAD_URL_SECONDS * 1000).toISOString();
    return json(201, {
        id,
        uploadUrl,
        method: "PUT",
        headers: { "Content-Type": contentType, "Content-Length": String(contentLength) },
        expiresAt,
        predict: `${basePath(event)}/uploads/${id}/predict`,
    });
}

function readUploadRequest(event: APIGatewayProxyEvent): { contentType: string; contentLength: number } {
    let parsed: unknown;
    try {
        parsed = JSON.parse(decodeBody(event).toString("utf8"));
    } catch {
        parsed = undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new HttpError(
            400,
            "BadRequest",
            'The request body must be a JSON object {"contentType": "text/csv", "contentLength": <bytes>}.',
        );
    }
    const { contentType, contentLength } = parsed as { contentType?: unknown; contentLength?: unknown };
    if (typeof contentType !== "string" || !(REQUEST_CONTENT_TYPES as readonly string[]).includes(mediaType(contentType))) {
        throw new HttpError(400, "ValidationError", `contentType must be one of ${REQUEST_CONTENT_TYPES.join(", ")}.`);
    }
    if (typeof contentLength !== "number" || !Number.isSafeInteger(contentLength) || contentLength <= 0) {
        throw new HttpError(400, "ValidationError", "contentLength must be the input's size in bytes, a whole number above 0.");
    }
    if (contentLength > ASYNC_MAX_INPUT_BYTES) {
        throw new HttpError(
            413,
            "PayloadTooLarge",
            `contentLength is ${contentLength} bytes; an asynchronous endpoint takes inputs of at most ${ASYNC_MAX_INPUT_BYTES} bytes.`,
        );
    }
    return { contentType, contentLength };
}

/** An id of the form this API hands out, else a 404 without looking in S3. */
function knownId(id: string | undefined, what: "prediction" | "upload"): string {
    if (id === undefined || !ID_PATTERN.test(id)) throw notFound(what, id ?? "");
    return id;
}

function notFound(what: "prediction" | "upload", id: string): HttpError {
    const shown = ID_PATTERN.test(id) ? ` ${id}` : "";
    return new HttpError(404, "NotFound", `No ${what}${shown} here; it may have expired.`);
}

/**
 * The URL of a prediction, absolute when API Gateway says where it was called: the request context's path
 * is the path the caller used (stage or base path mapping first), `path` the route's part of it.
 */
function predictionUrl(event: APIGatewayProxyEvent, id: string): string {
    const domain = event.requestContext?.domainName;
    const path = `${basePath(event)}/predictions/${id}`;
    if (!domain) return path;
    const proto = header(event, "x-forwarded-proto")?.split(",")[0].trim() || "https";
    return `${proto}://${domain}${path}`;
}

function basePath(event: APIGatewayProxyEvent): string {
    const full = event.requestContext?.path ?? "";
    const route = event.path ?? "";
    return full.endsWith(route) ? full.slice(0, full.length - route.length).replace(/\/$/, "") : "";
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
    return {
        statusCode,
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify(body),
        isBase64Encoded: false,
    };
}
