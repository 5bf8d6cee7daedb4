/**
 * The dashboard and the saved queries under Pulumi mocks (components/monitoring/dashboard.ts): the body passes
 * the dashboard body schema, names only this component's resources, and is the same for the same arguments.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ModelApi, ModelApiArgs } from "../../../components";
import { dashboardBody, dashboardUrl } from "../../../components/monitoring/dashboard";
import { dashboardErrors } from "./dashboard-schema";
import { imageContext, modelDir } from "../fixtures";
import { build } from "../harness";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const QUERY = "aws:cloudwatch/queryDefinition:QueryDefinition";

describe("ModelApi dashboard", function () {
    this.timeout(60000);
    const dir = modelDir();
    const context = imageContext();
    const base = (extra: Partial<ModelApiArgs> = {}): ModelApiArgs => ({
        models: [{ name: "iris", path: dir }],
        image: { context },
        ...extra,
    });
    const alarm = (suffix: string) => mocks.find(ALARM, `iris-alarm-${suffix}`).inputs;

    before(() => mocks.useMocks());

    describe("defaults for a real-time endpoint", () => {
        let api: ModelApi;
        let endpointName: string;
        let functionName: string;
        before(async () => {
            api = await build("iris", base({ endpoint: { instanceType: "ml.c5.2xlarge" } }));
            endpointName = await mocks.promiseOf(api.endpointName);
            functionName = await mocks.promiseOf(api.functionName);
        });

        it("the dashboard body is valid JSON that passes the dashboard body schema", () => {
            const body = JSON.parse(mocks.find(DASHBOARD).inputs.dashboardBody);
            assert.deepEqual(dashboardErrors(body), []);
        });

        it("every metric of the dashboard names this endpoint and variant, this API and stage, or this function, in us-east-1", () => {
            const body = JSON.parse(mocks.find(DASHBOARD).inputs.dashboardBody);
            const metrics = body.widgets
                .filter((w: any) => w.type === "metric")
                .flatMap((w: any) => {
                    assert.equal(w.properties.region, mocks.REGION);
                    return w.properties.metrics.filter((m: any[]) => typeof m[0] === "string");
                });
            const namespaces = new Set(metrics.map((m: any[]) => m[0]));
            assert.deepEqual([...namespaces].sort(), ["/aws/sagemaker/Endpoints", "AWS/ApiGateway", "AWS/Lambda", "AWS/SageMaker"]);
            for (const m of metrics) {
                const dims = Object.fromEntries(
                    m
                        .slice(2)
                        .filter((x: unknown) => typeof x === "string")
                        .reduce(
                            (pairs: string[][], x: string, i: number) => (i % 2 ? pairs[pairs.length - 1].push(x) : pairs.push([x]), pairs),
                            [],
                        ),
                );
                if (m[0] === "AWS/Lambda") assert.deepEqual(dims, { FunctionName: functionName });
                else if (m[0] === "AWS/ApiGateway") assert.deepEqual(dims, { ApiName: alarm("api-5xx").dimensions.ApiName, Stage: "v1" });
                else assert.deepEqual(dims, { EndpointName: endpointName, VariantName: "AllTraffic" });
            }
            const alarmWidget = body.widgets.find((w: any) => w.type === "alarm");
            assert.equal(alarmWidget.properties.alarms.length, 9);
        });

        it("the Logs Insights widget and the saved queries read the function's log group", () => {
            const fnLogGroup = mocks.find("aws:lambda/function:Function").inputs.loggingConfig.logGroup;
            const body = JSON.parse(mocks.find(DASHBOARD).inputs.dashboardBody);
            const log = body.widgets.find((w: any) => w.type === "log");
            assert.ok(log.properties.query.startsWith(`SOURCE '${fnLogGroup}' | `));
            const queries = mocks.findAll(QUERY);
            assert.deepEqual(
                queries.map((q) => q.name),
                ["iris-query-slowest-requests", "iris-query-errors-by-code", "iris-query-requests-by-route"],
            );
            for (const q of queries) {
                assert.deepEqual(q.inputs.logGroupNames, [fnLogGroup]);
                assert.ok(q.inputs.name.startsWith(`ModelApi/${mocks.find(DASHBOARD).inputs.dashboardName}/`), q.inputs.name);
            }
            assert.match(queries[0].inputs.queryString, /sort latencyMs desc/);
            assert.match(queries[1].inputs.queryString, /stats count\(\*\) as requests by errorCode, status/);
        });

        it("the same arguments give the same dashboard body, dashboard name and queries (no timestamps, no random names)", async () => {
            const first = [mocks.find(DASHBOARD).inputs, mocks.findAll(QUERY).map((q) => q.inputs)];
            await build("iris", base({ endpoint: { instanceType: "ml.c5.2xlarge" } }));
            assert.deepEqual([mocks.find(DASHBOARD).inputs, mocks.findAll(QUERY).map((q) => q.inputs)], first);
        });
    });

    it("the dashboard URL takes region and console domain from the endpoint's ARN, never assumed", () => {
        assert.equal(
            dashboardUrl("arn:aws:sagemaker:eu-west-1:123456789012:endpoint/e", "iris-1a2b3c4"),
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/iris-1a2b3c4",
        );
        assert.equal(
            dashboardUrl("arn:aws-cn:sagemaker:cn-north-1:123456789012:endpoint/e", "iris-1a2b3c4"),
            "https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards/dashboard/iris-1a2b3c4",
        );
    });

    it("a dashboard body with a typo fails the schema check", () => {
        const body = dashboardBody({
            region: "eu-west-1",
            endpointName: "e",
            variantName: "AllTraffic",
            apiName: "a",
            stageName: "v1",
            functionName: "f",
            functionLogGroup: "/aws/lambda/f",
            kind: "realtime",
            alarmArns: [],
        });
        assert.deepEqual(dashboardErrors(body), []);
        (body.widgets[1] as any).properties.metrics[0] = ["AWS/ApiGateway", "Count", "ApiName"];
        (body.widgets[2] as any).type = "metrics";
        assert.equal(dashboardErrors(body).length, 2, dashboardErrors(body).join("\n"));
    });

    it("dashboard: false keeps the alarms and drops the dashboard and queries", async () => {
        await build("iris", base({ monitoring: { dashboard: false } }));
        assert.equal(mocks.findAll(ALARM).length, 9);
        assert.equal(mocks.findAll(DASHBOARD).length + mocks.findAll(QUERY).length, 0);
    });
});
