import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type EndpointKind, PRODUCTION_VARIANT } from "../../contract";
import {
    asyncContainerEnvironment,
    asyncEndpointRoleStatements,
    asyncGenerationKey,
    asyncInferenceConfig,
    asyncTopics,
    type AsyncTopics,
} from "./async";
import { type Autoscaling, autoscaling, autoscalingUpdateWarning } from "./autoscaling";
import { assumeRolePolicy, logGroupResources, policyDocument, Statement } from "../iam";
import { ArtifactBucket, DATA_CAPTURE_PREFIX, ModelArtifacts } from "../artifacts/model-artifacts";
import { generationId, liveEndpointConfigName } from "./generation";
import { createAlarms, CreatedAlarm } from "../monitoring/alarms";
import { ENDPOINT_ALARMS } from "../monitoring/catalogue";
import { defaultedCounts, type PlannedVariant, planVariants, type VariantPlan, variantSuffix } from "./variants";
import { endpointName } from "./naming";
import { deploymentConfig, describeRollbackAlarmsStatement, rollbackAlarms } from "./rollout";
import { modelVpcStatements } from "./network";
import { ServingImage } from "../image/serving-image";
import { Settings } from "../settings/settings";

/** @internal The only production variant; autoscaling addresses it by this name. */
export const VARIANT_NAME = PRODUCTION_VARIANT;

/** @internal The EndpointConfig input a defaulted instance count lands in. */
export const DEFAULTED_INSTANCE_COUNT = "productionVariants[0].initialInstanceCount";

/** @internal The SageMaker side of the component. */
export interface SageMakerEndpoint {
    endpoint: aws.sagemaker.Endpoint;
    /** "realtime", "serverless" or "async": the Lambda's payload limit and routes depend on it. */
    kind: EndpointKind;
    /** The alarms on the endpoint (empty when monitoring is off). */
    alarms: CreatedAlarm[];
    /** The EndpointConfig the endpoint runs, read back from AWS; the update fails when it is not the one deployed. */
    liveConfigName: pulumi.Output<string>;
    /** The variants, when `endpoint.variants` or `endpoint.shadow` is given. */
    plan?: VariantPlan;
    /** Undefined without autoscaling. */
    scaling?: Autoscaling;
}

/**
 * @internal The execution role (reads only its artifacts, pulls only its repository, writes only its
 * log group and data-capture prefix), the endpoint's log group, the Model, the EndpointConfig and the
 * Endpoint, plus optional autoscaling. Model and EndpointConfig are auto-named, so a new artifact or image
 * creates new ones before the old are deleted, and the Endpoint is updated in place (replaced, under a new
 * name and create-first, only by a change the endpoint cannot take in place, see endpointName).
 */
export function sageMakerEndpoint(
    name: string,
    settings: Settings,
    image: ServingImage,
    artifacts: ModelArtifacts,
    storage: ArtifactBucket | undefined,
    parent: pulumi.Resource,
    variantModels: ReadonlyMap<string, ModelArtifacts> = new Map(),
): SageMakerEndpoint {
    const { endpoint: config, tags } = settings;
    const plan = planVariants(config, artifacts, variantModels);
    const kind: EndpointKind = config.serverless ? "serverless" : config.async ? "async" : "realtime";
    if (config.async && !storage) {
        throw new Error("asynchronous inference needs the artifact bucket");
    }
    const topics: AsyncTopics = config.async ? asyncTopics(name, config.async, settings.kmsKeyArn, tags, parent) : {};
    // With a rollout the deployment config always carries the auto-rollback configuration (validation keeps at
    // least one rollback alarm), whose presence replaces the endpoint.
    const physicalName = endpointName(
        name,
        { organization: organization(), project: pulumi.getProject(), stack: pulumi.getStack() },
        { kind, autoRollback: config.rollout !== undefined },
    );
    // Created before the endpoint, with the name SageMaker writes to, so it has a retention and the role's
    // log permissions can name it. It follows the endpoint's name, so a replaced endpoint gets a new group and
    // the old one goes with the old endpoint, at the end of the update: create-first, which for an explicitly
    // named resource takes an explicit option, as for the endpoint below.
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-endpoint-logs`,
        { name: `/aws/sagemaker/Endpoints/${physicalName}`, retentionInDays: config.logRetentionDays, tags },
        { parent, deleteBeforeReplace: false },
    );
    // Created before the endpoint, which names the rollback alarms in its deployment config.
    const alarms = settings.monitoring ? endpointAlarms(name, physicalName, settings, plan, parent) : [];
    const rollback = config.rollout ? rollbackAlarms(alarms) : [];
    const role = new aws.iam.Role(
        `${name}-endpoint-role`,
        { assumeRolePolicy: assumeRolePolicy("sagemaker.amazonaws.com"), tags },
        { parent },
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-endpoint-policy`,
        {
            role: role.id,
            policy: policyDocument([
                ...endpointRoleStatements(settings, image, plan ? plan.models : [artifacts], storage, logGroup, topics),
                ...(rollback.length > 0 ? [describeRollbackAlarmsStatement(rollback)] : []),
            ]),
        },
        { parent },
    );
    const repositoryPolicy = image.allowPull?.(role.arn);

    // The plain parts of the Model and EndpointConfig, shared by their inputs and the generation that names them.
    const container = {
        mode: settings.multiModel ? "MultiModel" : "SingleModel",
        environment: settings.multiModel
            ? { ...config.environment, SAGEMAKER_MULTI_MODEL: "true" }
            : config.async
              ? { ...asyncContainerEnvironment(), ...config.environment }
              : config.environment,
    };
    const capture =
        config.dataCapture && storage
            ? {
                  enableCapture: true,
                  initialSamplingPercentage: config.dataCapture.samplingPercentage,
                  kmsKeyId: settings.kmsKeyArn,
                  captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
              }
            : undefined;
    // The component's own bucket, auto-named with no input that replaces it.
    const captureKey = capture && { ...capture, destinationS3Uri: `${name}-artifacts/${DATA_CAPTURE_PREFIX}` };
    const captureInput = capture && {
        ...capture,
        destinationS3Uri: pulumi.interpolate`s3://${storage!.bucket.bucket}/${DATA_CAPTURE_PREFIX}`,
    };
    // Every input that replaces a Model (generation.ts), as known before deployment.
    const modelKey = (data: ModelArtifacts) => ({
        // This component's own role: auto-named, with no input that replaces it, so its ARN is fixed.
        executionRoleArn: `${name}-endpoint-role`,
        enableNetworkIsolation: config.networkIsolation,
        vpcConfig: settings.network && {
            subnets: networkIdsKey(settings.network.subnetIds),
            securityGroupIds: networkIdsKey(settings.network.securityGroupIds),
        },
        primaryContainer: { image: image.contentKey, modelDataUrl: data.contentKey, ...container },
    });
    const newModel = (generation: string, data: ModelArtifacts) =>
        new aws.sagemaker.Model(
            `${name}-model-${generation}`,
            {
                executionRoleArn: role.arn,
                enableNetworkIsolation: config.networkIsolation,
                vpcConfig: settings.network
                    ? { subnets: settings.network.subnetIds, securityGroupIds: settings.network.securityGroupIds }
                    : undefined,
                primaryContainer: { image: image.uri, modelDataUrl: data.modelDataUrl, ...container },
                tags,
            },
            // SageMaker checks access to the image and the artifacts when the model is created.
            { parent, dependsOn: [policy, ...(repositoryPolicy ? [repositoryPolicy] : []), ...data.uploads] },
        );

    let endpointConfig: aws.sagemaker.EndpointConfiguration;
    if (plan === undefined) {
        const variant = config.serverless
            ? { serverlessConfig: { memorySizeInMb: config.serverless.memorySizeMb, maxConcurrency: config.serverless.maxConcurrency } }
            : { instanceType: config.instanceType, initialInstanceCount: config.instanceCount };
        // One generation names both the Model and the EndpointConfig, as before variants existed.
        const generation = generationId({
            model: modelKey(artifacts),
            endpointConfig: {
                productionVariants: [
                    {
                        variantName: VARIANT_NAME,
                        ...variant,
                        // A defaulted count is left out, and ignored on update below, so a new autoscaling floor moves the
                        // running count without a new fleet: registering the scalable target's new bounds changes the
                        // current capacity to a value inside them ("RegisterScalableTarget", Application Auto Scaling
                        // API Reference).
                        initialInstanceCount: config.instanceCountDefaulted ? undefined : config.instanceCount,
                    },
                ],
                dataCaptureConfig: captureKey,
                asyncInferenceConfig: config.async && asyncGenerationKey(name, config.async, settings.kmsKeyArn),
            },
        });
        const model = newModel(generation, artifacts);
        endpointConfig = new aws.sagemaker.EndpointConfiguration(
            `${name}-config-${generation}`,
            {
                productionVariants: [{ variantName: VARIANT_NAME, modelName: model.name, ...variant }],
                dataCaptureConfig: captureInput,
                asyncInferenceConfig:
                    config.async && asyncInferenceConfig(config.async, storage!.bucket.bucket, settings.kmsKeyArn, topics),
                tags,
            },
            // A new generation is created with the count of its time; a defaulted count that changes later is not a
            // reason to replace this one (a set count is in the generation, so its change makes a new one instead).
            { parent, ignoreChanges: !config.serverless && config.instanceCountDefaulted ? [DEFAULTED_INSTANCE_COUNT] : [] },
        );
    } else {
        // One Model per distinct model data, each its own generation: a variant whose model changes gets a new Model
        // (create-first), the others keep theirs. The EndpointConfig's generation covers every variant.
        const models = new Map<string, { generation: string; model: aws.sagemaker.Model }>();
        for (const data of plan.models) {
            const generation = generationId({ model: modelKey(data) });
            models.set(data.contentKey, { generation, model: newModel(generation, data) });
        }
        const modelOf = (v: PlannedVariant) => models.get(v.data.contentKey)!;
        const variantKey = (v: PlannedVariant) => ({
            variantName: v.name,
            model: modelOf(v).generation,
            initialVariantWeight: v.weight,
            instanceType: v.instanceType,
            initialInstanceCount: v.instanceCountDefaulted ? undefined : v.instanceCount,
        });
        const variantInput = (v: PlannedVariant) => ({
            variantName: v.name,
            modelName: modelOf(v).model.name,
            initialVariantWeight: v.weight,
            instanceType: v.instanceType,
            initialInstanceCount: v.instanceCount,
        });
        const generation = generationId({
            endpointConfig: {
                productionVariants: plan.production.map(variantKey),
                shadowProductionVariants: plan.shadow && [variantKey(plan.shadow)],
                dataCaptureConfig: captureKey,
            },
        });
        endpointConfig = new aws.sagemaker.EndpointConfiguration(
            `${name}-config-${generation}`,
            {
                productionVariants: plan.production.map(variantInput),
                shadowProductionVariants: plan.shadow ? [variantInput(plan.shadow)] : undefined,
                dataCaptureConfig: captureInput,
                tags,
            },
            { parent, ignoreChanges: defaultedCounts(plan) },
        );
    }
    const endpoint = new aws.sagemaker.Endpoint(
        `${name}-endpoint`,
        {
            name: physicalName,
            endpointConfigName: endpointConfig.name,
            deploymentConfig: config.rollout ? deploymentConfig(config.rollout, rollback) : undefined,
            tags,
        },
        // The provider asks to delete an explicitly named resource before creating its replacement
        // (pulumi-terraform-bridge pkg/tfbridge/schema.go, nameRequiresDeleteBeforeReplace; PR 465 of
        // pulumi/pulumi-terraform), which would take the API down while the new endpoint is created. An explicit
        // false overrides the provider (pulumi/pulumi pkg/resource/deploy/step_generator.go: "The user can
        // override the provider's decision"), and is safe because a replacement always comes with a new name.
        { parent, dependsOn: [logGroup, policy], deleteBeforeReplace: false },
    );
    let scaling: Autoscaling | undefined;
    if (config.autoscaling) {
        if (plan === undefined) {
            scaling = autoscaling(name, endpoint, VARIANT_NAME, config.autoscaling, config.async, tags, parent);
        } else {
            // Every variant scales on its own, the shadow too: AWS recommends autoscaling shadow variants ("Best
            // practices", shadow tests, SageMaker Developer Guide). Variants are never asynchronous (validation).
            for (const v of plan.all) {
                autoscaling(name, endpoint, v.name, config.autoscaling, undefined, tags, parent, variantSuffix(v.name));
            }
        }
        const warning = autoscalingUpdateWarning(name, config.autoscaling, config.instanceCount);
        if (warning) {
            void pulumi.log.warn(warning, parent);
        }
    }
    return {
        endpoint,
        kind,
        alarms,
        liveConfigName: liveEndpointConfigName(name, endpoint, endpointConfig.name, parent),
        ...(plan ? { plan } : {}),
        scaling,
    };
}

/**
 * The endpoint's alarms: on its one variant, or on each variant. The SageMaker metrics exist per variant only
 * (dimensions EndpointName and VariantName, "Amazon SageMaker AI metrics in Amazon CloudWatch"), so each
 * variant gets its own, its errors or latency visible apart from the others'. A shadow's alarms notify nobody:
 * its answers never reach callers.
 */
function endpointAlarms(
    name: string,
    physicalName: string,
    settings: Settings,
    plan: VariantPlan | undefined,
    parent: pulumi.Resource,
): CreatedAlarm[] {
    const { endpoint: config, tags } = settings;
    const monitoring = settings.monitoring!;
    if (plan === undefined) {
        const monitored = {
            endpointName: physicalName,
            variantName: VARIANT_NAME,
            instanceType: config.serverless ? undefined : config.instanceType,
        };
        return createAlarms(name, ENDPOINT_ALARMS, monitored, monitoring, tags, parent);
    }
    return plan.all.flatMap((v) =>
        createAlarms(
            name,
            ENDPOINT_ALARMS,
            { endpointName: physicalName, variantName: v.name, instanceType: v.instanceType },
            v === plan.shadow ? { ...monitoring, alarmTopicArns: [] } : monitoring,
            tags,
            parent,
            { suffix: variantSuffix(v.name), label: `${v === plan.shadow ? "shadow " : ""}variant ${v.name}` },
        ),
    );
}

/** @internal The statement that lets the endpoint's role log in to ECR; the only one on Resource "*". */
export const ECR_AUTHORIZATION_TOKEN: Statement = {
    Sid: "GetEcrAuthorizationToken",
    Effect: "Allow",
    Action: ["ecr:GetAuthorizationToken"],
    Resource: ["*"],
};

/** @internal What the endpoint's role may do, each statement on resources taken from outputs. */
export function endpointRoleStatements(
    settings: Settings,
    image: ServingImage,
    models: ModelArtifacts[],
    storage: ArtifactBucket | undefined,
    logGroup: aws.cloudwatch.LogGroup,
    topics: AsyncTopics = {},
): Statement[] {
    // Each grant once: variants' archives under the model's prefix share its grant.
    const reads = [...new Map(models.map((m) => [m.readKey, m.readResources])).values()].flat();
    const statements: Statement[] = [
        { Sid: "ReadModelArtifacts", Effect: "Allow", Action: ["s3:GetObject"], Resource: reads },
        {
            Sid: "WriteEndpointLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: logGroupResources(logGroup.arn),
        },
    ];
    if (image.inEcr) {
        // SageMaker pulls a private ECR image with the execution role, which needs ecr:GetAuthorizationToken
        // before any pull, granted through an IAM policy, not a repository policy ("Private repository
        // policies in Amazon ECR", Amazon ECR User Guide). The action takes only Resource "*", which AWS keeps
        // even in its scoped example ("CreateModel API: Execution Role Permissions", in "How to use SageMaker
        // AI execution roles"). This is the role's one "*" resource; the pull actions stay on the repository.
        statements.push(ECR_AUTHORIZATION_TOKEN);
    }
    if (image.repositoryArn) {
        statements.push({
            Sid: "PullServingImage",
            Effect: "Allow",
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            Resource: [image.repositoryArn],
        });
    }
    if (settings.endpoint.dataCapture && storage) {
        statements.push({
            Sid: "WriteDataCapture",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: [pulumi.interpolate`${storage.bucket.arn}/${DATA_CAPTURE_PREFIX}*`],
        });
    }
    if (settings.endpoint.async && storage) {
        statements.push(...asyncEndpointRoleStatements(storage, topics));
    }
    if (settings.network) {
        statements.push(...modelVpcStatements());
    }
    if (settings.kmsKeyArn && storage) {
        // Writing an object encrypted with the key takes kms:GenerateDataKey, reading one kms:Decrypt ("Using
        // server-side encryption with AWS KMS keys (SSE-KMS)", Amazon S3 User Guide, Permissions); a created
        // notification topic is encrypted with the same key, which publishing takes both of.
        const writes = settings.endpoint.dataCapture !== undefined || settings.endpoint.async !== undefined;
        statements.push({
            Sid: "UseArtifactKey",
            Effect: "Allow",
            Action: writes ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"],
            Resource: [settings.kmsKeyArn],
        });
    }
    return statements;
}

/**
 * Subnet or security group ids as the generation sees them: sorted, as the provider keeps them in sets (order
 * changes nothing), and an id given as an output, known only once its resource exists, as a placeholder.
 */
function networkIdsKey(ids: pulumi.Input<string>[]): string[] {
    return ids.map((id) => (typeof id === "string" ? id : "(output)")).sort();
}

/** The Pulumi organization, or "" where there is none (mocks set up without one, old engines). */
function organization(): string {
    try {
        return pulumi.getOrganization();
    } catch {
        return "";
    }
}
