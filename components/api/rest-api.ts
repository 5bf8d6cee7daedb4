import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import {
    BINARY_MEDIA_TYPES,
    GATEWAY_RESPONSES,
    gatewayCorsHeaders,
    gatewayResponseTemplate,
    type GatewayResponseType,
} from "../../contract";
import { resourcePathsFor } from "../../core/api/surface";
import { ApiAuth } from "../args";
import { DOCS_RESOURCE_PATHS } from "./docs-page";
import { Settings } from "../settings/settings";

/**
 * @internal The deployment's trigger: a hash of everything a deployment snapshots (resources, auth, CORS, the
 * gateway responses), so a changed one redeploys and an unchanged set does not. Gateway responses take
 * effect only with a new deployment (aws/aws-cdk issue 10963, fixed by hashing them into the deployment in
 * aws/aws-cdk pull request 11068).
 */
export function deploymentTrigger(resourcePaths: string[][], auth: ApiAuth, corsOrigins: string[] = []): string {
    const resources = resourcePaths.map((p) => `ANY /${p.join("/")}`).sort();
    const gatewayResponses = gatewayResponseTypes().map((type) => [type, gatewayResponseTemplate(type)]);
    const canonical = JSON.stringify(
        corsOrigins.length > 0 ? { resources, auth, cors: corsOrigins, gatewayResponses } : { resources, auth, gatewayResponses },
    );
    return crypto.createHash("sha256").update(canonical).digest("hex");
}

/** @internal The JSON access log line of the stage. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId",
    ip: "$context.identity.sourceIp",
    caller: "$context.identity.caller",
    apiKeyId: "$context.identity.apiKeyId",
    requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    resourcePath: "$context.resourcePath",
    status: "$context.status",
    protocol: "$context.protocol",
    responseLength: "$context.responseLength",
    integrationLatency: "$context.integrationLatency",
    integrationStatus: "$context.integrationStatus",
});

/** @internal The REST API's outputs the component exposes. */
export interface RestApiParts {
    restApi: aws.apigateway.RestApi;
    stage: aws.apigateway.Stage;
    apiKey?: aws.apigateway.ApiKey;
}

/**
 * @internal A regional REST API whose resources (the routes' paths and a catch-all) are Lambda proxy
 * integrations, a deployment that follows the resource set, a stage with throttling (JSON access logs if asked), and the chosen auth: an API key with a usage
 * plan (throttle and quota), IAM (SigV4), or none. The Lambda may be invoked only by this API's stage,
 * on these methods and paths.
 */
export function restApi(
    name: string,
    settings: Settings,
    fn: aws.lambda.Function,
    parent: pulumi.Resource,
    docs?: aws.lambda.Function,
): RestApiParts {
    const { api, tags } = settings;
    const resourcePaths = resourcePathsFor(settings.multiModel, settings.endpoint.async !== undefined);
    const restApi = new aws.apigateway.RestApi(
        `${name}-api`,
        {
            description: `ModelApi ${name}`,
            endpointConfiguration: { types: "REGIONAL" },
            apiKeySource: "HEADER",
            binaryMediaTypes: [...BINARY_MEDIA_TYPES],
            tags,
        },
        { parent },
    );

    const resources = new Map<string, aws.apigateway.Resource>();
    const resourceFor = (segments: string[]): pulumi.Output<string> => {
        if (segments.length === 0) {
            return restApi.rootResourceId;
        }
        const key = segments.join("/");
        let resource = resources.get(key);
        if (!resource) {
            resource = new aws.apigateway.Resource(
                `${name}-path-${slug(segments)}`,
                { restApi: restApi.id, parentId: resourceFor(segments.slice(0, -1)), pathPart: segments[segments.length - 1] },
                { parent },
            );
            resources.set(key, resource);
        }
        return resource.id;
    };

    const corsOrigins = api.cors?.allowOrigins ?? [];
    const integrations: pulumi.Resource[] = [];
    // A method on a resource and its Lambda proxy integration: API Gateway hands the whole request to `target`.
    const proxy = (
        id: string,
        segments: string[],
        httpMethod: string,
        authorization: string,
        apiKeyRequired: boolean,
        target: aws.lambda.Function = fn,
    ) => {
        const method = new aws.apigateway.Method(
            `${name}-${id}`,
            { restApi: restApi.id, resourceId: resourceFor(segments), httpMethod, authorization, apiKeyRequired },
            { parent },
        );
        const integration = new aws.apigateway.Integration(
            `${name}-${id}-integration`,
            {
                restApi: restApi.id,
                resourceId: method.resourceId,
                httpMethod: method.httpMethod,
                type: "AWS_PROXY",
                integrationHttpMethod: "POST",
                uri: target.invokeArn,
            },
            { parent },
        );
        integrations.push(method, integration);
    };
    for (const segments of resourcePaths) {
        const suffix = segments.length === 0 ? "root" : slug(segments);
        // Every method goes to the handler, which answers a wrong method with 405 and its Allow header.
        proxy(`any-${suffix}`, segments, "ANY", api.auth === ApiAuth.Iam ? "AWS_IAM" : "NONE", api.auth === ApiAuth.ApiKey);
        if (corsOrigins.length > 0) {
            // A browser's preflight carries no credentials, so OPTIONS alone is open: an OPTIONS method beside
            // ANY, as AWS CDK's ProxyResource adds for `defaultCorsPreflightOptions`. The handler answers it
            // with the allowed origin and methods, calling no model.
            proxy(`options-${suffix}`, segments, "OPTIONS", "NONE", false);
        }
    }
    integrations.push(...gatewayResponses(name, restApi, corsOrigins, parent));
    // The optional docs page: public (a browser cannot send the key with a page load), its own function.
    const docsPaths = docs ? DOCS_RESOURCE_PATHS : [];
    for (const segments of docsPaths) {
        proxy(`docs-${slug(segments).replace(/\./g, "-")}`, segments, "ANY", "NONE", false, docs);
    }
    if (docs) {
        new aws.lambda.Permission(
            `${name}-docs-permission`,
            {
                function: docs.name,
                action: "lambda:InvokeFunction",
                principal: "apigateway.amazonaws.com",
                sourceArn: pulumi.interpolate`${restApi.executionArn}/${api.stageName}/*/*`,
            },
            { parent },
        );
    }
    // Every resource of this API proxies to the function, so the grant covers this stage's methods and
    // paths and nothing beyond this API and stage.
    new aws.lambda.Permission(
        `${name}-permission`,
        {
            function: fn.name,
            action: "lambda:InvokeFunction",
            principal: "apigateway.amazonaws.com",
            sourceArn: pulumi.interpolate`${restApi.executionArn}/${api.stageName}/*/*`,
        },
        { parent },
    );

    const deployment = new aws.apigateway.Deployment(
        `${name}-deployment`,
        {
            restApi: restApi.id,
            description: `routes and auth ${api.auth}`,
            // A deployment snapshots routes, auth and integration targets: redeploy when any of them changes.
            triggers: {
                routes: deploymentTrigger([...resourcePaths, ...docsPaths.map((p) => ["docs-page", ...p])], api.auth, corsOrigins),
                integration: fn.invokeArn,
                ...(docs ? { docs: docs.invokeArn } : {}),
            },
        },
        { parent, dependsOn: integrations },
    );
    const accessLogs = api.accessLogs
        ? new aws.cloudwatch.LogGroup(`${name}-access-logs`, { retentionInDays: api.logRetentionDays, tags }, { parent })
        : undefined;
    const stage = new aws.apigateway.Stage(
        `${name}-stage`,
        {
            restApi: restApi.id,
            deployment: deployment.id,
            stageName: api.stageName,
            accessLogSettings: accessLogs ? { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT } : undefined,
            tags,
        },
        { parent },
    );
    new aws.apigateway.MethodSettings(
        `${name}-method-settings`,
        {
            restApi: restApi.id,
            stageName: stage.stageName,
            methodPath: "*/*",
            settings: { metricsEnabled: true, throttlingRateLimit: api.throttle.rateLimit, throttlingBurstLimit: api.throttle.burstLimit },
        },
        { parent },
    );
    const apiKey = api.auth === ApiAuth.ApiKey ? apiKeyWithUsagePlan(name, settings, restApi, stage, parent) : undefined;
    return { restApi, stage, apiKey };
}

function apiKeyWithUsagePlan(
    name: string,
    settings: Settings,
    restApi: aws.apigateway.RestApi,
    stage: aws.apigateway.Stage,
    parent: pulumi.Resource,
): aws.apigateway.ApiKey {
    const { api, tags } = settings;
    const apiKey = new aws.apigateway.ApiKey(`${name}-api-key`, { enabled: true, tags }, { parent });
    const plan = new aws.apigateway.UsagePlan(
        `${name}-usage-plan`,
        {
            apiStages: [{ apiId: restApi.id, stage: stage.stageName }],
            throttleSettings: { rateLimit: api.throttle.rateLimit, burstLimit: api.throttle.burstLimit },
            quotaSettings: { limit: api.quota.limit, period: api.quota.period },
            tags,
        },
        { parent },
    );
    new aws.apigateway.UsagePlanKey(`${name}-usage-plan-key`, { keyId: apiKey.id, keyType: "API_KEY", usagePlanId: plan.id }, { parent });
    return apiKey;
}

/** @internal The gateway response types the REST API customises, in the contract's order. */
export function gatewayResponseTypes(): GatewayResponseType[] {
    return Object.keys(GATEWAY_RESPONSES) as GatewayResponseType[];
}

/**
 * API Gateway's own error answers (a missing API key, throttling, its integration timeout, a failed Lambda)
 * never reach the handler, so gateway responses give them the API's error shape (contract/gateway-responses.ts),
 * leaving each type's status as it is. With CORS on they carry its headers too, or a browser could not even
 * read why it failed: the same for every caller (`gatewayCorsHeaders`), so with several allowed origins no
 * Access-Control-Allow-Origin at all rather than the caller's own Origin echoed back.
 */
function gatewayResponses(
    name: string,
    restApi: aws.apigateway.RestApi,
    origins: string[],
    parent: pulumi.Resource,
): aws.apigateway.Response[] {
    const cors = Object.entries(gatewayCorsHeaders(origins)).map(([header, value]) => [`gatewayresponse.header.${header}`, `'${value}'`]);
    const corsParameters = cors.length === 0 ? undefined : Object.fromEntries(cors);
    return gatewayResponseTypes().map((responseType) => {
        const suffix = responseType.toLowerCase().replace(/_/g, "-");
        return new aws.apigateway.Response(
            `${name}-gateway-${suffix}`,
            {
                restApiId: restApi.id,
                responseType,
                responseTemplates: { "application/json": gatewayResponseTemplate(responseType) },
                responseParameters: corsParameters,
            },
            // The DEFAULT_ responses were created under these names when only CORS made them: the same resource,
            // not a new one whose replacement would delete the response type it had just set.
            { parent, aliases: responseType.startsWith("DEFAULT_") ? [{ name: `${name}-cors-${suffix}` }] : undefined },
        );
    });
}

function slug(segments: string[]): string {
    return segments.map((s) => s.replace(/[{}+]/g, "")).join("-");
}
