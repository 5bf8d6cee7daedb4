/** Checks of the twin's documents against the running twin: every OpenAPI example, and the Postman collection under newman. */
import { strict as assert } from "assert";
import { EXPECTED_STATUS } from "../../core/api/openapi";
import { schemaChecker } from "../support/documents";

function resolve(doc: any, node: any): any {
    return node.$ref
        ? node.$ref
              .split("/")
              .slice(1)
              .reduce((o: any, k: string) => o[k], doc)
        : node;
}

/**
 * Sends every request example of every operation (operations without a body once, as documented) and
 * checks the status and the answer's JSON against the documented schema; also that each operation
 * without the key gets API Gateway's documented 403. Returns what was sent, one line each.
 */
export async function sendEveryExample(doc: any, baseUrl: string, key: string): Promise<string[]> {
    const check = schemaChecker(doc);
    const sent: string[] = [];
    const expect = async (label: string, res: Response, status: string, op: any) => {
        const text = await res.text();
        assert.equal(String(res.status), status, `${label}: ${text}`);
        const schema = resolve(doc, op.responses[status]).content["application/json"].schema;
        assert.equal(check(schema, JSON.parse(text)), "", `${label}: ${text}`);
        sent.push(`${label} → ${status}`);
    };
    for (const [route, operations] of Object.entries<any>(doc.paths)) {
        for (const [method, op] of Object.entries<any>(operations)) {
            const verb = method.toUpperCase();
            const url =
                baseUrl + route.replace(/\{(\w+)\}/g, (_: string, name: string) => op.parameters.find((p: any) => p.name === name).example);
            const content = op.requestBody?.content;
            if (!content) {
                await expect(`${verb} ${route}`, await fetch(url, { method: verb, headers: { "x-api-key": key } }), "200", op);
            }
            for (const [type, media] of Object.entries<any>(content ?? {})) {
                for (const [name, example] of Object.entries<any>(media.examples ?? {})) {
                    const body = typeof example.value === "string" ? example.value : JSON.stringify(example.value);
                    const res = await fetch(url, { method: verb, headers: { "x-api-key": key, "Content-Type": type }, body });
                    await expect(`${verb} ${route} ${type} ${name}`, res, String(example[EXPECTED_STATUS]), op);
                }
            }
            // The security the document states: without the key, API Gateway's 403 in its documented shape.
            const res = await fetch(url, {
                method: verb,
                ...(content ? { headers: { "Content-Type": "application/json" }, body: "{}" } : {}),
            });
            assert.equal(res.status, 403, `${verb} ${route} without the key`);
            assert.equal(check(resolve(doc, op.responses["403"]).content["application/json"].schema, await res.json()), "");
        }
    }
    return sent;
}

/** Runs a collection with newman (no reporter), the given environment variables set. */
export function runNewman(collection: unknown, variables: Record<string, string>): Promise<any> {
    const newman = require("newman") as { run(options: unknown, cb: (err: Error | null, summary: any) => void): void };
    return new Promise((resolvePromise, reject) => {
        newman.run(
            {
                collection,
                envVar: Object.entries(variables).map(([k, value]) => ({ key: k, value })),
                reporters: [],
                timeoutRequest: 30_000,
            },
            (err, summary) => (err ? reject(err) : resolvePromise(summary)),
        );
    });
}
