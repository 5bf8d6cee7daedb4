/**
 * @internal The artifact bucket's part in asynchronous inference: where inputs and results live (the prefixes
 * of contract/async.ts), how long they stay, and the CORS rule a browser's presigned upload needs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ASYNC_PREFIXES } from "../../contract/async";
import type { ArtifactBucket } from "./model-artifacts";

/** @internal One of the asynchronous prefixes. */
export type AsyncPrefix = keyof typeof ASYNC_PREFIXES;

/**
 * @internal Days an input or upload stays: 1, the shortest S3 expiry ("LifecycleExpiration", Amazon S3 API
 * Reference: a non-zero positive integer). That outlives any request: SageMaker keeps a request queued at most
 * 6 hours (RequestTTLSeconds, at most 21600) and runs it at most 1 hour (InvocationTimeoutSeconds, at most 3600;
 * "InvokeEndpointAsync", SageMaker Runtime API Reference), and S3 rounds an expiry up to the next midnight UTC
 * ("Why is my Amazon S3 Lifecycle rule delayed", AWS re:Post knowledge center).
 */
export const ASYNC_INPUT_EXPIRATION_DAYS = 1;

/** @internal Days an unfinished multipart upload (a large result or upload) is kept under any asynchronous prefix. */
export const ASYNC_ABORT_MULTIPART_DAYS = 1;

/** @internal `s3://bucket/async/outputs`: a prefix as the S3 URI SageMaker writes below, without its final slash. */
export function asyncS3Uri(bucketName: pulumi.Input<string>, prefix: AsyncPrefix): pulumi.Output<string> {
    return pulumi.interpolate`s3://${bucketName}/${ASYNC_PREFIXES[prefix].replace(/\/$/, "")}`;
}

/** @internal The ARN pattern of every object under the prefixes, for IAM statements. */
export function asyncObjectArns(bucketArn: pulumi.Input<string>, prefixes: AsyncPrefix[]): pulumi.Output<string>[] {
    return prefixes.map((prefix) => pulumi.interpolate`${bucketArn}/${ASYNC_PREFIXES[prefix]}*`);
}

/**
 * @internal The bucket's lifecycle rules, one per asynchronous prefix and each filtered on it, so no rule ever
 * touches the model archives or captured data: inputs and uploads go after a day, results, failures and the
 * request records after `resultExpirationDays`. One resource holds every rule of the bucket: "S3 Buckets only
 * support a single lifecycle configuration" (pulumi-aws, aws.s3.BucketLifecycleConfiguration).
 */
export function asyncLifecycleRules(resultExpirationDays: number) {
    const days: Record<AsyncPrefix, number> = {
        inputs: ASYNC_INPUT_EXPIRATION_DAYS,
        uploads: ASYNC_INPUT_EXPIRATION_DAYS,
        outputs: resultExpirationDays,
        failures: resultExpirationDays,
        requests: resultExpirationDays,
    };
    return (Object.keys(ASYNC_PREFIXES) as AsyncPrefix[]).map((prefix) => ({
        id: `expire-async-${prefix}`,
        status: "Enabled",
        filter: { prefix: ASYNC_PREFIXES[prefix] },
        expiration: { days: days[prefix] },
        abortIncompleteMultipartUpload: { daysAfterInitiation: ASYNC_ABORT_MULTIPART_DAYS },
    }));
}

/**
 * @internal The lifecycle rules, and with `corsAllowOrigins` the CORS rule that lets browser code on those
 * origins PUT to a presigned upload URL (S3 answers a browser's preflight only from the bucket's CORS
 * configuration, "Using cross-origin resource sharing (CORS)", Amazon S3 User Guide).
 */
export function asyncStorage(
    name: string,
    storage: ArtifactBucket,
    resultExpirationDays: number,
    corsAllowOrigins: string[] | undefined,
    parent: pulumi.Resource,
): pulumi.Resource[] {
    const lifecycle = new aws.s3.BucketLifecycleConfiguration(
        `${name}-async-lifecycle`,
        { bucket: storage.bucket.id, rules: asyncLifecycleRules(resultExpirationDays) },
        { parent, dependsOn: storage.ready },
    );
    if (!corsAllowOrigins) {
        return [lifecycle];
    }
    const cors = new aws.s3.BucketCorsConfiguration(
        `${name}-async-cors`,
        {
            bucket: storage.bucket.id,
            corsRules: [
                {
                    id: "presigned-uploads",
                    allowedMethods: ["PUT"],
                    allowedOrigins: corsAllowOrigins,
                    // Content-Length is set by the browser itself and needs no allowance.
                    allowedHeaders: ["content-type"],
                    exposeHeaders: ["ETag"],
                    maxAgeSeconds: 3000,
                },
            ],
        },
        { parent, dependsOn: storage.ready },
    );
    return [lifecycle, cors];
}
