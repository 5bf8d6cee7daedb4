/**
 * One model generation: the SageMaker Model and EndpointConfig of one version of image, model data and
 * endpoint settings, and the check that the endpoint really runs it after an update.
 *
 * When SageMaker rolls an endpoint update back (an alarm tripped, or the new model failed its health check),
 * the endpoint keeps its previous EndpointConfig while the provider reports success (terraform-provider-aws
 * issues 48997 and 46663). A Model and EndpointConfig replaced under their own names would then be deleted
 * at the end of the next update that succeeds (Pulumi 3.46 and later run pending deletes only then,
 * pulumi/pulumi 11027; earlier ones ran them at the start of the next update), perhaps while the live
 * endpoint still uses them. So each generation's resources carry in their logical names a hash of every
 * input that would replace them: a new version creates new resources instead of replacing the old ones, and
 * the old generation, no longer declared, is deleted only by an update that succeeded, which includes the
 * check below. `pulumi destroy` deletes every generation still in the stack.
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
 * with the AWS provider's credentials and region), and the failure of the whole `pulumi up` when it is not the
 * one this program deployed. The failure keeps the previous generation: Pulumi deletes resources a program no
 * longer declares only when the program succeeds.
 *
 * Only a real update reads back. A preview deploys nothing, so the live config would be compared with one not
 * yet deployed, and every preview after a rollback would fail; the invoke would run there, as an output-form
 * invoke calls the provider in preview once its inputs are known (@pulumi/pulumi runtime/invoke.ts). In a
 * preview this is the config the update will deploy.
 */
export function liveEndpointConfigName(
    name: string,
    endpoint: aws.sagemaker.Endpoint,
    deployedConfigName: pulumi.Input<string>,
    parent: pulumi.Resource,
): pulumi.Output<string> {
    if (pulumi.runtime.isDryRun()) {
        return pulumi.output(deployedConfigName);
    }
    // AWS::SageMaker::Endpoint is identified by its ARN (its CloudFormation primary identifier, which CDK's
    // EndpointReference and aws-native's getEndpoint take too). Read once the endpoint's update is done.
    const live = aws.cloudcontrol.getResourceOutput(
        { typeName: ENDPOINT_RESOURCE_TYPE, identifier: endpoint.arn },
        { parent, dependsOn: [endpoint] },
    );
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
        // After a rollback the provider may have recorded either config for the endpoint: it fails when its wait
        // meets the RollingBack state, which `waitEndpointInService` does not expect (terraform-provider-aws
        // endpoint.go), or reads the endpoint back once it is InService again (issue 46663). A refresh records the
        // live one, so the next `pulumi up` sees the difference and deploys again.
        throw new Error(
            `ModelApi "${name}": endpoint ${endpointName} runs endpoint config ${live.EndpointConfigName ?? "(none)"}, not ` +
                `${deployed} that this update deployed: SageMaker rolled the update back (a rollback alarm tripped or the new ` +
                `model failed its health check; DescribeEndpoint's FailureReason says which). The endpoint still serves the ` +
                `previous model, and nothing it uses was deleted. Run \`pulumi refresh\` (it records the config the endpoint ` +
                `really runs), then \`pulumi up\` again: with the change fixed or reverted, or unchanged to retry a transient failure.`,
        );
    }
    return live.EndpointConfigName;
}
