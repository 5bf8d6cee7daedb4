/**
 * What other languages see: Pulumi's component analysis (the one `pulumi package add` runs through the
 * Node.js plugin host) over this repository, as package `modelapi`. ModelApi must come out with every
 * input and output typed, documented and as optional as the TypeScript says; and the repository must
 * actually load as a source-based plugin and serve that schema, from a clean checkout without dist/.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

import { AnalyzeResult, PropertyDefinition } from "@pulumi/pulumi/provider/experimental/analyzer";
import { PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";

import { REGENERATE, expectedSchema, summarizeSchema } from "./schema-summary";
import { PACKAGE_NAME, REPO_ROOT, analyzeRepository, hostPlugin, makeTemp, removeTemp, snapshotWorkingTree } from "./support";

const TOKEN = `${PACKAGE_NAME}:index:ModelApi`;
const typeRef = (name: string) => `#/types/${PACKAGE_NAME}:index:${name}`;

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));

/** Every property definition in a schema fragment, with a path for messages. */
function* properties(where: string, props: Record<string, PropertyDefinition> | undefined): Generator<[string, PropertyDefinition]> {
    for (const [name, def] of Object.entries(props ?? {})) {
        yield [`${where}.${name}`, def];
        if (def.items) yield* properties(`${where}.${name}[]`, { item: def.items });
        if (def.additionalProperties) yield* properties(`${where}.${name}{}`, { value: def.additionalProperties });
    }
}

describe("packaging: the component schema other languages are generated from", function () {
    this.timeout(120_000);

    let result: AnalyzeResult;
    let schema: PackageSpec;
    let componentNames: string[];

    before(function () {
        ({ result, schema, componentNames } = analyzeRepository());
    });

    const inputs = () => result.components.ModelApi.inputs;
    const outputs = () => result.components.ModelApi.outputs;
    const type = (name: string) => {
        const t = result.typeDefinitions[name];
        assert.ok(t, `type ${name} missing; types: ${Object.keys(result.typeDefinitions).sort().join(", ")}`);
        return t;
    };

    it("exposes exactly one component from the package entry: ModelApi", function () {
        assert.deepEqual(componentNames, ["ModelApi"]);
        assert.deepEqual(Object.keys(result.components), ["ModelApi"]);
    });

    it("documents the component", function () {
        assert.ok(result.components.ModelApi.description, "ModelApi has no doc comment");
    });

    it("takes models as a required list of ModelSpec", function () {
        const models = inputs().models;
        assert.ok(models, `inputs: ${Object.keys(inputs()).join(", ")}`);
        assert.equal(models.optional, undefined);
        assert.equal((models as { type?: string }).type, "array");
        assert.equal((models.items as { $ref?: string }).$ref, typeRef("ModelSpec"));
        const spec = type("ModelSpec").properties!;
        assert.deepEqual((spec.name as { type: string }).type, "string");
        assert.equal(spec.name.optional, undefined, "ModelSpec.name must be required");
        assert.equal(spec.path.optional, true);
        assert.equal(spec.s3Uri.optional, true);
    });

    it("takes every other argument as optional", function () {
        const expected: Record<string, { type?: string; $ref?: string }> = {
            multiModel: { type: "boolean" },
            image: { $ref: typeRef("ImageArgs") },
            endpoint: { $ref: typeRef("EndpointArgs") },
            api: { $ref: typeRef("ApiArgs") },
            tags: { type: "object" },
        };
        for (const [name, want] of Object.entries(expected)) {
            const def = inputs()[name] as PropertyDefinition & { type?: string; $ref?: string };
            assert.ok(def, `input ${name} missing`);
            assert.equal(def.optional, true, `input ${name} should be optional`);
            if (want.type) assert.equal(def.type, want.type, `input ${name}`);
            if (want.$ref) assert.equal(def.$ref, want.$ref, `input ${name}`);
        }
        assert.equal((inputs().tags.additionalProperties as { type?: string }).type, "string");
    });

    it("describes the nested argument types", function () {
        const image = type("ImageArgs").properties!;
        for (const key of ["context", "uri"]) assert.equal((image[key] as { type?: string }).type, "string", `ImageArgs.${key}`);

        const endpoint = type("EndpointArgs").properties!;
        assert.equal((endpoint.instanceType as { type?: string }).type, "string");
        assert.equal((endpoint.instanceCount as { type?: string }).type, "number");
        assert.equal((endpoint.serverless as { $ref?: string }).$ref, typeRef("ServerlessArgs"));
        assert.equal((type("ServerlessArgs").properties!.memorySizeMb as { type?: string }).type, "number");
        assert.equal((type("ServerlessArgs").properties!.maxConcurrency as { type?: string }).type, "number");

        const api = type("ApiArgs").properties!;
        assert.equal((api.auth as { $ref?: string }).$ref, typeRef("ApiAuth"));
        assert.equal(api.auth.optional, true);
    });

    it("offers the API auth modes as a string enum", function () {
        const auth = type("ApiAuth");
        assert.equal(auth.type, "string");
        assert.deepEqual((auth.enum ?? []).map((m) => m.value).sort(), ["apiKey", "iam", "none"]);
    });

    it("has the documented outputs, all strings", function () {
        for (const name of ["url", "endpointName", "apiKey", "imageUri", "modelDataUrl", "functionName", "bucketName"]) {
            const def = outputs()[name] as PropertyDefinition & { type?: string };
            assert.ok(def, `output ${name} missing; outputs: ${Object.keys(outputs()).join(", ")}`);
            assert.equal(def.type, "string", `output ${name}`);
            assert.equal(def.plain, undefined, `output ${name} must be an Output`);
        }
    });

    it("types every input and output precisely: nothing falls back to Any", function () {
        const loose: string[] = [];
        const all = [
            ...properties("inputs", inputs()),
            ...properties("outputs", outputs()),
            ...Object.entries(result.typeDefinitions).flatMap(([name, t]) => [...properties(name, t.properties)]),
        ];
        for (const [where, def] of all) {
            if ((def as { $ref?: string }).$ref === "pulumi.json#/Any") loose.push(where);
        }
        assert.deepEqual(loose, []);
    });

    it("documents every input", function () {
        const undocumented = [
            ...Object.entries(inputs()).map(([k, d]) => [`ModelApiArgs.${k}`, d] as const),
            ...Object.entries(result.typeDefinitions).flatMap(([name, t]) =>
                Object.entries(t.properties ?? {}).map(([k, d]) => [`${name}.${k}`, d] as const),
            ),
        ]
            .filter(([, d]) => !d.description)
            .map(([where]) => where);
        assert.deepEqual(undocumented, []);
    });

    it("keeps descriptions plain text ({@link} tags come out as [object Object])", function () {
        const mangled = [
            ...properties("inputs", inputs()),
            ...properties("outputs", outputs()),
            ...Object.entries(result.typeDefinitions).flatMap(([name, t]) => [...properties(name, t.properties)]),
        ]
            .filter(
                ([, d]) => d.description !== undefined && (typeof d.description !== "string" || d.description.includes("[object Object]")),
            )
            .map(([where]) => where);
        assert.deepEqual(mangled, []);
    });

    it(`generates the resource ${TOKEN} as a component with models as its only required input`, function () {
        const resource = schema.resources[TOKEN];
        assert.ok(resource, `resources: ${Object.keys(schema.resources).join(", ")}`);
        assert.equal(resource.isComponent, true);
        assert.deepEqual(resource.requiredInputs, ["models"]);
        for (const name of ["url", "endpointName", "imageUri", "modelDataUrl", "functionName"]) {
            assert.ok(resource.required?.includes(name), `${name} should be a required (always set) output`);
        }
        assert.equal(schema.name, PACKAGE_NAME);
        assert.equal(schema.version, manifest.version);
    });

    it("generates the nested types and the enum under the package's index module", function () {
        for (const name of ["ModelSpec", "ImageArgs", "EndpointArgs", "ServerlessArgs", "ApiArgs", "ApiAuth"]) {
            assert.ok(schema.types[`${PACKAGE_NAME}:index:${name}`], `type ${name} missing from the schema`);
        }
        assert.deepEqual(schema.types[`${PACKAGE_NAME}:index:ModelSpec`].required, ["name"]);
    });

    it("has exactly the inputs, outputs and types of test/packaging/expected-schema.json", function () {
        assert.deepEqual(summarizeSchema(schema), expectedSchema(), `if the change is intended: ${REGENERATE}`);
    });

    it("depends on no other package's resources", function () {
        assert.deepEqual(result.dependencies, []);
    });

    describe("hosted as a source-based plugin from a clean checkout", function () {
        // ts-node type-checks the component's sources as it loads them.
        this.timeout(240_000);

        let checkout: string;
        let pwd: string;

        before(function () {
            checkout = makeTemp("modelapi-plugin-src");
            pwd = makeTemp("modelapi-plugin-pwd");
            snapshotWorkingTree(checkout);
        });

        after(function () {
            removeTemp(checkout);
            removeTemp(pwd);
        });

        it("starts with no dist/, serves the analysed schema and reports the package version", async function () {
            assert.ok(!fs.existsSync(path.join(checkout, "dist")), "the checkout should have no build output");
            const hosted = await hostPlugin(checkout, { pwd, timeoutMs: 200_000 });
            assert.equal(hosted.version, manifest.version);
            assert.deepEqual(Object.keys(hosted.schema.resources), [TOKEN]);
            assert.deepEqual(summarizeSchema(hosted.schema), expectedSchema(), `if the change is intended: ${REGENERATE}`);
            // and, descriptions included, what the analyser makes of the same checkout (the repository's
            // sources may change while this runs)
            const expected = JSON.parse(JSON.stringify(analyzeRepository(checkout).schema));
            assert.deepEqual(hosted.schema.resources[TOKEN], expected.resources[TOKEN]);
            assert.deepEqual(hosted.schema.types, expected.types);
        });
    });
});
