/**
 * The checks of `endpoint.async` (components/endpoint/async-rules.ts): what asynchronous inference cannot be
 * combined with, and the values AWS refuses, are refused before anything is created, each naming its argument.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ArgumentError, ModelApi, ModelApiArgs } from "../../../components";
import { irisFixture, modelDir } from "../fixtures";
import { refuses } from "../harness";

describe("ModelApi endpoint.async rules: refused before anything is created", function () {
    this.timeout(60000);
    const { withEndpoint: base, iris } = irisFixture();

    before(() => mocks.useMocks());

    const cases: [string, ModelApiArgs, string][] = [
        [
            "with serverless",
            base({ serverless: {}, async: {} }),
            `endpoint.async cannot be combined with endpoint.serverless: asynchronous inference runs on instances and scales their count ("Supported features" and "Autoscale an asynchronous endpoint", SageMaker Developer Guide)`,
        ],
        [
            "with multiModel",
            {
                ...iris(),
                models: [
                    { name: "iris", path: modelDir() },
                    { name: "wine", path: modelDir() },
                ],
                multiModel: true,
                endpoint: { async: {} },
            },
            `endpoint.async cannot be combined with multiModel: InvokeEndpointAsync has no TargetModel ("InvokeEndpointAsync", SageMaker Runtime API Reference), and "Supported features" (SageMaker Developer Guide) offers no asynchronous multi-model endpoints`,
        ],
        [
            "with variants",
            base({ async: {}, variants: [{ name: "v1", weight: 1 }] }),
            `endpoint.async cannot be combined with endpoint.variants: "Supported features" (SageMaker Developer Guide) offers no multiple production variants on asynchronous endpoints, and InvokeEndpointAsync has no TargetVariant to pin one ("InvokeEndpointAsync", SageMaker Runtime API Reference)`,
        ],
        [
            "with a shadow",
            base({ async: {}, shadow: { name: "v2", model: { path: modelDir() }, samplingPercent: 10 } }),
            `endpoint.async cannot be combined with endpoint.shadow: shadow variants exclude asynchronous inference ("Exclusions", shadow tests, SageMaker Developer Guide)`,
        ],
        [
            "with data capture",
            base({ async: {}, dataCapture: {} }),
            `endpoint.async cannot be combined with endpoint.dataCapture: "Supported features" (SageMaker Developer Guide) offers no data capture on asynchronous endpoints`,
        ],
        [
            "with a rollout, a product choice",
            base({ async: {}, rollout: {} }),
            `endpoint.async cannot be combined with endpoint.rollout, a choice of ModelApi: SageMaker lists deployment guardrails for asynchronous endpoints ("Supported features"), but documents neither how canary and linear shifts treat a queue nor how they run at zero instances, so ModelApi does not offer guarded rollouts there yet`,
        ],
        [
            "scaling to zero with a floor above zero",
            base({ async: {}, autoscaling: { minCapacity: 1 } }),
            `endpoint.autoscaling.minCapacity must be 0 with endpoint.async.scaleToZero (on by default); got 1: scaling to zero registers MinCapacity 0 ("Autoscale an asynchronous endpoint", SageMaker Developer Guide); set scaleToZero: false to keep instances running`,
        ],
        [
            "a floor of zero without scaling to zero",
            base({ async: { scaleToZero: false }, autoscaling: { minCapacity: 0 } }),
            `endpoint.autoscaling.minCapacity must be an integer of at least 1; got 0 (0 only on an asynchronous endpoint with endpoint.async.scaleToZero)`,
        ],
        [
            "the invocations target, a metric asynchronous endpoints do not publish",
            base({ async: {}, autoscaling: { targetInvocationsPerInstance: 50 } }),
            `endpoint.autoscaling.targetInvocationsPerInstance is not used on an asynchronous endpoint, which publishes no InvocationsPerInstance ("Alarms and logs for tracking metrics from asynchronous endpoints", SageMaker Developer Guide); set endpoint.async.targetBacklogPerInstance`,
        ],
        [
            "0 concurrent invocations",
            base({ async: { maxConcurrentInvocationsPerInstance: 0 } }),
            `endpoint.async.maxConcurrentInvocationsPerInstance must be an integer from 1 to 1000 ("AsyncInferenceClientConfig", SageMaker API Reference); got 0`,
        ],
        [
            "1001 concurrent invocations",
            base({ async: { maxConcurrentInvocationsPerInstance: 1001 } }),
            `endpoint.async.maxConcurrentInvocationsPerInstance must be an integer from 1 to 1000 ("AsyncInferenceClientConfig", SageMaker API Reference); got 1001`,
        ],
        [
            "a topic ARN of another service",
            base({ async: { notifications: { successTopicArn: "arn:aws:sqs:us-east-1:123456789012:results" } } }),
            `endpoint.async.notifications.successTopicArn must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:results ("AsyncInferenceNotificationConfig", SageMaker API Reference); got "arn:aws:sqs:us-east-1:123456789012:results"`,
        ],
        [
            "notifications naming no topic",
            base({ async: { notifications: {} } }),
            `endpoint.async.notifications names no topic: set createTopics: true, or successTopicArn and/or errorTopicArn`,
        ],
        [
            "topics to create when both are given",
            base({
                async: {
                    notifications: {
                        createTopics: true,
                        successTopicArn: "arn:aws:sns:us-east-1:123456789012:ok",
                        errorTopicArn: "arn:aws:sns:us-east-1:123456789012:failed",
                    },
                },
            }),
            `endpoint.async.notifications.createTopics has nothing to create: both successTopicArn and errorTopicArn are given`,
        ],
        [
            "results kept 0 days",
            base({ async: { resultExpirationDays: 0 } }),
            `endpoint.async.resultExpirationDays must be a positive integer; got 0`,
        ],
        [
            "a backlog target of 0",
            base({ async: { targetBacklogPerInstance: 0 } }),
            `endpoint.async.targetBacklogPerInstance must be greater than 0; got 0`,
        ],
        [
            "an unknown key",
            base({ async: { scaleToZro: true } as never }),
            `endpoint.async.scaleToZro is not an argument of ModelApi; expected one of maxConcurrentInvocationsPerInstance, scaleToZero, targetBacklogPerInstance, resultExpirationDays, notifications; did you mean scaleToZero?`,
        ],
    ];
    for (const [what, args, message] of cases) {
        it(`refuses async ${what}`, () => refuses(args, message));
    }

    it("names every mistake of async arguments at once", () => {
        mocks.reset();
        assert.throws(
            () =>
                new ModelApi(
                    "iris",
                    base({
                        serverless: {},
                        async: { maxConcurrentInvocationsPerInstance: 2000, notifications: { errorTopicArn: "topic" } },
                    }),
                ),
            (err: unknown) => {
                assert.ok(err instanceof ArgumentError);
                assert.deepEqual(
                    err.mistakes.map((m) => m.path),
                    ["endpoint.async", "endpoint.async.maxConcurrentInvocationsPerInstance", "endpoint.async.notifications.errorTopicArn"],
                );
                return true;
            },
        );
        assert.deepEqual(mocks.all(), []);
    });
});
