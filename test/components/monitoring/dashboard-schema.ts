/**
 * A checker of CloudWatch dashboard bodies, written from "Dashboard Body Structure and Syntax" (CloudWatch API
 * Reference): the widget types, the 24-column grid, and the shapes of a metric widget's `metrics` array
 * (`[namespace, metricName, dimensionName, dimensionValue, ..., {rendering options}]` or a math expression
 * `[{expression, id, ...}]`). Returns every violation, so a test shows them all at once. Also a plain target to
 * build a body from outside a Pulumi graph.
 */
import type { DashboardTarget } from "../../../components/monitoring/dashboard";

const WIDGET_TYPES = ["metric", "text", "log", "alarm", "explorer"];
const METRIC_OPTIONS = ["accountId", "color", "label", "period", "region", "stat", "visible", "yAxis", "id"];
const EXPRESSION_OPTIONS = ["expression", "id", "label", "color", "period", "visible", "yAxis", "region", "accountId"];
const STAT = /^(SampleCount|Average|Sum|Minimum|Maximum|p\d{1,2}(\.\d+)?|p100|IQM|(tm|wm|tc|ts|pr)\d{1,2})$/;
const ID = /^[a-z][a-zA-Z0-9_]*$/;

export function dashboardErrors(body: unknown): string[] {
    const errors: string[] = [];
    const fail = (where: string, message: string) => errors.push(`${where}: ${message}`);
    if (!isObject(body) || !Array.isArray(body.widgets)) {
        return ["body: must be an object with a widgets array"];
    }
    const ids = new Set<string>();
    body.widgets.forEach((widget: unknown, i: number) => {
        const at = `widgets[${i}]`;
        if (!isObject(widget)) {
            fail(at, "must be an object");
            return;
        }
        if (!WIDGET_TYPES.includes(widget.type as string)) {
            fail(at, `unknown type ${JSON.stringify(widget.type)}`);
        }
        for (const key of ["x", "y", "width", "height"]) {
            if (!Number.isInteger(widget[key])) fail(at, `${key} must be an integer`);
        }
        const x = widget.x as number;
        const width = widget.width as number;
        if (x < 0 || x > 23 || width < 1 || width > 24 || x + width > 24) fail(at, `x ${x} + width ${width} leaves the 24-column grid`);
        if ((widget.height as number) < 1 || (widget.height as number) > 1000) fail(at, `height ${widget.height} out of 1-1000`);
        const props = widget.properties;
        if (!isObject(props)) {
            fail(at, "properties must be an object");
            return;
        }
        switch (widget.type) {
            case "text":
                if (typeof props.markdown !== "string") fail(at, "a text widget needs markdown");
                break;
            case "alarm":
                if (!Array.isArray(props.alarms) || props.alarms.length === 0 || props.alarms.length > 100)
                    fail(at, "an alarm widget needs 1-100 alarm ARNs");
                ((props.alarms as unknown[]) ?? []).forEach((a) => {
                    if (typeof a !== "string" || !/^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/.test(a))
                        fail(at, `not an alarm ARN: ${a}`);
                });
                break;
            case "log":
                if (typeof props.query !== "string" || !/^SOURCE '[^']+'( \| SOURCE '[^']+')* \| /.test(props.query))
                    fail(at, "a log widget's query starts with SOURCE 'log group' |");
                if (typeof props.region !== "string") fail(at, "a log widget needs a region");
                if (props.view !== undefined && !["table", "timeSeries", "bar", "pie"].includes(props.view as string))
                    fail(at, `log view ${props.view}`);
                break;
            case "metric": {
                if (typeof props.region !== "string") fail(at, "a metric widget needs a region");
                if (props.stat !== undefined && !STAT.test(props.stat as string)) fail(at, `stat ${props.stat}`);
                if (
                    props.view !== undefined &&
                    !["timeSeries", "singleValue", "gauge", "bar", "pie", "table"].includes(props.view as string)
                )
                    fail(at, `view ${props.view}`);
                if (
                    props.period !== undefined &&
                    !(
                        props.period === 1 ||
                        props.period === 5 ||
                        props.period === 10 ||
                        props.period === 30 ||
                        (Number.isInteger(props.period) && (props.period as number) % 60 === 0)
                    )
                ) {
                    fail(at, `period ${props.period}`);
                }
                if (!Array.isArray(props.metrics) || props.metrics.length === 0) {
                    fail(at, "a metric widget needs metrics");
                    break;
                }
                props.metrics.forEach((metric: unknown, j: number) => checkMetric(`${at}.metrics[${j}]`, metric, fail, ids));
                break;
            }
        }
    });
    return errors;
}

function checkMetric(at: string, metric: unknown, fail: (where: string, message: string) => void, ids: Set<string>): void {
    if (!Array.isArray(metric) || metric.length === 0) {
        return fail(at, "must be a non-empty array");
    }
    const last = metric[metric.length - 1];
    const options = isObject(last) ? last : undefined;
    const strings = options ? metric.slice(0, -1) : metric;
    if (options && "expression" in options) {
        if (strings.length !== 0) fail(at, "an expression is an array of one object");
        if (typeof options.expression !== "string" || options.expression.length === 0) fail(at, "empty expression");
        for (const key of Object.keys(options)) if (!EXPRESSION_OPTIONS.includes(key)) fail(at, `unknown expression option ${key}`);
    } else if (options) {
        for (const key of Object.keys(options)) if (!METRIC_OPTIONS.includes(key)) fail(at, `unknown rendering option ${key}`);
        if (options.stat !== undefined && !STAT.test(options.stat as string)) fail(at, `stat ${options.stat}`);
    }
    if (options?.id !== undefined) {
        if (!ID.test(options.id as string)) fail(at, `id ${options.id} must start with a lower-case letter`);
        if (ids.has(options.id as string)) fail(at, `id ${options.id} used twice`);
        ids.add(options.id as string);
    }
    if (options && "expression" in options) return;
    // [namespace, metricName, dimName, dimValue, ...] — "." repeats the previous row's value.
    if (strings.length < 2 || strings.length % 2 !== 0)
        fail(at, `needs namespace, metric name and name/value pairs; got ${strings.length} strings`);
    strings.forEach((s, k) => {
        if (typeof s !== "string" || s.length === 0) fail(at, `element ${k} must be a non-empty string`);
    });
    if (strings.length > 2 + 2 * 30) fail(at, "more than 30 dimensions");
}

function isObject(value: unknown): value is Record<string, any> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The plain values of a dashboard built outside a Pulumi graph, in `region`. */
export function plainTarget(region: string): DashboardTarget {
    return {
        region,
        endpointName: "e",
        variantNames: ["AllTraffic"],
        apiName: "a",
        stageName: "v1",
        functionName: "f",
        functionLogGroup: "/aws/lambda/f",
        kind: "realtime",
        alarmArns: [],
    };
}
