/**
 * The alarms under Pulumi mocks (components/monitoring/alarms.ts): each alarm's metric, defaults and overrides,
 * their outputs, and nothing of monitoring when it is off.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ModelApi, ModelApiArgs } from "../../../components";
import { vcpusOf } from "../../../components/monitoring/alarms";
import { dashboardErrors } from "./dashboard-schema";
import { irisFixture } from "../fixtures";
import { build, refuses } from "../harness";
import { T } from "../resource-types";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:ml-oncall";

describe("ModelApi monitoring", function () {
    this.timeout(60000);
    const { iris } = irisFixture();
    const base = (extra: Partial<ModelApiArgs> = {}): ModelApiArgs => ({ ...iris(), ...extra });
    const alarm = (suffix: string) => mocks.find(T.alarm, `iris-alarm-${suffix}`).inputs;

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

        it("creates every alarm, named after the component", () => {
            assert.deepEqual(
                mocks.findAll(T.alarm).map((a) => a.name),
                [
                    "endpoint-5xx",
                    "endpoint-4xx",
                    "model-latency",
                    "cpu-utilization",
                    "memory-utilization",
                    "api-5xx",
                    "api-latency",
                    "function-errors",
                    "function-throttles",
                ].map((s) => `iris-alarm-${s}`),
            );
        });

        it("endpoint 5xx: the Invocation5XXErrors rate of this endpoint and variant above 1 % in 2 of 3 minutes", () => {
            assert.deepEqual(
                { ...alarm("endpoint-5xx"), alarmDescription: undefined, tags: undefined },
                {
                    alarmDescription: undefined,
                    tags: undefined,
                    namespace: "AWS/SageMaker",
                    metricName: "Invocation5XXErrors",
                    dimensions: { EndpointName: endpointName, VariantName: "AllTraffic" },
                    statistic: "Average",
                    period: 60,
                    evaluationPeriods: 3,
                    datapointsToAlarm: 2,
                    threshold: 0.01,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "notBreaching",
                    alarmActions: [],
                    okActions: [],
                },
            );
        });

        it("endpoint 4xx: the Invocation4XXErrors rate of this endpoint and variant above 5 % in 5 of 5 minutes", () => {
            const errors = alarm("endpoint-4xx");
            assert.deepEqual(
                [errors.namespace, errors.metricName, errors.statistic, errors.dimensions],
                ["AWS/SageMaker", "Invocation4XXErrors", "Average", { EndpointName: endpointName, VariantName: "AllTraffic" }],
            );
            assert.deepEqual([errors.threshold, errors.datapointsToAlarm, errors.evaluationPeriods, errors.period], [0.05, 5, 5, 60]);
        });

        it("model latency: p99 of ModelLatency, the threshold in ms turned into the metric's microseconds", () => {
            const latency = alarm("model-latency");
            assert.equal(latency.metricName, "ModelLatency");
            assert.equal(latency.extendedStatistic, "p99");
            assert.equal(latency.statistic, undefined);
            assert.equal(latency.threshold, 1_000_000);
        });

        it("CPU: 90 % per vCPU, times the instance type's vCPUs (CPUUtilization adds them up)", () => {
            assert.equal(alarm("cpu-utilization").namespace, "/aws/sagemaker/Endpoints");
            assert.equal(alarm("cpu-utilization").threshold, 90 * 8);
            assert.deepEqual(
                [vcpusOf("ml.m5.large"), vcpusOf("ml.t2.medium"), vcpusOf("ml.c5.xlarge"), vcpusOf("ml.m5.12xlarge")],
                [2, 2, 4, 48],
            );
        });

        it("API and function alarms name this API's stage and this function", async () => {
            const apiName = `${mocks.find("aws:apigateway/restApi:RestApi").name}-1234567`;
            assert.deepEqual(alarm("api-5xx").dimensions, { ApiName: apiName, Stage: "v1" });
            assert.equal(alarm("api-5xx").metricName, "5XXError");
            assert.equal(alarm("api-latency").extendedStatistic, "p99");
            assert.equal(alarm("api-latency").threshold, 2500);
            assert.deepEqual(alarm("function-errors").dimensions, { FunctionName: functionName });
            assert.equal(alarm("function-throttles").metricName, "Throttles");
        });

        it("every idle alarm stays OK: missing data is not breaching", () => {
            for (const a of mocks.findAll(T.alarm)) assert.equal(a.inputs.treatMissingData, "notBreaching", a.name);
        });

        it("outputs every alarm's name and ARN, and the dashboard URL in the endpoint's region", async () => {
            const names = await mocks.promiseOf(api.alarmNames);
            const arns = await mocks.promiseOf(api.alarmArns);
            assert.equal(names.length, 9);
            assert.deepEqual(
                names,
                mocks.findAll(T.alarm).map((a) => `${a.name}-1234567`),
            );
            assert.equal(arns.length, 9);
            const url = await mocks.promiseOf(api.dashboardUrl);
            const dashboardName = mocks.find(T.dashboard).inputs.dashboardName;
            assert.equal(
                url,
                `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/${dashboardName}`,
            );
        });
    });

    it("alarm overrides and disables apply per alarm; SNS topics get T.alarm and OK notifications", async () => {
        await build(
            "iris",
            base({
                monitoring: {
                    alarmTopicArns: [TOPIC],
                    alarms: {
                        endpoint4xx: { enabled: false },
                        modelLatency: { threshold: 250, periodSeconds: 300, evaluationPeriods: 2, datapointsToAlarm: 1 },
                    },
                },
            }),
        );
        assert.equal(
            mocks.findAll(T.alarm).some((a) => a.name === "iris-alarm-endpoint-4xx"),
            false,
        );
        const latency = alarm("model-latency");
        assert.deepEqual([latency.threshold, latency.period, latency.evaluationPeriods, latency.datapointsToAlarm], [250_000, 300, 2, 1]);
        for (const a of mocks.findAll(T.alarm)) {
            assert.deepEqual(a.inputs.alarmActions, [TOPIC]);
            assert.deepEqual(a.inputs.okActions, [TOPIC]);
        }
    });

    it("monitoring off creates no alarm, dashboard or query, and outputs none", async () => {
        const api = await build("iris", base({ monitoring: { enabled: false } }));
        assert.equal(mocks.findAll(T.alarm).length + mocks.findAll(T.dashboard).length + mocks.findAll(T.query).length, 0);
        assert.deepEqual(await mocks.promiseOf(api.alarmNames), []);
        assert.equal(await mocks.promiseOf(api.dashboardUrl), undefined);
    });

    it("serverless endpoints are not monitored by default; turned on, they get no instance utilization alarms", async () => {
        await build("iris", base({ endpoint: { serverless: {} } }));
        assert.equal(mocks.findAll(T.alarm).length + mocks.findAll(T.dashboard).length, 0);
        await build("iris", base({ endpoint: { serverless: {} }, monitoring: { enabled: true } }));
        const names = mocks.findAll(T.alarm).map((a) => a.name);
        assert.ok(!names.includes("iris-alarm-cpu-utilization") && !names.includes("iris-alarm-memory-utilization"), names.join());
        assert.equal(names.length, 7);
        const body = JSON.parse(mocks.find(T.dashboard).inputs.dashboardBody);
        assert.deepEqual(dashboardErrors(body), []);
        assert.ok(!JSON.stringify(body).includes("CPUUtilization"));
    });

    describe("an asynchronous endpoint", () => {
        let endpointName: string;
        before(async () => {
            const api = await build("iris", base({ endpoint: { async: {} } }));
            endpointName = await mocks.promiseOf(api.endpointName);
        });

        it("has no alarm that fits only synchronous answers, and alarms on the queue's age and on failed requests", () => {
            const names = mocks.findAll(T.alarm).map((a) => a.name);
            assert.ok(!names.includes("iris-alarm-model-latency"), names.join());
            assert.ok(names.includes("iris-alarm-backlog-age") && names.includes("iris-alarm-invocation-failures"), names.join());
        });

        it("the backlog age alarm watches ApproximateAgeOfOldestRequest by endpoint name alone, in seconds", () => {
            const age = alarm("backlog-age");
            assert.deepEqual(
                [age.namespace, age.metricName, age.dimensions, age.statistic, age.threshold, age.period, age.evaluationPeriods],
                ["AWS/SageMaker", "ApproximateAgeOfOldestRequest", { EndpointName: endpointName }, "Maximum", 1800, 300, 3],
            );
        });

        it("the failed invocations alarm sums InvocationFailures by endpoint and variant: any failure alarms", () => {
            const failures = alarm("invocation-failures");
            assert.deepEqual(
                [failures.metricName, failures.dimensions, failures.statistic, failures.threshold, failures.comparisonOperator],
                ["InvocationFailures", { EndpointName: endpointName, VariantName: "AllTraffic" }, "Sum", 0, "GreaterThanThreshold"],
            );
        });

        it("the dashboard shows the queue: backlog size, oldest request and backlog without capacity, and no real-time-only metric", () => {
            const body = JSON.parse(mocks.find(T.dashboard).inputs.dashboardBody);
            assert.deepEqual(dashboardErrors(body), []);
            const metrics = body.widgets
                .flatMap((w: any) => (w.type === "metric" ? w.properties.metrics : []))
                .filter((m: any[]) => typeof m[0] === "string")
                .map((m: any[]) => m.slice(0, 4).join(" "));
            for (const metric of ["ApproximateBacklogSize", "ApproximateAgeOfOldestRequest", "HasBacklogWithoutCapacity"]) {
                assert.ok(metrics.includes(`AWS/SageMaker ${metric} EndpointName ${endpointName}`), `${metric}: ${metrics.join("; ")}`);
            }
            // Not published by asynchronous endpoints ("Alarms and logs for tracking metrics from asynchronous endpoints").
            assert.ok(
                !metrics.some((m: string) => /^AWS\/SageMaker (Invocations|OverheadLatency|InvocationsPerInstance) /.test(m)),
                metrics.join("; "),
            );
        });
    });

    it("the queue alarms cannot be enabled on a real-time endpoint, which does not publish their metrics", () => {
        refuses(
            base({ monitoring: { alarms: { backlogAge: { enabled: true } } } }),
            `monitoring.alarms.backlogAge cannot be enabled without endpoint.async: only asynchronous endpoints publish ApproximateAgeOfOldestRequest ("Alarms and logs for tracking metrics from asynchronous endpoints", SageMaker Developer Guide)`,
        );
    });

    it("a real-time endpoint gets no queue alarm", async () => {
        await build("iris", base());
        const names = mocks.findAll(T.alarm).map((a) => a.name);
        assert.ok(!names.some((n) => /backlog|invocation-failures/.test(n)), names.join());
    });
});
