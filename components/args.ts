// The public arguments of ModelApi. Plain interfaces of strings, numbers, booleans, arrays, string maps
// and nested interfaces only, so Pulumi's component schema analysis can describe them to other
// languages. Choices that TypeScript would express as unions are checked at run time instead (see
// validate.ts), before any resource is created. No {@link} tags in doc comments: the schema analysis
// takes comments as plain text. Network ids are the one exception to plain values: `pulumi.Input<string>`
// elements, so a VPC created in the same program (an output) can be passed; the schema describes them as strings.
import type * as pulumi from "@pulumi/pulumi";

/** How callers authenticate to the REST API. */
export const ApiAuth = {
    /** An API key in the `x-api-key` header, enforced by a usage plan with throttling and a quota. */
    ApiKey: "apiKey",
    /** AWS Signature Version 4 (`authorization: AWS_IAM`): callers need `execute-api:Invoke`. */
    Iam: "iam",
    /** No authentication at all. Only ever used when asked for explicitly. */
    None: "none",
} as const;
export type ApiAuth = (typeof ApiAuth)[keyof typeof ApiAuth];

/** One model served by the endpoint. */
export interface ModelSpec {
    /**
     * The model's name: letters, digits and hyphens, starting and ending with a letter or digit, at most
     * 63 characters. Used in S3 keys, in multi-model mode as the archive name (`{name}.tar.gz`) and in the
     * route `POST /models/{name}/predict`. Must be unique within `models`.
     */
    name: string;
    /**
     * A model directory (packed into a deterministic `model.tar.gz`) or a ready `.tar.gz` file on local
     * disk; a relative path resolves against the program's working directory. Uploaded to the component's
     * bucket under a key that contains the archive's SHA-256.
     * Exactly one of `path` and `s3Uri` must be set.
     */
    path?: string;
    /**
     * An existing `model.tar.gz` in S3 (`s3://bucket/key`): nothing is uploaded, and the SageMaker role may
     * read only that object. Exactly one of `path` and `s3Uri` must be set; not available with `multiModel`,
     * whose models must all live under the endpoint's own prefix.
     */
    s3Uri?: string;
}

/** Where the serving image comes from. */
export interface ImageArgs {
    /**
     * Docker build context of the serving image. It is built for `platform`, pushed to a new ECR
     * repository and tagged with a hash of the context's files (never `latest`).
     * @default the `container/` directory shipped with this package
     * Cannot be combined with `uri`.
     */
    context?: string;
    /**
     * Dockerfile to build, relative to the current directory or absolute.
     * @default `Dockerfile` inside `context`
     * Cannot be combined with `uri`.
     */
    dockerfile?: string;
    /**
     * Target platform of the image build. SageMaker CPU instances and serverless endpoints run `linux/amd64`.
     * @default "linux/amd64"
     * Cannot be combined with `uri`.
     */
    platform?: string;
    /**
     * How many images the ECR repository keeps; older ones expire through its lifecycle policy.
     * @default 10
     * Cannot be combined with `uri`.
     */
    keepImages?: number;
    /**
     * An existing image (`registry/repository:tag` or `registry/repository@sha256:...`): no repository is
     * created and nothing is built. Cannot be combined with `context`, `dockerfile`, `platform` or `keepImages`.
     */
    uri?: string;
    /**
     * ARN of the private ECR repository that holds `uri`; when set, the SageMaker role may pull from that
     * repository only. Leave unset for images whose repository already grants the role access.
     * Requires `uri`.
     */
    repositoryArn?: string;
}

/** Serverless endpoint sizing. */
export interface ServerlessArgs {
    /**
     * Memory of each serverless worker, in MB: 1024, 2048, 3072, 4096, 5120 or 6144.
     * @default 2048
     */
    memorySizeMb?: number;
    /**
     * How many requests the endpoint processes at once, 1 to 200.
     * @default 5
     */
    maxConcurrency?: number;
}

/** Target-tracking autoscaling of an instance-based endpoint's variant. */
export interface AutoscalingArgs {
    /**
     * Fewest instances, at least 1.
     * @default 1
     */
    minCapacity?: number;
    /**
     * Most instances, not less than `minCapacity`.
     * @default 4
     */
    maxCapacity?: number;
    /**
     * Target of the `SageMakerVariantInvocationsPerInstance` metric (invocations per instance per minute).
     * @default 100
     */
    targetInvocationsPerInstance?: number;
    /**
     * Seconds after a scale-in before another scale-in.
     * @default 300
     */
    scaleInCooldownSeconds?: number;
    /**
     * Seconds after a scale-out before another scale-out.
     * @default 60
     */
    scaleOutCooldownSeconds?: number;
}

/** Capture of requests and responses to the artifact bucket, under its own `data-capture/` prefix. */
export interface DataCaptureArgs {
    /**
     * Percentage of invocations captured, 1 to 100.
     * @default 100
     */
    samplingPercentage?: number;
}

/** The SageMaker endpoint. */
export interface EndpointArgs {
    /**
     * Instance type of a real-time endpoint.
     * @default "ml.m5.large"
     * Cannot be combined with `serverless`.
     */
    instanceType?: string;
    /**
     * Initial number of instances, a positive integer; within `autoscaling`'s bounds when both are set.
     * @default 1, or `autoscaling.minCapacity` when autoscaling is on
     * Cannot be combined with `serverless`.
     */
    instanceCount?: number;
    /**
     * Makes the endpoint serverless (pay per request, cold starts, 4 MB payload limit).
     * @default unset: a real-time endpoint on instances
     * Cannot be combined with `instanceType`, `instanceCount`, `autoscaling`, `dataCapture`,
     * `networkIsolation: true` or `multiModel`.
     */
    serverless?: ServerlessArgs;
    /**
     * Runs the serving container without any network access (the model still loads from S3).
     * @default true for instance endpoints; false for serverless ones, which do not support it
     * Cannot be true with `serverless`.
     */
    networkIsolation?: boolean;
    /**
     * Target-tracking autoscaling on invocations per instance.
     * @default unset: a fixed instance count
     * Cannot be combined with `serverless`.
     */
    autoscaling?: AutoscalingArgs;
    /**
     * Captures requests and responses to the artifact bucket; the role may write only under that prefix.
     * @default unset: no capture
     * Cannot be combined with `serverless`.
     */
    dataCapture?: DataCaptureArgs;
    /**
     * Extra environment variables of the serving container (e.g. `SAGEMAKER_MODEL_SERVER_WORKERS`).
     * @default none; multi-model mode always adds `SAGEMAKER_MULTI_MODEL=true`
     */
    environment?: { [key: string]: string };
    /**
     * Retention of the endpoint's CloudWatch log group, in days.
     * @default 14
     */
    logRetentionDays?: number;
}

/** Throttling of the API stage (and of the usage plan when `auth` is `apiKey`). */
export interface ThrottleArgs {
    /**
     * Steady-state requests per second.
     * @default 10
     */
    rateLimit?: number;
    /**
     * Burst of requests allowed above the rate.
     * @default 20
     */
    burstLimit?: number;
}

/** Request quota of the usage plan. */
export interface QuotaArgs {
    /**
     * Requests allowed per `period`.
     * @default 10000
     */
    limit?: number;
    /**
     * The quota's period: "DAY", "WEEK" or "MONTH".
     * @default "DAY"
     */
    period?: string;
}

/** The Lambda function between API Gateway and SageMaker. */
export interface FunctionArgs {
    /**
     * Timeout in seconds. API Gateway gives up after 29 s, so a longer timeout only wastes money.
     * @default 29
     */
    timeoutSeconds?: number;
    /**
     * Memory in MB.
     * @default 256
     */
    memorySizeMb?: number;
    /**
     * Retention of the function's CloudWatch log group, in days.
     * @default 14
     */
    logRetentionDays?: number;
}

/** The REST API in front of the endpoint. */
export interface ApiArgs {
    /**
     * How callers authenticate: "apiKey", "iam" or "none" (see `ApiAuth`).
     * @default "apiKey"
     */
    auth?: ApiAuth;
    /**
     * Name of the API Gateway stage; the last segment of `url`.
     * @default "v1"
     */
    stageName?: string;
    /**
     * Throttling of every method of the stage, and of the usage plan with `apiKey`.
     * @default { rateLimit: 10, burstLimit: 20 }
     */
    throttle?: ThrottleArgs;
    /**
     * Quota of the usage plan. Only used with `auth: "apiKey"`.
     * @default { limit: 10000, period: "DAY" }
     */
    quota?: QuotaArgs;
    /**
     * Writes JSON access logs of the stage to their own log group. API Gateway needs the account's
     * CloudWatch role set once per region for this (see the README, "pulumi up and pulumi destroy").
     * @default true
     */
    accessLogs?: boolean;
    /**
     * Retention of the access log group, in days.
     * @default 14
     */
    logRetentionDays?: number;
    /**
     * Serves interactive API docs: Swagger UI at `GET {url}/docs/` and the OpenAPI document at
     * `GET {url}/openapi.json`, from a small function of their own. Both are public (a browser cannot send
     * the key when it loads a page), so they show the routes and model names to anyone with the URL; the
     * predictions sent from the page still need the key.
     * @default false
     */
    docs?: boolean;
    /**
     * The Lambda function's settings.
     * @default { timeoutSeconds: 29, memorySizeMb: 256, logRetentionDays: 14 }
     */
    function?: FunctionArgs;
}

/** The artifact bucket. */
export interface ArtifactsArgs {
    /**
     * A KMS key to encrypt the bucket with (SSE-KMS, bucket key on); the SageMaker role may use it to read
     * artifacts and write captured data.
     * @default unset: SSE-S3 (AES256)
     */
    kmsKeyArn?: string;
}

/** Private networking: the SageMaker model, and optionally the Lambda, in subnets of your VPC. */
export interface NetworkArgs {
    /**
     * Subnets for the model's network interfaces: 2 to 16 private subnets, in at least two Availability Zones,
     * as SageMaker asks for hosted models in a VPC. Without a NAT or internet gateway the model reaches only
     * what the VPC offers: give it VPC endpoints for S3 (gateway), ECR (api and dkr) and CloudWatch Logs.
     */
    subnetIds: pulumi.Input<string>[];
    /**
     * Security groups of the model's (and the Lambda's) network interfaces, 1 to 5.
     */
    securityGroupIds: pulumi.Input<string>[];
    /**
     * Also runs the Lambda in these subnets with these security groups, so no request leaves the VPC; it
     * then calls SageMaker through a `sagemaker.runtime` interface VPC endpoint, which the VPC must have.
     * @default false: the Lambda runs outside the VPC and calls SageMaker's public endpoint
     */
    functionInVpc?: boolean;
}

/** The arguments of `ModelApi`. */
export interface ModelApiArgs {
    /**
     * The models to serve: one unless `multiModel` is true. Each has a unique `name` and exactly one of
     * `path` and `s3Uri`.
     */
    models: ModelSpec[];
    /**
     * Serves every model from one multi-model endpoint: archives uploaded as `{name}.tar.gz` under one
     * prefix, routes `POST /models/{name}/predict` and `GET /models`. Adding a model uploads one archive
     * and leaves the endpoint as it is.
     * @default false: exactly one model, route `POST /predict`
     * Cannot be combined with `endpoint.serverless` or a model given by `s3Uri`.
     */
    multiModel?: boolean;
    /**
     * Where the serving image comes from.
     * @default built from the `container/` directory shipped with this package
     */
    image?: ImageArgs;
    /**
     * The SageMaker endpoint.
     * @default one `ml.m5.large` instance, network isolation on
     */
    endpoint?: EndpointArgs;
    /**
     * The REST API.
     * @default API key auth with a usage plan, stage `v1`, access logs on
     */
    api?: ApiArgs;
    /**
     * The artifact bucket.
     * @default SSE-S3 encryption
     */
    artifacts?: ArtifactsArgs;
    /**
     * Puts the model (and optionally the Lambda) in your VPC. The EC2 permissions SageMaker and Lambda need
     * for their network interfaces are added to their roles.
     * @default unset: SageMaker's and Lambda's own networks
     * Cannot be combined with `endpoint.serverless`: SageMaker serverless endpoints do not support VPCs.
     */
    network?: NetworkArgs;
    /**
     * Tags for every taggable resource.
     * @default none
     */
    tags?: { [key: string]: string };
}
