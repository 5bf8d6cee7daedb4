import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmKey, AlarmSettings, MonitoringSettings } from "./defaults";

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

/** @internal The alarms on the endpoint itself: created with the endpoint, and what a rollout rolls back on. */
export const ENDPOINT_ALARMS: AlarmKey[] = ["endpoint5xx", "endpoint4xx", "modelLatency", "cpuUtilization", "memoryUtilization"];
/** @internal The alarms on the API stage and the function, created once those exist. */
export const FRONT_ALARMS: AlarmKey[] = ["api5xx", "apiLatency", "functionErrors", "functionThrottles"];

/** @internal One alarm the component created, under its `monitoring.alarms` key. */
export interface CreatedAlarm {
    key: AlarmKey;
    alarm: aws.cloudwatch.MetricAlarm;
}

/**
 * @internal The metric behind each alarm. Namespaces, names, dimensions and units: "Amazon SageMaker AI metrics
 * in Amazon CloudWatch" (AWS/SageMaker invocation metrics by EndpointName and VariantName, ModelLatency in
 * microseconds; /aws/sagemaker/Endpoints instance metrics, CPUUtilization summed over vCPUs), "Amazon API
 * Gateway dimensions and metrics" (ApiName and Stage; Latency in milliseconds) and "Types of metrics for
 * Lambda functions" (FunctionName).
 */
export function alarmMetric(key: AlarmKey, parts: MonitoredParts): MetricSpec {
    const endpoint = { EndpointName: parts.endpointName, VariantName: parts.variantName };
    const stage = () => ({ ApiName: required(parts.apiName, key), Stage: required(parts.stageName, key) });
    const fn = () => ({ FunctionName: required(parts.functionName, key) });
    switch (key) {
        case "endpoint5xx":
            return sageMaker("Invocation5XXErrors", "Average", 1, "share of invocations the model answered with a 5xx");
        case "endpoint4xx":
            return sageMaker("Invocation4XXErrors", "Average", 1, "share of invocations the model answered with a 4xx");
        case "modelLatency":
            return sageMaker("ModelLatency", "p99", 1000, "p99 time the model takes to answer, in ms");
        case "cpuUtilization":
            return {
                ...instance("CPUUtilization", "average CPU use of the instances, all vCPUs added up"),
                thresholdScale: vcpusOf(parts.instanceType ?? ""),
            };
        case "memoryUtilization":
            return instance("MemoryUtilization", "average memory use of the instances, in percent");
        case "api5xx":
            return {
                namespace: "AWS/ApiGateway",
                metricName: "5XXError",
                dimensions: stage(),
                stat: "Average",
                thresholdScale: 1,
                description: "share of API requests answered with a 5xx",
            };
        case "apiLatency":
            return {
                namespace: "AWS/ApiGateway",
                metricName: "Latency",
                dimensions: stage(),
                stat: "p99",
                thresholdScale: 1,
                description: "p99 time API Gateway takes to answer, in ms",
            };
        case "functionErrors":
            return {
                namespace: "AWS/Lambda",
                metricName: "Errors",
                dimensions: fn(),
                stat: "Sum",
                thresholdScale: 1,
                description: "function invocations that crashed or timed out",
            };
        case "functionThrottles":
            return {
                namespace: "AWS/Lambda",
                metricName: "Throttles",
                dimensions: fn(),
                stat: "Sum",
                thresholdScale: 1,
                description: "function invocations Lambda throttled",
            };
    }

    function sageMaker(metricName: string, stat: string, thresholdScale: number, description: string): MetricSpec {
        return { namespace: "AWS/SageMaker", metricName, dimensions: endpoint, stat, thresholdScale, description };
    }
    function instance(metricName: string, description: string): MetricSpec {
        return { namespace: "/aws/sagemaker/Endpoints", metricName, dimensions: endpoint, stat: "Average", thresholdScale: 1, description };
    }
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
): CreatedAlarm[] {
    return keys
        .filter((key) => monitoring.alarms[key] !== undefined)
        .map((key) => ({ key, alarm: metricAlarm(name, key, monitoring.alarms[key]!, parts, monitoring.alarmTopicArns, tags, parent) }));
}

function metricAlarm(
    name: string,
    key: AlarmKey,
    settings: AlarmSettings,
    parts: MonitoredParts,
    topics: string[],
    tags: { [key: string]: string },
    parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
    const metric = alarmMetric(key, parts);
    const percentile = /^p\d/.test(metric.stat);
    return new aws.cloudwatch.MetricAlarm(
        `${name}-alarm-${kebab(key)}`,
        {
            alarmDescription: `ModelApi ${name}: ${metric.description} above ${settings.threshold}`,
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
