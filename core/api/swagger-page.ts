/**
 * @internal The interactive API docs page: Swagger UI from the `swagger-ui-dist` package, served from the
 * same origin as the API, loading nothing from anywhere else. Used by the local twin (`/docs`) and by
 * the deployed API when `api.docs` is on.
 */
import * as fs from "fs";
import * as path from "path";

/** @internal Swagger UI's own files the page loads, as shipped in swagger-ui-dist. */
export const SWAGGER_UI_FILES = ["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"];

/** @internal Same-origin only; Swagger UI needs inline styles and data: images. */
export const DOCS_CSP =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** @internal The media type of each file the page is made of. */
export const DOCS_MEDIA_TYPES: Record<string, string> = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
};

/** @internal The directory of the installed swagger-ui-dist package. */
export function swaggerUiDir(): string {
    return path.dirname(require.resolve("swagger-ui-dist/package.json"));
}

/** @internal The page, with its stylesheet and scripts relative to it (the page lives at `<base>/docs/`). */
export function docsHtml(title: string): string {
    const safe = title.replace(/[^A-Za-z0-9 ._-]/g, "");
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${safe} · API docs</title>
<link rel="stylesheet" href="swagger-ui.css">
<link rel="icon" type="image/png" href="favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script src="init.js"></script>
</body>
</html>
`;
}

/**
 * @internal Starts Swagger UI on the document at `specUrl` (relative to the page). `validatorUrl: null`
 * keeps Swagger UI from sending the document to its public validator.
 */
export function docsInitScript(specUrl: string): string {
    return `window.onload = function () {
    window.ui = SwaggerUIBundle({
        url: ${JSON.stringify(specUrl)},
        dom_id: "#swagger-ui",
        presets: [SwaggerUIBundle.presets.apis],
        layout: "BaseLayout",
        validatorUrl: null,
        tryItOutEnabled: true,
        persistAuthorization: false,
        displayRequestDuration: true
    });
};
`;
}

/** @internal Every file of the page by name: ours, and Swagger UI's read from swagger-ui-dist. */
export function docsFiles(title: string, specUrl: string): Map<string, Buffer> {
    const files = new Map<string, Buffer>([
        ["index.html", Buffer.from(docsHtml(title))],
        ["init.js", Buffer.from(docsInitScript(specUrl))],
    ]);
    const dir = swaggerUiDir();
    for (const name of SWAGGER_UI_FILES) {
        files.set(name, fs.readFileSync(path.join(dir, name)));
    }
    return files;
}
