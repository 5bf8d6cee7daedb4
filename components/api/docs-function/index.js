// The API docs page of a deployed ModelApi (api.docs: true), behind API Gateway's Lambda proxy:
// GET /docs/ (Swagger UI, files packed beside this one) and GET /openapi.json (the API's document,
// its server URL set from the request, so it names the stage it is read from). Plain JavaScript with no
// dependencies: it ships as is, next to the files it serves.
"use strict";
const fs = require("fs");
const path = require("path");

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };
const PAGE_FILES = new Set(["index.html", "init.js", "swagger-ui.css", "swagger-ui-bundle.js"]);
const cache = new Map();

function read(name) {
    if (!cache.has(name)) cache.set(name, fs.readFileSync(path.join(__dirname, name), "utf8"));
    return cache.get(name);
}

function answer(statusCode, type, body, headers) {
    return {
        statusCode,
        headers: { "Content-Type": type, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache", ...headers },
        body,
        isBase64Encoded: false,
    };
}

// The API's error shape (contract/errors.ts), which this file cannot import.
function error(statusCode, code, message, event, headers) {
    const requestId = (event.requestContext || {}).requestId || "unknown";
    return answer(statusCode, "application/json", JSON.stringify({ error: { code, message, requestId } }), headers);
}

exports.handler = async (event) => {
    const route = event.path || "/";
    if (event.httpMethod !== "GET" && event.httpMethod !== "HEAD") {
        return error(405, "MethodNotAllowed", `${event.httpMethod} is not allowed on ${route}; use GET.`, event, { Allow: "GET, HEAD" });
    }
    if (route === "/openapi.json") {
        const doc = JSON.parse(read("openapi.json"));
        const context = event.requestContext || {};
        doc.servers = [{ url: `https://${context.domainName}/${context.stage}` }];
        return answer(200, "application/json", JSON.stringify(doc, null, 2));
    }
    if (route === "/docs") {
        // The page's files are relative to /docs/.
        return answer(308, "text/plain", "see docs/", { Location: "docs/" });
    }
    const name = route.startsWith("/docs/") ? route.slice("/docs/".length) || "index.html" : undefined;
    if (name === undefined || !PAGE_FILES.has(name)) {
        return error(404, "NotFound", `No page at ${route}; the API docs are at docs/.`, event);
    }
    return answer(200, TYPES[path.extname(name)], read(name), { "Content-Security-Policy": process.env.DOCS_CSP || "default-src 'self'" });
};
