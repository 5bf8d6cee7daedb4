/**
 * A stack without `endpoint.variants` or `endpoint.shadow` keeps the graph it had before variants existed:
 * the SageMaker, autoscaling, alarm and dashboard inputs and names are compared with a recorded copy
 * (single-variant.golden.json), so an upgrade plans no change for it. Regenerate the copy only for a change
 * meant to reach every existing stack: `GOLDEN=write npx mocha test/components/endpoint/single-variant.test.ts`.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { ModelApiArgs } from "../../../components";
import { imageContext, modelDir } from "../fixtures";
import { build } from "../harness";
import { T } from "../resource-types";

const GOLDEN = path.join(__dirname, "single-variant.golden.json");

/** The resources whose inputs decide what an update does to the endpoint and what watches it. */
const WATCHED = [T.model, T.config, T.endpoint, T.scalingTarget, T.scalingPolicy, T.alarm, T.dashboard, T.rolePolicy];

/** Fixed contents, so archive hashes and image tags (and with them every name) are the same on every run. */
function stacks(): Record<string, ModelApiArgs> {
    const model = modelDir({ "model.joblib": "golden-weights", "code/inference.py": "def model_fn(d):\n    return d\n" });
    const context = imageContext({ Dockerfile: "FROM scratch\n", "serve.py": "print('golden')\n" });
    const one = { models: [{ name: "iris", path: model }], image: { context } };
    return {
        defaults: one,
        autoscaled: { ...one, endpoint: { autoscaling: { minCapacity: 2, maxCapacity: 5 }, dataCapture: {} } },
        sized: { ...one, endpoint: { instanceType: "ml.c5.xlarge", instanceCount: 3 } },
        serverless: { ...one, endpoint: { serverless: {} } },
        rollout: { ...one, endpoint: { instanceCount: 2, rollout: { trafficShifting: "canary" } } },
        existingArchive: { models: [{ name: "iris", s3Uri: "s3://other-bucket/models/iris.tar.gz" }], image: { context } },
        multiModel: {
            models: [
                { name: "a", path: model },
                { name: "b", path: model },
            ],
            multiModel: true,
            image: { context },
        },
    };
}

/** What the watched resources of the last build look like: type, logical name and inputs, in registration order. */
function graph(): { type: string; name: string; inputs: unknown }[] {
    return mocks
        .all()
        .filter((r) => WATCHED.includes(r.type as (typeof WATCHED)[number]))
        .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
}

describe("ModelApi without variants", function () {
    this.timeout(60000);
    before(() => mocks.useMocks());

    it("plans the same Model, EndpointConfig, Endpoint, autoscaling, alarms, dashboard and role policies as before variants existed", async () => {
        const seen: Record<string, unknown> = {};
        for (const [label, args] of Object.entries(stacks())) {
            await build("iris", args);
            seen[label] = graph();
        }
        const fn = JSON.parse(JSON.stringify(seen));
        if (process.env.GOLDEN === "write") {
            fs.writeFileSync(GOLDEN, JSON.stringify(fn, null, 1) + "\n");
        }
        assert.deepEqual(fn, JSON.parse(fs.readFileSync(GOLDEN, "utf8")));
    });
});
