/** The model rules shared by the component, the stack config and the local twin (core/input-validation.ts). */
import { strict as assert } from "assert";
import {
    componentNameError,
    duplicateNameError,
    duplicateNameErrors,
    modelNameError,
    modelSourceError,
    s3UriError,
} from "../../core/input-validation";

const MODEL_RULE = "is not valid: use 1-63 letters, digits and hyphens, starting and ending with a letter or digit";

describe("input validation", () => {
    it("model names: SageMaker's rule, at most 63 characters", () => {
        for (const name of ["iris", "iris-v2", "a", "A1--b", "m".repeat(63)]) {
            assert.equal(modelNameError(name), undefined, name);
        }
        for (const name of ["-iris", "iris-", "iris.v2", "iris_v2", "iris v2", "", "m".repeat(64)]) {
            assert.equal(modelNameError(name), `${JSON.stringify(name)} ${MODEL_RULE}`, name);
        }
        assert.equal(modelNameError(42), `42 ${MODEL_RULE}`);
        assert.equal(modelNameError(undefined), `undefined ${MODEL_RULE}`);
    });

    it("component names: the same rule, at most 42 characters", () => {
        assert.equal(componentNameError("b".repeat(42)), undefined);
        assert.match(componentNameError("b".repeat(43))!, /^"b{43}" is not valid: use 1-42 letters, digits and hyphens, /);
        assert.match(componentNameError("zoo_1")!, /^"zoo_1" is not valid/);
    });

    it("duplicate names: the first repeat, with its position", () => {
        assert.equal(duplicateNameError(["iris", "wine"]), undefined);
        assert.deepEqual(duplicateNameError(["iris", "wine", "iris", "wine"]), {
            index: 2,
            message: `"iris" is used more than once; model names must be unique`,
        });
    });

    it("duplicate names: every repeat, each at its own position", () => {
        assert.deepEqual(duplicateNameErrors(["iris", "wine"]), []);
        assert.deepEqual(duplicateNameErrors(["iris", "wine", "iris", "wine", "iris"]), [
            { index: 2, message: `"iris" is used more than once; model names must be unique` },
            { index: 3, message: `"wine" is used more than once; model names must be unique` },
            { index: 4, message: `"iris" is used more than once; model names must be unique` },
        ]);
    });

    it("a model comes from exactly one of path and s3Uri", () => {
        assert.equal(modelSourceError({ path: "m" }), undefined);
        assert.equal(modelSourceError({ s3Uri: "s3://b/k" }), undefined);
        for (const model of [{}, { path: "" }, { path: "m", s3Uri: "s3://b/k" }]) {
            assert.equal(modelSourceError(model), "must set exactly one of path and s3Uri", JSON.stringify(model));
        }
    });

    it("s3Uri is s3://bucket/key", () => {
        assert.equal(s3UriError("s3://team-models/iris/model.tar.gz"), undefined);
        assert.equal(s3UriError("https://x/y"), `"https://x/y" must look like s3://bucket/key/model.tar.gz`);
        assert.equal(s3UriError("s3://bucket-only"), `"s3://bucket-only" must look like s3://bucket/key/model.tar.gz`);
    });
});
