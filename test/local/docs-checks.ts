/** Checks of the twin's documents against the running twin: every OpenAPI example, and the Postman collection under newman. */
import { strict as assert } from "assert";
import { EXPECTED_STATUS } from "../../core/api/openapi";
import { answerOf, conformanceChecker } from "../support/conformance";

/**
 * Sends every request example of every operation (a media type's named examples, or its one `example`;
 * operations without a body once, as documented) and checks each answer's status against the example's
 * and the answer against the document; also that each operation without the key gets API Gateway's
 * documented 403. Returns what was sent, one line each.
 */
export async function sendEveryExample(doc: any, baseUrl: string, key: string): Promise<string[]> {
    const conforms = conformanceChecker(doc);
    const sent: string[] = [];
    const expect = async (label: string, res: Response, status: string, route: string, method: string) => {
        const answer = await answerOf(res);
        assert.equal(String(answer.status), status, `${label}: ${answer.body.toString()}`);
        assert.equal(conforms(route, method, answer), "", label);
        sent.push(`${label} → ${status}`);
    };
    for (const [route, operations] of Object.entries<any>(doc.paths)) {
        for (const [method, op] of Object.entries<any>(operations)) {
            const verb = method.toUpperCase();
            const url =
                baseUrl + route.replace(/\{(\w+)\}/g, (_: string, name: string) => op.parameters.find((p: any) => p.name === name).example);
            const content = op.requestBody?.content;
            if (!content) {
                await expect(`${verb} ${route}`, await fetch(url, { method: verb, headers: { "x-api-key": key } }), "200", route, verb);
            }
            for (const [type, media] of Object.entries<any>(content ?? {})) {
                const examples = media.examples ?? (media.example === undefined ? {} : { example: { value: media.example, ...media } });
                for (const [name, example] of Object.entries<any>(examples)) {
                    const body = typeof example.value === "string" ? example.value : JSON.stringify(example.value);
                    const res = await fetch(url, { method: verb, headers: { "x-api-key": key, "Content-Type": type }, body });
                    await expect(`${verb} ${route} ${type} ${name}`, res, String(example[EXPECTED_STATUS]), route, verb);
                }
            }
            // The security the document states: without the key, API Gateway's 403 in its documented shape.
            const res = await fetch(url, {
                method: verb,
                ...(content ? { headers: { "Content-Type": "application/json" }, body: "{}" } : {}),
            });
            const answer = await answerOf(res);
            assert.equal(answer.status, 403, `${verb} ${route} without the key`);
            assert.equal(conforms(route, verb, answer), "");
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
