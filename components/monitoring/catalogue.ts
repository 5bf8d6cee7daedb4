/**
 * @internal The alarms of `monitoring.alarms`, one row each: the metric it watches, its defaults, the unit of
 * its threshold, whether it rolls a rollout back, and how the dashboard graphs its metric. The rest is derived
 * from this table: which alarms are created with the endpoint and which once the API exists, the rate,
 * rollback and instance-only sets, the checks, the stack config's keys and the dashboard's series. Adding an
 * alarm is a row here plus its field in AlarmsArgs (args.ts): a field without a row does not compile.
 * No Pulumi here, so the stack config reads the keys without loading the provider.
 *
 * Every alarm treats missing data as not breaching, so an idle endpoint (no requests, hence no datapoints)
 * stays OK ("Configuring how CloudWatch alarms treat missing data", CloudWatch User Guide). Namespaces,
 * names, dimensions and units: "Amazon SageMaker AI metrics in Amazon CloudWatch" (AWS/SageMaker invocation
 * metrics by EndpointName and VariantName, ModelLatency in microseconds; /aws/sagemaker/Endpoints instance
 * metrics, one a minute, CPUUtilization summed over vCPUs), "Amazon API Gateway dimensions and metrics"
 * (ApiName and Stage; Latency in milliseconds) and "Types of metrics for Lambda functions" (FunctionName).
 * An asynchronous endpoint publishes its own list, "Any metric not listed below is not published if the
 * endpoint is enabled for asynchronous inference" ("Alarms and logs for tracking metrics from asynchronous
 * endpoints", SageMaker Developer Guide): the common invocation errors and ModelLatency, and queue metrics
 * of its own, some by EndpointName alone.
 */
import type { EndpointKind } from "../../contract";
import type { AlarmArgs, AlarmsArgs } from "../args";

/** @internal The name of one alarm of `monitoring.alarms`. */
export type AlarmKey = keyof AlarmsArgs;

/** @internal One alarm's settings with every default applied. */
export type AlarmSettings = Required<AlarmArgs>;

/**
 * @internal Where a metric comes from, which fixes its namespace and dimensions, and when its alarm can be
 * created: the endpoint's alarms exist before the endpoint (its rollout names them), the others once the API
 * stage and the function do.
 */
export const METRIC_SOURCES = {
    endpoint: { namespace: "AWS/SageMaker", createdWith: "endpoint" },
    /** An asynchronous endpoint's queue: by EndpointName only. */
    queue: { namespace: "AWS/SageMaker", createdWith: "endpoint" },
    instances: { namespace: "/aws/sagemaker/Endpoints", createdWith: "endpoint" },
    stage: { namespace: "AWS/ApiGateway", createdWith: "api" },
    function: { namespace: "AWS/Lambda", createdWith: "api" },
} as const satisfies Record<string, { namespace: string; createdWith: "endpoint" | "api" }>;

/** @internal */
export type MetricSource = keyof typeof METRIC_SOURCES;

/** @internal The dashboard's graphs an alarm's metric is drawn on (dashboard.ts). */
export type Graph = "errors" | "apiLatency" | "modelLatency" | "utilization" | "queue";

/** @internal One line of a graph: a statistic of the alarm's metric and its legend. */
export interface GraphSeries {
    stat?: string;
    label?: string;
    /** The metric math id, on graphs that convert their metrics' unit. */
    id?: string;
}

/** @internal One row of the catalogue. */
export interface AlarmSpec {
    source: MetricSource;
    metricName: string;
    /** A plain statistic ("Average", "Sum") or a percentile ("p99"). */
    stat: string;
    /** The unit `monitoring.alarms.<key>.threshold` is given in; a rate is a fraction from 0 to 1. */
    thresholdUnit: "rate" | "milliseconds" | "percent per vCPU" | "percent" | "count" | "seconds";
    /** What one unit of the threshold is in the metric's unit; "vcpus": the instance type's vCPUs. */
    thresholdScale: number | "vcpus";
    /** For the alarm's description. */
    description: string;
    defaults: AlarmSettings;
    /** A rollout rolls back when this alarm trips (the endpoint's own errors and latency, which cover both fleets). */
    rollsBack: boolean;
    graph: { on: Graph; series: GraphSeries[] };
    /** The endpoint kinds that publish the metric (no other can enable the alarm), and those it is on for by default. */
    kinds: { publishedBy: readonly EndpointKind[]; onFor: readonly EndpointKind[] };
}

const EVERY_KIND: readonly EndpointKind[] = ["realtime", "serverless", "async"];
/** Published by every endpoint and on by default for all. */
const everywhere = { publishedBy: EVERY_KIND, onFor: EVERY_KIND };
/** Instance metrics: serverless endpoints have no instances ("Alarms and logs for tracking metrics from serverless endpoints"). */
const onInstances = { publishedBy: ["realtime", "async"], onFor: ["realtime", "async"] } as const;
/** Queue metrics, published by asynchronous endpoints only. */
const asyncOnly = { publishedBy: ["async"], onFor: ["async"] } as const;

const perMinute = (threshold: number, datapointsToAlarm: number, evaluationPeriods: number): AlarmSettings => ({
    enabled: true,
    threshold,
    periodSeconds: 60,
    evaluationPeriods,
    datapointsToAlarm,
});

/** @internal The catalogue, in the order the alarms are created and output. */
export const ALARMS = {
    // SageMaker sends 1 per failed and 0 per good invocation, so the Average is the error rate ("Amazon
    // SageMaker AI metrics in Amazon CloudWatch", invocation metrics). Stricter than 4xx (1 %, 2 of 3
    // minutes) because it rolls rollouts back and a rollout bake lasts minutes.
    endpoint5xx: {
        source: "endpoint",
        metricName: "Invocation5XXErrors",
        stat: "Average",
        thresholdUnit: "rate",
        thresholdScale: 1,
        description: "share of invocations the model answered with a 5xx",
        defaults: perMinute(0.01, 2, 3),
        rollsBack: true,
        graph: { on: "errors", series: [{ label: "model 5xx" }] },
        kinds: everywhere,
    },
    // The 0.05 rate and 5 of 5 minutes CloudWatch's "Recommended alarms" page gives API Gateway's 4XXError.
    endpoint4xx: {
        source: "endpoint",
        metricName: "Invocation4XXErrors",
        stat: "Average",
        thresholdUnit: "rate",
        thresholdScale: 1,
        description: "share of invocations the model answered with a 4xx",
        defaults: perMinute(0.05, 5, 5),
        rollsBack: false,
        graph: { on: "errors", series: [{ label: "model 4xx" }] },
        kinds: everywhere,
    },
    // p99 over one-minute periods as "Auto-Rollback Configuration and Monitoring" (SageMaker Developer Guide)
    // alarms on latency of the new fleet; 1000 ms is our ceiling for a tabular model that answers in
    // milliseconds, well below the 60 s SageMaker allows a container to answer ("Use your own inference code
    // with hosting services"). The metric is in microseconds, the threshold in ms.
    modelLatency: {
        source: "endpoint",
        metricName: "ModelLatency",
        stat: "p99",
        thresholdUnit: "milliseconds",
        thresholdScale: 1000,
        description: "p99 time the model takes to answer, in ms",
        defaults: perMinute(1000, 3, 3),
        rollsBack: true,
        graph: {
            on: "modelLatency",
            series: [
                { stat: "p50", id: "model50" },
                { stat: "p99", id: "model99" },
            ],
        },
        kinds: {
            publishedBy: EVERY_KIND,
            // Its 1000 ms default is for synchronous answers; an asynchronous request may run an hour.
            onFor: ["realtime", "serverless"],
        },
    },
    // 90 % sustained over 15 minutes.
    cpuUtilization: {
        source: "instances",
        metricName: "CPUUtilization",
        stat: "Average",
        thresholdUnit: "percent per vCPU",
        thresholdScale: "vcpus",
        description: "average CPU use of the instances, all vCPUs added up",
        defaults: { enabled: true, threshold: 90, periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3 },
        rollsBack: false,
        graph: { on: "utilization", series: [{ label: "CPU (all vCPUs added up)" }] },
        kinds: onInstances,
    },
    memoryUtilization: {
        source: "instances",
        metricName: "MemoryUtilization",
        stat: "Average",
        thresholdUnit: "percent",
        thresholdScale: 1,
        description: "average memory use of the instances, in percent",
        defaults: { enabled: true, threshold: 90, periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3 },
        rollsBack: false,
        graph: { on: "utilization", series: [{ label: "memory" }] },
        kinds: onInstances,
    },
    // The oldest queued request's age, in seconds. 30 minutes in 3 of 3 five-minute periods: a queue that
    // scaling does not drain (a start from zero takes minutes, not half an hour), well inside the 6-hour
    // RequestTTLSeconds after which SageMaker drops requests ("InvokeEndpointAsync").
    backlogAge: {
        source: "queue",
        metricName: "ApproximateAgeOfOldestRequest",
        stat: "Maximum",
        thresholdUnit: "seconds",
        thresholdScale: 1,
        description: "age of the oldest queued request, in seconds",
        defaults: { enabled: true, threshold: 1800, periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3 },
        rollsBack: false,
        graph: { on: "queue", series: [{ label: "oldest request age (s)" }] },
        kinds: asyncOnly,
    },
    // Any request that failed (the model's error or a timeout): each one is a result the caller will not get.
    invocationFailures: {
        source: "endpoint",
        metricName: "InvocationFailures",
        stat: "Sum",
        thresholdUnit: "count",
        thresholdScale: 1,
        description: "asynchronous requests that failed",
        defaults: { enabled: true, threshold: 0, periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 },
        rollsBack: false,
        graph: { on: "errors", series: [{ label: "async failures" }] },
        kinds: asyncOnly,
    },
    // Average of 5XXError above 0.05 in 3 of 3 one-minute periods, as CloudWatch's "Recommended alarms" page
    // gives for API Gateway.
    api5xx: {
        source: "stage",
        metricName: "5XXError",
        stat: "Average",
        thresholdUnit: "rate",
        thresholdScale: 1,
        description: "share of API requests answered with a 5xx",
        defaults: perMinute(0.05, 3, 3),
        rollsBack: false,
        graph: { on: "errors", series: [{ label: "API 5xx" }] },
        kinds: everywhere,
    },
    // 2500 ms in 5 of 5 one-minute periods, as "Recommended alarms" gives for API Gateway (its latency alarm
    // is on p90; ours is on p99, the statistic the dashboard shows).
    apiLatency: {
        source: "stage",
        metricName: "Latency",
        stat: "p99",
        thresholdUnit: "milliseconds",
        thresholdScale: 1,
        description: "p99 time API Gateway takes to answer, in ms",
        defaults: perMinute(2500, 5, 5),
        rollsBack: false,
        graph: {
            on: "apiLatency",
            series: [
                { stat: "p50", label: "total p50" },
                { stat: "p99", label: "total p99" },
            ],
        },
        kinds: everywhere,
    },
    // Any error or throttle, as the Lambda section of "Recommended alarms" leaves the threshold to the
    // function; our handler answers every handled failure itself, so an Error is a crash or a timeout.
    functionErrors: {
        source: "function",
        metricName: "Errors",
        stat: "Sum",
        thresholdUnit: "count",
        thresholdScale: 1,
        description: "function invocations that crashed or timed out",
        defaults: perMinute(0, 3, 3),
        rollsBack: false,
        graph: { on: "errors", series: [{ label: "Lambda errors" }] },
        kinds: everywhere,
    },
    functionThrottles: {
        source: "function",
        metricName: "Throttles",
        stat: "Sum",
        thresholdUnit: "count",
        thresholdScale: 1,
        description: "function invocations Lambda throttled",
        defaults: perMinute(0, 5, 5),
        rollsBack: false,
        graph: { on: "errors", series: [{ label: "Lambda throttles" }] },
        kinds: everywhere,
    },
} satisfies { [K in AlarmKey]-?: AlarmSpec };

/** @internal Every alarm, in the catalogue's order. */
export const ALARM_KEYS = Object.keys(ALARMS) as AlarmKey[];

const keysWhere = (test: (spec: AlarmSpec) => boolean): AlarmKey[] => ALARM_KEYS.filter((key) => test(ALARMS[key]));

/** @internal The alarms on the endpoint itself: created with the endpoint, and what a rollout can roll back on. */
export const ENDPOINT_ALARMS = keysWhere((a) => METRIC_SOURCES[a.source].createdWith === "endpoint");
/** @internal The alarms on the API stage and the function, created once those exist. */
export const FRONT_ALARMS = keysWhere((a) => METRIC_SOURCES[a.source].createdWith === "api");
/** @internal The alarms that roll a rollout back. */
export const ROLLBACK_ALARMS = keysWhere((a) => a.rollsBack);
/** @internal Alarms whose threshold is a rate from 0 to 1. */
export const RATE_ALARMS = keysWhere((a) => a.thresholdUnit === "rate");
/** @internal Alarms that serverless endpoints cannot have: they publish no instance utilization metrics. */
export const INSTANCE_ONLY_ALARMS = keysWhere((a) => a.source === "instances");
/** @internal Alarms on the queue metrics only asynchronous endpoints publish. */
export const ASYNC_ONLY_ALARMS = keysWhere((a) => !a.kinds.publishedBy.includes("realtime"));

/** @internal Whether an endpoint of this kind publishes the alarm's metric, and whether the alarm is on for it by default. */
export function alarmFits(key: AlarmKey, kind: EndpointKind): { published: boolean; onByDefault: boolean } {
    const { kinds } = ALARMS[key] as AlarmSpec;
    return { published: kinds.publishedBy.includes(kind), onByDefault: kinds.onFor.includes(kind) };
}

/** @internal Every alarm's defaults, as a fresh object a caller may change. */
export function alarmDefaults(): { [K in AlarmKey]-?: AlarmSettings } {
    return Object.fromEntries(ALARM_KEYS.map((key) => [key, { ...ALARMS[key].defaults }])) as { [K in AlarmKey]-?: AlarmSettings };
}
