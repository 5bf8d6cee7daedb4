/**
 * An asynchronous endpoint under mocks (components/endpoint/async.ts, autoscaling.ts, api/function.ts): the
 * EndpointConfig writes results and failures inside the component's bucket, autoscaling follows the queue down
 * to zero and back, and every role reaches only its prefixes.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ASYNC_BUCKET_ENV, ASYNC_MAX_INPUT_BYTES } from "../../../contract/async";
import { endpointName } from "../../../components/endpoint/naming";
import { irisFixture } from "../fixtures";
import { build } from "../harness";
import { T } from "../resource-types";

const SCOPE = { organization: "org", project: "modelapi", stack: "test" };
const BUCKET = "iris-artifacts-1234567";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("ModelApi asynchronous endpoint", function () {
    this.timeout(60000);
    const { iris, withEndpoint } = irisFixture();

    before(() => mocks.useMocks());

    describe("defaults", () => {
        before(async () => {
            await build("iris", withEndpoint({ async: {} }));
        });

        it("the EndpointConfig writes results and failures under the async prefixes of the component's bucket", () => {
            assert.deepEqual(mocks.find(T.config).inputs.asyncInferenceConfig, {
                outputConfig: { s3OutputPath: `s3://${BUCKET}/async/outputs`, s3FailurePath: `s3://${BUCKET}/async/failures` },
            });
        });

        it("the endpoint is named as an asynchronous one, so turning async on or off replaces it create-first", () => {
            const name = mocks.find(T.endpoint).inputs.name;
            assert.equal(name, endpointName("iris", SCOPE, { kind: "async", autoRollback: false }));
            assert.notEqual(name, endpointName("iris", SCOPE));
        });

        it("autoscaling registers a floor of 0 and tracks the backlog per instance, by endpoint name", () => {
            const target = mocks.find(T.scalingTarget).inputs;
            assert.deepEqual([target.minCapacity, target.maxCapacity], [0, 4]);
            const tracking = mocks.find(T.scalingPolicy, "iris-scaling-policy").inputs;
            assert.equal(tracking.policyType, "TargetTrackingScaling");
            assert.deepEqual(tracking.targetTrackingScalingPolicyConfiguration, {
                targetValue: 5,
                customizedMetricSpecification: {
                    metricName: "ApproximateBacklogSizePerInstance",
                    namespace: "AWS/SageMaker",
                    statistic: "Average",
                    dimensions: [{ name: "EndpointName", value: mocks.find(T.endpoint).inputs.name }],
                },
                scaleInCooldown: 300,
                scaleOutCooldown: 60,
            });
            // A configuration starts at least one instance; autoscaling takes it to zero when the queue is empty.
            assert.equal(mocks.find(T.config).inputs.productionVariants[0].initialInstanceCount, 1);
        });

        it("a step policy adds one instance when HasBacklogWithoutCapacity alarms, with AWS's documented settings", () => {
            const step = mocks.find(T.scalingPolicy, "iris-scale-from-zero").inputs;
            const target = mocks.find(T.scalingTarget).inputs;
            assert.equal(step.policyType, "StepScaling");
            assert.equal(step.resourceId, target.resourceId);
            assert.deepEqual(step.stepScalingPolicyConfiguration, {
                adjustmentType: "ChangeInCapacity",
                metricAggregationType: "Average",
                cooldown: 300,
                stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
            });
            const alarm = mocks.find(T.alarm, "iris-has-backlog-without-capacity").inputs;
            assert.deepEqual(
                {
                    namespace: alarm.namespace,
                    metricName: alarm.metricName,
                    dimensions: alarm.dimensions,
                    statistic: alarm.statistic,
                    period: alarm.period,
                    evaluationPeriods: alarm.evaluationPeriods,
                    datapointsToAlarm: alarm.datapointsToAlarm,
                    threshold: alarm.threshold,
                    comparisonOperator: alarm.comparisonOperator,
                    treatMissingData: alarm.treatMissingData,
                    alarmActions: alarm.alarmActions,
                },
                {
                    namespace: "AWS/SageMaker",
                    metricName: "HasBacklogWithoutCapacity",
                    dimensions: { EndpointName: mocks.find(T.endpoint).inputs.name },
                    statistic: "Average",
                    period: 60,
                    evaluationPeriods: 2,
                    datapointsToAlarm: 2,
                    threshold: 1,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    treatMissingData: "missing",
                    alarmActions: ["arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:iris-scale-from-zero"],
                },
            );
        });

        it("the endpoint role reads only the input prefixes and writes only the result prefixes", () => {
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "ReadAsyncInputs"), {
                Sid: "ReadAsyncInputs",
                Effect: "Allow",
                Action: ["s3:GetObject"],
                Resource: [`${BUCKET_ARN}/async/inputs/*`, `${BUCKET_ARN}/async/uploads/*`],
            });
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "WriteAsyncResults"), {
                Sid: "WriteAsyncResults",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
                Resource: [`${BUCKET_ARN}/async/outputs/*`, `${BUCKET_ARN}/async/failures/*`],
            });
            const doc = mocks.policyDocuments().find((d) => d.owner === "iris-endpoint-policy")!.doc;
            const writes = doc.Statement.filter((s) => mocks.asArray(s.Action).some((a: string) => a.startsWith("s3:Put")));
            assert.deepEqual(
                writes.map((s) => s.Sid),
                ["WriteAsyncResults"],
            );
            assert.ok(!doc.Statement.some((s) => s.Sid === "PublishAsyncNotifications"), "no topics, no sns:Publish");
        });

        it("the function may invoke the endpoint asynchronously only, on its ARN", () => {
            const endpointArn = `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${mocks.find(T.endpoint).inputs.name.toLowerCase()}`;
            assert.deepEqual(mocks.statement("iris-function-policy", "InvokeOwnEndpointAsync"), {
                Sid: "InvokeOwnEndpointAsync",
                Effect: "Allow",
                Action: ["sagemaker:InvokeEndpointAsync"],
                Resource: [endpointArn],
            });
            const doc = mocks.policyDocuments().find((d) => d.owner === "iris-function-policy")!.doc;
            assert.ok(!doc.Statement.some((s) => mocks.asArray(s.Action).includes("sagemaker:InvokeEndpoint")));
        });

        it("the function puts only inputs, uploads and request records, and reads only uploads, results and records", () => {
            assert.deepEqual(mocks.statement("iris-function-policy", "StoreAsyncInputs").Resource, [
                `${BUCKET_ARN}/async/inputs/*`,
                `${BUCKET_ARN}/async/uploads/*`,
                `${BUCKET_ARN}/async/requests/*`,
            ]);
            assert.deepEqual(mocks.statement("iris-function-policy", "StoreAsyncInputs").Action, ["s3:PutObject"]);
            assert.deepEqual(mocks.statement("iris-function-policy", "ReadAsyncResults").Resource, [
                `${BUCKET_ARN}/async/uploads/*`,
                `${BUCKET_ARN}/async/outputs/*`,
                `${BUCKET_ARN}/async/failures/*`,
                `${BUCKET_ARN}/async/requests/*`,
            ]);
            assert.deepEqual(mocks.statement("iris-function-policy", "ListAsyncResults"), {
                Sid: "ListAsyncResults",
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: [BUCKET_ARN],
                Condition: { StringLike: { "s3:prefix": ["async/uploads/*", "async/outputs/*", "async/failures/*", "async/requests/*"] } },
            });
        });

        it("the function is told the endpoint is asynchronous and which bucket holds its requests", () => {
            const env = mocks.find(T.fn).inputs.environment.variables;
            assert.equal(env.ENDPOINT_KIND, "async");
            assert.equal(env[ASYNC_BUCKET_ENV], BUCKET);
        });

        it("the REST API has the asynchronous routes, and its OpenAPI document answers a prediction with 202", async () => {
            const parts = new Set(mocks.findAll(T.resource).map((r) => r.inputs.pathPart));
            for (const part of ["predictions", "uploads", "{id}", "predict"]) assert.ok(parts.has(part), `no resource ${part}`);
            const api = await build("iris", withEndpoint({ async: {} }));
            const doc = JSON.parse(await mocks.promiseOf(api.openApi));
            assert.ok(doc.paths["/predictions/{id}"]?.get, "GET /predictions/{id} is not documented");
            assert.ok(doc.paths["/uploads"]?.post, "POST /uploads is not documented");
            assert.ok(doc.paths["/predict"].post.responses["202"], "POST /predict does not answer 202");
        });

        it("every lifecycle rule is filtered on one async prefix: inputs and uploads go after a day, results after a week", () => {
            const rules = mocks.find(T.bucketLifecycle).inputs.rules;
            assert.deepEqual(
                rules.map((r: any) => [r.filter.prefix, r.expiration.days, r.abortIncompleteMultipartUpload.daysAfterInitiation, r.status]),
                [
                    ["async/inputs/", 1, 1, "Enabled"],
                    ["async/uploads/", 1, 1, "Enabled"],
                    ["async/outputs/", 7, 1, "Enabled"],
                    ["async/failures/", 7, 1, "Enabled"],
                    ["async/requests/", 7, 1, "Enabled"],
                ],
            );
            assert.ok(rules.every((r: any) => typeof r.filter.prefix === "string" && r.filter.prefix.startsWith("async/")));
        });

        it("the serving container takes bodies up to 1 GB, reads them for up to 15 minutes and answers within the hour an asynchronous request may run", () => {
            assert.deepEqual(mocks.find(T.model).inputs.primaryContainer.environment, {
                MODELAPI_MAX_BODY_BYTES: String(ASYNC_MAX_INPUT_BYTES),
                SAGEMAKER_MODEL_SERVER_TIMEOUT: "3600",
                MODELAPI_BODY_TIMEOUT: "900",
            });
        });

        it("without api.cors the bucket takes no cross-origin requests", () => {
            assert.deepEqual(mocks.findAll(T.bucketCors), []);
        });
    });

    describe("options", () => {
        it("created topics are encrypted with the bucket's key, notified by the config and published to by the role only", async () => {
            await build("iris", withEndpoint({ async: { notifications: { createTopics: true } } }, { artifacts: { kmsKeyArn: KEY } }));
            const topics = mocks.findAll(T.topic);
            assert.deepEqual(
                topics.map((t) => [t.name, t.inputs.kmsMasterKeyId]),
                [
                    ["iris-async-success", KEY],
                    ["iris-async-error", KEY],
                ],
            );
            const config = mocks.find(T.config).inputs.asyncInferenceConfig.outputConfig;
            const success = "arn:aws:sns:us-east-1:123456789012:iris-async-success-1234567";
            const error = "arn:aws:sns:us-east-1:123456789012:iris-async-error-1234567";
            assert.deepEqual(config.notificationConfig, { successTopic: success, errorTopic: error });
            assert.equal(config.kmsKeyId, KEY);
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "PublishAsyncNotifications").Resource, [success, error]);
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "UseArtifactKey").Action, ["kms:Decrypt", "kms:GenerateDataKey"]);
            assert.deepEqual(mocks.statement("iris-function-policy", "UseBucketKey"), {
                Sid: "UseBucketKey",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: [KEY],
            });
        });

        it("a given topic is used as it is and only the missing one is created", async () => {
            const given = "arn:aws:sns:eu-west-1:123456789012:failures";
            await build("iris", withEndpoint({ async: { notifications: { createTopics: true, errorTopicArn: given } } }));
            assert.deepEqual(
                mocks.findAll(T.topic).map((t) => t.name),
                ["iris-async-success"],
            );
            assert.equal(mocks.find(T.config).inputs.asyncInferenceConfig.outputConfig.notificationConfig.errorTopic, given);
        });

        it("the user's container environment wins over the asynchronous defaults", async () => {
            await build("iris", withEndpoint({ async: {}, environment: { SAGEMAKER_MODEL_SERVER_TIMEOUT: "900" } }));
            assert.equal(mocks.find(T.model).inputs.primaryContainer.environment.SAGEMAKER_MODEL_SERVER_TIMEOUT, "900");
        });

        it("concurrency per instance reaches the client config; results expire as asked", async () => {
            await build("iris", withEndpoint({ async: { maxConcurrentInvocationsPerInstance: 4, resultExpirationDays: 30 } }));
            assert.deepEqual(mocks.find(T.config).inputs.asyncInferenceConfig.clientConfig, { maxConcurrentInvocationsPerInstance: 4 });
            const days = mocks.find(T.bucketLifecycle).inputs.rules.map((r: any) => r.expiration.days);
            assert.deepEqual(days, [1, 1, 30, 30, 30]);
        });

        it("without scaling to zero there is no step policy and autoscaling stays off unless asked for", async () => {
            await build("iris", withEndpoint({ async: { scaleToZero: false } }));
            assert.deepEqual(mocks.findAll(T.scalingTarget), []);
            await build(
                "iris",
                withEndpoint({ async: { scaleToZero: false, targetBacklogPerInstance: 2 }, autoscaling: { minCapacity: 2 } }),
            );
            assert.equal(mocks.find(T.scalingTarget).inputs.minCapacity, 2);
            assert.equal(mocks.find(T.scalingPolicy).inputs.targetTrackingScalingPolicyConfiguration.targetValue, 2);
            assert.deepEqual(
                mocks.findAll(T.alarm).filter((a) => a.name.includes("backlog-without")),
                [],
            );
        });

        it("with api.cors, browsers on those origins may PUT to presigned upload URLs", async () => {
            await build("iris", withEndpoint({ async: {} }, { api: { cors: { allowOrigins: ["https://app.example.com"] } } }));
            const rules = mocks.find(T.bucketCors).inputs.corsRules;
            assert.deepEqual(
                rules.map((r: any) => [r.allowedMethods, r.allowedOrigins]),
                [[["PUT"], ["https://app.example.com"]]],
            );
        });

        it("the bucket exists for an async endpoint even when the model is given by s3Uri", async () => {
            await build("iris", { ...iris(), models: [{ name: "iris", s3Uri: "s3://models/iris/model.tar.gz" }], endpoint: { async: {} } });
            assert.equal(mocks.findAll(T.bucket).length, 1);
            assert.ok(mocks.find(T.config).inputs.asyncInferenceConfig.outputConfig.s3OutputPath.startsWith("s3://iris-artifacts-"));
        });

        it("the asynchronous config is part of the generation: a change makes a new EndpointConfiguration", async () => {
            await build("iris", withEndpoint({ async: {} }));
            const first = mocks.find(T.config).name;
            await build("iris", withEndpoint({ async: { maxConcurrentInvocationsPerInstance: 2 } }));
            assert.notEqual(mocks.find(T.config).name, first);
        });
    });

    describe("a stack without async", () => {
        it("has no asynchronous config, topic, lifecycle rule or async permission, and the function keeps its invoke permission", async () => {
            await build("iris", iris());
            assert.equal(mocks.find(T.config).inputs.asyncInferenceConfig, undefined);
            assert.deepEqual([...mocks.findAll(T.topic), ...mocks.findAll(T.bucketLifecycle), ...mocks.findAll(T.bucketCors)], []);
            const sids = mocks.policyDocuments().flatMap((d) => d.doc.Statement.map((s) => s.Sid));
            assert.deepEqual(
                sids.filter((sid: string) => /Async/.test(sid)),
                [],
            );
            assert.equal(mocks.find(T.fn).inputs.environment.variables.ENDPOINT_KIND, "realtime");
            assert.equal(mocks.find(T.fn).inputs.environment.variables[ASYNC_BUCKET_ENV], undefined);
            assert.deepEqual(mocks.statement("iris-function-policy", "InvokeOwnEndpoint").Action, ["sagemaker:InvokeEndpoint"]);
        });
    });
});
