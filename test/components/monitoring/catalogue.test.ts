/**
 * The alarm catalogue (components/monitoring/catalogue.ts): the sets the rest of the component reads are
 * derived from its rows, and every alarm's metric is on the dashboard.
 */
import { strict as assert } from "assert";
import {
    ALARM_KEYS,
    ALARMS,
    alarmDefaults,
    alarmFits,
    ASYNC_ONLY_ALARMS,
    ENDPOINT_ALARMS,
    FRONT_ALARMS,
    INSTANCE_ONLY_ALARMS,
    RATE_ALARMS,
    ROLLBACK_ALARMS,
} from "../../../components/monitoring/catalogue";
import { dashboardBody } from "../../../components/monitoring/dashboard";
import { plainTarget } from "./dashboard-schema";

describe("alarm catalogue", () => {
    it("the endpoint's alarms are created with the endpoint, the API's and the function's after them, in catalogue order", () => {
        assert.deepEqual(ENDPOINT_ALARMS, [
            "endpoint5xx",
            "endpoint4xx",
            "modelLatency",
            "cpuUtilization",
            "memoryUtilization",
            "backlogAge",
            "invocationFailures",
        ]);
        assert.deepEqual(FRONT_ALARMS, ["api5xx", "apiLatency", "functionErrors", "functionThrottles"]);
        assert.deepEqual([...ENDPOINT_ALARMS, ...FRONT_ALARMS], ALARM_KEYS);
    });

    it("a rollout rolls back on the endpoint's own errors and latency only", () => {
        assert.deepEqual(ROLLBACK_ALARMS, ["endpoint5xx", "modelLatency"]);
        assert.ok(ROLLBACK_ALARMS.every((key) => ENDPOINT_ALARMS.includes(key)));
    });

    it("the error alarms take a rate from 0 to 1; the instance alarms do not exist on serverless endpoints", () => {
        assert.deepEqual(RATE_ALARMS, ["endpoint5xx", "endpoint4xx", "api5xx"]);
        assert.deepEqual(INSTANCE_ONLY_ALARMS, ["cpuUtilization", "memoryUtilization"]);
    });

    it("the queue alarms exist on asynchronous endpoints only, where the 1000 ms model latency alarm is off by default", () => {
        assert.deepEqual(ASYNC_ONLY_ALARMS, ["backlogAge", "invocationFailures"]);
        assert.deepEqual(
            ALARM_KEYS.filter((key) => alarmFits(key, "async").onByDefault),
            [
                "endpoint5xx",
                "endpoint4xx",
                "cpuUtilization",
                "memoryUtilization",
                "backlogAge",
                "invocationFailures",
                "api5xx",
                "apiLatency",
                "functionErrors",
                "functionThrottles",
            ],
        );
        assert.ok(alarmFits("modelLatency", "async").published);
        assert.deepEqual(
            ALARM_KEYS.filter((key) => alarmFits(key, "realtime").onByDefault),
            ALARM_KEYS.filter((key) => !ASYNC_ONLY_ALARMS.includes(key)),
        );
    });

    it("alarmDefaults gives each row's defaults as a fresh object", () => {
        const defaults = alarmDefaults();
        assert.deepEqual(Object.keys(defaults), ALARM_KEYS);
        for (const key of ALARM_KEYS) assert.deepEqual(defaults[key], ALARMS[key].defaults);
        defaults.endpoint4xx.threshold = 1;
        assert.equal(alarmDefaults().endpoint4xx.threshold, 0.05);
    });

    it("every alarm's metric is drawn on the dashboard of an endpoint that publishes it", () => {
        const drawnOn = (kind: "realtime" | "async") =>
            dashboardBody({ ...plainTarget("us-east-1"), kind })
                .widgets.flatMap((w: any) => (w.type === "metric" ? w.properties.metrics : []))
                .filter((m: any[]) => typeof m[0] === "string")
                .map((m: any[]) => `${m[0]} ${m[1]}`);
        const drawn = { realtime: new Set(drawnOn("realtime")), async: new Set(drawnOn("async")) };
        const namespaces = {
            endpoint: "AWS/SageMaker",
            queue: "AWS/SageMaker",
            instances: "/aws/sagemaker/Endpoints",
            stage: "AWS/ApiGateway",
            function: "AWS/Lambda",
        };
        for (const key of ALARM_KEYS) {
            const alarm = ALARMS[key];
            const kind = (alarm.kinds.publishedBy as readonly string[]).includes("realtime") ? "realtime" : "async";
            assert.ok(
                drawn[kind].has(`${namespaces[alarm.source]} ${alarm.metricName}`),
                `${key}: ${alarm.metricName} is not on the ${kind} dashboard`,
            );
        }
    });
});
