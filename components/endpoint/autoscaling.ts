import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AutoscalingArgs } from "../args";

/**
 * @internal Target tracking on `SageMakerVariantInvocationsPerInstance`: Application Auto Scaling keeps the
 * variant's instance count between `minCapacity` and `maxCapacity` so that each instance sees about
 * `targetInvocationsPerInstance` invocations a minute.
 */
export function autoscaling(
    name: string,
    endpoint: aws.sagemaker.Endpoint,
    variantName: string,
    scaling: Required<AutoscalingArgs>,
    parent: pulumi.Resource,
    suffix = "",
): { target: aws.appautoscaling.Target; policy: aws.appautoscaling.Policy } {
    const target = new aws.appautoscaling.Target(
        `${name}-scaling-target${suffix}`,
        {
            serviceNamespace: "sagemaker",
            scalableDimension: "sagemaker:variant:DesiredInstanceCount",
            resourceId: pulumi.interpolate`endpoint/${endpoint.name}/variant/${variantName}`,
            minCapacity: scaling.minCapacity,
            maxCapacity: scaling.maxCapacity,
        },
        { parent },
    );
    const policy = new aws.appautoscaling.Policy(
        `${name}-scaling-policy${suffix}`,
        {
            policyType: "TargetTrackingScaling",
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            targetTrackingScalingPolicyConfiguration: {
                targetValue: scaling.targetInvocationsPerInstance,
                predefinedMetricSpecification: { predefinedMetricType: "SageMakerVariantInvocationsPerInstance" },
                scaleInCooldown: scaling.scaleInCooldownSeconds,
                scaleOutCooldown: scaling.scaleOutCooldownSeconds,
            },
        },
        { parent },
    );
    return { target, policy };
}

/**
 * @internal The warning given at every `pulumi up` of an autoscaled endpoint, or undefined when autoscaling
 * cannot scale out. SageMaker's UpdateEndpoint resets the variant to the new endpoint configuration's
 * initial instance count unless RetainAllVariantProperties is set, and the AWS provider does not send it
 * (terraform-provider-aws issue 48990; "Update endpoints that use auto scaling", SageMaker Developer Guide). Nothing in the
 * component can keep the scaled-out count: the count lives only in the endpoint, which the provider
 * updates to the new configuration as a whole.
 */
export function autoscalingUpdateWarning(name: string, scaling: Required<AutoscalingArgs>, instanceCount: number): string | undefined {
    if (scaling.minCapacity === scaling.maxCapacity) {
        return undefined;
    }
    return (
        `ModelApi "${name}": with endpoint.autoscaling, an update that makes a new endpoint configuration (a new model ` +
        `archive or image, another instance setting) restarts the endpoint at endpoint.instanceCount (${instanceCount}) ` +
        `instances, even when autoscaling had scaled it out, until autoscaling scales out again. To keep capacity ` +
        `through an update, set endpoint.instanceCount to the count you expect at that time (at most ${scaling.maxCapacity}).`
    );
}
