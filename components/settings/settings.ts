import { defaultImageContext } from "../../core/package-root";
import {
    ApiAuth,
    AutoscalingArgs,
    CorsArgs,
    DataCaptureArgs,
    FunctionArgs,
    ModelApiArgs,
    ModelSpec,
    QuotaArgs,
    ServerlessArgs,
    ThrottleArgs,
} from "../args";
import {
    apiDefaults,
    corsSettings,
    INSTANCE_ONLY_ALARMS,
    AlarmKey,
    alarmDefaults,
    AlarmSettings,
    autoscalingDefaults,
    dataCaptureDefaults,
    DEFAULT_LOG_RETENTION_DAYS,
    functionDefaults,
    imageDefaults,
    instanceDefaults,
    networkIsolationDefault,
    monitoringEnabledDefault,
    quotaDefaults,
    rolloutDefaults,
    serverlessDefaults,
    throttleDefaults,
    withDefaults,
} from "./defaults";
import { NetworkSettings, networkSettings } from "../endpoint/network";
import { validateArgs } from "./validate";
import { defined as definedFields } from "../monitoring/checks";

/** @internal `endpoint.rollout` with its defaults. */
export interface RolloutSettings {
    trafficShifting: string;
    canaryPercent: number;
    linearStepPercent: number;
    bakeSeconds: number;
    finalBakeSeconds: number;
    maximumSeconds?: number;
}

/** @internal `monitoring` with its defaults: only the enabled alarms, each with every field set. */
export interface MonitoringSettings {
    alarmTopicArns: string[];
    dashboard: boolean;
    alarms: { [K in AlarmKey]?: AlarmSettings };
}

/** @internal An image to build and push to a repository of the component's own. */
export interface BuildImage {
    kind: "build";
    context: string;
    dockerfile?: string;
    platform: string;
    keepImages: number;
}

/** @internal An image that already exists. */
export interface ExistingImage {
    kind: "existing";
    uri: string;
    repositoryArn?: string;
}

/** @internal Every argument with its default applied. */
export interface Settings {
    name: string;
    models: ModelSpec[];
    multiModel: boolean;
    image: BuildImage | ExistingImage;
    endpoint: {
        serverless?: Required<ServerlessArgs>;
        instanceType: string;
        instanceCount: number;
        networkIsolation: boolean;
        autoscaling?: Required<AutoscalingArgs>;
        dataCapture?: Required<DataCaptureArgs>;
        environment: { [key: string]: string };
        logRetentionDays: number;
        rollout?: RolloutSettings;
    };
    api: {
        auth: ApiAuth;
        stageName: string;
        throttle: Required<ThrottleArgs>;
        quota: Required<QuotaArgs>;
        accessLogs: boolean;
        docs: boolean;
        logRetentionDays: number;
        function: Required<FunctionArgs>;
        /** Undefined when CORS is off. */
        cors?: CorsArgs;
    };
    kmsKeyArn?: string;
    /** Undefined when monitoring is off. */
    monitoring?: MonitoringSettings;
    /** Unset: not in a VPC. */
    network?: NetworkSettings;
    tags: { [key: string]: string };
}

/** @internal Validates `args` (throwing before anything is created), then applies the defaults. */
export function resolveSettings(name: string, args: ModelApiArgs): Settings {
    validateArgs(name, args);
    const endpoint = args.endpoint ?? {};
    const serverless = endpoint.serverless ? withDefaults(serverlessDefaults(), endpoint.serverless) : undefined;
    const autoscaling = endpoint.autoscaling ? withDefaults(autoscalingDefaults(), endpoint.autoscaling) : undefined;
    const instance = { ...instanceDefaults(autoscaling), ...pick(endpoint, ["instanceType", "instanceCount"]) };
    const api = { ...apiDefaults(), ...pick(args.api ?? {}, ["auth", "stageName", "accessLogs", "docs", "logRetentionDays"]) };
    const image = args.image ?? {};
    return {
        name,
        models: args.models.map((m) => ({ ...m })),
        multiModel: args.multiModel ?? false,
        image:
            image.uri !== undefined
                ? { kind: "existing", uri: image.uri, repositoryArn: image.repositoryArn }
                : {
                      kind: "build",
                      ...imageDefaults(),
                      ...pick(image, ["dockerfile", "platform", "keepImages"]),
                      context: image.context ?? defaultImageContext(),
                  },
        endpoint: {
            serverless,
            ...instance,
            networkIsolation: endpoint.networkIsolation ?? networkIsolationDefault(serverless !== undefined),
            autoscaling,
            dataCapture: endpoint.dataCapture ? withDefaults(dataCaptureDefaults(), endpoint.dataCapture) : undefined,
            environment: { ...(endpoint.environment ?? {}) },
            logRetentionDays: endpoint.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
            rollout: endpoint.rollout ? { ...rolloutDefaults(), ...definedFields(endpoint.rollout) } : undefined,
        },
        api: {
            ...api,
            throttle: { ...throttleDefaults(), ...defined(args.api?.throttle) },
            quota: { ...quotaDefaults(), ...defined(args.api?.quota) },
            function: { ...functionDefaults(), ...defined(args.api?.function) },
            cors: corsSettings(args.api?.cors),
        },
        kmsKeyArn: args.artifacts?.kmsKeyArn,
        monitoring: monitoringSettings(args, serverless !== undefined),
        network: networkSettings(args),
        tags: { ...(args.tags ?? {}) },
    };
}

function monitoringSettings(args: ModelApiArgs, serverless: boolean): MonitoringSettings | undefined {
    const monitoring = args.monitoring ?? {};
    if (!(monitoring.enabled ?? monitoringEnabledDefault(serverless))) {
        return undefined;
    }
    const alarms: { [K in AlarmKey]?: AlarmSettings } = {};
    for (const [key, defaults] of Object.entries(alarmDefaults()) as [AlarmKey, AlarmSettings][]) {
        // Serverless endpoints publish no instance utilization metrics: those alarms are off unless asked for,
        // which validation refuses.
        const enabledByDefault = !(serverless && INSTANCE_ONLY_ALARMS.includes(key));
        const alarm = { ...defaults, enabled: enabledByDefault, ...definedFields(monitoring.alarms?.[key] ?? {}) };
        if (alarm.enabled) {
            alarms[key] = alarm;
        }
    }
    return { alarmTopicArns: [...(monitoring.alarmTopicArns ?? [])], dashboard: monitoring.dashboard ?? true, alarms };
}

/** The listed keys of `obj` that are set; an explicit `undefined` must not override a default. */
function pick<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
    const out: Partial<Pick<T, K>> = {};
    for (const key of keys) {
        if (obj[key] !== undefined) {
            out[key] = obj[key];
        }
    }
    return out;
}

function defined<T extends object>(obj: T | undefined): Partial<T> {
    return obj ? pick(obj, Object.keys(obj) as (keyof T)[]) : {};
}
