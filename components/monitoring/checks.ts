/**
 * Checks of `monitoring` and `endpoint.rollout`: what CloudWatch's PutMetricAlarm and SageMaker's deployment
 * guardrails accept, refused here with the argument named before anything is created.
 */
import { ModelApiArgs } from "../args";
import { AlarmKey, alarmDefaults, INSTANCE_ONLY_ALARMS, monitoringEnabledDefault, rolloutDefaults } from "../settings/defaults";

type Fail = (message: string) => never;

/** @internal The traffic shifting modes of `endpoint.rollout`, and SageMaker's name for each (TrafficRoutingConfig). */
export const TRAFFIC_SHIFTING: { [mode: string]: string } = { allAtOnce: "ALL_AT_ONCE", canary: "CANARY", linear: "LINEAR" };

/** @internal The alarms that roll a rollout back: the endpoint's own errors and latency, which cover both fleets. */
export const ROLLBACK_ALARMS: AlarmKey[] = ["endpoint5xx", "modelLatency"];

/** @internal Alarms whose threshold is a rate from 0 to 1. */
const RATE_ALARMS: AlarmKey[] = ["endpoint5xx", "endpoint4xx", "api5xx"];

// "PutMetricAlarm" (CloudWatch API Reference): at most 5 actions per state; an alarm's evaluation range is at
// most one day; the period is 10, 20, 30 or a multiple of 60 seconds.
const MAX_ALARM_ACTIONS = 5;
const MAX_EVALUATION_RANGE_SECONDS = 86_400;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** @internal Throws through `fail` for the first impossible `monitoring` setting. */
export function validateMonitoring(args: ModelApiArgs, fail: Fail): void {
    const monitoring = args.monitoring ?? {};
    const serverless = args.endpoint?.serverless !== undefined;
    const topics = monitoring.alarmTopicArns ?? [];
    if (!Array.isArray(topics)) {
        fail(`monitoring.alarmTopicArns must be a list of SNS topic ARNs`);
    }
    if (topics.length > MAX_ALARM_ACTIONS) {
        fail(`monitoring.alarmTopicArns has ${topics.length} topics; a CloudWatch alarm notifies at most ${MAX_ALARM_ACTIONS}`);
    }
    topics.forEach((arn, i) => {
        if (typeof arn !== "string" || !SNS_TOPIC_ARN.test(arn)) {
            fail(`monitoring.alarmTopicArns[${i}] must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:alerts; got "${arn}"`);
        }
    });
    const defaults = alarmDefaults();
    const known = Object.keys(defaults);
    for (const [key, alarm] of Object.entries(monitoring.alarms ?? {})) {
        const at = `monitoring.alarms.${key}`;
        if (!known.includes(key)) {
            fail(`monitoring.alarms has an unknown alarm "${key}"; expected one of ${known.join(", ")}`);
        }
        if (alarm === undefined) {
            continue;
        }
        if (serverless && alarm.enabled === true && INSTANCE_ONLY_ALARMS.includes(key as AlarmKey)) {
            // "Alarms and logs for tracking metrics from serverless endpoints" lists every metric a serverless
            // endpoint publishes; CPUUtilization and the instance MemoryUtilization are not among them.
            fail(`${at} cannot be enabled with endpoint.serverless: serverless endpoints do not publish instance utilization metrics`);
        }
        const merged = { ...defaults[key as AlarmKey], ...defined(alarm) };
        if (!(Number.isFinite(merged.threshold) && merged.threshold >= 0)) {
            fail(`${at}.threshold must be a number of at least 0; got ${merged.threshold}`);
        }
        // The error metrics are 1 or 0 per request, so their Average is a rate ("Amazon SageMaker AI metrics in
        // Amazon CloudWatch"; "Amazon API Gateway dimensions and metrics").
        if (RATE_ALARMS.includes(key as AlarmKey) && merged.threshold > 1) {
            fail(`${at}.threshold is an error rate from 0 to 1 (0.05 is 5 %); got ${merged.threshold}`);
        }
        const period = merged.periodSeconds;
        if (!([10, 20, 30].includes(period) || (Number.isInteger(period) && period > 0 && period % 60 === 0))) {
            fail(`${at}.periodSeconds must be 10, 20, 30 or a multiple of 60; got ${period}`);
        }
        if (!(Number.isInteger(merged.evaluationPeriods) && merged.evaluationPeriods >= 1)) {
            fail(`${at}.evaluationPeriods must be a positive integer; got ${merged.evaluationPeriods}`);
        }
        if (!(
            Number.isInteger(merged.datapointsToAlarm) &&
            merged.datapointsToAlarm >= 1 &&
            merged.datapointsToAlarm <= merged.evaluationPeriods
        )) {
            fail(
                `${at}.datapointsToAlarm must be an integer from 1 to evaluationPeriods (${merged.evaluationPeriods}); got ${merged.datapointsToAlarm}`,
            );
        }
        if (period * merged.evaluationPeriods > MAX_EVALUATION_RANGE_SECONDS) {
            fail(
                `${at}: periodSeconds x evaluationPeriods is ${period * merged.evaluationPeriods} s; CloudWatch evaluates at most one day (86400 s)`,
            );
        }
    }
    if (monitoring.enabled === undefined && !monitoringEnabledDefault(serverless) && monitoring.alarmTopicArns !== undefined) {
        fail(`monitoring.alarmTopicArns is set but monitoring is off for serverless endpoints by default; set monitoring.enabled: true`);
    }
}

/** @internal Throws through `fail` for the first `endpoint.rollout` setting SageMaker's deployment guardrails refuse. */
export function validateRollout(args: ModelApiArgs, fail: Fail): void {
    const endpoint = args.endpoint ?? {};
    const rollout = endpoint.rollout;
    if (rollout === undefined) {
        return;
    }
    if (endpoint.serverless) {
        fail(
            `endpoint.rollout cannot be combined with endpoint.serverless: SageMaker sizes canary and linear steps in ` +
                `instances of the variant (TrafficRoutingConfig), which a serverless endpoint does not have`,
        );
    }
    const instanceType = endpoint.instanceType ?? "";
    if (/^ml\.inf1\./.test(instanceType)) {
        // "Deployment guardrails: Exclusions" (SageMaker Developer Guide).
        fail(
            `endpoint.rollout cannot be used with instance type ${instanceType}: SageMaker does not apply deployment ` +
                `guardrails to Inf1 endpoints and would shift all traffic at once without a bake`,
        );
    }
    const settings = { ...rolloutDefaults(), ...defined(rollout) };
    const modes = Object.keys(TRAFFIC_SHIFTING);
    if (!modes.includes(settings.trafficShifting)) {
        fail(`endpoint.rollout.trafficShifting must be one of ${modes.map((m) => `"${m}"`).join(", ")}; got "${settings.trafficShifting}"`);
    }
    if (rollout.canaryPercent !== undefined && settings.trafficShifting !== "canary") {
        fail(`endpoint.rollout.canaryPercent needs trafficShifting: "canary"`);
    }
    if (rollout.linearStepPercent !== undefined && settings.trafficShifting !== "linear") {
        fail(`endpoint.rollout.linearStepPercent needs trafficShifting: "linear"`);
    }
    // TrafficRoutingConfig (SageMaker API Reference): the canary is at most 50 % of the variant's instances, a
    // linear step 10 to 50 %; WaitIntervalInSeconds 0 to 3600. BlueGreenUpdatePolicy: TerminationWaitInSeconds
    // 0 to 3600, MaximumExecutionTimeoutInSeconds 600 to 14400.
    if (settings.trafficShifting !== "allAtOnce") {
        const instances = endpoint.instanceCount ?? endpoint.autoscaling?.minCapacity ?? 1;
        if (instances < 2) {
            fail(
                `endpoint.rollout.trafficShifting "${settings.trafficShifting}" needs at least 2 instances (endpoint.instanceCount is ` +
                    `${instances}): SageMaker shifts at most 50 % of the variant's instances in a step; use "allAtOnce" or more instances`,
            );
        }
    }
    if (settings.trafficShifting === "canary" && !(settings.canaryPercent > 0 && settings.canaryPercent <= 50)) {
        fail(`endpoint.rollout.canaryPercent must be more than 0 and at most 50; got ${settings.canaryPercent}`);
    }
    if (settings.trafficShifting === "linear" && !(settings.linearStepPercent >= 10 && settings.linearStepPercent <= 50)) {
        fail(`endpoint.rollout.linearStepPercent must be from 10 to 50; got ${settings.linearStepPercent}`);
    }
    integerIn(fail, "endpoint.rollout.bakeSeconds", settings.bakeSeconds, 0, 3600);
    integerIn(fail, "endpoint.rollout.finalBakeSeconds", settings.finalBakeSeconds, 0, 3600);
    if (rollout.maximumSeconds !== undefined) {
        integerIn(fail, "endpoint.rollout.maximumSeconds", rollout.maximumSeconds, 600, 14400);
    }
    // "Auto-Rollback Configuration and Monitoring": without CloudWatch alarms on the endpoint there is no
    // auto-rollback, and the bakes watch nothing.
    const monitoringOn = args.monitoring?.enabled ?? monitoringEnabledDefault(false);
    if (!monitoringOn) {
        fail(`endpoint.rollout needs the endpoint alarms to roll back on; monitoring.enabled is false`);
    }
    const defaults = alarmDefaults();
    const rollbackAlarms = ROLLBACK_ALARMS.map((key) => ({
        key,
        ...defaults[key],
        ...defined(args.monitoring?.alarms?.[key] ?? {}),
    })).filter((a) => a.enabled);
    if (rollbackAlarms.length === 0) {
        fail(`endpoint.rollout needs at least one of monitoring.alarms.${ROLLBACK_ALARMS.join(" and monitoring.alarms.")} to roll back on`);
    }
    for (const alarm of rollbackAlarms) {
        const window = alarm.periodSeconds * alarm.evaluationPeriods;
        if (settings.bakeSeconds < window) {
            fail(
                `endpoint.rollout.bakeSeconds (${settings.bakeSeconds}) is shorter than monitoring.alarms.${alarm.key}'s evaluation ` +
                    `window (${window} s): the alarm could not trip before traffic moves on`,
            );
        }
    }
}

function integerIn(fail: Fail, argument: string, value: number, min: number, max: number): void {
    if (!(Number.isInteger(value) && value >= min && value <= max)) {
        fail(`${argument} must be an integer from ${min} to ${max}; got ${value}`);
    }
}

/** The fields of `obj` that are set: an explicit `undefined` must not override a default. */
export function defined<T extends object>(obj: T): Partial<T> {
    return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
