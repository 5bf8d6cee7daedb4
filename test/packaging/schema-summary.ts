/**
 * The part of ModelApi's schema that other languages compile against, in a form short enough to commit and
 * read in a diff: every input, output and nested type with its type and whether it is optional (descriptions
 * left out). expected-schema.json holds it as it should be, so a change in what the analyser or the plugin
 * host produces fails the tests that compare against it, rather than agreeing with itself.
 *
 * After an intended change to the arguments or outputs, regenerate the file and review its diff:
 *   node -r ts-node/register/transpile-only test/packaging/schema-summary.ts > test/packaging/expected-schema.json
 */
import * as fs from "fs";
import * as path from "path";

import { PACKAGE_NAME, analyzeRepository } from "./support";

export interface SchemaSummary {
    inputs: Record<string, string>;
    requiredInputs: string[];
    outputs: Record<string, string>;
    requiredOutputs: string[];
    /** Object types: property name to type; enums: their values. */
    types: Record<string, Record<string, string> | unknown[]>;
}

export const EXPECTED_SCHEMA_FILE = path.join(__dirname, "expected-schema.json");

export const REGENERATE = "node -r ts-node/register/transpile-only test/packaging/schema-summary.ts > test/packaging/expected-schema.json";

export function expectedSchema(): SchemaSummary {
    return JSON.parse(fs.readFileSync(EXPECTED_SCHEMA_FILE, "utf8"));
}

const TYPE_PREFIX = `#/types/${PACKAGE_NAME}:index:`;
const TOKEN = `${PACKAGE_NAME}:index:ModelApi`;

function typeOf(def: any): string {
    if (def.$ref) return String(def.$ref).replace(TYPE_PREFIX, "");
    if (def.type === "array") return `${typeOf(def.items)}[]`;
    if (def.type === "object" && def.additionalProperties) return `map<${typeOf(def.additionalProperties)}>`;
    return String(def.type);
}

function propertiesOf(props: Record<string, any> | undefined): Record<string, string> {
    return Object.fromEntries(
        Object.entries(props ?? {})
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, def]) => [name, typeOf(def) + (def.optional ? "?" : "")]),
    );
}

export function summarizeSchema(schema: any): SchemaSummary {
    const resource = schema.resources[TOKEN];
    if (!resource) throw new Error(`no ${TOKEN} in the schema; resources: ${Object.keys(schema.resources).join(", ")}`);
    const types = Object.entries(schema.types as Record<string, { enum?: { value: unknown }[]; properties?: object }>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([token, t]) => [
            token.replace(`${PACKAGE_NAME}:index:`, ""),
            t.enum ? t.enum.map((e) => e.value) : propertiesOf(t.properties as Record<string, unknown>),
        ]);
    return {
        inputs: propertiesOf(resource.inputProperties),
        requiredInputs: [...(resource.requiredInputs ?? [])].sort(),
        outputs: propertiesOf(resource.properties),
        requiredOutputs: [...(resource.required ?? [])].sort(),
        types: Object.fromEntries(types),
    };
}

/** Run as a script: prints the summary of the repository's schema as it is now, for expected-schema.json. */
if (require.main === module) {
    process.stdout.write(JSON.stringify(summarizeSchema(analyzeRepository().schema), null, 2) + "\n");
}
