/**
 * The stack program's configuration: what each `modelapi:*` key does, and one clear line for each mistake.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ArgumentError } from "../../components";
import { AUTOSCALING_KEYS, MODEL_API_KEYS, NETWORK_KEYS } from "../../components/argument-keys";
import { validateArgs } from "../../components/settings/validate";
import { CONFIG_FIELDS, CONFIG_KEYS, ConfigError, findProjectDir, planStack, RawConfig } from "../../stacks/config";

// @pulumi/pulumi's own YAML parser; no typings are installed for it.

const yaml = require("js-yaml") as { load(text: string): any };

const REPO_ROOT = path.resolve(__dirname, "..", "..");

const projects: string[] = [];
after(() => projects.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A project directory with model directories in it. */
function project(models: string[] = ["models/iris", "models/wine"]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-stack-"));
    projects.push(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: modelapi\n");
    for (const model of models) {
        fs.mkdirSync(path.join(dir, model), { recursive: true });
        fs.writeFileSync(path.join(dir, model, "model.joblib"), model);
    }
    return dir;
}

/** Config values the way Pulumi hands them to a program: lists and maps as JSON text, scalars as text. */
function asPulumiConfig(values: { [key: string]: unknown }): RawConfig {
    return Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]),
    ) as RawConfig;
}

function fails(raw: { [key: string]: unknown }, message: string, dir = project()): void {
    assert.throws(
        () => planStack(asPulumiConfig(raw), dir),
        (err: unknown) => {
            assert.ok(err instanceof ConfigError, String(err));
            assert.equal(err.message, message);
            return true;
        },
    );
}

describe("stack config", () => {
    const iris = { name: "iris", path: "models/iris" };
    const wine = { name: "wine", path: "models/wine" };

    it("one model: one ModelApi named after it, its path resolved against the project directory", () => {
        const dir = project();
        const plan = planStack(asPulumiConfig({ models: [iris] }), dir);
        assert.deepEqual(plan, [{ name: "iris", args: { models: [{ name: "iris", path: path.join(dir, "models/iris") }] } }]);
    });

    it("several models without multiModel: one ModelApi per model, each with the shared settings", () => {
        const dir = project();
        const endpoint = { instanceType: "ml.c5.large" };
        const plan = planStack(asPulumiConfig({ models: [iris, wine], multiModel: false, endpoint, tags: { team: "ml" } }), dir);
        assert.deepEqual(
            plan.map((p) => p.name),
            ["iris", "wine"],
        );
        assert.deepEqual(plan[1].args, { models: [{ name: "wine", path: path.join(dir, "models/wine") }], endpoint, tags: { team: "ml" } });
    });

    it('multiModel: true: one multi-model ModelApi serving every model, named "models" by default', () => {
        const dir = project();
        const plan = planStack(asPulumiConfig({ models: [iris, wine], multiModel: true }), dir);
        assert.equal(plan.length, 1);
        assert.equal(plan[0].name, "models");
        assert.equal(plan[0].args.multiModel, true);
        assert.deepEqual(
            plan[0].args.models.map((m) => m.name),
            ["iris", "wine"],
        );
    });

    it("name names the multi-model ModelApi", () => {
        const plan = planStack(asPulumiConfig({ models: [iris], multiModel: true, name: "zoo" }), project());
        assert.equal(plan[0].name, "zoo");
    });

    it("a model given by s3Uri is passed as it is", () => {
        const plan = planStack(asPulumiConfig({ models: [{ name: "iris", s3Uri: "s3://team/iris.tar.gz" }] }), project());
        assert.deepEqual(plan[0].args.models, [{ name: "iris", s3Uri: "s3://team/iris.tar.gz" }]);
    });

    it("endpoint, api and image settings reach the ModelApi; a relative image context resolves against the project", () => {
        const dir = project();
        const plan = planStack(
            asPulumiConfig({
                models: [iris],
                endpoint: { serverless: { memorySizeMb: 2048 } },
                api: { auth: "iam" },
                image: { context: "serving" },
            }),
            dir,
        );
        assert.deepEqual(plan[0].args.endpoint, { serverless: { memorySizeMb: 2048 } });
        assert.deepEqual(plan[0].args.api, { auth: "iam" });
        assert.deepEqual(plan[0].args.image, { context: path.join(dir, "serving") });
    });

    it("endpoint.variants and endpoint.shadow reach the ModelApi, their model paths resolved against the project", () => {
        const dir = project(["models/iris", "models/v2", "models/v3"]);
        const endpoint = {
            instanceType: "ml.c5.xlarge",
            variants: [
                { name: "v1", weight: 90 },
                { name: "v2", weight: 10, model: { path: "models/v2" }, instanceCount: 1 },
            ],
            shadow: { name: "v3", model: { path: "models/v3" }, samplingPercent: 50 },
        };
        const plan = planStack(asPulumiConfig({ models: [iris], endpoint }), dir);
        assert.deepEqual(plan[0].args.endpoint, {
            instanceType: "ml.c5.xlarge",
            variants: [
                { name: "v1", weight: 90 },
                { name: "v2", weight: 10, model: { path: path.join(dir, "models/v2") }, instanceCount: 1 },
            ],
            shadow: { name: "v3", model: { path: path.join(dir, "models/v3") }, samplingPercent: 50 },
        });
    });

    it("a variant given by s3Uri is passed as it is", () => {
        const endpoint = { variants: [{ name: "v1", weight: 1, model: { s3Uri: "s3://team/v1.tar.gz" } }] };
        const plan = planStack(asPulumiConfig({ models: [iris], endpoint }), project());
        assert.deepEqual(plan[0].args.endpoint, endpoint);
    });

    it("api.cors.allowOrigins reaches the ModelApi", () => {
        const plan = planStack(asPulumiConfig({ models: [iris], api: { cors: { allowOrigins: ["https://app.example.com"] } } }), project());
        assert.deepEqual(plan[0].args.api, { cors: { allowOrigins: ["https://app.example.com"] } });
    });

    it("Pulumi.dev.yaml is a serverless dev stack for the iris example in us-east-1", () => {
        const stack = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")).config;
        assert.equal(stack["aws:region"], "us-east-1");
        const values = Object.fromEntries(
            Object.entries(stack)
                .filter(([k]) => k.startsWith("modelapi:"))
                .map(([k, v]) => [k.slice("modelapi:".length), v]),
        );
        const plan = planStack(asPulumiConfig(values), project(["models/iris"]));
        assert.equal(plan.length, 1);
        assert.equal(plan[0].name, "iris");
        assert.deepEqual(plan[0].args.endpoint, { serverless: { memorySizeMb: 2048, maxConcurrency: 2 } });
        assert.equal(plan[0].args.multiModel, undefined);
    });

    it("artifacts settings reach the ModelApi", () => {
        const kmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const plan = planStack(asPulumiConfig({ models: [iris], artifacts: { kmsKeyArn } }), project());
        assert.deepEqual(plan[0].args.artifacts, { kmsKeyArn });
    });

    it("every argument of ModelApiArgs, and name, is a stack key", () => {
        assert.deepEqual([...CONFIG_KEYS].sort(), [
            "api",
            "artifacts",
            "endpoint",
            "image",
            "models",
            "monitoring",
            "multiModel",
            "name",
            "network",
            "tags",
        ]);
    });

    it("finds the project directory by walking up to Pulumi.yaml", () => {
        assert.equal(findProjectDir(path.join(REPO_ROOT, "stacks")), REPO_ROOT);
    });

    describe("mistakes are one line naming the key", () => {
        it("models not set", () => {
            fails(
                {},
                `modelapi:models is not set; it must be a list of models, each {name, path} or {name, s3Uri}, e.g. [{"name": "iris", "path": "models/iris"}]`,
            );
        });

        it("models empty", () => {
            fails(
                { models: [] },
                `modelapi:models must be a list of models, each {name, path} or {name, s3Uri}, e.g. [{"name": "iris", "path": "models/iris"}]`,
            );
        });

        it("a model path that does not exist says how to train the example model", () => {
            const dir = project([]);
            fails(
                { models: [iris] },
                `modelapi:models[0].path "models/iris" does not exist (looked for ${path.join(dir, "models/iris")}); train a model there first, e.g. the example model: npm run example-model -- models/iris`,
                dir,
            );
        });

        it("a model with both path and s3Uri", () => {
            fails({ models: [{ ...iris, s3Uri: "s3://b/k" }] }, `modelapi:models[0] ("iris") must set exactly one of path and s3Uri`);
        });

        it("an invalid model name", () => {
            fails(
                { models: [{ name: "iris v2", path: "models/iris" }] },
                `modelapi:models[0].name "iris v2" is not valid: use 1-63 letters, digits and hyphens, starting and ending with a letter or digit`,
            );
        });

        it("a model name that is not a string", () => {
            fails(
                { models: [{ name: 7, path: "models/iris" }] },
                `modelapi:models[0].name 7 is not valid: use 1-63 letters, digits and hyphens, starting and ending with a letter or digit`,
            );
        });

        it("an s3Uri that is not s3://bucket/key", () => {
            fails(
                { models: [{ name: "iris", s3Uri: "team/iris.tar.gz" }] },
                `modelapi:models[0].s3Uri "team/iris.tar.gz" must look like s3://bucket/key/model.tar.gz`,
            );
        });

        it("a misspelt top-level key stops the program instead of deploying the defaults", () => {
            const expected =
                "expected one of modelapi:models, modelapi:multiModel, modelapi:name, modelapi:image, modelapi:endpoint, modelapi:api, modelapi:artifacts, modelapi:monitoring, modelapi:network, modelapi:tags";
            fails(
                { models: [iris], endpont: { instanceType: "ml.c5.large" } },
                `modelapi:endpont is not a setting of this program; ${expected}`,
            );
            fails({ models: [iris], multimodel: true }, `modelapi:multimodel is not a setting of this program; ${expected}`);
        });

        it("an invalid multi-model name, in the component's words", () => {
            fails(
                { models: [iris], multiModel: true, name: "zoo_1" },
                `modelapi:name "zoo_1" is not valid: use 1-42 letters, digits and hyphens, starting and ending with a letter or digit ` +
                    `(child names such as "<name>-endpoint-role" plus an 8-character auto-name suffix must fit AWS's name limits)`,
            );
        });

        it("duplicate model names", () => {
            fails({ models: [iris, iris] }, `modelapi:models[1].name "iris" is used more than once; model names must be unique`);
        });

        it("a model name too long to name its own API", () => {
            const name = "m".repeat(43);
            fails(
                { models: [{ name, path: "models/iris" }] },
                `modelapi:models[0].name "${name}" is 43 characters; each model gets its own API named after it, which allows at most 42`,
            );
        });

        it("an unknown setting in a model", () => {
            fails(
                { models: [{ ...iris, version: 2 }] },
                `modelapi:models[0] has an unknown setting "version"; expected one of name, path, s3Uri`,
            );
        });

        it("multiModel that is not a boolean", () => {
            fails({ models: [iris], multiModel: "yes" }, `modelapi:multiModel must be true or false; got "yes"`);
        });

        it("a misspelt endpoint setting", () => {
            fails(
                { models: [iris], endpoint: { instancetype: "ml.m5.large" } },
                `modelapi:endpoint has an unknown setting "instancetype"; expected one of instanceType, instanceCount, networkIsolation, logRetentionDays, environment, serverless, autoscaling, dataCapture, rollout, variants, shadow, async`,
            );
        });

        it("a misspelt setting of a variant or of the shadow", () => {
            fails(
                { models: [iris], endpoint: { variants: [{ name: "v1", wieght: 1 }] } },
                `modelapi:endpoint.variants[0] has an unknown setting "wieght"; expected one of name, weight, model, instanceType, instanceCount`,
            );
            fails(
                { models: [iris], endpoint: { shadow: { name: "v3", model: { pth: "models/wine" }, samplingPercent: 5 } } },
                `modelapi:endpoint.shadow.model has an unknown setting "pth"; expected one of path, s3Uri`,
            );
        });

        it("a misspelt nested setting", () => {
            fails(
                { models: [iris], endpoint: { serverless: { memory: 2048 } } },
                `modelapi:endpoint.serverless has an unknown setting "memory"; expected one of memorySizeMb, maxConcurrency`,
            );
        });

        it("the same misspelt key is refused by the stack config and by the component, from the component's key table", () => {
            const dir = project();
            const expected = Object.keys(AUTOSCALING_KEYS).join(", ");
            fails(
                { models: [iris], endpoint: { autoscaling: { maxCapcity: 3 } } },
                `modelapi:endpoint.autoscaling has an unknown setting "maxCapcity"; expected one of ${expected}`,
                dir,
            );
            const [planned] = planStack(asPulumiConfig({ models: [iris] }), dir);
            assert.throws(
                () => validateArgs(planned.name, { ...planned.args, endpoint: { autoscaling: { maxCapcity: 3 } } as any }),
                (err: unknown) => {
                    assert.ok(err instanceof ArgumentError, String(err));
                    assert.equal(
                        err.message,
                        `ModelApi "iris": endpoint.autoscaling.maxCapcity is not an argument of ModelApi; expected one of ${expected}; did you mean maxCapacity?`,
                    );
                    return true;
                },
            );
        });

        it("every setting the component takes is read through the component's own key table", () => {
            for (const key of Object.keys(MODEL_API_KEYS) as (keyof typeof MODEL_API_KEYS)[]) {
                if (key === "network") continue;
                assert.equal(CONFIG_FIELDS[key], MODEL_API_KEYS[key], key);
            }
            // The stack's network also takes what it needs to create a VPC.
            for (const [key, spec] of Object.entries(NETWORK_KEYS)) {
                assert.equal(CONFIG_FIELDS.network[key as keyof typeof NETWORK_KEYS], spec, key);
            }
        });

        it("a nested setting that is not a map", () => {
            fails({ models: [iris], api: { throttle: 5 } }, `modelapi:api.throttle must be a map of settings; got 5`);
        });

        it("api that is not a map", () => {
            fails(
                { models: [iris], api: "apiKey" },
                `modelapi:api is not valid structured config; set it as a YAML list or map in the stack file`,
            );
        });

        it("tags with a value that is not a string", () => {
            fails({ models: [iris], tags: { cost: 5 } }, `modelapi:tags must be a map of string values, e.g. {"team": "ml"}`);
        });

        it("name without multiModel", () => {
            fails(
                { models: [iris], name: "zoo" },
                `modelapi:name names the multi-model deployment; without multiModel: true each model's API is named after the model`,
            );
        });
    });
});
