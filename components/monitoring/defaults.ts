/**
 * @internal Defaults of `monitoring`: which alarms exist, each with every field set, and whether monitoring
 * is on at all.
 */
import { definedFields } from "../../core/defined";
import type { AlarmArgs, AlarmsArgs, ModelApiArgs } from "../args";

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

/** @internal `monitoring` with its defaults: only the enabled alarms, each with every field set. */
export interface MonitoringSettings {
    alarmTopicArns: string[];
    dashboard: boolean;
    alarms: { [K in AlarmKey]?: AlarmSettings };
}

/** @internal `monitoring` with its defaults, or undefined when monitoring is off. */
export function monitoringSettings(args: ModelApiArgs, serverless: boolean): MonitoringSettings | undefined {
    const monitoring = args.monitoring ?? {};
    if (!(monitoring.enabled ?? monitoringEnabledDefault(serverless))) {
        return undefined;
    }
    const alarms: { [K in AlarmKey]?: AlarmSettings } = {};
    for (const [key, defaults] of Object.entries(alarmDefaults()) as [AlarmKey, AlarmSettings][]) {
        // Serverless endpoints publish no instance utilization metrics: those alarms are off unless asked for,
        // which validation refuses.
        const enabledByDefault = !(serverless && INSTANCE_ONLY_ALARMS.includes(key));
        const alarm = { ...defaults, enabled: enabledByDefault, ...definedFields(monitoring.alarms?.[key]) };
        if (alarm.enabled) {
            alarms[key] = alarm;
        }
    }
    return { alarmTopicArns: [...(monitoring.alarmTopicArns ?? [])], dashboard: monitoring.dashboard ?? true, alarms };
}
