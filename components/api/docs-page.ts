import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { packageRoot } from "../../core/package-root";
import { assumeRolePolicy, logGroupResources, policyDocument } from "../iam";
import { openApiFor } from "./documents";
import { Settings } from "../settings/settings";
import { DOCS_CSP, docsHtml, docsInitScript, swaggerUiDir } from "../../core/api/swagger-page";

/** @internal The public paths of the docs page, below the stage: the page's folder and the document. */
export const DOCS_RESOURCE_PATHS = [["docs"], ["docs", "{file}"], ["openapi.json"]];

/**
 * @internal The function behind `api.docs`: Swagger UI from swagger-ui-dist and the API's OpenAPI document,
 * packed with the small handler in docs-function/. Its role may only write its own log group.
 */
export function docsFunction(name: string, settings: Settings, parent: pulumi.Resource): aws.lambda.Function {
    const { tags } = settings;
    // The server URL is replaced per request by the URL of the stage the document is read from.
    const document = openApiFor(settings, "/");
    const ui = swaggerUiDir();
    const code = new pulumi.asset.AssetArchive({
        "index.js": new pulumi.asset.FileAsset(path.join(packageRoot(__dirname), "components", "api", "docs-function", "index.js")),
        "openapi.json": new pulumi.asset.StringAsset(JSON.stringify(document)),
        "index.html": new pulumi.asset.StringAsset(docsHtml(settings.name)),
        "init.js": new pulumi.asset.StringAsset(docsInitScript("../openapi.json")),
        "swagger-ui.css": new pulumi.asset.FileAsset(path.join(ui, "swagger-ui.css")),
        "swagger-ui-bundle.js": new pulumi.asset.FileAsset(path.join(ui, "swagger-ui-bundle.js")),
    });
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-docs-logs`,
        { retentionInDays: settings.api.function.logRetentionDays, tags },
        { parent },
    );
    const role = new aws.iam.Role(`${name}-docs-role`, { assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"), tags }, { parent });
    const policy = new aws.iam.RolePolicy(
        `${name}-docs-policy`,
        {
            role: role.id,
            policy: policyDocument([
                {
                    Sid: "WriteOwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: logGroupResources(logGroup.arn),
                },
            ]),
        },
        { parent },
    );
    return new aws.lambda.Function(
        `${name}-docs`,
        {
            runtime: aws.lambda.Runtime.NodeJS22dX,
            architectures: ["arm64"],
            handler: "index.handler",
            code,
            role: role.arn,
            timeout: 10,
            memorySize: 256,
            environment: { variables: { DOCS_CSP } },
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            tags,
        },
        { parent, dependsOn: [policy] },
    );
}
