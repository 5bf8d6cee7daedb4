/**
 * The one S3 client of this container and the few calls an asynchronous API makes with it: store an
 * input, read a ticket or a result, look for an object, and presign a PUT (uploads) or a GET (large
 * results). Created on first use, like the SageMaker Runtime client, so the local twin can point it at its
 * local S3 through AWS_ENDPOINT_URL_S3 beforehand.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

/** As for SageMaker Runtime (client.ts): one retry absorbs a dropped socket; AWS_MAX_ATTEMPTS overrides it. */
const DEFAULT_MAX_ATTEMPTS = 2;
const CONNECTION_TIMEOUT_MS = 3_000;

let client: S3Client | undefined;
let clientKey = "";

/** The container-wide S3 client; rebuilt when the endpoint settings change (tests and twins in one process). */
export function getS3Client(): S3Client {
    const env = process.env;
    const key = [env.AWS_ENDPOINT_URL_S3, env.AWS_ENDPOINT_URL, env.AWS_REGION, env.AWS_MAX_ATTEMPTS].join("|");
    if (client === undefined || key !== clientKey) {
        client?.destroy();
        client = new S3Client({
            maxAttempts: env.AWS_MAX_ATTEMPTS ? undefined : DEFAULT_MAX_ATTEMPTS,
            requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS },
            // A local S3 on 127.0.0.1 has no per-bucket host names; AWS itself serves virtual-hosted style.
            forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL),
            // With the SDK's default (WHEN_SUPPORTED, since 3.729.0) a presigned PUT carries the CRC32 of an
            // empty body, which stores that check checksums refuse (aws/aws-sdk-js-v3 #6810); only send
            // checksums an operation requires.
            requestChecksumCalculation: "WHEN_REQUIRED",
            responseChecksumValidation: "WHEN_REQUIRED",
        });
        clientKey = key;
    }
    return client;
}

export interface StoredObject {
    body: Uint8Array;
    contentType?: string;
}

export interface ObjectHead {
    size: number;
    contentType?: string;
}

/** S3 answers 404 (`NoSuchKey` for GetObject, `NotFound` for HeadObject) when the caller may list the bucket. */
function isMissing(err: unknown): boolean {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e?.name === "NoSuchKey" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404;
}

export async function putObject(bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    await getS3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

/** The object's bytes and type, or undefined when there is no such object. */
export async function getObject(bucket: string, key: string): Promise<StoredObject | undefined> {
    try {
        const out = await getS3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
        return { body, contentType: out.ContentType };
    } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
    }
}

/** The object's size and type, or undefined when there is no such object. */
export async function headObject(bucket: string, key: string): Promise<ObjectHead | undefined> {
    try {
        const out = await getS3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { size: out.ContentLength ?? 0, contentType: out.ContentType };
    } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
    }
}

/**
 * A URL to PUT exactly `contentLength` bytes to `key` for `expiresInSeconds`. The length is signed
 * (`X-Amz-SignedHeaders=content-length;host`), so S3 refuses a body of any other size.
 */
export async function presignPut(
    bucket: string,
    key: string,
    contentLength: number,
    contentType: string,
    expiresInSeconds: number,
): Promise<string> {
    const command = new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: contentLength, ContentType: contentType });
    return getSignedUrl(getS3Client(), command, { expiresIn: expiresInSeconds, signableHeaders: new Set(["content-length"]) });
}

/** A URL to GET `key` for `expiresInSeconds`, answered with `contentType`. */
export async function presignGet(bucket: string, key: string, contentType: string, expiresInSeconds: number): Promise<string> {
    const command = new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentType: contentType });
    return getSignedUrl(getS3Client(), command, { expiresIn: expiresInSeconds });
}

/** `s3://bucket/some/key` → its bucket and key; undefined for anything else. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    return m ? { bucket: m[1], key: m[2] } : undefined;
}

export function s3Uri(bucket: string, key: string): string {
    return `s3://${bucket}/${key}`;
}
