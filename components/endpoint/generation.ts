/**
 * One model generation: the SageMaker Model and EndpointConfig of one version of image, model data and
 * endpoint settings, and the check that the endpoint really runs it after an update.
 *
 * When SageMaker rolls an endpoint update back (an alarm tripped, or the new model failed its health check),
 * the endpoint keeps its previous EndpointConfig while the provider reports success (terraform-provider-aws
 * issues 48997 and 46663). A replaced Model and EndpointConfig would then be deleted at the end of the update,
 * or at the start of the next one if the update failed, although the live endpoint still uses them. So each
 * generation's resources carry the generation in their logical names: a new version creates new resources
 * instead of replacing the old ones, and the old generation is deleted only by an update that succeeded, which
 * includes the check below. `pulumi destroy` deletes every generation still in the stack.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";

/** @internal Hex characters of the generation in child names: the longest that keeps SageMaker's 63-character limit. */
export const GENERATION_LENGTH = 5;

/** @internal A short hash of everything that makes a Model or EndpointConfig a new one. */
export function generationId(spec: object): string {
    return crypto.createHash("sha256").update(canonicalJson(spec)).digest("hex").slice(0, GENERATION_LENGTH);
}

function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(canonicalJson).join(",")}]`;
    }
    if (value && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
        return `{${entries
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
            .join(",")}}`;
    }
    return JSON.stringify(value);
}

/** @internal The CloudFormation type Cloud Control reads the live endpoint through. */
export const ENDPOINT_RESOURCE_TYPE = "AWS::SageMaker::Endpoint";

/**
 * @internal The EndpointConfig the endpoint runs, read from AWS after the update (Cloud Control's GetResource,
 * with the AWS provider's credentials and region), and the failure of the whole `pulumi up` (and of a later
 * preview) when it is not the one this program deployed. The failure keeps the previous generation: Pulumi
 * deletes resources a program no longer declares only when the program succeeds.
 */
export function liveEndpointConfigName(
    name: string,
    endpoint: aws.sagemaker.Endpoint,
    deployedConfigName: pulumi.Input<string>,
    parent: pulumi.Resource,
): pulumi.Output<string> {
    // AWS::SageMaker::Endpoint is identified by its ARN (its CloudFormation primary identifier, which CDK's
    // EndpointReference and aws-native's getEndpoint take too).
    const live = aws.cloudcontrol.getResourceOutput({ typeName: ENDPOINT_RESOURCE_TYPE, identifier: endpoint.arn }, { parent });
    return (
        pulumi
            // The config this program deployed, not the endpoint's recorded one: after a rollback the provider may
            // record either.
            .all([endpoint.name, deployedConfigName, live.properties])
            .apply(([endpointName, deployed, properties]) => checkLiveConfig(name, endpointName, deployed, JSON.parse(properties)))
    );
}

/** @internal Returns the live EndpointConfig name, or throws the message a user sees after a rollback. */
export function checkLiveConfig(name: string, endpointName: string, deployed: string, live: { EndpointConfigName?: string }): string {
    if (live.EndpointConfigName !== deployed) {
        throw new Error(
            `ModelApi "${name}": endpoint ${endpointName} runs endpoint config ${live.EndpointConfigName ?? "(none)"}, not ` +
                `${deployed} that this update deployed: SageMaker rolled the update back (a rollback alarm tripped or the new ` +
                `model failed its health check; DescribeEndpoint's FailureReason says which). The endpoint still serves the ` +
                `previous model, and nothing it uses was deleted. Fix or revert the change, run \`pulumi refresh\`, then \`pulumi up\`.`,
        );
    }
    return live.EndpointConfigName;
}
