/**
 * Defaults of every optional argument, as small pure functions. Callers merge them as
 * `{ ...defaults, ...args.x }`; `args` is never mutated. The README's Arguments table is checked against them
 * (test/components/readme-defaults.test.ts).
 */
import {
    AlarmArgs,
    AlarmsArgs,
    ApiAuth,
    AutoscalingArgs,
    CorsArgs,
    DataCaptureArgs,
    FunctionArgs,
    QuotaArgs,
    RolloutArgs,
    ServerlessArgs,
    ThrottleArgs,
} from "../args";

/** @internal */
export const DEFAULT_LOG_RETENTION_DAYS = 14;

/**
 * @internal `{ ...defaults, ...given }`, except that a field given as `undefined` keeps its default (an
 * explicit `undefined`, as a stack config or another language may send, is not a setting).
 */
export function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
    const out = { ...defaults };
    for (const [key, value] of Object.entries(given ?? {})) {
        if (value !== undefined) {
            (out as Record<string, unknown>)[key] = value;
        }
    }
    return out;
}

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

/**
 * @internal Access logs are off: a stage with access logging fails to deploy ("CloudWatch Logs role ARN must
 * be set in account settings to enable logging") until the account-wide API Gateway CloudWatch role is set
 * in that region ("Set up CloudWatch logging for REST APIs in API Gateway", API Gateway Developer Guide),
 * and defaults must deploy in a brand-new account.
 */
export function apiDefaults() {
    return {
        auth: ApiAuth.ApiKey as ApiAuth,
        stageName: "v1",
        accessLogs: false,
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

/** @internal CORS is off unless origins are given; the list is copied so `args` stays untouched. */
export function corsSettings(cors: CorsArgs | undefined): CorsArgs | undefined {
    return cors ? { allowOrigins: [...cors.allowOrigins] } : undefined;
}

/** @internal The name of one alarm of `monitoring.alarms`. */
export type AlarmKey = keyof AlarmsArgs;

/** @internal One alarm's settings with every default applied. */
export type AlarmSettings = Required<AlarmArgs>;

/**
 * @internal The alarm defaults. Every alarm treats missing data as not breaching, so an idle endpoint (no
 * requests, hence no datapoints) stays OK ("Configuring how CloudWatch alarms treat missing data",
 * CloudWatch User Guide). Sources of the numbers:
 * - endpoint5xx, endpoint4xx: SageMaker sends 1 per failed and 0 per good invocation, so the Average is the
 *   error rate ("Amazon SageMaker AI metrics in Amazon CloudWatch", invocation metrics). 4xx uses the 0.05
 *   rate and 5 of 5 minutes CloudWatch's "Recommended alarms" page gives API Gateway's 4XXError; 5xx is
 *   stricter (1 %, 2 of 3 minutes) because it rolls rollouts back and a rollout bake lasts minutes.
 * - modelLatency: p99 over one-minute periods as "Auto-Rollback Configuration and Monitoring" (SageMaker
 *   Developer Guide) alarms on latency of the new fleet; 1000 ms is our ceiling for a tabular model that
 *   answers in milliseconds, well below the 60 s SageMaker allows a container to answer ("Use your own
 *   inference code with hosting services").
 * - cpuUtilization, memoryUtilization: 90 % sustained over 15 minutes; the endpoint instance metrics are
 *   one-minute metrics in /aws/sagemaker/Endpoints ("Amazon SageMaker AI metrics in Amazon CloudWatch").
 * - api5xx: Average of 5XXError above 0.05 in 3 of 3 one-minute periods, and apiLatency 2500 ms in 5 of 5
 *   one-minute periods, as CloudWatch's "Recommended alarms" page gives for API Gateway (its latency alarm
 *   is on p90; ours is on p99, the statistic the dashboard shows).
 * - functionErrors, functionThrottles: any error or throttle, as the Lambda section of "Recommended alarms"
 *   leaves the threshold to the function; our handler answers every handled failure itself, so an Error is
 *   a crash or a timeout.
 */
export function alarmDefaults(): { [K in AlarmKey]-?: AlarmSettings } {
    const perMinute = (threshold: number, datapointsToAlarm: number, evaluationPeriods: number): AlarmSettings => ({
        enabled: true,
        threshold,
        periodSeconds: 60,
        evaluationPeriods,
        datapointsToAlarm,
    });
    return {
        endpoint5xx: perMinute(0.01, 2, 3),
        endpoint4xx: perMinute(0.05, 5, 5),
        modelLatency: perMinute(1000, 3, 3),
        cpuUtilization: { enabled: true, threshold: 90, periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3 },
        memoryUtilization: { enabled: true, threshold: 90, periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3 },
        api5xx: perMinute(0.05, 3, 3),
        apiLatency: perMinute(2500, 5, 5),
        functionErrors: perMinute(0, 3, 3),
        functionThrottles: perMinute(0, 5, 5),
    };
}

/** @internal Alarms that serverless endpoints cannot have: they publish no instance utilization metrics. */
export const INSTANCE_ONLY_ALARMS: AlarmKey[] = ["cpuUtilization", "memoryUtilization"];

/** @internal Monitoring is on for real-time endpoints unless turned off, off for serverless unless turned on. */
export function monitoringEnabledDefault(serverless: boolean): boolean {
    return !serverless;
}

/** @internal */
export function rolloutDefaults(): Required<Omit<RolloutArgs, "maximumSeconds">> {
    // bakeSeconds: over three times the longest default rollback alarm window (3 x 60 s), so an alarm that
    // starts breaching late in a shift still trips inside the bake (WaitIntervalInSeconds allows 0 to 3600,
    // TrafficRoutingConfig); finalBakeSeconds keeps the old fleet 5 minutes after the last shift
    // (TerminationWaitInSeconds, BlueGreenUpdatePolicy).
    return { trafficShifting: "allAtOnce", canaryPercent: 10, linearStepPercent: 20, bakeSeconds: 600, finalBakeSeconds: 300 };
}
