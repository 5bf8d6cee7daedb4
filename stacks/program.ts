/**
 * Creates the planned ModelApi instances and collects the stack's outputs. Separate from index.ts,
 * which only reads Pulumi config, so tests can run it under Pulumi mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { ModelApi } from "../components";
import { PlannedApi } from "./config";

/** What the stack exports for one ModelApi. */
export interface ApiOutputs {
    url: pulumi.Output<string>;
    apiKey: pulumi.Output<string | undefined>;
    endpointName: pulumi.Output<string>;
    imageUri: pulumi.Output<string>;
    modelDataUrl: pulumi.Output<string>;
    functionName: pulumi.Output<string>;
    bucketName: pulumi.Output<string | undefined>;
    alarmNames: pulumi.Output<string[]>;
    dashboardUrl: pulumi.Output<string | undefined>;
}

/**
 * The stack outputs: with one ModelApi (one model, or one multi-model endpoint) its outputs at the top
 * level (`pulumi stack output url`); with one ModelApi per model, `apis.<model>.url` and so on.
 */
export function runStack(plan: PlannedApi[]): { [key: string]: unknown } {
    const apis = plan.map(({ name, args }) => ({ name, api: new ModelApi(name, args) }));
    if (apis.length === 1) {
        return { ...outputsOf(apis[0].api) };
    }
    return { apis: Object.fromEntries(apis.map(({ name, api }) => [name, outputsOf(api)])) };
}

function outputsOf(api: ModelApi): ApiOutputs {
    return {
        url: api.url,
        apiKey: api.apiKey,
        endpointName: api.endpointName,
        imageUri: api.imageUri,
        modelDataUrl: api.modelDataUrl,
        functionName: api.functionName,
        bucketName: api.bucketName,
        alarmNames: api.alarmNames,
        dashboardUrl: api.dashboardUrl,
    };
}
