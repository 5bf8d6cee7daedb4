/** The route-to-handler record of the Lambda (lambda/route-handlers.ts) against the contract's routes. */
import { strict as assert } from "assert";
import { ROUTES } from "../../contract";
import { ROUTE_HANDLERS } from "../../lambda/route-handlers";

describe("route handlers", () => {
    it("every route of the contract has exactly one handler, and nothing else has one", () => {
        assert.deepEqual(Object.keys(ROUTE_HANDLERS).sort(), ROUTES.map((r) => r.id).sort());
    });

    it("GET /models answers the allow list without calling the endpoint", async () => {
        const result = await ROUTE_HANDLERS.listModels({
            event: {} as never,
            config: {
                modelNames: ["iris", "wine"],
                endpointKind: "realtime",
                bodyLimits: { text: 1, binary: 1 },
                invokeTimeoutMs: 1,
                corsAllowOrigins: [],
                variantNames: [],
            },
            context: undefined,
            log: {} as never,
            route: { id: "listModels", template: "/models" },
        });
        assert.deepEqual([result.statusCode, JSON.parse(result.body)], [200, { models: ["iris", "wine"] }]);
    });
});
