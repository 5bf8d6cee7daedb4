// The public arguments of ModelApi. Plain interfaces of strings, numbers, booleans, arrays, string maps
// and nested interfaces only, so Pulumi's component schema analysis can describe them to other
// languages. Choices that TypeScript would express as unions are checked at run time instead (each
// folder's checks.ts), before any resource is created. No {@link} tags in doc comments: the schema analysis
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
     * Target platform of the image build, part of the image's tag. SageMaker CPU instances and serverless
     * endpoints run `linux/amd64`.
     * @default "linux/amd64"
     * Cannot be combined with `uri`.
     */
    platform?: string;
    /**
     * How many tagged images the ECR repository keeps; older ones expire through its lifecycle policy.
     * Untagged images (a tag pushed again leaves the previous digest untagged) expire after 30 days.
     * @default 10
     * Cannot be combined with `uri`.
     */
    keepImages?: number;
    /**
     * An existing image (`registry/repository:tag` or `registry/repository@sha256:...`): no repository is
     * created and nothing is built. In an ECR registry, the SageMaker role gets `ecr:GetAuthorizationToken`. Cannot be combined with `context`, `dockerfile`, `platform` or `keepImages`.
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
     * Fewest instances, at least 1; 0 only on an asynchronous endpoint with `async.scaleToZero`.
     * @default 1, or 0 with `endpoint.async.scaleToZero`
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
     * Whole seconds after a scale-in before another scale-in, 0 or more.
     * @default 300
     */
    scaleInCooldownSeconds?: number;
    /**
     * Whole seconds after a scale-out before another scale-out, 0 or more.
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

/**
 * How SageMaker shifts traffic to a new model version (SageMaker "deployment guardrails": a blue/green
 * update that bakes, watches the endpoint alarms of `monitoring`, and rolls back on its own when one trips).
 * Real-time endpoints only.
 */
export interface RolloutArgs {
    /**
     * "allAtOnce" (all traffic to the new fleet, then a bake), "canary" (`canaryPercent` of the new fleet
     * first, bake, then the rest) or "linear" (steps of `linearStepPercent`, a bake after each).
     * Canary and linear need at least 2 instances (`endpoint.instanceCount`) and are not available with
     * `endpoint.serverless`, whose rollouts go all at once.
     * @default "allAtOnce"
     */
    trafficShifting?: string;
    /**
     * Share of the new fleet's capacity that takes traffic first, in percent: more than 0 and at most 50.
     * Only with `trafficShifting: "canary"`.
     * @default 10
     */
    canaryPercent?: number;
    /**
     * Share of the new fleet's capacity added at each step, in percent: 10 to 50. Only with
     * `trafficShifting: "linear"`.
     * @default 20
     */
    linearStepPercent?: number;
    /**
     * Seconds SageMaker watches the alarms after each traffic shift before the next one (0 to 3600); at least
     * the longest rollback alarm's evaluation window, or an alarm could never trip in time. With the provisioning
     * of the new fleet and `finalBakeSeconds`, all the bakes must fit in the AWS provider's 60-minute wait.
     * @default 600 (240 with `trafficShifting: "linear"`, which bakes after every step)
     */
    bakeSeconds?: number;
    /**
     * Seconds the old fleet is kept after all traffic has moved, while the alarms are still watched, so a late
     * alarm still rolls back (0 to 3600).
     * @default 300
     */
    finalBakeSeconds?: number;
    /**
     * Upper bound of the whole rollout in seconds (600 to 14400); unset leaves SageMaker's own limit.
     * @default unset
     */
    maximumSeconds?: number;
}

/** Where a variant's model comes from: what a `models` entry takes, without its name. */
export interface VariantModelArgs {
    /**
     * A model directory or a ready `.tar.gz` file on local disk, packed and uploaded as `models[0]`'s are (under
     * `models[0]`'s prefix of the artifact bucket). Exactly one of `path` and `s3Uri` must be set.
     */
    path?: string;
    /** An existing `model.tar.gz` in S3 (`s3://bucket/key`). Exactly one of `path` and `s3Uri` must be set. */
    s3Uri?: string;
}

/** One production variant: a model version with its own instances and a share of the traffic. */
export interface VariantArgs {
    /**
     * The variant's name (SageMaker's `VariantName`): letters, digits and hyphens, starting and ending with a
     * letter or digit, at most 63 characters; unique among the variants and the shadow, ignoring case. Callers
     * may pin it with the `X-ModelApi-Variant` header.
     */
    name: string;
    /**
     * The variant's relative traffic weight, a whole number of 0 or more: it gets weight / (sum of the weights)
     * of the requests. At least one variant needs a weight above 0.
     */
    weight: number;
    /**
     * The variant's model.
     * @default the model of `models`
     */
    model?: VariantModelArgs;
    /**
     * The variant's instance type.
     * @default `endpoint.instanceType`
     */
    instanceType?: string;
    /**
     * The variant's initial instance count, a positive integer.
     * @default `endpoint.instanceCount`
     */
    instanceCount?: number;
}

/** A shadow variant: gets a copy of a share of the production variant's requests; its answers never reach callers. */
export interface ShadowArgs {
    /** The shadow's name, under the same rules as a variant's, and different from every variant's. */
    name: string;
    /** The model under test. */
    model: VariantModelArgs;
    /** Percentage of the production variant's requests copied to the shadow, an integer from 1 to 100. */
    samplingPercent: number;
    /**
     * The shadow's instance type.
     * @default `endpoint.instanceType`
     */
    instanceType?: string;
    /**
     * The shadow's initial instance count, a positive integer.
     * @default `endpoint.instanceCount`
     */
    instanceCount?: number;
}

/**
 * SNS notifications SageMaker sends when an asynchronous request succeeds or fails
 * ("AsyncInferenceNotificationConfig", SageMaker API Reference). A topic given by ARN is used as it is; with
 * `createTopics`, the component creates the ones not given (encrypted with `artifacts.kmsKeyArn` when set).
 * The execution role may publish to exactly these topics.
 */
export interface AsyncNotificationsArgs {
    /**
     * Creates an SNS topic for each of success and error that has no ARN given here.
     * @default false
     */
    createTopics?: boolean;
    /**
     * An existing SNS topic notified of each successful request.
     * @default unset: none, or a created topic with `createTopics`
     */
    successTopicArn?: string;
    /**
     * An existing SNS topic notified of each failed request.
     * @default unset: none, or a created topic with `createTopics`
     */
    errorTopicArn?: string;
}

/**
 * Asynchronous inference ("Asynchronous inference", SageMaker Developer Guide): requests are queued, inputs
 * and results live in the artifact bucket under `async/`, requests may take up to an hour and 1 GB, and the
 * endpoint can scale to zero instances when its queue is empty. The API answers `202 Accepted` and a
 * prediction id; results are fetched with `GET /predictions/{id}`.
 */
export interface AsyncArgs {
    /**
     * Requests SageMaker sends to each instance at once, 1 to 1000.
     * @default unset: SageMaker chooses ("AsyncInferenceClientConfig")
     */
    maxConcurrentInvocationsPerInstance?: number;
    /**
     * Lets autoscaling take the endpoint down to zero instances when the queue is empty, and back up to one
     * when a request arrives (a step policy on `HasBacklogWithoutCapacity`). Turns autoscaling on with its
     * defaults when `endpoint.autoscaling` is unset; `autoscaling.minCapacity` is then 0.
     * @default true
     */
    scaleToZero?: boolean;
    /**
     * Target of autoscaling's `ApproximateBacklogSizePerInstance` (queued requests per instance), which
     * replaces `autoscaling.targetInvocationsPerInstance` on an asynchronous endpoint.
     * @default 5 (the value of "Autoscale an asynchronous endpoint", SageMaker Developer Guide)
     */
    targetBacklogPerInstance?: number;
    /**
     * Days results, failures and request records are kept in the bucket before an S3 lifecycle rule deletes
     * them, a positive integer. Inputs and uploads are deleted after 1 day, which outlives any request:
     * SageMaker keeps a request queued at most 6 hours and runs it at most 1 hour.
     * @default 7
     */
    resultExpirationDays?: number;
    /**
     * SNS notifications of finished requests.
     * @default unset: no notifications (results are polled)
     */
    notifications?: AsyncNotificationsArgs;
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
     * Initial number of instances, a positive integer; within `autoscaling`'s bounds when both are set. With
     * autoscaling, every update that makes a new endpoint configuration restarts the endpoint at this count.
     * Left unset, a change of its default alone (a new `autoscaling.minCapacity`) makes no new configuration.
     * @default 1, or `autoscaling.minCapacity` (at least 1) when autoscaling is on
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
     * Target-tracking autoscaling on invocations per instance (on the queue per instance with `async`).
     * @default unset: a fixed instance count; on, from 0 instances, with `async.scaleToZero`
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
    /**
     * Guarded rollouts: blue/green updates with canary or linear traffic shifting that roll back on their own
     * when the endpoint's error or latency alarm trips. Needs `monitoring` with at least one of the
     * `endpoint5xx` and `modelLatency` alarms, and must fit in the AWS provider's 60-minute wait for an update.
     * Turning it on or off replaces the endpoint (create-first, under a new name).
     * @default unset: SageMaker's plain blue/green update, all traffic at once, no alarms watched
     * Cannot be combined with an `ml.inf1.*` instance type; with `serverless`, only all at once.
     */
    rollout?: RolloutArgs;
    /**
     * Several model versions behind the endpoint, each with its own model, instances and traffic weight, 1 to
     * 10 of them. Every change of the list (a weight included) is a new endpoint configuration, deployed blue/green.
     * @default unset: one variant, named "AllTraffic", serving the model of `models`
     * Cannot be combined with `serverless`, `multiModel`, `rollout` or `async`; with `shadow`, only one variant.
     */
    variants?: VariantArgs[];
    /**
     * A shadow variant beside the one production variant (SageMaker allows no more): it gets a copy of
     * `samplingPercent` of the production requests, and its answers are only logged (and captured with `dataCapture`).
     * @default unset: no shadow
     * Cannot be combined with `serverless`, `multiModel`, `rollout`, `async`, or more than one entry in `variants`.
     */
    shadow?: ShadowArgs;
    /**
     * Makes the endpoint asynchronous: queued requests with inputs and results in S3, up to 1 GB and 1 hour
     * each, scaling to zero when idle (see the README's Asynchronous inference section).
     * @default unset: a real-time endpoint
     * Cannot be combined with `serverless`, `multiModel`, `dataCapture`, `rollout`, `variants` or `shadow`.
     */
    async?: AsyncArgs;
}

/** Throttling of the API stage (and of the usage plan when `auth` is `apiKey`). */
export interface ThrottleArgs {
    /**
     * Steady-state requests per second.
     * @default 10
     */
    rateLimit?: number;
    /**
     * Burst of requests allowed above the rate, a positive integer.
     * @default 20
     */
    burstLimit?: number;
}

/** Request quota of the usage plan. */
export interface QuotaArgs {
    /**
     * Requests allowed per `period`, a positive integer.
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
     * Name of the API Gateway stage, the last segment of `url`: letters, digits, hyphens and underscores.
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
     * Writes JSON access logs of the stage to their own log group. Needs the account's API Gateway
     * CloudWatch role, an account-wide setting made once per region (see the README, "First deploy in a
     * new account"); without it API Gateway refuses the stage, which is why this is off by default.
     * @default false
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
    /**
     * Lets browser code on the given origins call the API: an unauthenticated OPTIONS preflight on every
     * path, and CORS headers on every answer, errors and API Gateway's own 4xx/5xx answers included.
     * @default off (no CORS headers; browsers on other origins cannot read answers)
     */
    cors?: CorsArgs;
}

/** Cross-origin access from browsers. */
export interface CorsArgs {
    /**
     * Origins allowed to read answers, as scheme://host[:port] (e.g. "https://app.example.com"), or ["*"]
     * for any origin. The API key or IAM auth still applies to every request but the preflight.
     */
    allowOrigins: string[];
}

/** The artifact bucket. */
export interface ArtifactsArgs {
    /**
     * ARN of a KMS key to encrypt the bucket with (SSE-KMS, bucket key on); the SageMaker role may use it to
     * read artifacts and write captured data. A key ARN, not an alias ARN: IAM names keys by key ARN only.
     * @default unset: SSE-S3 (AES256)
     */
    kmsKeyArn?: string;
}

/** Overrides of one alarm of `monitoring.alarms`; unset fields keep the alarm's documented default. */
export interface AlarmArgs {
    /**
     * Whether the alarm exists.
     * @default true
     */
    enabled?: boolean;
    /**
     * The threshold the statistic must exceed, in the alarm's own unit: a fraction from 0 to 1 for the error
     * rate alarms, milliseconds for the latency alarms, percent per vCPU or of memory for the utilization
     * alarms, a count for the function alarms.
     * @default per alarm, see the README's Monitoring section
     */
    threshold?: number;
    /**
     * Length of one evaluation period in seconds: 10, 20, 30 or a multiple of 60.
     * @default per alarm
     */
    periodSeconds?: number;
    /**
     * How many recent periods are evaluated.
     * @default per alarm
     */
    evaluationPeriods?: number;
    /**
     * How many of those periods must breach to alarm (at most `evaluationPeriods`).
     * @default per alarm
     */
    datapointsToAlarm?: number;
}

/** The alarms of `monitoring`, each on by default with its own defaults. */
export interface AlarmsArgs {
    /**
     * SageMaker `Invocation5XXErrors` rate of the endpoint (the model's 5xx answers). Rolls a rollout back.
     * @default on: average above 0.01 (1 %) in 2 of 3 one-minute periods
     */
    endpoint5xx?: AlarmArgs;
    /**
     * SageMaker `Invocation4XXErrors` rate of the endpoint (requests the model refused).
     * @default on: average above 0.05 (5 %) in 5 of 5 one-minute periods
     */
    endpoint4xx?: AlarmArgs;
    /**
     * SageMaker `ModelLatency` p99 of the endpoint, in milliseconds. Rolls a rollout back.
     * @default on: p99 above 1000 ms in 3 of 3 one-minute periods; off for asynchronous endpoints, whose
     * requests may run an hour (set a threshold that fits them and `enabled: true`)
     */
    modelLatency?: AlarmArgs;
    /**
     * `CPUUtilization` of the endpoint's instances, in percent per vCPU (the metric itself adds up all vCPUs).
     * @default on for real-time endpoints: average above 90 % in 3 of 3 five-minute periods
     * Cannot be enabled with `endpoint.serverless`, which does not publish it.
     */
    cpuUtilization?: AlarmArgs;
    /**
     * `MemoryUtilization` of the endpoint's instances, in percent.
     * @default on for real-time endpoints: average above 90 % in 3 of 3 five-minute periods
     * Cannot be enabled with `endpoint.serverless`.
     */
    memoryUtilization?: AlarmArgs;
    /**
     * SageMaker `ApproximateAgeOfOldestRequest` of an asynchronous endpoint's queue, in seconds.
     * @default on for asynchronous endpoints: maximum above 1800 s in 3 of 3 five-minute periods
     * Cannot be enabled without `endpoint.async`, as only asynchronous endpoints publish it.
     */
    backlogAge?: AlarmArgs;
    /**
     * SageMaker `InvocationFailures` of an asynchronous endpoint: requests whose model failed or timed out.
     * @default on for asynchronous endpoints: more than 0 in one five-minute period
     * Cannot be enabled without `endpoint.async`.
     */
    invocationFailures?: AlarmArgs;
    /**
     * API Gateway `5XXError` rate of the stage.
     * @default on: average above 0.05 (5 %) in 3 of 3 one-minute periods
     */
    api5xx?: AlarmArgs;
    /**
     * API Gateway `Latency` p99 of the stage, in milliseconds.
     * @default on: p99 above 2500 ms in 5 of 5 one-minute periods
     */
    apiLatency?: AlarmArgs;
    /**
     * Lambda `Errors` of the function (crashes and timeouts; handled errors are answers, not errors).
     * @default on: more than 0 in 3 of 3 one-minute periods
     */
    functionErrors?: AlarmArgs;
    /**
     * Lambda `Throttles` of the function.
     * @default on: more than 0 in 5 of 5 one-minute periods
     */
    functionThrottles?: AlarmArgs;
}

/** Alarms, a dashboard and saved Logs Insights queries. */
export interface MonitoringArgs {
    /**
     * Creates the alarms, the dashboard and the saved queries.
     * @default true for real-time endpoints, false for serverless ones (idle serverless endpoints publish
     * no utilization metrics; set true to get the error and latency alarms anyway)
     */
    enabled?: boolean;
    /**
     * SNS topic ARNs notified when an alarm goes to ALARM and back to OK.
     * @default none: the alarms only change state
     */
    alarmTopicArns?: string[];
    /**
     * Creates the CloudWatch dashboard and the saved Logs Insights queries.
     * @default true
     */
    dashboard?: boolean;
    /**
     * Per-alarm overrides or `enabled: false`.
     * @default every alarm with its defaults
     */
    alarms?: AlarmsArgs;
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
     * Cannot be combined with `endpoint.serverless`, a GPU `endpoint.instanceType` or a model given by `s3Uri`;
     * the model names must fit the Lambda's environment and the function role's policy (see the README).
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
     * @default API key auth with a usage plan, stage `v1`, access logs off
     */
    api?: ApiArgs;
    /**
     * The artifact bucket.
     * @default SSE-S3 encryption
     */
    artifacts?: ArtifactsArgs;
    /**
     * Alarms (SageMaker, API Gateway, Lambda), a CloudWatch dashboard and saved Logs Insights queries.
     * @default on for real-time endpoints with the documented alarm defaults and no notification topics;
     * off for serverless ones
     */
    monitoring?: MonitoringArgs;
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
