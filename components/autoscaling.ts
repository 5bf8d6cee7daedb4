import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AutoscalingArgs } from "./args";

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
): { target: aws.appautoscaling.Target; policy: aws.appautoscaling.Policy } {
    const target = new aws.appautoscaling.Target(
        `${name}-scaling-target`,
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
        `${name}-scaling-policy`,
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
