/**
 * The dashboard and the saved queries under Pulumi mocks (components/monitoring/dashboard.ts): the body passes
 * the dashboard body schema, names only this component's resources, and is the same for the same arguments.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { dashboardBody, dashboardUrl } from "../../../components/monitoring/dashboard";
import { dashboardErrors, plainTarget } from "./dashboard-schema";
import { irisFixture } from "../fixtures";
import { build } from "../harness";
import { T } from "../resource-types";

describe("ModelApi dashboard", function () {
    this.timeout(60000);
    const { iris } = irisFixture();
    const realtime = () => ({ ...iris(), endpoint: { instanceType: "ml.c5.2xlarge" } });

    before(() => mocks.useMocks());

    describe("of a real-time endpoint with every default", () => {
        /** The names the dashboard's metrics must carry: this endpoint's, this function's, this API's. */
        const names = { endpoint: "", fn: "", api: "" };
        before(async () => {
            const api = await build("iris", realtime());
            names.endpoint = await mocks.promiseOf(api.endpointName);
            names.fn = await mocks.promiseOf(api.functionName);
            names.api = `${mocks.find(T.restApi).name}-1234567`;
        });

        it("the dashboard body is valid JSON that passes the dashboard body schema", () => {
            const body = JSON.parse(mocks.find(T.dashboard).inputs.dashboardBody);
            assert.deepEqual(dashboardErrors(body), []);
        });

        it("every metric of the dashboard names this endpoint and variant, this API and stage, or this function, in us-east-1", () => {
            const body = JSON.parse(mocks.find(T.dashboard).inputs.dashboardBody);
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
                if (m[0] === "AWS/Lambda") assert.deepEqual(dims, { FunctionName: names.fn });
                else if (m[0] === "AWS/ApiGateway") assert.deepEqual(dims, { ApiName: names.api, Stage: "v1" });
                else assert.deepEqual(dims, { EndpointName: names.endpoint, VariantName: "AllTraffic" });
            }
            const alarmWidget = body.widgets.find((w: any) => w.type === "alarm");
            assert.equal(alarmWidget.properties.alarms.length, 9);
        });

        it("the Logs Insights widget and the saved queries read the function's log group", () => {
            const fnLogGroup = mocks.find("aws:lambda/function:Function").inputs.loggingConfig.logGroup;
            const body = JSON.parse(mocks.find(T.dashboard).inputs.dashboardBody);
            const log = body.widgets.find((w: any) => w.type === "log");
            assert.ok(log.properties.query.startsWith(`SOURCE '${fnLogGroup}' | `));
            const queries = mocks.findAll(T.query);
            assert.deepEqual(
                queries.map((q) => q.name),
                ["iris-query-slowest-requests", "iris-query-errors-by-code", "iris-query-requests-by-route"],
            );
            for (const q of queries) {
                assert.deepEqual(q.inputs.logGroupNames, [fnLogGroup]);
                assert.ok(q.inputs.name.startsWith(`ModelApi/${mocks.find(T.dashboard).inputs.dashboardName}/`), q.inputs.name);
            }
            assert.match(queries[0].inputs.queryString, /sort latencyMs desc/);
            assert.match(queries[1].inputs.queryString, /stats count\(\*\) as requests by errorCode, status/);
        });

        it("the same arguments give the same dashboard body, dashboard name and queries (no timestamps, no random names)", async () => {
            const first = [mocks.find(T.dashboard).inputs, mocks.findAll(T.query).map((q) => q.inputs)];
            await build("iris", realtime());
            assert.deepEqual([mocks.find(T.dashboard).inputs, mocks.findAll(T.query).map((q) => q.inputs)], first);
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

    it("with several variants every SageMaker series is drawn per variant, and the body still passes the schema", () => {
        const body = dashboardBody({ ...plainTarget("eu-west-1"), variantNames: ["v1", "v2", "shadow"] });
        assert.deepEqual(dashboardErrors(body), []);
        const metrics = body.widgets.flatMap((w: any) => (w.type === "metric" ? w.properties.metrics : []));
        const sagemaker = metrics.filter((m: any) => m[0] === "AWS/SageMaker" || m[0] === "/aws/sagemaker/Endpoints");
        const byVariant = (v: string) => sagemaker.filter((m: any) => m[5] === v).length;
        assert.ok(byVariant("v1") > 0);
        assert.deepEqual([byVariant("v2"), byVariant("shadow")], [byVariant("v1"), byVariant("v1")]);
        assert.equal(sagemaker.length, 3 * byVariant("v1"));
        // One variant draws the series as before variants existed: no variant in the labels.
        const single = JSON.stringify(dashboardBody(plainTarget("eu-west-1")));
        assert.ok(!single.includes("AllTraffic SageMaker"));
    });

    it("a dashboard body with a typo fails the schema check", () => {
        const body = dashboardBody(plainTarget("eu-west-1"));
        assert.deepEqual(dashboardErrors(body), []);
        (body.widgets[1] as any).properties.metrics[0] = ["AWS/ApiGateway", "Count", "ApiName"];
        (body.widgets[2] as any).type = "metrics";
        assert.equal(dashboardErrors(body).length, 2, dashboardErrors(body).join("\n"));
    });

    it("dashboard: false keeps the alarms and drops the dashboard and queries", async () => {
        await build("iris", { ...iris(), monitoring: { dashboard: false } });
        assert.equal(mocks.findAll(T.alarm).length, 9);
        assert.equal(mocks.findAll(T.dashboard).length + mocks.findAll(T.query).length, 0);
    });
});
