/** Builds a ModelApi under the mocks and waits until its whole graph is registered. */
import * as mocks from "./mocks";
import * as pulumi from "@pulumi/pulumi";
import { ModelApi, ModelApiArgs } from "../../components";

export async function build(name: string, args: ModelApiArgs, opts: pulumi.ComponentResourceOptions = {}): Promise<ModelApi> {
    mocks.useMocks();
    mocks.reset();
    const api = new ModelApi(name, args, { ...opts, transformations: [mocks.recordParents] });
    await mocks.settle();
    // The outputs depend on resources registered last (stage, key): once they resolve, nothing is pending.
    await Promise.all([mocks.promiseOf(api.url), mocks.promiseOf(api.apiKey), mocks.promiseOf(api.functionName)]);
    await mocks.settle();
    return api;
}
