/**
 * The part of the contract the serving container (Python) reads, as the JSON it ships in its image:
 * container/modelapi_serving/contract.json. A test keeps the file equal to this; `npm run contract:json`
 * rewrites it.
 */
import { CONTENT_TYPES, DEFAULT_CONTENT_TYPE_NAME } from "./media";
import { SAGEMAKER_MAX_PAYLOAD_BYTES } from "./limits";
import { CUSTOM_ATTRIBUTES_MAX_LENGTH, HEADERS } from "./sagemaker";

/** Path of the JSON file, relative to the repository root. */
export const CONTAINER_CONTRACT_PATH = "container/modelapi_serving/contract.json";

export function containerContract() {
    return {
        comment: "Generated from contract/ by `npm run contract:json`; do not edit by hand.",
        // Keyed by name: the server binds its codecs to names, never to a position in a list.
        contentTypes: CONTENT_TYPES,
        defaultContentType: DEFAULT_CONTENT_TYPE_NAME,
        // The InvokeEndpoint kinds; an asynchronous endpoint's container limit is set by the component's env.
        maxPayloadBytes: { realtime: SAGEMAKER_MAX_PAYLOAD_BYTES.realtime, serverless: SAGEMAKER_MAX_PAYLOAD_BYTES.serverless },
        customAttributesHeader: HEADERS.customAttributes,
        customAttributesMaxLength: CUSTOM_ATTRIBUTES_MAX_LENGTH,
    };
}

/** The file's exact text: two-space JSON and a final newline. */
export function containerContractText(): string {
    return `${JSON.stringify(containerContract(), null, 2)}\n`;
}

if (require.main === module) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs") as typeof import("fs");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const path = require("path") as typeof import("path");
    fs.writeFileSync(path.join(__dirname, "..", CONTAINER_CONTRACT_PATH), containerContractText());
}
