/**
 * @internal Checks of `monitoring`: what CloudWatch's PutMetricAlarm accepts, refused here with the argument
 * named before anything is created.
 */
import { definedFields } from "../../core/defined";
import { closestKey } from "../../core/known-keys";
import type { ModelApiArgs } from "../args";
import type { Report } from "../checks";
import { servedKind } from "../endpoint/defaults";
import {
    ALARM_KEYS,
    ALARMS,
    type AlarmKey,
    alarmDefaults,
    alarmFits,
    ASYNC_ONLY_ALARMS,
    INSTANCE_ONLY_ALARMS,
    RATE_ALARMS,
} from "./catalogue";
import { monitoringEnabledDefault } from "./defaults";

// "PutMetricAlarm" (CloudWatch API Reference): at most 5 actions per state; an alarm's evaluation range is at
// most one day; the period is 10, 20, 30 or a multiple of 60 seconds.
const MAX_ALARM_ACTIONS = 5;
const MAX_EVALUATION_RANGE_SECONDS = 86_400;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** @internal Reports every impossible `monitoring` setting. */
export function validateMonitoring(args: ModelApiArgs, report: Report): void {
    const monitoring = args.monitoring ?? {};
    const serverless = args.endpoint?.serverless !== undefined;
    const topics: unknown = monitoring.alarmTopicArns ?? [];
    if (!Array.isArray(topics)) {
        report("monitoring.alarmTopicArns", `must be a list of SNS topic ARNs`);
    } else {
        if (topics.length > MAX_ALARM_ACTIONS) {
            report("monitoring.alarmTopicArns", `has ${topics.length} topics; a CloudWatch alarm notifies at most ${MAX_ALARM_ACTIONS}`);
        }
        topics.forEach((arn, i) => {
            if (typeof arn !== "string" || !SNS_TOPIC_ARN.test(arn)) {
                report(
                    `monitoring.alarmTopicArns[${i}]`,
                    `must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:alerts; got "${arn}"`,
                );
            }
        });
    }
    const defaults = alarmDefaults();
    const known: string[] = ALARM_KEYS;
    for (const [key, alarm] of Object.entries(monitoring.alarms ?? {})) {
        const at = `monitoring.alarms.${key}`;
        if (!known.includes(key)) {
            const suggestion = closestKey(key, known);
            report(
                "monitoring.alarms",
                `has an unknown alarm "${key}"; expected one of ${known.join(", ")}` + (suggestion ? `; did you mean ${suggestion}?` : ""),
            );
            continue;
        }
        if (alarm === undefined || alarm === null) {
            continue;
        }
        const kind = servedKind(args.endpoint);
        if (alarm.enabled === true && !alarmFits(key as AlarmKey, kind).published) {
            if (kind === "serverless" && INSTANCE_ONLY_ALARMS.includes(key as AlarmKey)) {
                // "Alarms and logs for tracking metrics from serverless endpoints" lists every metric a serverless
                // endpoint publishes; CPUUtilization and the instance MemoryUtilization are not among them.
                report(at, `cannot be enabled with endpoint.serverless: serverless endpoints do not publish instance utilization metrics`);
            } else if (ASYNC_ONLY_ALARMS.includes(key as AlarmKey)) {
                report(
                    at,
                    `cannot be enabled without endpoint.async: only asynchronous endpoints publish ${ALARMS[key as AlarmKey].metricName} ` +
                        `("Alarms and logs for tracking metrics from asynchronous endpoints", SageMaker Developer Guide)`,
                );
            }
        }
        const merged = { ...defaults[key as AlarmKey], ...definedFields(alarm) };
        if (!(Number.isFinite(merged.threshold) && merged.threshold >= 0)) {
            report(`${at}.threshold`, `must be a number of at least 0; got ${merged.threshold}`);
        } else if (RATE_ALARMS.includes(key as AlarmKey) && merged.threshold > 1) {
            // The error metrics are 1 or 0 per request, so their Average is a rate ("Amazon SageMaker AI metrics in
            // Amazon CloudWatch"; "Amazon API Gateway dimensions and metrics").
            report(`${at}.threshold`, `is an error rate from 0 to 1 (0.05 is 5 %); got ${merged.threshold}`);
        }
        const period = merged.periodSeconds;
        const periodValid = [10, 20, 30].includes(period) || (Number.isInteger(period) && period > 0 && period % 60 === 0);
        if (!periodValid) {
            report(`${at}.periodSeconds`, `must be 10, 20, 30 or a multiple of 60; got ${period}`);
        }
        const evaluationsValid = Number.isInteger(merged.evaluationPeriods) && merged.evaluationPeriods >= 1;
        if (!evaluationsValid) {
            report(`${at}.evaluationPeriods`, `must be a positive integer; got ${merged.evaluationPeriods}`);
        }
        if (
            evaluationsValid &&
            !(
                Number.isInteger(merged.datapointsToAlarm) &&
                merged.datapointsToAlarm >= 1 &&
                merged.datapointsToAlarm <= merged.evaluationPeriods
            )
        ) {
            report(
                `${at}.datapointsToAlarm`,
                `must be an integer from 1 to evaluationPeriods (${merged.evaluationPeriods}); got ${merged.datapointsToAlarm}`,
            );
        }
        if (periodValid && evaluationsValid && period * merged.evaluationPeriods > MAX_EVALUATION_RANGE_SECONDS) {
            report(
                at,
                `: periodSeconds x evaluationPeriods is ${period * merged.evaluationPeriods} s; CloudWatch evaluates at most one day (86400 s)`,
            );
        }
    }
    if (monitoring.enabled === undefined && !monitoringEnabledDefault(serverless) && monitoring.alarmTopicArns !== undefined) {
        report(
            "monitoring.alarmTopicArns",
            `is set but monitoring is off for serverless endpoints by default; set monitoring.enabled: true`,
        );
    }
}
