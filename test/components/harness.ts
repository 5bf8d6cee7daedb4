/** Builds a ModelApi under the mocks and waits until its whole graph is registered, or asserts it refuses its arguments. */
import * as mocks from "./mocks";
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "assert";
import { ArgumentError, ModelApi, ModelApiArgs } from "../../components";

export async function build(name: string, args: ModelApiArgs, opts: pulumi.ComponentResourceOptions = {}): Promise<ModelApi> {
    mocks.useMocks();
    mocks.reset();
    const api = new ModelApi(name, args, { ...opts, transformations: [...(opts.transformations ?? []), mocks.recordParents] });
    await mocks.settle();
    // The outputs depend on resources registered last (stage, key): once they resolve, nothing is pending.
    await Promise.all([mocks.promiseOf(api.url), mocks.promiseOf(api.apiKey), mocks.promiseOf(api.functionName)]);
    await mocks.settle();
    return api;
}

/**
 * Asserts that `args` are refused with an ArgumentError of exactly `message` (after the component's name),
 * and that not even the component itself was registered.
 */
export function refuses(args: ModelApiArgs, message: string, name = "iris"): void {
    mocks.useMocks();
    mocks.reset();
    assert.throws(
        () => new ModelApi(name, args),
        (err: unknown) => {
            assert.ok(err instanceof ArgumentError, `not an ArgumentError: ${err}`);
            assert.equal(err.message, `ModelApi "${name}": ${message}`);
            return true;
        },
    );
    assert.deepEqual(mocks.all(), []);
}
