import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { targetModelName } from "../../contract";
import { ModelSpec, VariantModelArgs } from "../args";
import { policyDocument } from "../iam";
import { packModel } from "../../core/archive/pack";
import { S3_URI_PATTERN } from "../../core/input-validation";

/** @internal The fixed prefix a multi-model endpoint loads `{name}.tar.gz` archives from. */
export const MULTI_MODEL_PREFIX = "multi-model/";
/** @internal Where data capture writes, and the only place the endpoint's role may write. */
export const DATA_CAPTURE_PREFIX = "data-capture/";

/** @internal The S3 key of a single model's archive: content-addressed, so a new archive is a new key. */
export function singleModelKey(modelName: string, sha256: string): string {
    return `models/${modelName}/${sha256}/model.tar.gz`;
}

/** @internal A multi-model archive's name below the prefix: what the Lambda sends as `TargetModel`. */
export function multiModelArchiveName(modelName: string): string {
    return targetModelName(modelName);
}

/** @internal The S3 key of one model of a multi-model endpoint. */
export function multiModelKey(modelName: string): string {
    return `${MULTI_MODEL_PREFIX}${multiModelArchiveName(modelName)}`;
}

/** @internal The artifact bucket, when the component needs one. */
export interface ArtifactBucket {
    bucket: aws.s3.Bucket;
    /** Resources that must exist before anything is written to or read from the bucket. */
    ready: pulumi.Resource[];
}

/** @internal Where the models are and what the endpoint's role may read. */
export interface ModelArtifacts {
    /** `ModelDataUrl` of the SageMaker model: an object for one model, the prefix for multi-model. */
    modelDataUrl: pulumi.Output<string>;
    /** S3 object ARNs (or `prefix/*` patterns) the SageMaker role may read, and nothing else. */
    readResources: pulumi.Input<string>[];
    /** Uploads the endpoint must wait for. */
    uploads: pulumi.Resource[];
    /**
     * What identifies the model data URL before it is uploaded, within the component's bucket: the archive's
     * key (the model's name and the archive's hash), the multi-model prefix, or the given S3 URI.
     */
    contentKey: string;
    /** What `readResources` grants, as known before deployment: the same key means the same grant. */
    readKey: string;
}

/**
 * @internal A private bucket: public access blocked, bucket-owner-enforced ownership (no ACLs), default
 * encryption (SSE-S3, or SSE-KMS with the given key), TLS-only access, and `forceDestroy` so that
 * `pulumi destroy` leaves nothing behind.
 */
export function artifactBucket(
    name: string,
    kmsKeyArn: string | undefined,
    tags: { [key: string]: string },
    parent: pulumi.Resource,
): ArtifactBucket {
    // Bucket names must be lower case and auto-naming keeps the logical name's case, so lower it here.
    const bucket = new aws.s3.Bucket(`${name.toLowerCase()}-artifacts`, { forceDestroy: true, tags }, { parent });
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
        `${name}-artifacts-public-access`,
        { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        { parent },
    );
    const ownership = new aws.s3.BucketOwnershipControls(
        `${name}-artifacts-ownership`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        { parent },
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-artifacts-encryption`,
        {
            bucket: bucket.id,
            rules: [
                kmsKeyArn
                    ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true }
                    : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
            ],
        },
        { parent },
    );
    const policy = new aws.s3.BucketPolicy(
        `${name}-artifacts-policy`,
        {
            bucket: bucket.id,
            policy: policyDocument([
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: ["s3:*"],
                    Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ]),
        },
        // A bucket policy put while the public access block is being applied can be refused as "public".
        { parent, dependsOn: [publicAccess] },
    );
    return { bucket, ready: [publicAccess, ownership, encryption, policy] };
}

/**
 * @internal Packs and uploads the models (or points at the given `s3Uri`). One model: its archive under a
 * content-addressed key. Multi-model: every archive as `{name}.tar.gz` under one fixed prefix, which is the
 * model data URL, so adding a model adds one object and changes nothing the endpoint depends on.
 */
export function modelArtifacts(
    name: string,
    models: ModelSpec[],
    multiModel: boolean,
    storage: ArtifactBucket | undefined,
    tags: { [key: string]: string },
    parent: pulumi.Resource,
): ModelArtifacts {
    if (!multiModel && models[0].s3Uri) {
        return existingArtifact(models[0].s3Uri, parent);
    }
    if (!storage) {
        throw new Error("model artifacts need the artifact bucket");
    }
    const { bucket, ready } = storage;
    const keys: string[] = [];
    const uploads = models.map((model) => {
        // Packed once per change of the directory: an unchanged model is found in the archive cache, not re-gzipped.
        const packed = packModel(model.path!);
        const key = multiModel ? multiModelKey(model.name) : singleModelKey(model.name, packed.sha256);
        keys.push(key);
        // A FileAsset streams: pulumi-aws maps `source` to a file path (pulumi-terraform-bridge `translateToFile`
        // copies it with io.Copy), and terraform-provider-aws `aws_s3_object` uploads that file with the S3
        // transfer manager in parts. Nothing here holds the archive in memory.
        return new aws.s3.BucketObjectv2(
            `${name}-${model.name}-archive`,
            { bucket: bucket.id, key, source: new pulumi.asset.FileAsset(packed.archivePath), contentType: "application/gzip", tags },
            // A superseded archive stays: SageMaker may roll an update back to the model that reads it, and
            // would then need it to start instances. The bucket's forceDestroy removes them all on destroy.
            { parent, dependsOn: ready, retainOnDelete: !multiModel },
        );
    });
    if (multiModel) {
        return {
            modelDataUrl: pulumi.interpolate`s3://${bucket.bucket}/${MULTI_MODEL_PREFIX}`,
            readResources: [pulumi.interpolate`${bucket.arn}/${MULTI_MODEL_PREFIX}*`],
            uploads,
            // The archives change under a fixed prefix; the SageMaker model stays the same.
            contentKey: MULTI_MODEL_PREFIX,
            readKey: MULTI_MODEL_PREFIX,
        };
    }
    const upload = uploads[0];
    return {
        modelDataUrl: pulumi.interpolate`s3://${bucket.bucket}/${upload.key}`,
        // The model's whole prefix, not just this key: a failed update rolls back to the previous archive.
        readResources: [pulumi.interpolate`${bucket.arn}/${modelPrefix(models[0].name)}*`],
        uploads,
        contentKey: keys[0],
        readKey: modelPrefix(models[0].name),
    };
}

/** The prefix of every archive of a single model, its variants' included. */
function modelPrefix(modelName: string): string {
    return `models/${modelName}/`;
}

/**
 * @internal The archive of a variant's own model (`endpoint.variants[].model`, `endpoint.shadow.model`): a local
 * one packed and uploaded under the prefix of `models[0]`, whose grant then covers it, with a key and a logical
 * name taken from the archive's hash, so variants with the same archive share one object, and `models[0]`'s
 * artifacts when it is the same archive; an S3 URI read where it is.
 */
export function variantArtifacts(
    name: string,
    modelName: string,
    source: VariantModelArgs,
    main: ModelArtifacts,
    storage: ArtifactBucket | undefined,
    tags: { [key: string]: string },
    parent: pulumi.Resource,
): ModelArtifacts {
    if (source.s3Uri) {
        return source.s3Uri === main.contentKey ? main : existingArtifact(source.s3Uri, parent);
    }
    if (!storage) {
        throw new Error("model artifacts need the artifact bucket");
    }
    const packed = packModel(source.path!);
    const key = singleModelKey(modelName, packed.sha256);
    if (key === main.contentKey) {
        return main;
    }
    const upload = new aws.s3.BucketObjectv2(
        `${name}-${modelName}-archive-${packed.sha256.slice(0, 8)}`,
        {
            bucket: storage.bucket.id,
            key,
            source: new pulumi.asset.FileAsset(packed.archivePath),
            contentType: "application/gzip",
            tags,
        },
        // Kept when no longer declared, as the model's own archive is: a rollback may need it.
        { parent, dependsOn: storage.ready, retainOnDelete: true },
    );
    return {
        modelDataUrl: pulumi.interpolate`s3://${storage.bucket.bucket}/${upload.key}`,
        readResources: [pulumi.interpolate`${storage.bucket.arn}/${modelPrefix(modelName)}*`],
        uploads: [upload],
        contentKey: key,
        readKey: modelPrefix(modelName),
    };
}

function existingArtifact(s3Uri: string, parent: pulumi.Resource): ModelArtifacts {
    const [, bucketName, key] = S3_URI_PATTERN.exec(s3Uri)!;
    // The ARN comes from the bucket itself, so the partition is never assumed.
    const bucket = aws.s3.getBucketOutput({ bucket: bucketName }, { parent });
    return {
        modelDataUrl: pulumi.output(s3Uri),
        readResources: [pulumi.interpolate`${bucket.arn}/${key}`],
        uploads: [],
        contentKey: s3Uri,
        readKey: s3Uri,
    };
}
