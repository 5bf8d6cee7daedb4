/**
 * The error answers of each operation (core/api/answers.ts): each status lists only codes the contract answers
 * with that status, and every code a caller can get from a route is listed somewhere.
 */
import { strict as assert } from "assert";
import { API_ERRORS, type ApiErrorCode, GATEWAY_RESPONSES } from "../../../contract";
import { errorAnswers } from "../../../core/api/answers";
import { apiSurface } from "../../../core/api/surface";
import type { AuthScheme } from "../../../core/api/auth";

const AUTHS: AuthScheme[] = ["apiKey", "iam", "none"];
const operations = () =>
    [false, true].flatMap((multiModel) => apiSurface(multiModel).routes.flatMap((route) => AUTHS.map((auth) => ({ route, auth }))));

/** Codes whose status is a range: the model's own 4xx, API Gateway's own 4xx or 5xx. */
const RANGES: Partial<Record<ApiErrorCode, string>> = { ModelError: "4", GatewayRejected: "4", GatewayError: "5" };

describe("the error answers of each operation", () => {
    it("list under each status only codes the contract answers with that status", () => {
        for (const { route, auth } of operations()) {
            for (const answer of errorAnswers(route, auth)) {
                for (const code of answer.codes) {
                    const range = RANGES[code];
                    const fits = range ? answer.status.startsWith(range) : String(API_ERRORS[code]) === answer.status;
                    assert.ok(fits, `${route.method} ${route.path} (${auth}): ${code} under ${answer.status}`);
                }
            }
        }
    });

    it("list every code a route's caller can get, except those of no route (404 NotFound, 405) and API Gateway's catch-all 4xx", () => {
        const listed = new Set(operations().flatMap(({ route, auth }) => errorAnswers(route, auth).flatMap((a) => a.codes)));
        const unlisted = (Object.keys(API_ERRORS) as ApiErrorCode[]).filter((code) => !listed.has(code));
        assert.deepEqual(unlisted.sort(), ["GatewayRejected", "MethodNotAllowed", "NotFound"]);
        // Every gateway response but the catch-all 4xx answers with a listed code.
        for (const [type, spec] of Object.entries(GATEWAY_RESPONSES)) {
            if (type !== "DEFAULT_4XX") assert.ok(listed.has(spec.code), type);
        }
    });

    it("put API Gateway's auth errors only where the API asks for credentials, and a 4XX range only where a model answers", () => {
        for (const { route, auth } of operations()) {
            const statuses = errorAnswers(route, auth).map((a) => a.status);
            assert.equal(statuses.includes("403"), auth !== "none", `${route.path} ${auth}`);
            assert.equal(statuses.includes("4XX"), route.kind === "predict", `${route.path} ${auth}`);
        }
    });
});
