/**
 * @internal Checks of `endpoint.async`: what asynchronous inference cannot be combined with, and the values
 * SageMaker, S3 and Application Auto Scaling accept. Each refusal names its AWS page.
 */
import type { AsyncNotificationsArgs, ModelApiArgs } from "../args";
import { positive, positiveInteger, type Report } from "../checks";

/** @internal "AsyncInferenceClientConfig" (SageMaker API Reference): MaxConcurrentInvocationsPerInstance is 1 to 1000. */
export const MAX_CONCURRENT_INVOCATIONS_PER_INSTANCE = 1000;

/** @internal The pattern and length of SuccessTopic and ErrorTopic ("AsyncInferenceNotificationConfig", SageMaker API Reference). */
export const ASYNC_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]*:[0-9]{12}:[a-zA-Z0-9_.-]+$/;
const MAX_TOPIC_ARN_LENGTH = 2048;

/** @internal Reports every `endpoint.async` setting that cannot be, and every argument it cannot be combined with. */
export function validateAsync(args: ModelApiArgs, report: Report): void {
    const endpoint = args.endpoint ?? {};
    const async = endpoint.async;
    if (async === undefined || async === null) {
        return;
    }
    // "Supported features" (SageMaker Developer Guide, the endpoint feature matrix) is the source of each
    // combination below: asynchronous inference is its own column beside serverless, and its rows for
    // multi-model endpoints and data capture are empty.
    if (endpoint.serverless) {
        report(
            "endpoint.async",
            `cannot be combined with endpoint.serverless: asynchronous inference runs on instances and scales their count ` +
                `("Supported features" and "Autoscale an asynchronous endpoint", SageMaker Developer Guide)`,
        );
    }
    if (args.multiModel) {
        report(
            "endpoint.async",
            `cannot be combined with multiModel: InvokeEndpointAsync has no TargetModel ("InvokeEndpointAsync", SageMaker ` +
                `Runtime API Reference), and "Supported features" (SageMaker Developer Guide) offers no asynchronous multi-model endpoints`,
        );
    }
    if (endpoint.dataCapture) {
        report(
            "endpoint.async",
            `cannot be combined with endpoint.dataCapture: "Supported features" (SageMaker Developer Guide) offers no data ` +
                `capture on asynchronous endpoints`,
        );
    }
    if (endpoint.variants !== undefined) {
        report(
            "endpoint.async",
            `cannot be combined with endpoint.variants: "Supported features" (SageMaker Developer Guide) offers no multiple ` +
                `production variants on asynchronous endpoints, and InvokeEndpointAsync has no TargetVariant to pin one ` +
                `("InvokeEndpointAsync", SageMaker Runtime API Reference)`,
        );
    }
    if (endpoint.shadow !== undefined) {
        report(
            "endpoint.async",
            `cannot be combined with endpoint.shadow: shadow variants exclude asynchronous inference ("Exclusions", shadow ` +
                `tests, SageMaker Developer Guide)`,
        );
    }
    if (endpoint.rollout) {
        report(
            "endpoint.async",
            `cannot be combined with endpoint.rollout, a choice of ModelApi: SageMaker lists deployment guardrails for ` +
                `asynchronous endpoints ("Supported features"), but documents neither how canary and linear shifts treat a ` +
                `queue nor how they run at zero instances, so ModelApi does not offer guarded rollouts there yet`,
        );
    }
    const concurrency = async.maxConcurrentInvocationsPerInstance;
    if (
        concurrency !== undefined &&
        !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_CONCURRENT_INVOCATIONS_PER_INSTANCE)
    ) {
        report(
            "endpoint.async.maxConcurrentInvocationsPerInstance",
            `must be an integer from 1 to ${MAX_CONCURRENT_INVOCATIONS_PER_INSTANCE} ("AsyncInferenceClientConfig", ` +
                `SageMaker API Reference); got ${concurrency}`,
        );
    }
    positive(report, "endpoint.async.targetBacklogPerInstance", async.targetBacklogPerInstance);
    // "LifecycleExpiration" (Amazon S3 API Reference): Days "must be a non-zero positive integer".
    positiveInteger(report, "endpoint.async.resultExpirationDays", async.resultExpirationDays);
    const scaling = endpoint.autoscaling;
    if (async.scaleToZero !== false && scaling?.minCapacity !== undefined && scaling.minCapacity !== 0) {
        report(
            "endpoint.autoscaling.minCapacity",
            `must be 0 with endpoint.async.scaleToZero (on by default); got ${scaling.minCapacity}: scaling to zero registers ` +
                `MinCapacity 0 ("Autoscale an asynchronous endpoint", SageMaker Developer Guide); set scaleToZero: false to keep ` +
                `instances running`,
        );
    }
    if (scaling?.targetInvocationsPerInstance !== undefined) {
        report(
            "endpoint.autoscaling.targetInvocationsPerInstance",
            `is not used on an asynchronous endpoint, which publishes no InvocationsPerInstance ("Alarms and logs for ` +
                `tracking metrics from asynchronous endpoints", SageMaker Developer Guide); set endpoint.async.targetBacklogPerInstance`,
        );
    }
    validateNotifications(async.notifications, report);
}

function validateNotifications(notifications: AsyncNotificationsArgs | undefined, report: Report): void {
    if (notifications === undefined || notifications === null) {
        return;
    }
    const at = "endpoint.async.notifications";
    const given = (["successTopicArn", "errorTopicArn"] as const).filter((key) => notifications[key] !== undefined);
    if (notifications.createTopics !== true && given.length === 0) {
        report(at, `names no topic: set createTopics: true, or successTopicArn and/or errorTopicArn`);
    }
    if (notifications.createTopics === true && given.length === 2) {
        report(`${at}.createTopics`, `has nothing to create: both successTopicArn and errorTopicArn are given`);
    }
    for (const key of given) {
        const arn: unknown = notifications[key];
        if (typeof arn !== "string" || arn.length > MAX_TOPIC_ARN_LENGTH || !ASYNC_TOPIC_ARN.test(arn)) {
            report(
                `${at}.${key}`,
                `must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:results ("AsyncInferenceNotificationConfig", ` +
                    `SageMaker API Reference); got "${String(arn)}"`,
            );
        }
    }
}
