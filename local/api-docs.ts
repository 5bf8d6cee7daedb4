/**
 * The twin's pages for people calling the API, answered before the gateway's API key check (as with a
 * public docs page): `GET /openapi.json` (the OpenAPI 3 document), `GET /docs/` (Swagger UI on that
 * document, served from swagger-ui-dist on this machine) and `GET /postman.json` (a Postman collection
 * pointed at the twin). All three describe the twin's own routes and models.
 */
import * as http from "http";
import * as path from "path";
import { apiErrorJson } from "../contract";
import { openApiDocument } from "../core/api/openapi";
import { postmanCollection } from "../core/api/postman";
import { DOCS_CSP, DOCS_MEDIA_TYPES, docsFiles } from "../core/api/swagger-page";

export const OPENAPI_PATH = "/openapi.json";
export const DOCS_PATH = "/docs/";
export const POSTMAN_PATH = "/postman.json";

export interface ApiDocsOptions {
    title: string;
    multiModel: boolean;
    modelNames: string[];
    /** Whether the gateway asks for an API key; the documents then describe the x-api-key header. */
    apiKeyRequired: boolean;
    exampleRows?: number[][];
    /** The production variants a caller may pin, when there are several versions. */
    variantNames?: string[];
    /** An asynchronous API: its OpenAPI document has the 202 answers and the prediction and upload routes. */
    asyncApi?: boolean;
}

/** Answers the docs routes; `handle` returns false for every other request, which the gateway then serves. */
export class ApiDocs {
    private url = "";
    private files?: Map<string, Buffer>;

    constructor(private readonly opts: ApiDocsOptions) {}

    /** The twin's URL, known once the gateway listens; the documents point their requests at it. */
    setUrl(url: string): void {
        this.url = url;
    }

    /** Answers `req` when it is for one of the pages; `requestId` names the request in an error answer, as the API's do. */
    handle(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): boolean {
        const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
        const known = pathname === OPENAPI_PATH || pathname === POSTMAN_PATH || pathname === "/docs" || pathname.startsWith(DOCS_PATH);
        if (!known) return false;
        if (req.method !== "GET" && req.method !== "HEAD") {
            const message = `${req.method} is not allowed on ${pathname}; use GET.`;
            send(res, 405, "application/json", Buffer.from(apiErrorJson("MethodNotAllowed", message, requestId)), { Allow: "GET, HEAD" });
            return true;
        }
        if (pathname === OPENAPI_PATH) {
            send(res, 200, "application/json", Buffer.from(JSON.stringify(this.openApi(), null, 2)));
        } else if (pathname === POSTMAN_PATH) {
            send(res, 200, "application/json", Buffer.from(JSON.stringify(this.postman(), null, 2)), {
                "Content-Disposition": `attachment; filename="${this.opts.title}.postman_collection.json"`,
            });
        } else if (pathname === "/docs") {
            // Relative links in the page resolve against /docs/.
            send(res, 308, "text/plain", Buffer.from("see /docs/"), { Location: DOCS_PATH });
        } else {
            const name = pathname.slice(DOCS_PATH.length) || "index.html";
            this.files ??= docsFiles(this.opts.title, `..${OPENAPI_PATH}`);
            const file = this.files.get(name);
            if (file === undefined) {
                const message = `No page at ${pathname}; the API docs are at ${DOCS_PATH}.`;
                send(res, 404, "application/json", Buffer.from(apiErrorJson("NotFound", message, requestId)));
            } else {
                send(res, 200, DOCS_MEDIA_TYPES[path.extname(name)] ?? "application/octet-stream", file, {
                    "Content-Security-Policy": DOCS_CSP,
                });
            }
        }
        return true;
    }

    openApi(): Record<string, unknown> {
        return openApiDocument({ ...this.common(), serverUrl: this.url, endpointKind: this.opts.asyncApi ? "async" : "realtime" });
    }

    postman(): Record<string, unknown> {
        return postmanCollection({ ...this.common(), url: this.url, endpointKind: this.opts.asyncApi ? "async" : "realtime" });
    }

    private common() {
        const { title, multiModel, modelNames, exampleRows, variantNames } = this.opts;
        return {
            title,
            multiModel,
            modelNames,
            exampleRows,
            variantNames,
            auth: this.opts.apiKeyRequired ? ("apiKey" as const) : ("none" as const),
        };
    }
}

function send(res: http.ServerResponse, status: number, type: string, body: Buffer, headers: http.OutgoingHttpHeaders = {}): void {
    res.writeHead(status, { "Content-Type": type, "Content-Length": body.length, "X-Content-Type-Options": "nosniff", ...headers });
    res.end(res.req.method === "HEAD" ? undefined : body);
}
