import * as pulumi from "@pulumi/pulumi";
import { openApiDocument } from "../../core/api/openapi";
import { postmanCollection } from "../../core/api/postman";
import { Settings } from "../settings/settings";

/** @internal The API's documents for its callers, as JSON text: OpenAPI 3 and a Postman v2.1 collection. */
export interface ApiDocuments {
    openApi: pulumi.Output<string>;
    postmanCollection: pulumi.Output<string>;
}

/** @internal The OpenAPI document of this component's API, served from `serverUrl`. */
export function openApiFor(settings: Settings, serverUrl: string): Record<string, unknown> {
    return openApiDocument({ ...documentedApi(settings), serverUrl });
}

/** @internal Both documents for the stage at `url`; neither contains a secret. */
export function apiDocuments(settings: Settings, url: pulumi.Output<string>): ApiDocuments {
    return {
        openApi: url.apply((serverUrl) => JSON.stringify(openApiFor(settings, serverUrl), null, 2)),
        postmanCollection: url.apply((u) => JSON.stringify(postmanCollection({ ...documentedApi(settings), url: u }), null, 2)),
    };
}

/** What both documents say of the API, from the component's settings. */
function documentedApi(settings: Settings) {
    return {
        title: settings.name,
        auth: settings.api.auth,
        multiModel: settings.multiModel,
        modelNames: settings.models.map((m) => m.name),
        endpointKind: settings.endpoint.serverless
            ? ("serverless" as const)
            : settings.endpoint.async
              ? ("async" as const)
              : ("realtime" as const),
        // The production variants a caller may pin with the variant header, as the Lambda is told.
        variantNames: settings.endpoint.variants?.map((v) => v.name),
    };
}
