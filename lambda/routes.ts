/**
 * The API's routes. Single-model and multi-model deployments expose disjoint routes, so a
 * client pointed at the wrong kind of deployment gets a plain 404 rather than a confusing error.
 */

export type Route =
    | { kind: "predict"; template: "/predict" }
    | { kind: "modelPredict"; template: "/models/{name}/predict"; modelName: string }
    | { kind: "listModels"; template: "/models" };

export type RouteMatch =
    | { found: true; route: Route }
    | { found: false; template?: Route["template"]; allow?: string };

const MODEL_PREDICT = /^\/models\/([^/]+)\/predict$/;

export function matchRoute(method: string, rawPath: string, multiModel: boolean): RouteMatch {
    const path = normalisePath(rawPath);
    const verb = method.toUpperCase();
    if (!multiModel) {
        if (path === "/predict") {
            return verb === "POST" ? { found: true, route: { kind: "predict", template: "/predict" } } : wrongMethod("/predict", "POST");
        }
        return { found: false };
    }
    if (path === "/models") {
        return verb === "GET" ? { found: true, route: { kind: "listModels", template: "/models" } } : wrongMethod("/models", "GET");
    }
    const m = MODEL_PREDICT.exec(path);
    if (m) {
        if (verb !== "POST") {
            return wrongMethod("/models/{name}/predict", "POST");
        }
        const modelName = decodeSegment(m[1]);
        // An undecodable name cannot be in the allow list; report the route as unknown.
        return modelName === undefined
            ? { found: false }
            : { found: true, route: { kind: "modelPredict", template: "/models/{name}/predict", modelName } };
    }
    return { found: false };
}

function wrongMethod(template: Route["template"], allow: string): RouteMatch {
    return { found: false, template, allow };
}

/** A trailing slash is a common client habit; treat `/predict/` as `/predict`. */
function normalisePath(path: string): string {
    return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

function decodeSegment(segment: string): string | undefined {
    try {
        return decodeURIComponent(segment);
    } catch {
        return undefined;
    }
}
