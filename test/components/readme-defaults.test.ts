/**
 * The README's Arguments table against the defaults the component applies (resolveSettings, which takes
 * them from each folder's defaults.ts): every default cell that names a value names the one the code uses.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

import { ModelApiArgs } from "../../components/args";
import { ALARM_KEYS, ALARMS } from "../../components/monitoring/catalogue";
import { resolveSettings, Settings } from "../../components/settings/settings";
import { VARIANT_NAME } from "../../components/endpoint/endpoint";
import { modelDir } from "./fixtures";

const README = path.resolve(__dirname, "..", "..", "README.md");

/** The Arguments table: first cell (verbatim) to the values quoted in backticks in the default cell. */
function argumentsTable(): Map<string, string[]> {
    const text = fs.readFileSync(README, "utf8");
    const section = text.split(/^## Arguments$/m)[1]?.split(/^## /m)[0];
    assert.ok(section, "README.md has no ## Arguments section");
    const rows = new Map<string, string[]>();
    for (const line of section.split("\n")) {
        if (!line.startsWith("| `")) continue; // the header and separator rows, prose
        const cells = line.split(" | ");
        assert.ok(cells.length >= 3, `cannot read the row: ${line}`);
        const quoted = [...cells[1].matchAll(/`([^`]*)`/g)].map((m) => m[1].replace(/^"(.*)"$/, "$1"));
        rows.set(cells[0].replace(/^\| /, ""), quoted);
    }
    return rows;
}

describe("README: the Arguments table's defaults are the component's", () => {
    const dir = modelDir();
    const resolve = (extra: Partial<ModelApiArgs> = {}): Settings =>
        resolveSettings("readme", { models: [{ name: "iris", path: dir }], ...extra });
    const plain = resolve();
    const serverless = resolve({ endpoint: { serverless: {} } });
    const features = resolve({ endpoint: { autoscaling: {}, dataCapture: {}, rollout: {} } });
    const async = resolve({
        endpoint: { async: { notifications: { createTopics: undefined, errorTopicArn: "arn:aws:sns:us-east-1:123456789012:e" } } },
    });
    const linear = resolve({ endpoint: { instanceCount: 2, rollout: { trafficShifting: "linear" } } });
    const inVpc = resolve({ network: { subnetIds: ["subnet-0a1", "subnet-0b2"], securityGroupIds: ["sg-0c3"] } });
    const built = plain.image.kind === "build" ? plain.image : assert.fail("a minimal image is built");

    /** Argument cell as the README writes it, to the default(s) its default cell must quote first. */
    const expected: Record<string, unknown[]> = {
        "`multiModel`": [plain.multiModel],
        "`image.context`": [`${path.basename(built.context)}/`],
        "`image.platform`": [built.platform],
        "`image.keepImages`": [built.keepImages],
        "`endpoint.instanceType`": [plain.endpoint.instanceType],
        "`endpoint.instanceCount`": [plain.endpoint.instanceCount],
        "`endpoint.serverless.memorySizeMb`": [serverless.endpoint.serverless?.memorySizeMb],
        "`endpoint.serverless.maxConcurrency`": [serverless.endpoint.serverless?.maxConcurrency],
        "`endpoint.networkIsolation`": [plain.endpoint.networkIsolation, serverless.endpoint.networkIsolation],
        "`endpoint.autoscaling.minCapacity`": [features.endpoint.autoscaling?.minCapacity, async.endpoint.autoscaling?.minCapacity],
        "`endpoint.async.scaleToZero`": [async.endpoint.async?.scaleToZero],
        "`endpoint.async.targetBacklogPerInstance`": [async.endpoint.async?.targetBacklogPerInstance],
        "`endpoint.async.resultExpirationDays`": [async.endpoint.async?.resultExpirationDays],
        "`endpoint.async.notifications.createTopics`": [async.endpoint.async?.notifications?.createTopics],
        "`endpoint.autoscaling.maxCapacity`": [features.endpoint.autoscaling?.maxCapacity],
        "`endpoint.autoscaling.targetInvocationsPerInstance`": [features.endpoint.autoscaling?.targetInvocationsPerInstance],
        "`endpoint.autoscaling.scaleInCooldownSeconds`": [features.endpoint.autoscaling?.scaleInCooldownSeconds],
        "`endpoint.autoscaling.scaleOutCooldownSeconds`": [features.endpoint.autoscaling?.scaleOutCooldownSeconds],
        "`endpoint.dataCapture.samplingPercentage`": [features.endpoint.dataCapture?.samplingPercentage],
        "`endpoint.logRetentionDays`": [plain.endpoint.logRetentionDays],
        // Without variants, the endpoint's one variant has the name it always had.
        "`endpoint.variants`": [VARIANT_NAME],
        "`api.auth`": [plain.api.auth],
        "`api.stageName`": [plain.api.stageName],
        "`api.throttle.rateLimit` / `burstLimit`": [plain.api.throttle.rateLimit, plain.api.throttle.burstLimit],
        "`api.quota.limit` / `period`": [plain.api.quota.limit, plain.api.quota.period],
        "`api.accessLogs`": [plain.api.accessLogs],
        "`api.docs`": [plain.api.docs],
        "`api.logRetentionDays`": [plain.api.logRetentionDays],
        "`api.function.timeoutSeconds`": [plain.api.function.timeoutSeconds],
        "`api.function.memorySizeMb`": [plain.api.function.memorySizeMb],
        "`api.function.logRetentionDays`": [plain.api.function.logRetentionDays],
        "`endpoint.rollout.trafficShifting`": [features.endpoint.rollout?.trafficShifting],
        "`endpoint.rollout.canaryPercent`": [features.endpoint.rollout?.canaryPercent],
        "`endpoint.rollout.linearStepPercent`": [features.endpoint.rollout?.linearStepPercent],
        "`endpoint.rollout.bakeSeconds`": [features.endpoint.rollout?.bakeSeconds, linear.endpoint.rollout?.bakeSeconds],
        "`endpoint.rollout.finalBakeSeconds`": [features.endpoint.rollout?.finalBakeSeconds],
        "`monitoring.enabled`": [plain.monitoring !== undefined, serverless.monitoring !== undefined],
        "`monitoring.dashboard`": [plain.monitoring?.dashboard],
        "`network.functionInVpc`": [inVpc.network?.functionInVpc],
    };
    /** Rows whose default cell quotes something that is not a value resolveSettings applies, and why. */
    const notSettings: Record<string, string> = {
        "`image.dockerfile`": "a file name in the build context, read by the image build",
    };

    const table = argumentsTable();

    for (const [argument, values] of Object.entries(expected)) {
        it(`${argument}: ${values.map((v) => JSON.stringify(v)).join(" / ")}`, () => {
            const quoted = table.get(argument);
            assert.ok(quoted, `README.md's Arguments table has no row ${argument}`);
            assert.ok(
                values.every((v) => v !== undefined),
                `no default resolved for ${argument}`,
            );
            assert.deepEqual(quoted.slice(0, values.length), values.map(String), `README.md, row ${argument}`);
        });
    }

    it("checks every row that quotes a default", () => {
        const unchecked = [...table]
            .filter(([argument, quoted]) => quoted.length > 0 && !(argument in expected) && !(argument in notSettings))
            .map(([argument]) => argument);
        assert.deepEqual(unchecked, [], "add these rows to `expected` in this test");
    });
});

describe("README: the Monitoring table's alarms are the catalogue's", () => {
    const text = fs.readFileSync(README, "utf8");
    const section = text.split(/^## Monitoring and guarded rollouts$/m)[1]?.split(/^## /m)[0] ?? "";
    const rows = section
        .split("\n")
        .filter((line) => line.startsWith("| `"))
        .map((line) => line.split(" | ").map((cell) => cell.replace(/^\| /, "")));

    it("has one row per alarm, in the catalogue's order", () => {
        assert.deepEqual(
            rows.map((cells) => cells[0]),
            ALARM_KEYS.map((key) => `\`${key}\``),
        );
    });

    for (const key of ALARM_KEYS) {
        const { metricName, stat, defaults } = ALARMS[key];
        it(`${key}: ${metricName} ${stat}, above ${defaults.threshold} in ${defaults.datapointsToAlarm} of ${defaults.evaluationPeriods} × ${defaults.periodSeconds} s`, () => {
            const cells = rows.find((r) => r[0] === `\`${key}\``);
            assert.ok(cells, `README.md's Monitoring table has no row for ${key}`);
            assert.ok(cells[1].includes(`\`${metricName}\``) && cells[1].includes(stat), `README.md, ${key}'s metric: ${cells[1]}`);
            const parsed = /^> ([\d.]+)(?: ms| %(?: per vCPU)?)? in (\d+) of (\d+) × (\d+) s$/.exec(cells[2]);
            assert.ok(parsed, `README.md, ${key}'s default cannot be read: ${cells[2]}`);
            assert.deepEqual(parsed.slice(1).map(Number), [
                defaults.threshold,
                defaults.datapointsToAlarm,
                defaults.evaluationPeriods,
                defaults.periodSeconds,
            ]);
        });
    }
});
