/**
 * The error for arguments ModelApi cannot accept (components/settings/argument-error.ts): the same message as
 * ever for one mistake, one line each for several, and Pulumi's InputPropertiesError for the CLI.
 */
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "assert";
import { ArgumentError } from "../../../components";
import { argumentError, mistakeText } from "../../../components/settings/argument-error";

describe("ArgumentError", () => {
    const count = { path: "endpoint.instanceCount", reason: "must be a positive integer; got 0" };
    const auth = { path: "api.auth", reason: `must be one of "apiKey", "iam", "none"; got "basic"` };

    it("one mistake: the message names the component, then the argument and the reason, as it always has", () => {
        const err = argumentError("iris", [count]);
        assert.equal(err.message, `ModelApi "iris": endpoint.instanceCount must be a positive integer; got 0`);
        assert.equal(err.name, "ArgumentError");
        assert.ok(err instanceof ArgumentError);
        assert.ok(err instanceof Error);
        assert.deepEqual(err.mistakes, [count]);
    });

    it("several mistakes: one line each under the line that names the component", () => {
        const err = argumentError("iris", [count, auth]);
        assert.equal(
            err.message,
            `ModelApi "iris": 2 mistakes in the arguments:\n` +
                `  - endpoint.instanceCount must be a positive integer; got 0\n` +
                `  - api.auth must be one of "apiKey", "iam", "none"; got "basic"`,
        );
        assert.deepEqual(
            err.mistakes.map((m) => m.path),
            ["endpoint.instanceCount", "api.auth"],
        );
    });

    it("a reason reads on from its path, with a colon when it starts with one", () => {
        assert.equal(
            mistakeText({ path: "models[0]", reason: `("iris") must set exactly one of path and s3Uri` }),
            `models[0] ("iris") must set exactly one of path and s3Uri`,
        );
        assert.equal(
            mistakeText({ path: "monitoring.alarms.apiLatency", reason: ": periodSeconds x evaluationPeriods is 90000 s" }),
            "monitoring.alarms.apiLatency: periodSeconds x evaluationPeriods is 90000 s",
        );
    });

    it("is Pulumi's InputPropertiesError, so a plugin host reports each property with its reason", () => {
        const err = argumentError("iris", [count, auth]);
        // What @pulumi/pulumi's provider server tests before it answers a construct with the properties' errors.
        assert.ok(pulumi.InputPropertiesError.isInstance(err));
        assert.deepEqual(err.errors, [
            { propertyPath: "endpoint.instanceCount", reason: "endpoint.instanceCount must be a positive integer; got 0" },
            { propertyPath: "api.auth", reason: `api.auth must be one of "apiKey", "iam", "none"; got "basic"` },
        ]);
    });

    it("can still be made from a message alone, as before it carried its mistakes", () => {
        const err = new ArgumentError(`ModelApi "iris": something is wrong`);
        assert.equal(err.message, `ModelApi "iris": something is wrong`);
        assert.equal(err.name, "ArgumentError");
        assert.deepEqual(err.mistakes, []);
        assert.deepEqual(err.errors, []);
    });
});
