/**
 * What `endpoint.variants` and `endpoint.shadow` refuse (components/endpoint/variant-rules.ts): each mistake
 * before any resource is registered, naming the argument and the AWS page behind the rule.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ArgumentError, ModelApi, type ModelApiArgs } from "../../../components";
import { irisFixture, modelDir } from "../fixtures";
import { resolveSettings } from "../../../components/settings/settings";

/** The mistakes `args` are refused with (path and reason), asserting nothing at all was registered. */
function mistakes(args: ModelApiArgs): { path: string; reason: string }[] {
    mocks.useMocks();
    mocks.reset();
    try {
        new ModelApi("fraud", args);
    } catch (err) {
        assert.ok(err instanceof ArgumentError, `not an ArgumentError: ${err}`);
        assert.deepEqual(mocks.all(), []);
        return err.mistakes.map((m) => ({ path: m.path, reason: m.reason }));
    }
    assert.fail("the arguments were accepted");
}

/** The one mistake at `path`, whose reason must match every pattern. */
function refusedAt(args: ModelApiArgs, path: string, ...patterns: RegExp[]): void {
    const found = mistakes(args).filter((m) => m.path === path);
    assert.equal(found.length, 1, `expected one mistake at ${path}; got ${JSON.stringify(mistakes(args))}`);
    for (const pattern of patterns) assert.match(found[0].reason, pattern);
}

describe("ModelApi variant rules", function () {
    this.timeout(30000);
    const { withEndpoint } = irisFixture();
    const v2 = { path: modelDir({ "model.joblib": "weights-v2" }) };
    const v3 = { path: modelDir({ "model.joblib": "weights-v3" }) };
    const two = [
        { name: "v1", weight: 90 },
        { name: "v2", weight: 10, model: v2 },
    ];

    before(() => mocks.useMocks());

    it("a shadow beside two production variants is refused with CreateEndpointConfig's rule", () => {
        refusedAt(
            withEndpoint({ variants: two, shadow: { name: "v3", model: v3, samplingPercent: 50 } }),
            "endpoint.shadow",
            /cannot be combined with 2 entries in endpoint\.variants/,
            /only specify one variant for ProductionVariants and one variant for ShadowProductionVariants/,
            /"CreateEndpointConfig", SageMaker API Reference/,
        );
    });

    it("a shadow beside exactly one variant is accepted", () => {
        const settings = resolveSettings(
            "fraud",
            withEndpoint({ variants: [two[0]], shadow: { name: "v3", model: v3, samplingPercent: 50 } }),
        );
        assert.deepEqual([settings.endpoint.variants?.map((v) => v.name), settings.endpoint.shadow?.name], [["v1"], "v3"]);
    });

    it("variants and a shadow are refused with serverless, multiModel and rollout, each naming its AWS page", () => {
        const serverless = mistakes(withEndpoint({ serverless: {}, variants: two, shadow: { name: "v3", model: v3, samplingPercent: 5 } }));
        for (const path of ["endpoint.variants", "endpoint.shadow"]) {
            const found = serverless.find((m) => m.path === path && /endpoint\.serverless/.test(m.reason));
            assert.ok(found, `${path} with serverless: ${JSON.stringify(serverless)}`);
            assert.match(found.reason, /"Deploy models with Amazon SageMaker Serverless Inference", Feature exclusions/);
        }
        refusedAt(
            { ...withEndpoint({ variants: two }), models: [{ name: "a", path: v2.path }], multiModel: true },
            "endpoint.variants",
            /cannot be combined with multiModel/,
            /"Supported features", multi-model endpoints/,
        );
        refusedAt(
            withEndpoint({ instanceCount: 2, variants: two, rollout: {} }),
            "endpoint.variants",
            /cannot be combined with endpoint\.rollout/,
            /"Exclusions", deployment guardrails/,
        );
    });

    it("names follow SageMaker's VariantName rule and are unique ignoring case, the shadow's included", () => {
        const found = mistakes(
            withEndpoint({
                variants: [
                    { name: "v_1", weight: 1 },
                    { name: "Blue", weight: 1 },
                    { name: "blue", weight: 1 },
                    { name: "x".repeat(64), weight: 1 },
                ],
            }),
        );
        assert.deepEqual(
            found.map((m) => m.path),
            ["endpoint.variants[0].name", "endpoint.variants[2].name", "endpoint.variants[3].name"],
        );
        assert.match(found[0].reason, /VariantName, "ProductionVariant", SageMaker API Reference\); got "v_1"/);
        assert.match(found[1].reason, /repeats endpoint\.variants\[1\]\.name \("Blue"\)/);
        refusedAt(
            withEndpoint({ shadow: { name: "alltraffic", model: v3, samplingPercent: 5 } }),
            "endpoint.shadow.name",
            /the name of the production variant when endpoint\.variants is unset/,
        );
    });

    it("1 to 10 variants", () => {
        refusedAt(withEndpoint({ variants: [] }), "endpoint.variants", /1 to 10 variants/, /got 0 entries/);
        const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `v${i}`, weight: 1 }));
        refusedAt(withEndpoint({ variants: eleven }), "endpoint.variants", /1 to 10 variants \(ProductionVariants, "CreateEndpointConfig"/);
    });

    it("weights are whole numbers of 0 or more, at least one above 0, and the message says why", () => {
        refusedAt(
            withEndpoint({
                variants: [
                    { name: "v1", weight: 0.9 },
                    { name: "v2", weight: 0.1 },
                ],
            }),
            "endpoint.variants[0].weight",
            /whole number from 0 to 16777216; got 0\.9/,
            /32-bit floats/,
        );
        refusedAt(withEndpoint({ variants: [{ name: "v1", weight: -1 }] }), "endpoint.variants[0].weight", /got -1/);
        refusedAt(withEndpoint({ variants: [{ name: "v1", weight: Infinity }] }), "endpoint.variants[0].weight", /got Infinity\./);
        refusedAt(
            withEndpoint({
                variants: [
                    { name: "v1", weight: 0 },
                    { name: "v2", weight: 0 },
                ],
            }),
            "endpoint.variants",
            /at least one variant with a weight above 0/,
        );
    });

    it("samplingPercent is an integer from 1 to 100, and the shadow needs a model", () => {
        for (const samplingPercent of [0, 101, 12.5]) {
            refusedAt(
                withEndpoint({ shadow: { name: "v3", model: v3, samplingPercent } }),
                "endpoint.shadow.samplingPercent",
                /integer from 1 to 100/,
                /"ShadowModelVariantConfig"/,
            );
        }
        refusedAt(withEndpoint({ shadow: { name: "v3", samplingPercent: 5 } as never }), "endpoint.shadow.model", /is required/);
    });

    it("a variant's model is exactly one of a path that exists and an S3 URI; its count a positive integer within autoscaling", () => {
        refusedAt(
            withEndpoint({ variants: [{ name: "v1", weight: 1, model: {} }] }),
            "endpoint.variants[0].model",
            /exactly one of path and s3Uri/,
        );
        refusedAt(
            withEndpoint({ variants: [{ name: "v1", weight: 1, model: { path: "/no/such/model" } }] }),
            "endpoint.variants[0].model.path",
            /does not exist/,
        );
        refusedAt(
            withEndpoint({ variants: [{ name: "v1", weight: 1, model: { s3Uri: "bucket/key" } }] }),
            "endpoint.variants[0].model.s3Uri",
            /s3:\/\//,
        );
        refusedAt(
            withEndpoint({ variants: [{ name: "v1", weight: 1, instanceCount: 0 }] }),
            "endpoint.variants[0].instanceCount",
            /positive integer/,
        );
        refusedAt(
            withEndpoint({ autoscaling: { maxCapacity: 2 }, variants: [{ name: "v1", weight: 1, instanceCount: 3 }] }),
            "endpoint.variants[0].instanceCount",
            /between endpoint\.autoscaling\.minCapacity \(1\) and maxCapacity \(2\)/,
        );
    });

    it("unknown keys of a variant and of the shadow are refused with the key meant", () => {
        const found = mistakes(
            withEndpoint({
                variants: [{ name: "v1", weight: 1, wieght: 2 } as never],
                shadow: { name: "v3", model: v3, samplingPercentage: 5 } as never,
            }),
        );
        assert.ok(
            found.some((m) => m.path === "endpoint.variants[0].wieght" && /did you mean weight\?/.test(m.reason)),
            JSON.stringify(found),
        );
        assert.ok(found.some((m) => m.path === "endpoint.shadow.samplingPercentage" && /did you mean samplingPercent\?/.test(m.reason)));
    });

    it("every mistake is named at once", () => {
        const found = mistakes(
            withEndpoint({
                serverless: {},
                variants: [
                    { name: "a_b", weight: 0.5 },
                    { name: "c", weight: 1 },
                ],
                shadow: { name: "d", model: v3, samplingPercent: 0 },
            }),
        );
        const paths = found.map((m) => m.path);
        for (const path of [
            "endpoint.variants",
            "endpoint.shadow",
            "endpoint.variants[0].name",
            "endpoint.variants[0].weight",
            "endpoint.shadow.samplingPercent",
        ]) {
            assert.ok(paths.includes(path), `${path} missing from ${paths}`);
        }
    });
});
