/**
 * resolveSettings and the defaults it applies (components/settings/settings.ts and each folder's defaults.ts), tested directly:
 * no Pulumi engine, no resources.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { apiDefaults, functionDefaults, quotaDefaults, throttleDefaults } from "../../../components/api/defaults";
import {
    autoscalingDefaults,
    dataCaptureDefaults,
    instanceDefaults,
    networkIsolationDefault,
    serverlessDefaults,
} from "../../../components/endpoint/defaults";
import { imageDefaults } from "../../../components/image/defaults";
import { alarmDefaults, ASYNC_ONLY_ALARMS } from "../../../components/monitoring/catalogue";

/** Every alarm's defaults but those of the queue, which a real-time endpoint does not publish. */
function realtimeAlarms() {
    const alarms: Partial<ReturnType<typeof alarmDefaults>> = alarmDefaults();
    for (const key of ASYNC_ONLY_ALARMS) delete alarms[key];
    return alarms;
}
import { resolveSettings } from "../../../components/settings/settings";
import { ArgumentError } from "../../../components/settings/argument-error";
import { modelDir } from "../fixtures";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

describe("resolveSettings", () => {
    const dir = modelDir();
    const one = () => ({ models: [{ name: "iris", path: dir }] });

    it("fills every default of a minimal argument set", () => {
        const settings = resolveSettings("iris", one());
        assert.deepEqual(settings, {
            name: "iris",
            models: [{ name: "iris", path: dir }],
            multiModel: false,
            image: { kind: "build", platform: "linux/amd64", keepImages: 10, context: path.join(REPO_ROOT, "container") },
            endpoint: {
                serverless: undefined,
                instanceType: "ml.m5.large",
                instanceCount: 1,
                instanceCountDefaulted: true,
                networkIsolation: true,
                autoscaling: undefined,
                dataCapture: undefined,
                environment: {},
                logRetentionDays: 14,
                rollout: undefined,
                async: undefined,
            },
            api: {
                auth: "apiKey",
                stageName: "v1",
                accessLogs: false,
                docs: false,
                logRetentionDays: 14,
                throttle: { rateLimit: 10, burstLimit: 20 },
                quota: { limit: 10000, period: "DAY" },
                function: { timeoutSeconds: 29, memorySizeMb: 256, logRetentionDays: 14 },
                cors: undefined,
            },
            kmsKeyArn: undefined,
            // Real-time endpoints are monitored by default: every alarm at its default, the dashboard on.
            monitoring: { alarmTopicArns: [], dashboard: true, alarms: realtimeAlarms() },
            network: undefined,
            tags: {},
        });
    });

    it("a given value wins over its default; the other defaults of the same object stay", () => {
        const settings = resolveSettings("iris", { ...one(), api: { throttle: { rateLimit: 50 }, quota: { period: "WEEK" } } });
        assert.deepEqual(settings.api.throttle, { rateLimit: 50, burstLimit: 20 });
        assert.deepEqual(settings.api.quota, { limit: 10000, period: "WEEK" });
    });

    it("an explicit undefined does not override a default", () => {
        const settings = resolveSettings("iris", {
            ...one(),
            endpoint: { instanceType: undefined, autoscaling: { maxCapacity: undefined } },
            api: { stageName: undefined, function: { memorySizeMb: undefined } },
            image: { platform: undefined },
        });
        assert.equal(settings.endpoint.instanceType, "ml.m5.large");
        assert.equal(settings.endpoint.autoscaling!.maxCapacity, 4);
        assert.equal(settings.api.stageName, "v1");
        assert.equal(settings.api.function.memorySizeMb, 256);
        assert.equal((settings.image as { platform: string }).platform, "linux/amd64");
    });

    it("with autoscaling the endpoint starts at the autoscaling floor", () => {
        const settings = resolveSettings("iris", { ...one(), endpoint: { autoscaling: { minCapacity: 3, maxCapacity: 5 } } });
        assert.equal(settings.endpoint.instanceCount, 3);
        assert.equal(settings.endpoint.instanceCountDefaulted, true);
        const set = resolveSettings("iris", { ...one(), endpoint: { instanceCount: 4, autoscaling: { minCapacity: 3, maxCapacity: 5 } } });
        assert.deepEqual([set.endpoint.instanceCount, set.endpoint.instanceCountDefaulted], [4, false]);
    });

    it("serverless turns network isolation off unless it is set", () => {
        const settings = resolveSettings("iris", { ...one(), endpoint: { serverless: {} } });
        assert.deepEqual(settings.endpoint.serverless, { memorySizeMb: 2048, maxConcurrency: 5 });
        assert.equal(settings.endpoint.networkIsolation, false);
    });

    it("image.uri makes an existing image, with no build settings", () => {
        const uri = "111122223333.dkr.ecr.us-east-1.amazonaws.com/serving:1.0";
        assert.deepEqual(resolveSettings("iris", { ...one(), image: { uri } }).image, { kind: "existing", uri, repositoryArn: undefined });
    });

    it("never mutates the arguments, and copies what it keeps", () => {
        const args = { ...one(), endpoint: { environment: { A: "1" } }, tags: { team: "ml" } };
        const before = JSON.stringify(args);
        const settings = resolveSettings("iris", args);
        assert.equal(JSON.stringify(args), before);
        settings.endpoint.environment.B = "2";
        settings.tags.x = "y";
        settings.models[0].name = "changed";
        assert.equal(JSON.stringify(args), before);
    });

    it("validates first: invalid arguments throw an ArgumentError", () => {
        assert.throws(() => resolveSettings("iris", { models: [] }), ArgumentError);
    });
});

describe("defaults", () => {
    it("each default function returns a fresh object, so a caller cannot change another's defaults", () => {
        for (const fn of [
            imageDefaults,
            serverlessDefaults,
            autoscalingDefaults,
            dataCaptureDefaults,
            apiDefaults,
            throttleDefaults,
            quotaDefaults,
            functionDefaults,
        ]) {
            assert.notEqual(fn(), fn(), fn.name);
            assert.deepEqual(fn(), fn(), fn.name);
        }
    });

    it("the documented values", () => {
        assert.deepEqual(imageDefaults(), { platform: "linux/amd64", keepImages: 10 });
        assert.deepEqual(serverlessDefaults(), { memorySizeMb: 2048, maxConcurrency: 5 });
        assert.deepEqual(autoscalingDefaults(), {
            minCapacity: 1,
            maxCapacity: 4,
            targetInvocationsPerInstance: 100,
            scaleInCooldownSeconds: 300,
            scaleOutCooldownSeconds: 60,
        });
        assert.deepEqual(dataCaptureDefaults(), { samplingPercentage: 100 });
        assert.deepEqual(throttleDefaults(), { rateLimit: 10, burstLimit: 20 });
        assert.deepEqual(quotaDefaults(), { limit: 10000, period: "DAY" });
        assert.deepEqual(functionDefaults(), { timeoutSeconds: 29, memorySizeMb: 256, logRetentionDays: 14 });
    });

    it("one ml.m5.large instance, or the autoscaling floor", () => {
        assert.deepEqual(instanceDefaults(undefined), { instanceType: "ml.m5.large", instanceCount: 1 });
        assert.deepEqual(instanceDefaults({ ...autoscalingDefaults(), minCapacity: 2 }), { instanceType: "ml.m5.large", instanceCount: 2 });
    });

    it("network isolation is on, except for serverless endpoints, which do not support it", () => {
        assert.equal(networkIsolationDefault(false), true);
        assert.equal(networkIsolationDefault(true), false);
    });
});
