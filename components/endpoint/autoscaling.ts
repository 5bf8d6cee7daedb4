import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AutoscalingArgs } from "../args";
import type { AsyncSettings } from "./defaults";

/** @internal What autoscaling created: the scalable target, its target-tracking policy, and scale from zero. */
export interface Autoscaling {
    target: aws.appautoscaling.Target;
    policy: aws.appautoscaling.Policy;
    /** With an asynchronous endpoint that scales to zero: the step policy and the alarm that triggers it. */
    fromZero?: { policy: aws.appautoscaling.Policy; alarm: aws.cloudwatch.MetricAlarm };
}

/**
 * @internal Target tracking that keeps the variant's instance count between `minCapacity` and `maxCapacity`. A
 * real-time endpoint tracks `SageMakerVariantInvocationsPerInstance` (about `targetInvocationsPerInstance`
 * invocations per instance a minute). An asynchronous one publishes no invocation counts ("Alarms and logs for
 * tracking metrics from asynchronous endpoints", SageMaker Developer Guide) and tracks its queue instead:
 * `ApproximateBacklogSizePerInstance`, the metric "Autoscale an asynchronous endpoint" (SageMaker Developer
 * Guide) tells to track, by EndpointName only. With a floor of 0, target tracking alone starts an instance only
 * once the backlog exceeds the target; the same page's step policy on `HasBacklogWithoutCapacity` adds one
 * instance as soon as a request waits with none running. Application Auto Scaling takes the policy that gives
 * the most capacity when the two disagree (same page).
 */
export function autoscaling(
    name: string,
    endpoint: aws.sagemaker.Endpoint,
    variantName: string,
    scaling: Required<AutoscalingArgs>,
    async: AsyncSettings | undefined,
    tags: { [key: string]: string },
    parent: pulumi.Resource,
    suffix = "",
): Autoscaling {
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
    const metric = async
        ? {
              targetValue: async.targetBacklogPerInstance,
              customizedMetricSpecification: {
                  metricName: "ApproximateBacklogSizePerInstance",
                  namespace: "AWS/SageMaker",
                  statistic: "Average",
                  dimensions: [{ name: "EndpointName", value: endpoint.name }],
              },
          }
        : {
              targetValue: scaling.targetInvocationsPerInstance,
              predefinedMetricSpecification: { predefinedMetricType: "SageMakerVariantInvocationsPerInstance" },
          };
    const policy = new aws.appautoscaling.Policy(
        `${name}-scaling-policy${suffix}`,
        {
            policyType: "TargetTrackingScaling",
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            targetTrackingScalingPolicyConfiguration: {
                ...metric,
                scaleInCooldown: scaling.scaleInCooldownSeconds,
                scaleOutCooldown: scaling.scaleOutCooldownSeconds,
            },
        },
        { parent },
    );
    const fromZero = async && scaling.minCapacity === 0 ? scaleFromZero(name, endpoint, target, tags, parent) : undefined;
    return { target, policy, fromZero };
}

/**
 * @internal The step policy and alarm of "Autoscale an asynchronous endpoint" (SageMaker Developer Guide), with
 * the settings given there: one more instance (ChangeInCapacity 1 from a lower bound of 0, Average, cooldown
 * 300 s) when `HasBacklogWithoutCapacity` (1 while requests wait and no instance runs) averages at least 1 over
 * 2 of 2 one-minute periods, missing data treated as missing.
 */
export function scaleFromZero(
    name: string,
    endpoint: aws.sagemaker.Endpoint,
    target: aws.appautoscaling.Target,
    tags: { [key: string]: string },
    parent: pulumi.Resource,
): { policy: aws.appautoscaling.Policy; alarm: aws.cloudwatch.MetricAlarm } {
    const policy = new aws.appautoscaling.Policy(
        `${name}-scale-from-zero`,
        {
            policyType: "StepScaling",
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            stepScalingPolicyConfiguration: {
                adjustmentType: "ChangeInCapacity",
                metricAggregationType: "Average",
                cooldown: 300,
                // The provider takes the bound as a string (pulumi-aws, StepScalingPolicyConfigurationStepAdjustment).
                stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
            },
        },
        { parent },
    );
    const alarm = new aws.cloudwatch.MetricAlarm(
        `${name}-has-backlog-without-capacity`,
        {
            alarmDescription: `ModelApi ${name}: requests wait and no instance runs; starts one (scale from zero)`,
            namespace: "AWS/SageMaker",
            metricName: "HasBacklogWithoutCapacity",
            dimensions: { EndpointName: endpoint.name },
            statistic: "Average",
            period: 60,
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "missing",
            alarmActions: [policy.arn],
            tags,
        },
        { parent },
    );
    return { policy, alarm };
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
    if (scaling.minCapacity === 0) {
        return (
            `ModelApi "${name}": with endpoint.async.scaleToZero, an update that makes a new endpoint configuration (a new ` +
            `model archive or image, another instance setting) starts the endpoint at endpoint.instanceCount (${instanceCount}) ` +
            `instances, billed until autoscaling scales in again once the queue stays empty.`
        );
    }
    return (
        `ModelApi "${name}": with endpoint.autoscaling, an update that makes a new endpoint configuration (a new model ` +
        `archive or image, another instance setting) restarts the endpoint at endpoint.instanceCount (${instanceCount}) ` +
        `instances, even when autoscaling had scaled it out, until autoscaling scales out again. To keep capacity ` +
        `through an update, set endpoint.instanceCount to the count you expect at that time (at most ${scaling.maxCapacity}).`
    );
}
