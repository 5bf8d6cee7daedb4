import * as path from "path";
import { packageRoot } from "../lambda/bundle";
import { ApiAuth, AutoscalingArgs, DataCaptureArgs, FunctionArgs, ModelApiArgs, ModelSpec, QuotaArgs, ServerlessArgs, ThrottleArgs } from "./args";
import {
    apiDefaults,
    autoscalingDefaults,
    dataCaptureDefaults,
    DEFAULT_LOG_RETENTION_DAYS,
    functionDefaults,
    imageDefaults,
    instanceDefaults,
    networkIsolationDefault,
    quotaDefaults,
    serverlessDefaults,
    throttleDefaults,
} from "./defaults";
import { NetworkSettings, networkSettings } from "./network";
import { validateArgs } from "./validate";

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
    };
    kmsKeyArn?: string;
    /** Unset: not in a VPC. */
    network?: NetworkSettings;
    tags: { [key: string]: string };
}

/** @internal The serving image's build context shipped with this package, found from this module's location. */
export function defaultImageContext(): string {
    return path.join(packageRoot(__dirname), "container");
}

/** @internal Validates `args` (throwing before anything is created), then applies the defaults. */
export function resolveSettings(name: string, args: ModelApiArgs): Settings {
    validateArgs(name, args);
    const endpoint = args.endpoint ?? {};
    const serverless = endpoint.serverless ? { ...serverlessDefaults(), ...endpoint.serverless } : undefined;
    const autoscaling = endpoint.autoscaling ? { ...autoscalingDefaults(), ...endpoint.autoscaling } : undefined;
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
            dataCapture: endpoint.dataCapture ? { ...dataCaptureDefaults(), ...endpoint.dataCapture } : undefined,
            environment: { ...(endpoint.environment ?? {}) },
            logRetentionDays: endpoint.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
        },
        api: {
            ...api,
            throttle: { ...throttleDefaults(), ...defined(args.api?.throttle) },
            quota: { ...quotaDefaults(), ...defined(args.api?.quota) },
            function: { ...functionDefaults(), ...defined(args.api?.function) },
        },
        kmsKeyArn: args.artifacts?.kmsKeyArn,
        network: networkSettings(args),
        tags: { ...(args.tags ?? {}) },
    };
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
