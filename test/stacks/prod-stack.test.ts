/**
 * Pulumi.prod.yaml: real-time instances with autoscaling, alarms to an SNS topic and canary rollouts; read by
 * the stack program and built under Pulumi mocks, so the example deploys what it says.
 */
import * as mocks from "../components/mocks";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ModelApi } from "../../components";
import { ConfigError, planStack, RawConfig } from "../../stacks/config";

const yaml = require("js-yaml") as { load(text: string): any };
const REPO_ROOT = path.resolve(__dirname, "..", "..");

function stackConfig(file: string): RawConfig {
    const config = yaml.load(fs.readFileSync(path.join(REPO_ROOT, file), "utf8")).config;
    return Object.fromEntries(
        Object.entries(config)
            .filter(([k]) => k.startsWith("modelapi:"))
            .map(([k, v]) => [k.slice("modelapi:".length), typeof v === "object" ? JSON.stringify(v) : String(v)]),
    ) as RawConfig;
}

describe("Pulumi.prod.yaml", function () {
    this.timeout(60000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-prod-"));
    before(() => {
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: modelapi\n");
        fs.mkdirSync(path.join(dir, "models/iris"), { recursive: true });
        fs.writeFileSync(path.join(dir, "models/iris/model.joblib"), "weights");
        mocks.useMocks();
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is a real-time, autoscaled stack in us-east-1 with a canary rollout and alarms to an SNS topic", () => {
        assert.equal(yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8")).config["aws:region"], "us-east-1");
        const [plan] = planStack(stackConfig("Pulumi.prod.yaml"), dir);
        assert.equal(plan.args.endpoint?.serverless, undefined);
        assert.equal(plan.args.endpoint?.instanceCount, 2);
        assert.deepEqual(plan.args.endpoint?.autoscaling, { minCapacity: 2, maxCapacity: 6, targetInvocationsPerInstance: 200 });
        assert.equal(plan.args.endpoint?.rollout?.trafficShifting, "canary");
        assert.deepEqual(plan.args.monitoring?.alarmTopicArns, ["arn:aws:sns:us-east-1:123456789012:modelapi-oncall"]);
    });

    it("builds: every alarm notifies the topic, the endpoint rolls back on its own alarms, autoscaling keeps 2 to 6 instances", async () => {
        const [plan] = planStack(stackConfig("Pulumi.prod.yaml"), dir);
        mocks.reset();
        const api = new ModelApi(
            plan.name,
            { ...plan.args, image: { uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/serving:1" } },
            { transformations: [mocks.recordParents] },
        );
        await mocks.settle();
        await mocks.promiseOf(api.dashboardUrl);
        await mocks.settle();
        const alarms = mocks.findAll("aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.equal(alarms.length, 9);
        for (const a of alarms) assert.deepEqual(a.inputs.alarmActions, ["arn:aws:sns:us-east-1:123456789012:modelapi-oncall"]);
        assert.equal(mocks.find("aws:cloudwatch/metricAlarm:MetricAlarm", "iris-alarm-model-latency").inputs.threshold, 500_000);
        const config = mocks.find("aws:sagemaker/endpoint:Endpoint").inputs.deploymentConfig;
        assert.equal(config.blueGreenUpdatePolicy.trafficRoutingConfiguration.type, "CANARY");
        assert.equal(config.autoRollbackConfiguration.alarms.length, 2);
        const target = mocks.find("aws:appautoscaling/target:Target").inputs;
        assert.deepEqual([target.minCapacity, target.maxCapacity], [2, 6]);
        assert.equal(mocks.findAll("aws:cloudwatch/dashboard:Dashboard").length, 1);
    });

    it("the dev stack stays unmonitored: serverless, no alarms by default", () => {
        const [plan] = planStack(stackConfig("Pulumi.dev.yaml"), dir);
        assert.equal(plan.args.monitoring, undefined);
        assert.ok(plan.args.endpoint?.serverless);
    });

    it("a misspelt monitoring key is one line naming it", () => {
        assert.throws(
            () =>
                planStack(
                    { ...stackConfig("Pulumi.prod.yaml"), monitoring: JSON.stringify({ alarms: { modelLatency: { treshold: 1 } } }) },
                    dir,
                ),
            (err: unknown) =>
                err instanceof ConfigError &&
                err.message ===
                    `modelapi:monitoring.alarms.modelLatency has an unknown setting "treshold"; expected one of enabled, threshold, periodSeconds, evaluationPeriods, datapointsToAlarm`,
        );
    });
});
