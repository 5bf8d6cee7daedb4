import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AlarmKey, ALARMS, type AlarmSettings, type AlarmSpec, METRIC_SOURCES, type MetricSource } from "./catalogue";
import type { MonitoringSettings } from "./defaults";

/** @internal What the alarms and the dashboard watch: this component's endpoint, API stage and function. */
export interface MonitoredParts {
    endpointName: pulumi.Input<string>;
    variantName: string;
    /** Set for real-time endpoints: the CPU alarm's threshold is per vCPU. */
    instanceType?: string;
    apiName?: pulumi.Input<string>;
    stageName?: string;
    functionName?: pulumi.Input<string>;
}

/** @internal One CloudWatch metric and the statistic an alarm takes of it. */
export interface MetricSpec {
    namespace: string;
    metricName: string;
    dimensions: { [name: string]: pulumi.Input<string> };
    /** A plain statistic ("Average", "Sum") or a percentile ("p99"). */
    stat: string;
    /** What one unit of the alarm's `threshold` is in the metric's own unit (ModelLatency is in microseconds). */
    thresholdScale: number;
    description: string;
}

/** @internal One alarm the component created, under its `monitoring.alarms` key. */
export interface CreatedAlarm {
    key: AlarmKey;
    alarm: aws.cloudwatch.MetricAlarm;
}

/** @internal The metric behind an alarm (its row in catalogue.ts), on this component's endpoint, stage or function. */
export function alarmMetric(key: AlarmKey, parts: MonitoredParts): MetricSpec {
    const spec: AlarmSpec = ALARMS[key];
    const endpoint = () => ({ EndpointName: parts.endpointName, VariantName: parts.variantName });
    const dimensions = {
        endpoint,
        instances: endpoint,
        // The queue metrics are by EndpointName alone ("Alarms and logs for tracking metrics from asynchronous endpoints").
        queue: () => ({ EndpointName: parts.endpointName }),
        stage: () => ({ ApiName: required(parts.apiName, key), Stage: required(parts.stageName, key) }),
        function: () => ({ FunctionName: required(parts.functionName, key) }),
    } satisfies Record<MetricSource, () => MetricSpec["dimensions"]>;
    return {
        namespace: METRIC_SOURCES[spec.source].namespace,
        metricName: spec.metricName,
        dimensions: dimensions[spec.source](),
        stat: spec.stat,
        thresholdScale: spec.thresholdScale === "vcpus" ? vcpusOf(parts.instanceType ?? "") : spec.thresholdScale,
        description: spec.description,
    };
}

/**
 * @internal vCPUs of an ML instance type from its size, as EC2 names sizes: medium and large 2, xlarge 4,
 * Nxlarge 4N ("Amazon EC2 instance types": the xlarge size is 4 vCPUs across the families SageMaker hosts on).
 */
export function vcpusOf(instanceType: string): number {
    const size = instanceType.split(".").pop() ?? "";
    if (size === "medium" || size === "large") {
        return 2;
    }
    const xlarge = /^(\d*)xlarge$/.exec(size);
    return xlarge ? 4 * (xlarge[1] === "" ? 1 : Number(xlarge[1])) : 1;
}

/** @internal Creates the enabled alarms among `keys`, in the order of `keys`. */
export function createAlarms(
    name: string,
    keys: AlarmKey[],
    parts: MonitoredParts,
    monitoring: MonitoringSettings,
    tags: { [key: string]: string },
    parent: pulumi.Resource,
    /** For one of several variants: its part of the alarms' logical names, and what the descriptions call it. */
    variant?: { suffix: string; label: string },
): CreatedAlarm[] {
    return keys
        .filter((key) => monitoring.alarms[key] !== undefined)
        .map((key) => ({
            key,
            alarm: metricAlarm(name, key, monitoring.alarms[key]!, parts, monitoring.alarmTopicArns, tags, parent, variant),
        }));
}

function metricAlarm(
    name: string,
    key: AlarmKey,
    settings: AlarmSettings,
    parts: MonitoredParts,
    topics: string[],
    tags: { [key: string]: string },
    parent: pulumi.Resource,
    variant?: { suffix: string; label: string },
): aws.cloudwatch.MetricAlarm {
    const metric = alarmMetric(key, parts);
    const percentile = /^p\d/.test(metric.stat);
    const subject = variant ? `${name} ${variant.label}` : name;
    return new aws.cloudwatch.MetricAlarm(
        `${name}-alarm-${kebab(key)}${variant?.suffix ?? ""}`,
        {
            alarmDescription: `ModelApi ${subject}: ${metric.description} above ${settings.threshold}`,
            namespace: metric.namespace,
            metricName: metric.metricName,
            dimensions: metric.dimensions,
            statistic: percentile ? undefined : metric.stat,
            extendedStatistic: percentile ? metric.stat : undefined,
            period: settings.periodSeconds,
            evaluationPeriods: settings.evaluationPeriods,
            datapointsToAlarm: settings.datapointsToAlarm,
            threshold: settings.threshold * metric.thresholdScale,
            comparisonOperator: "GreaterThanThreshold",
            // No requests, no datapoints: an idle endpoint is healthy, not alarming.
            treatMissingData: "notBreaching",
            alarmActions: topics,
            okActions: topics,
            tags,
        },
        { parent },
    );
}

function required<T>(value: T | undefined, key: AlarmKey): T {
    if (value === undefined) {
        throw new Error(`alarm ${key} needs a part that was not given`);
    }
    return value;
}

/** @internal `endpoint5xx` → `endpoint-5xx`: the alarm's part of its child name. */
export function kebab(key: string): string {
    return key.replace(/([a-z])([A-Z0-9])/g, "$1-$2").toLowerCase();
}
