/**
 * Matching a request against the API's routes (contract/routes.ts). Single-model and multi-model
 * deployments expose disjoint routes, so a client pointed at the wrong kind of deployment gets a plain
 * 404 rather than a confusing error.
 */
import { matchTemplate, type RouteId, routesFor } from "../contract";

export interface Route {
    id: RouteId;
    /** The route's path template, e.g. `/models/{name}/predict`. */
    template: string;
    /** The decoded `{name}` of a multi-model route. */
    modelName?: string;
    /** The `{id}` of an asynchronous API's prediction or upload route, as sent (ids are plain ASCII). */
    resourceId?: string;
}

export type RouteMatch = { found: true; route: Route } | { found: false; template?: string; allow?: string };

export function matchRoute(method: string, rawPath: string, multiModel: boolean, asyncApi = false): RouteMatch {
    const path = normalisePath(rawPath);
    const verb = method.toUpperCase();
    const matching = routesFor(multiModel, asyncApi)
        .map((route) => ({ route, params: matchTemplate(route.path, path) }))
        .filter((m) => m.params !== undefined);
    if (matching.length === 0) {
        return { found: false };
    }
    const hit = matching.find((m) => m.route.method === verb);
    if (!hit) {
        return { found: false, template: matching[0].route.path, allow: methodsOf(matching.map((m) => m.route.method)) };
    }
    const route: Route = { id: hit.route.id, template: hit.route.path };
    if (hit.params!.id !== undefined) route.resourceId = hit.params!.id;
    if (hit.params!.name !== undefined) {
        const modelName = decodeSegment(hit.params!.name);
        // An undecodable name cannot be in the allow list; report the route as unknown.
        if (modelName === undefined) return { found: false };
        route.modelName = modelName;
    }
    return { found: true, route };
}

/** The methods the API answers on `rawPath` (for a preflight); every route's methods when none matches. */
export function methodsFor(rawPath: string, multiModel: boolean, asyncApi = false): string[] {
    const routes = routesFor(multiModel, asyncApi);
    const matching = routes.filter((r) => matchTemplate(r.path, normalisePath(rawPath)) !== undefined);
    return [...new Set((matching.length > 0 ? matching : routes).map((r) => r.method))];
}

function methodsOf(methods: string[]): string {
    return [...new Set(methods)].join(", ");
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
