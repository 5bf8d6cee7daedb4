/**
 * Creates the planned ModelApi instances and collects the stack's outputs. Separate from index.ts,
 * which only reads Pulumi config, so tests can run it under Pulumi mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { ModelApi } from "../components";
import { NAMESPACE, PlannedApi } from "./config";
import { privateNetwork, VpcPlan } from "./network";

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
    /** The API's OpenAPI 3 document (JSON text). */
    openApi: pulumi.Output<string>;
    /** A Postman v2.1 collection of the API (JSON text, no key in it); `npm run postman` writes it to a file. */
    postmanCollection: pulumi.Output<string>;
}

/**
 * The stack outputs: with one ModelApi (one model, or one multi-model endpoint) its outputs at the top
 * level (`pulumi stack output url`); with one ModelApi per model, `apis.<model>.url` and so on.
 */
export function runStack(plan: PlannedApi[], vpc?: VpcPlan): { [key: string]: unknown } {
    // With a VPC of its own (modelapi:network createVpc), every API of the stack joins it.
    const net = vpc ? privateNetwork(NAMESPACE, vpc, plan[0]?.args.tags) : undefined;
    const apis = plan.map(({ name, args }) => ({ name, api: new ModelApi(name, net ? { ...args, network: net.network } : args) }));
    const network = net ? { vpcId: net.vpc.vpcId } : {};
    if (apis.length === 1) {
        return { ...outputsOf(apis[0].api), ...network };
    }
    return { apis: Object.fromEntries(apis.map(({ name, api }) => [name, outputsOf(api)])), ...network };
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
        openApi: api.openApi,
        postmanCollection: api.postmanCollection,
    };
}
