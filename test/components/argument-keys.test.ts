/**
 * The key tables of ModelApiArgs (components/argument-keys.ts): they describe exactly the component's schema,
 * and a key that is in none of them is refused at any depth, with the key probably meant.
 */
import * as mocks from "./mocks";
import { strict as assert } from "assert";
import { ENDPOINT_KEYS, MODEL_API_KEYS } from "../../components/argument-keys";
import { validateArgs } from "../../components/settings/validate";
import { type KeySpec, type KeyTable, nestedTable } from "../../core/known-keys";
import { expectedSchema } from "../packaging/schema-summary";
import { modelDir } from "./fixtures";
import { refuses } from "./harness";

/** What the schema summary says a property holds, in the terms of a key spec. */
function specOfSchemaType(type: string, types: Record<string, unknown>): "value" | "map" | { table: string; list: boolean } {
    const bare = type.replace(/\?$/, "");
    if (bare.startsWith("map<")) return "map";
    const list = bare.endsWith("[]");
    const name = list ? bare.slice(0, -2) : bare;
    const def = types[name];
    return def !== undefined && !Array.isArray(def) ? { table: name, list } : "value";
}

function specKind(spec: KeySpec): "value" | "map" | { list: boolean } {
    if (spec === true) return "value";
    if (spec === "map") return "map";
    return { list: nestedTable(spec)!.list };
}

describe("ModelApi argument keys", () => {
    const dir = modelDir();
    const one = { models: [{ name: "iris", path: dir }] };

    before(() => mocks.useMocks());
    beforeEach(() => mocks.reset());

    it("the key tables list exactly the properties of the component's schema, level by level", () => {
        const schema = expectedSchema();
        const types = schema.types as Record<string, unknown>;
        const compare = (where: string, table: KeyTable, properties: Record<string, string>) => {
            assert.deepEqual(Object.keys(table).sort(), Object.keys(properties).sort(), where);
            for (const [key, type] of Object.entries(properties)) {
                const expected = specOfSchemaType(type, types);
                const spec = table[key];
                if (typeof expected === "string") {
                    assert.equal(specKind(spec), expected, `${where}.${key}`);
                } else {
                    assert.deepEqual(specKind(spec), { list: expected.list }, `${where}.${key}`);
                    compare(`${where}.${key}`, nestedTable(spec)!.table, types[expected.table] as Record<string, string>);
                }
            }
        };
        compare("ModelApiArgs", MODEL_API_KEYS, schema.inputs);
    });

    it("refuses misspelt keys at every depth, each with the key probably meant", () => {
        refuses(
            {
                models: [{ name: "iris", path: dir, pth: dir }],
                endpoint: { instanceCont: 2, autoscaling: { maxCapcity: 3 } },
                api: { auht: "iam", throttle: { burstLimit: 5, rateLimt: 2 } },
            } as any,
            `5 mistakes in the arguments:\n` +
                `  - models[0].pth is not an argument of ModelApi; expected one of name, path, s3Uri; did you mean path?\n` +
                `  - endpoint.instanceCont is not an argument of ModelApi; expected one of instanceType, instanceCount, networkIsolation, ` +
                `logRetentionDays, environment, serverless, autoscaling, dataCapture, rollout, variants, shadow, async; did you mean instanceCount?\n` +
                `  - endpoint.autoscaling.maxCapcity is not an argument of ModelApi; expected one of minCapacity, maxCapacity, ` +
                `targetInvocationsPerInstance, scaleInCooldownSeconds, scaleOutCooldownSeconds; did you mean maxCapacity?\n` +
                `  - api.auht is not an argument of ModelApi; expected one of auth, stageName, accessLogs, logRetentionDays, throttle, ` +
                `quota, function, cors, docs; did you mean auth?\n` +
                `  - api.throttle.rateLimt is not an argument of ModelApi; expected one of rateLimit, burstLimit; did you mean rateLimit?`,
        );
    });

    it("a misspelt top-level argument is refused, not ignored", () => {
        refuses(
            { ...one, endpont: { instanceType: "ml.c5.large" } } as any,
            `endpont is not an argument of ModelApi; expected one of models, multiModel, image, endpoint, api, artifacts, monitoring, network, tags; did you mean endpoint?`,
        );
    });

    it("an unknown key with no close match is refused without a guess", () => {
        refuses(
            { ...one, image: { uri: "repo/image:1", registry: "ecr" } } as any,
            `image.registry is not an argument of ModelApi; expected one of context, dockerfile, platform, keepImages, uri, repositoryArn`,
        );
    });

    it("an unknown alarm is named by the monitoring checks, once, with the alarm probably meant", () => {
        refuses(
            { ...one, monitoring: { alarms: { modelLatncy: { threshold: 500 } } } } as any,
            `monitoring.alarms has an unknown alarm "modelLatncy"; expected one of endpoint5xx, endpoint4xx, modelLatency, cpuUtilization, ` +
                `memoryUtilization, backlogAge, invocationFailures, api5xx, apiLatency, functionErrors, functionThrottles; did you mean modelLatency?`,
        );
    });

    it("a known alarm's misspelt setting is refused like any other key", () => {
        refuses(
            { ...one, monitoring: { alarms: { modelLatency: { treshold: 500 } } } } as any,
            `monitoring.alarms.modelLatency.treshold is not an argument of ModelApi; expected one of enabled, threshold, periodSeconds, ` +
                `evaluationPeriods, datapointsToAlarm; did you mean threshold?`,
        );
    });

    it("tags and endpoint.environment are the user's own maps: any key is accepted", () => {
        assert.doesNotThrow(() =>
            validateArgs("iris", { ...one, tags: { "cost-center": "42", instanceCont: "x" }, endpoint: { environment: { MY_FLAG: "1" } } }),
        );
    });

    it("an argument set to undefined under a key it does not have is still a mistake: the key is what is wrong", () => {
        refuses(
            { ...one, endpoint: { instanceCont: undefined } } as any,
            `endpoint.instanceCont is not an argument of ModelApi; expected one of ${Object.keys(ENDPOINT_KEYS).join(", ")}; did you mean instanceCount?`,
        );
    });
});
