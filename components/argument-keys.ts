/**
 * @internal The keys of every level of ModelApiArgs, one table per interface of args.ts. Each table
 * `satisfies KeysOf<...>` its interface, so a key added to an interface and not to its table (or the other
 * way round) does not compile. The component refuses any other key (settings/validate.ts), and the stack
 * config reads its `modelapi:*` settings through the same tables (stacks/config.ts).
 */
import type { KeysOf } from "../core/known-keys";
import type {
    AlarmArgs,
    AlarmsArgs,
    ApiArgs,
    ArtifactsArgs,
    AsyncArgs,
    AsyncNotificationsArgs,
    AutoscalingArgs,
    CorsArgs,
    DataCaptureArgs,
    EndpointArgs,
    FunctionArgs,
    ImageArgs,
    ModelApiArgs,
    ModelSpec,
    MonitoringArgs,
    NetworkArgs,
    QuotaArgs,
    RolloutArgs,
    ServerlessArgs,
    ShadowArgs,
    ThrottleArgs,
    VariantArgs,
    VariantModelArgs,
} from "./args";
import { ALARM_KEYS, type AlarmKey } from "./monitoring/catalogue";

/** @internal */
export const MODEL_KEYS = { name: true, path: true, s3Uri: true } as const satisfies KeysOf<ModelSpec>;

/** @internal */
export const IMAGE_KEYS = {
    context: true,
    dockerfile: true,
    platform: true,
    keepImages: true,
    uri: true,
    repositoryArn: true,
} as const satisfies KeysOf<ImageArgs>;

/** @internal */
export const SERVERLESS_KEYS = { memorySizeMb: true, maxConcurrency: true } as const satisfies KeysOf<ServerlessArgs>;

/** @internal */
export const AUTOSCALING_KEYS = {
    minCapacity: true,
    maxCapacity: true,
    targetInvocationsPerInstance: true,
    scaleInCooldownSeconds: true,
    scaleOutCooldownSeconds: true,
} as const satisfies KeysOf<AutoscalingArgs>;

/** @internal */
export const DATA_CAPTURE_KEYS = { samplingPercentage: true } as const satisfies KeysOf<DataCaptureArgs>;

/** @internal */
export const ROLLOUT_KEYS = {
    trafficShifting: true,
    canaryPercent: true,
    linearStepPercent: true,
    bakeSeconds: true,
    finalBakeSeconds: true,
    maximumSeconds: true,
} as const satisfies KeysOf<RolloutArgs>;

/** @internal */
export const VARIANT_MODEL_KEYS = { path: true, s3Uri: true } as const satisfies KeysOf<VariantModelArgs>;

/** @internal */
export const VARIANT_KEYS = {
    name: true,
    weight: true,
    model: VARIANT_MODEL_KEYS,
    instanceType: true,
    instanceCount: true,
} as const satisfies KeysOf<VariantArgs>;

/** @internal */
export const SHADOW_KEYS = {
    name: true,
    model: VARIANT_MODEL_KEYS,
    samplingPercent: true,
    instanceType: true,
    instanceCount: true,
} as const satisfies KeysOf<ShadowArgs>;
export const ASYNC_NOTIFICATIONS_KEYS = {
    createTopics: true,
    successTopicArn: true,
    errorTopicArn: true,
} as const satisfies KeysOf<AsyncNotificationsArgs>;

/** @internal */
export const ASYNC_KEYS = {
    maxConcurrentInvocationsPerInstance: true,
    scaleToZero: true,
    targetBacklogPerInstance: true,
    resultExpirationDays: true,
    notifications: ASYNC_NOTIFICATIONS_KEYS,
} as const satisfies KeysOf<AsyncArgs>;

/** @internal */
export const ENDPOINT_KEYS = {
    instanceType: true,
    instanceCount: true,
    networkIsolation: true,
    logRetentionDays: true,
    environment: "map",
    serverless: SERVERLESS_KEYS,
    autoscaling: AUTOSCALING_KEYS,
    dataCapture: DATA_CAPTURE_KEYS,
    rollout: ROLLOUT_KEYS,
    variants: [VARIANT_KEYS],
    shadow: SHADOW_KEYS,
    async: ASYNC_KEYS,
} as const satisfies KeysOf<EndpointArgs>;

/** @internal */
export const THROTTLE_KEYS = { rateLimit: true, burstLimit: true } as const satisfies KeysOf<ThrottleArgs>;

/** @internal */
export const QUOTA_KEYS = { limit: true, period: true } as const satisfies KeysOf<QuotaArgs>;

/** @internal */
export const FUNCTION_KEYS = { timeoutSeconds: true, memorySizeMb: true, logRetentionDays: true } as const satisfies KeysOf<FunctionArgs>;

/** @internal */
export const CORS_KEYS = { allowOrigins: true } as const satisfies KeysOf<CorsArgs>;

/** @internal */
export const API_KEYS = {
    auth: true,
    stageName: true,
    accessLogs: true,
    logRetentionDays: true,
    throttle: THROTTLE_KEYS,
    quota: QUOTA_KEYS,
    function: FUNCTION_KEYS,
    cors: CORS_KEYS,
    docs: true,
} as const satisfies KeysOf<ApiArgs>;

/** @internal */
export const ARTIFACTS_KEYS = { kmsKeyArn: true } as const satisfies KeysOf<ArtifactsArgs>;

/** @internal */
export const ALARM_ARG_KEYS = {
    enabled: true,
    threshold: true,
    periodSeconds: true,
    evaluationPeriods: true,
    datapointsToAlarm: true,
} as const satisfies KeysOf<AlarmArgs>;

/**
 * @internal Every alarm of the catalogue (monitoring/catalogue.ts), each with the same keys. Its unknown
 * keys are unknown alarms, which monitoring/checks.ts names in words of its own.
 */
export const ALARMS_KEYS = Object.fromEntries(ALARM_KEYS.map((key) => [key, ALARM_ARG_KEYS])) as {
    readonly [K in AlarmKey]: typeof ALARM_ARG_KEYS;
} satisfies KeysOf<AlarmsArgs>;

/** @internal */
export const MONITORING_KEYS = {
    enabled: true,
    alarmTopicArns: true,
    dashboard: true,
    alarms: ALARMS_KEYS,
} as const satisfies KeysOf<MonitoringArgs>;

/** @internal */
export const NETWORK_KEYS = { subnetIds: true, securityGroupIds: true, functionInVpc: true } as const satisfies KeysOf<NetworkArgs>;

/** @internal The arguments of ModelApi; `tags` is the user's own map. */
export const MODEL_API_KEYS = {
    models: [MODEL_KEYS],
    multiModel: true,
    image: IMAGE_KEYS,
    endpoint: ENDPOINT_KEYS,
    api: API_KEYS,
    artifacts: ARTIFACTS_KEYS,
    monitoring: MONITORING_KEYS,
    network: NETWORK_KEYS,
    tags: "map",
} as const satisfies KeysOf<ModelApiArgs>;
