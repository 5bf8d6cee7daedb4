/**
 * Defaults of every optional argument, as small pure functions. Callers merge them as
 * `{ ...defaults, ...args.x }`; `args` is never mutated. Keep the README's Arguments table in step.
 */
import { ApiAuth, AutoscalingArgs, DataCaptureArgs, FunctionArgs, QuotaArgs, ServerlessArgs, ThrottleArgs } from "./args";

/** @internal */
export const DEFAULT_LOG_RETENTION_DAYS = 14;

/** @internal */
export function imageDefaults() {
    return { platform: "linux/amd64", keepImages: 10 };
}

/** @internal */
export function instanceDefaults(autoscaling: Required<AutoscalingArgs> | undefined) {
    // With autoscaling the endpoint starts at its floor rather than at a number autoscaling would undo.
    return { instanceType: "ml.m5.large", instanceCount: autoscaling ? autoscaling.minCapacity : 1 };
}

/** @internal */
export function serverlessDefaults(): Required<ServerlessArgs> {
    return { memorySizeMb: 2048, maxConcurrency: 5 };
}

/** @internal */
export function autoscalingDefaults(): Required<AutoscalingArgs> {
    return {
        minCapacity: 1,
        maxCapacity: 4,
        targetInvocationsPerInstance: 100,
        scaleInCooldownSeconds: 300,
        scaleOutCooldownSeconds: 60,
    };
}

/** @internal */
export function dataCaptureDefaults(): Required<DataCaptureArgs> {
    return { samplingPercentage: 100 };
}

/** @internal Network isolation is on unless the endpoint is serverless, which does not support it. */
export function networkIsolationDefault(serverless: boolean): boolean {
    return !serverless;
}

/** @internal */
export function apiDefaults() {
    return {
        auth: ApiAuth.ApiKey as ApiAuth,
        stageName: "v1",
        accessLogs: true,
        docs: false,
        logRetentionDays: DEFAULT_LOG_RETENTION_DAYS,
    };
}

/** @internal */
export function throttleDefaults(): Required<ThrottleArgs> {
    return { rateLimit: 10, burstLimit: 20 };
}

/** @internal */
export function quotaDefaults(): Required<QuotaArgs> {
    return { limit: 10000, period: "DAY" };
}

/** @internal */
export function functionDefaults(): Required<FunctionArgs> {
    return { timeoutSeconds: 29, memorySizeMb: 256, logRetentionDays: DEFAULT_LOG_RETENTION_DAYS };
}
