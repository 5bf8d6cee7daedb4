import * as pulumi from "@pulumi/pulumi";
import { openApiDocument } from "../../core/api/openapi";
import { postmanCollection } from "../../core/api/postman";
import { Settings } from "../settings/settings";

/** @internal The API's documents for its callers, as JSON text: OpenAPI 3 and a Postman v2.1 collection. */
export interface ApiDocuments {
    openApi: pulumi.Output<string>;
    postmanCollection: pulumi.Output<string>;
}

/** @internal Both documents for the stage at `url`; neither contains a secret. */
export function apiDocuments(settings: Settings, url: pulumi.Output<string>): ApiDocuments {
    const common = {
        title: settings.name,
        auth: settings.api.auth,
        multiModel: settings.multiModel,
        modelNames: settings.models.map((m) => m.name),
    };
    const endpointKind = settings.endpoint.serverless ? "serverless" : "realtime";
    return {
        openApi: url.apply((serverUrl) => JSON.stringify(openApiDocument({ ...common, serverUrl, endpointKind }), null, 2)),
        postmanCollection: url.apply((u) => JSON.stringify(postmanCollection({ ...common, url: u }), null, 2)),
    };
}
