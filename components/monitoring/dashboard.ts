import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import type { EndpointKind } from "../../contract";
import { ALARM_KEYS, ALARMS, type AlarmSpec, type Graph, METRIC_SOURCES, type MetricSource } from "./catalogue";

/** @internal The plain values the dashboard body is built from, once every output has resolved. */
export interface DashboardTarget {
    region: string;
    endpointName: string;
    /** The endpoint's variants (production, then the shadow): one series each of every endpoint metric. */
    variantNames: string[];
    apiName: string;
    stageName: string;
    functionName: string;
    functionLogGroup: string;
    /** "realtime" shows instances and their utilization; "serverless" has none to show. */
    kind: EndpointKind;
    alarmArns: string[];
}

/**
 * @internal The Logs Insights queries over the function's one JSON line per request (lambda/log.ts). Fields are
 * taken with `parse` on @message, which works whether Lambda writes the line as it is or behind its text
 * prefix; `* 1` makes a parsed number sort and aggregate as a number.
 */
export const QUERIES = {
    slowestRequests: [
        "fields @timestamp",
        '| filter @message like /"latencyMs"/',
        '| parse @message /"requestId":"(?<requestId>[^"]*)"/',
        '| parse @message /"route":"?(?<route>[^,"]*)/',
        '| parse @message /"status":(?<status>\\d+)/',
        '| parse @message /"latencyMs":(?<latency>[0-9.]+)/',
        '| parse @message /"invokeMs":(?<invoke>[0-9.]+|null)/',
        "| fields latency * 1 as latencyMs",
        "| sort latencyMs desc",
        "| display @timestamp, requestId, route, status, latencyMs, invoke",
        "| limit 50",
    ].join("\n"),
    errorsByCode: [
        'filter @message like /"errorCode"/',
        '| parse @message /"status":(?<status>\\d+)/',
        '| parse @message /"errorCode":"(?<errorCode>[^"]*)"/',
        "| stats count(*) as requests by errorCode, status",
        "| sort requests desc",
    ].join("\n"),
    requestsByRoute: [
        'filter @message like /"latencyMs"/',
        '| parse @message /"route":"?(?<route>[^,"]*)/',
        '| parse @message /"status":(?<status>\\d+)/',
        '| parse @message /"latencyMs":(?<latency>[0-9.]+)/',
        "| stats count(*) as requests, pct(latency * 1, 50) as p50Ms, pct(latency * 1, 99) as p99Ms by route, status",
        "| sort requests desc",
    ].join("\n"),
};

type Metric = (string | object)[];

/**
 * @internal The dashboard body ("Dashboard Body Structure and Syntax", CloudWatch API Reference): a 24-column
 * grid of metric widgets (each metric `[namespace, name, dimension, value, ..., {options}]`, or a math
 * expression `[{expression, id, label}]`), an alarm widget and a Logs Insights widget. Built only from the
 * targets' names: no timestamps or generated ids, so the same stack gives the same body.
 */
export function dashboardBody(t: DashboardTarget): { widgets: object[] } {
    // SageMaker's metrics exist per variant only ("Amazon SageMaker AI metrics in Amazon CloudWatch"): with several
    // variants every endpoint series is drawn once per variant, its label naming the variant. The queue's metrics of
    // an asynchronous endpoint are per endpoint ("Alarms and logs for tracking metrics from asynchronous endpoints").
    const several = t.variantNames.length > 1;
    const perVariant = (source: MetricSource) => source === "endpoint" || source === "instances";
    const otherDimensions: Record<Exclude<MetricSource, "endpoint" | "instances">, string[]> = {
        queue: ["EndpointName", t.endpointName],
        stage: ["ApiName", t.apiName, "Stage", t.stageName],
        function: ["FunctionName", t.functionName],
    };
    const dimensionsOf = (source: MetricSource, variant: string): string[] =>
        source === "endpoint" || source === "instances"
            ? ["EndpointName", t.endpointName, "VariantName", variant]
            : otherDimensions[source];
    const labelled = (options: { label?: string }, name: string, variant: string) =>
        several ? { ...options, label: `${variant} ${options.label ?? name}` } : options;
    /** One series of a metric, once per variant for the endpoint's metrics. */
    const seriesOf =
        (source: MetricSource) =>
        (name: string, options: { label?: string; stat?: string } = {}): Metric[] =>
            (perVariant(source) ? t.variantNames : [""]).map((variant) => [
                METRIC_SOURCES[source].namespace,
                name,
                ...dimensionsOf(source, variant),
                perVariant(source) ? labelled(options, name, variant) : options,
            ]);
    const one =
        (source: MetricSource) =>
        (name: string, options: object = {}): Metric =>
            seriesOf(source)(name, options)[0];
    const sm = seriesOf("endpoint");
    const api = one("stage");
    const lambda = one("function");
    const instance = seriesOf("instances");
    const queue = one("queue");
    const isAsync = t.kind === "async";
    const widgets: object[] = [];
    let y = 0;
    const row = (height: number, ...cells: { width: number; widget: object }[]) => {
        let x = 0;
        for (const cell of cells) {
            widgets.push({ ...cell.widget, x, y, width: cell.width, height });
            x += cell.width;
        }
        y += height;
    };
    const metric = (title: string, metrics: Metric[], stat: string, extra: object = {}) => ({
        type: "metric",
        properties: { title, region: t.region, view: "timeSeries", stacked: false, period: 60, stat, metrics, ...extra },
    });
    // ModelLatency and OverheadLatency are in microseconds: shown in ms through metric math.
    const microsToMs = (name: string, stat: string, id: string): Metric[] =>
        t.variantNames.flatMap((variant, i): Metric[] => {
            const own = several ? `${id}v${i}` : id;
            return [
                [METRIC_SOURCES.endpoint.namespace, name, ...dimensionsOf("endpoint", variant), { stat, id: `${own}raw`, visible: false }],
                [{ expression: `${own}raw / 1000`, id: own, label: `${several ? `${variant} ` : ""}${name} ${stat} (ms)` }],
            ];
        });
    // The metrics of the alarms drawn on a graph (their rows in catalogue.ts), grouped by service, then by name.
    const alarmSeries = (graph: Graph): Metric[] =>
        ALARM_KEYS.map((key) => ALARMS[key] as AlarmSpec)
            .filter((alarm) => alarm.graph.on === graph && alarm.kinds.publishedBy.includes(t.kind))
            .map((alarm) => ({ alarm, order: `${METRIC_SOURCES[alarm.source].namespace} ${alarm.metricName}` }))
            .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
            .flatMap(({ alarm }) =>
                alarm.graph.series.flatMap((series): Metric[] =>
                    graph === "modelLatency"
                        ? microsToMs(alarm.metricName, series.stat ?? alarm.stat, series.id ?? alarm.metricName)
                        : seriesOf(alarm.source)(alarm.metricName, {
                              ...(series.stat ? { stat: series.stat } : {}),
                              label: series.label,
                          }),
                ),
            );

    row(2, {
        width: 24,
        widget: {
            type: "text",
            properties: {
                markdown: `## ModelApi: endpoint \`${t.endpointName}\`, API \`${t.apiName}\` stage \`${t.stageName}\`, function \`${t.functionName}\``,
            },
        },
    });
    row(
        6,
        {
            width: 8,
            widget: metric(
                "Requests",
                [
                    api("Count", { label: "API Gateway" }),
                    lambda("Invocations", { label: "Lambda" }),
                    // An asynchronous endpoint publishes no Invocations ("Alarms and logs for tracking metrics from
                    // asynchronous endpoints"); its queue is shown below.
                    ...(isAsync ? [] : sm("Invocations", { label: "SageMaker" })),
                ],
                "Sum",
            ),
        },
        {
            width: 8,
            widget: metric("Errors by class", [api("4XXError", { label: "API 4xx" }), ...alarmSeries("errors")], "Sum"),
        },
        t.alarmArns.length > 0
            ? { width: 8, widget: { type: "alarm", properties: { title: "Alarms", alarms: t.alarmArns, sortBy: "stateUpdatedTimestamp" } } }
            : { width: 8, widget: { type: "text", properties: { markdown: "No alarms: monitoring alarms are off." } } },
    );
    row(
        6,
        {
            width: 8,
            widget: metric(
                "API Gateway latency (ms)",
                [
                    ...alarmSeries("apiLatency"),
                    api("IntegrationLatency", { stat: "p50", label: "integration p50" }),
                    api("IntegrationLatency", { stat: "p99", label: "integration p99" }),
                ],
                "p99",
            ),
        },
        {
            width: 8,
            widget: metric(
                "Lambda duration (ms)",
                [lambda("Duration", { stat: "p50", label: "p50" }), lambda("Duration", { stat: "p99", label: "p99" })],
                "p99",
            ),
        },
        {
            width: 8,
            widget: isAsync
                ? metric("SageMaker model latency (ms)", alarmSeries("modelLatency"), "p99")
                : metric(
                      "SageMaker model vs overhead latency (ms)",
                      [...alarmSeries("modelLatency"), ...microsToMs("OverheadLatency", "p99", "overhead99")],
                      "p99",
                  ),
        },
    );
    if (isAsync) {
        row(
            6,
            {
                width: 8,
                widget: metric(
                    "Queue (requests waiting)",
                    [
                        queue("ApproximateBacklogSize", { label: "backlog" }),
                        queue("ApproximateBacklogSizePerInstance", { label: "backlog per instance (scaling target)" }),
                    ],
                    "Average",
                ),
            },
            { width: 8, widget: metric("Oldest queued request (s)", alarmSeries("queue"), "Maximum") },
            {
                width: 8,
                // 1 while requests wait and no instance runs: what starts an endpoint scaled to zero.
                widget: metric(
                    "Backlog without capacity",
                    [queue("HasBacklogWithoutCapacity", { label: "waiting with no instance" })],
                    "Maximum",
                ),
            },
        );
    }
    if (t.kind === "realtime" || isAsync) {
        row(
            6,
            {
                width: 12,
                // Every instance reports CPUUtilization once a minute, so its sample count is the instance count.
                widget: metric(
                    "Instances (autoscaling)",
                    instance("CPUUtilization", { stat: "SampleCount", label: "instances" }),
                    "SampleCount",
                ),
            },
            {
                width: 12,
                widget: metric(
                    "Instance utilization (%)",
                    [...alarmSeries("utilization"), ...instance("DiskUtilization", { label: "disk" })],
                    "Average",
                ),
            },
        );
    }
    row(8, {
        width: 24,
        widget: {
            type: "log",
            properties: {
                title: "Requests by route and status (function log)",
                region: t.region,
                view: "table",
                query: `SOURCE '${t.functionLogGroup}' | ${QUERIES.requestsByRoute}`,
            },
        },
    });
    return { widgets };
}

/** @internal The region and partition in an ARN, so nothing about them is assumed. */
export function arnRegion(arn: string): { partition: string; region: string } {
    const [, partition, , region] = arn.split(":");
    return { partition, region };
}

/** @internal The console link of a dashboard, on the console domain of the ARN's partition. */
export function dashboardUrl(arn: string, dashboardName: string): string {
    const { partition, region } = arnRegion(arn);
    const host =
        partition === "aws-cn"
            ? "console.amazonaws.cn"
            : partition === "aws-us-gov"
              ? "console.amazonaws-us-gov.com"
              : "console.aws.amazon.com";
    return `https://${region}.${host}/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(dashboardName)}`;
}

/** @internal The dashboard's name: the component name and a hash of the endpoint's (stack-unique) name. */
export function dashboardNameFor(name: string, endpointName: string): string {
    return `${name}-${crypto.createHash("sha256").update(endpointName).digest("hex").slice(0, 7)}`;
}

/** @internal The dashboard and the saved queries. */
export interface DashboardParts {
    dashboard: aws.cloudwatch.Dashboard;
    url: pulumi.Output<string>;
    queries: aws.cloudwatch.QueryDefinition[];
}

/** @internal Creates the dashboard and the saved Logs Insights queries (in the console under `ModelApi/<dashboard>/`). */
export function dashboard(
    name: string,
    target: { [K in keyof Omit<DashboardTarget, "alarmArns" | "region" | "variantNames" | "kind">]: pulumi.Input<string> } & {
        endpointArn: pulumi.Input<string>;
        variantNames: string[];
        kind: EndpointKind;
        alarmArns: pulumi.Input<string>[];
    },
    parent: pulumi.Resource,
): DashboardParts {
    const dashboardName = pulumi.output(target.endpointName).apply((endpointName) => dashboardNameFor(name, endpointName));
    const body = pulumi
        .all([
            target.endpointArn,
            target.endpointName,
            target.apiName,
            target.stageName,
            target.functionName,
            target.functionLogGroup,
            pulumi.all(target.alarmArns),
        ])
        .apply(([endpointArn, endpointName, apiName, stageName, functionName, functionLogGroup, alarmArns]) =>
            JSON.stringify(
                dashboardBody({
                    region: arnRegion(endpointArn).region,
                    endpointName,
                    variantNames: target.variantNames,
                    apiName,
                    stageName,
                    functionName,
                    functionLogGroup,
                    kind: target.kind,
                    alarmArns,
                }),
            ),
        );
    const board = new aws.cloudwatch.Dashboard(`${name}-dashboard`, { dashboardName, dashboardBody: body }, { parent });
    const queries = (Object.keys(QUERIES) as (keyof typeof QUERIES)[]).map(
        (query) =>
            new aws.cloudwatch.QueryDefinition(
                `${name}-query-${query.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}`,
                {
                    name: pulumi.interpolate`ModelApi/${dashboardName}/${query.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}`,
                    queryString: QUERIES[query],
                    logGroupNames: [target.functionLogGroup],
                },
                { parent },
            ),
    );
    const url = pulumi.all([target.endpointArn, board.dashboardName]).apply(([arn, boardName]) => dashboardUrl(arn, boardName));
    return { dashboard: board, url, queries };
}
