import * as pulumi from "@pulumi/pulumi";
import { apiDocuments } from "./api/documents";
import { apiFunction } from "./api/function";
import { ModelApiArgs } from "./args";
import { dashboard } from "./monitoring/dashboard";
import { sageMakerEndpoint, VARIANT_NAME } from "./endpoint/endpoint";
import { docsFunction } from "./api/docs-page";
import { artifactBucket, modelArtifacts, variantArtifacts } from "./artifacts/model-artifacts";
import { asyncStorage } from "./artifacts/async-storage";
import { CostEstimate, costEstimate } from "./cost/cost-estimate";
import { createAlarms } from "./monitoring/alarms";
import { FRONT_ALARMS } from "./monitoring/catalogue";
import { restApi } from "./api/rest-api";
import { servingImage } from "./image/serving-image";
import { resolveSettings, type Settings } from "./settings/settings";

/**
 * A trained model behind an authenticated HTTPS API: the serving image in ECR, the model archive in a
 * private S3 bucket, a SageMaker endpoint (real-time or serverless, optionally multi-model), and an
 * API Gateway REST API whose Lambda calls the endpoint. Invalid arguments throw before anything is created.
 */
export class ModelApi extends pulumi.ComponentResource {
    /** The stage's invoke URL: `POST {url}/predict`, or `POST {url}/models/{name}/predict` for multi-model. */
    public readonly url: pulumi.Output<string>;
    /** The SageMaker endpoint's name. */
    public readonly endpointName: pulumi.Output<string>;
    /** The SageMaker endpoint's ARN. */
    public readonly endpointArn: pulumi.Output<string>;
    /** The API key for the `x-api-key` header (secret); undefined unless `api.auth` is "apiKey". */
    public readonly apiKey: pulumi.Output<string | undefined>;
    /** The image SageMaker runs: `<repository>:<content tag>` when built by the component. */
    public readonly imageUri: pulumi.Output<string>;
    /** The model data URL: the archive's S3 URI, or the multi-model prefix. */
    public readonly modelDataUrl: pulumi.Output<string>;
    /** The Lambda function's name. */
    public readonly functionName: pulumi.Output<string>;
    /** The artifact bucket's name; undefined when no bucket is needed (the model given by `s3Uri`, no data capture, not asynchronous). */
    public readonly bucketName: pulumi.Output<string | undefined>;
    /** The REST API's id. */
    public readonly restApiId: pulumi.Output<string>;
    /** The EndpointConfig the endpoint runs, read back from AWS after each update. */
    public readonly endpointConfigName: pulumi.Output<string>;
    /** The names of the CloudWatch alarms; empty when monitoring is off. */
    public readonly alarmNames: pulumi.Output<string[]>;
    /** The ARNs of the CloudWatch alarms, in the order of `alarmNames`. */
    public readonly alarmArns: pulumi.Output<string[]>;
    /** The CloudWatch dashboard's console URL; undefined when monitoring or its dashboard is off. */
    public readonly dashboardUrl: pulumi.Output<string | undefined>;
    /** The API's OpenAPI 3 document (JSON): routes, bodies per content type, errors, auth scheme, server URL. */
    public readonly openApi: pulumi.Output<string>;
    /** A Postman v2.1 collection of the API (JSON); the API key is a variable whose value is left empty. */
    public readonly postmanCollection: pulumi.Output<string>;
    /**
     * The endpoint's estimated on-demand cost from the AWS Price List at deploy time: hourly per instance and
     * monthly at the fewest and most instances; usage-based (no figure) for serverless endpoints.
     */
    public readonly costEstimate: pulumi.Output<CostEstimate>;

    constructor(name: string, args: ModelApiArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validated before super(), which registers the component: invalid arguments create nothing at all.
        const settings = resolveSettings(name, args);
        super("modelapi:index:ModelApi", name, {}, opts);
        const { tags } = settings;

        const image = servingImage(name, settings.image, tags, this);
        const ownModels = variantsWithModels(settings);
        const asyncMode = settings.endpoint.async;
        const needsBucket =
            settings.multiModel ||
            settings.models.some((m) => m.path) ||
            ownModels.some((v) => v.model!.path) ||
            settings.endpoint.dataCapture !== undefined ||
            asyncMode !== undefined;
        const storage = needsBucket ? artifactBucket(name, settings.kmsKeyArn, tags, this) : undefined;
        if (asyncMode && storage) {
            asyncStorage(name, storage, asyncMode.resultExpirationDays, settings.api.cors?.allowOrigins, this);
        }
        const artifacts = modelArtifacts(name, settings.models, settings.multiModel, storage, tags, this);
        const variantModels = new Map(
            ownModels.map((v) => [v.name, variantArtifacts(name, settings.models[0].name, v.model!, artifacts, storage, tags, this)]),
        );
        const {
            endpoint,
            kind,
            alarms: endpointAlarms,
            liveConfigName,
            plan,
        } = sageMakerEndpoint(name, settings, image, artifacts, storage, this, variantModels);
        const fn = apiFunction(
            name,
            {
                endpoint,
                kind,
                modelNames: settings.multiModel ? settings.models.map((m) => m.name) : undefined,
                // The production variants a caller may pin, when several were asked for.
                variantNames: settings.endpoint.variants?.map((v) => v.name),
                corsAllowOrigins: settings.api.cors?.allowOrigins,
                asyncStorage: asyncMode ? storage : undefined,
                kmsKeyArn: settings.kmsKeyArn,
            },
            settings.api.function,
            tags,
            this,
            settings.network,
        );
        const api = restApi(name, settings, fn, this, settings.api.docs ? docsFunction(name, settings, this) : undefined);
        const monitoring = settings.monitoring;
        const parts = {
            endpointName: endpoint.name,
            variantName: VARIANT_NAME,
            apiName: api.restApi.name,
            stageName: settings.api.stageName,
            functionName: fn.name,
        };
        const alarms = [...endpointAlarms, ...(monitoring ? createAlarms(name, FRONT_ALARMS, parts, monitoring, tags, this) : [])];
        const board =
            monitoring && monitoring.dashboard
                ? dashboard(
                      name,
                      {
                          ...parts,
                          variantNames: plan ? plan.all.map((v) => v.name) : [VARIANT_NAME],
                          endpointArn: endpoint.arn,
                          // The stage, not the setting: the dashboard waits for the stage to exist.
                          stageName: api.stage.stageName,
                          functionLogGroup: fn.loggingConfig.apply((c) => c.logGroup ?? ""),
                          kind,
                          alarmArns: alarms.map((a) => a.alarm.arn),
                      },
                      this,
                  )
                : undefined;

        this.url = api.stage.invokeUrl;
        this.endpointName = endpoint.name;
        this.endpointArn = endpoint.arn;
        this.apiKey = api.apiKey ? pulumi.secret(api.apiKey.value) : pulumi.output<string | undefined>(undefined);
        this.imageUri = image.uri;
        this.modelDataUrl = artifacts.modelDataUrl;
        this.functionName = fn.name;
        this.bucketName = storage ? storage.bucket.bucket : pulumi.output<string | undefined>(undefined);
        this.restApiId = api.restApi.id;
        this.endpointConfigName = liveConfigName;
        this.alarmNames = pulumi.all(alarms.map((a) => a.alarm.name));
        this.alarmArns = pulumi.all(alarms.map((a) => a.alarm.arn));
        this.dashboardUrl = board ? board.url : pulumi.output<string | undefined>(undefined);
        const documents = apiDocuments(settings, this.url);
        this.openApi = documents.openApi;
        this.postmanCollection = documents.postmanCollection;
        this.costEstimate = costEstimate(name, settings, this);
        this.registerOutputs({
            url: this.url,
            endpointName: this.endpointName,
            endpointArn: this.endpointArn,
            apiKey: this.apiKey,
            imageUri: this.imageUri,
            modelDataUrl: this.modelDataUrl,
            functionName: this.functionName,
            bucketName: this.bucketName,
            restApiId: this.restApiId,
            endpointConfigName: this.endpointConfigName,
            alarmNames: this.alarmNames,
            alarmArns: this.alarmArns,
            dashboardUrl: this.dashboardUrl,
            openApi: this.openApi,
            postmanCollection: this.postmanCollection,
            costEstimate: this.costEstimate,
        });
    }
}

/** The production variants and the shadow that bring a model of their own. */
function variantsWithModels(settings: Settings) {
    const { variants = [], shadow } = settings.endpoint;
    return [...variants, ...(shadow ? [shadow] : [])].filter((v) => v.model !== undefined);
}
