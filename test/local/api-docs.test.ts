/**
 * The twin's pages for API callers, against one running twin: the OpenAPI document (valid, and every
 * example in it answered with the documented status and shape), the Postman collection (valid, and all
 * its requests pass under newman), and Swagger UI at /docs driven in Debian's Chromium: enter the key,
 * send the example prediction, see the model's answer.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { openApiErrors, postmanErrors } from "../support/documents";
import { runNewman, sendEveryExample } from "./docs-checks";
import { type FittedModel, fitModel, type ReadyLine, TwinProcess } from "./support";

const KEY = "docs-test-key-0123456789";
const CHROMIUM = process.env.MODELAPI_CHROMIUM || "/usr/bin/chromium";

interface ReadyWithDocs extends ReadyLine {
    openApi: string;
    docs: string;
    postman: string;
}

describe("local twin: API docs, OpenAPI and Postman", function () {
    this.timeout(120_000);
    let tmp: string;
    let model: FittedModel;
    let twin: TwinProcess;
    let ready: ReadyWithDocs;
    let doc: any;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-docs-"));
        model = fitModel(path.join(tmp, "iris"));
        twin = new TwinProcess(["--port", "0", "--api-key", KEY, `iris=${model.dir}`]);
        ready = (await twin.ready()) as ReadyWithDocs;
    });
    after(async () => {
        await twin?.kill(ready?.serverPid);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("prints the docs, OpenAPI and Postman URLs in its ready lines", () => {
        assert.equal(ready.openApi, `${ready.url}/openapi.json`);
        assert.equal(ready.docs, `${ready.url}/docs/`);
        assert.equal(ready.postman, `${ready.url}/postman.json`);
        for (const line of [`API docs: ${ready.docs}`, `OpenAPI:  ${ready.openApi}`, `Postman:  ${ready.postman}`]) {
            assert.ok(twin.stdout.includes(line), `no line "${line}":\n${twin.output()}`);
        }
    });

    it("serves GET /openapi.json without a key: a valid OpenAPI 3 document of the twin", async () => {
        const res = await fetch(ready.openApi);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /application\/json/);
        doc = await res.json();
        assert.equal(await openApiErrors(doc), "");
        assert.deepEqual(doc.servers, [{ url: ready.url }]);
        assert.deepEqual(Object.keys(doc.paths), ["/predict"]);
        assert.equal(JSON.stringify(doc).includes(KEY), false, "the document holds the API key");
    });

    it("answers every example in the document with the documented status and shape", async () => {
        doc ??= await (await fetch(ready.openApi)).json();
        const sent = await sendEveryExample(doc, ready.url, KEY);
        assert.deepEqual(sent, [
            "POST /predict application/json instances → 200",
            "POST /predict application/json inputs → 200",
            "POST /predict application/json wrongFeatureCount → 400",
            "POST /predict text/csv example → 200",
        ]);
    });

    it("answers with the predictions of the fitted model for the documented example", async () => {
        const example = doc.paths["/predict"].post.requestBody.content["application/json"].examples.instances.value;
        const res = await fetch(`${ready.url}/predict`, {
            method: "POST",
            headers: { "x-api-key": KEY, "Content-Type": "application/json" },
            body: JSON.stringify(example),
        });
        assert.deepEqual(((await res.json()) as any).predictions, [model.predictions[0]]);
    });

    it("serves a valid Postman collection pointed at itself, without the key, whose requests all pass under newman", async () => {
        const res = await fetch(ready.postman);
        assert.equal(res.status, 200);
        const text = await res.text();
        const collection = JSON.parse(text);
        assert.equal(postmanErrors(collection), "");
        assert.equal(text.includes(KEY), false, "the collection holds the API key");
        assert.deepEqual(collection.variable.find((v: any) => v.key === "baseUrl").value, ready.url);
        const summary = await runNewman(collection, { apiKey: KEY });
        const failures = summary.run.failures.map((f: any) => `${f.source?.name}: ${f.error?.message}`);
        assert.deepEqual(failures, []);
        const requests = collection.item.flatMap((folder: any) => folder.item);
        assert.ok(requests.length >= 10, "a request per content type and per error");
        assert.equal(summary.run.stats.requests.total, requests.length);
        assert.equal(summary.run.stats.assertions.total, requests.length, "one passing test per request");
        // And the same run without the key fails but for the request that sends none on purpose: the
        // collection really carries auth through the variable.
        const unauthorised = await runNewman(collection, {});
        assert.equal(unauthorised.run.failures.length, requests.filter((r: any) => !r.request.auth).length);
    });

    it("serves /docs from this machine: Swagger UI's files with a same-origin content security policy", async () => {
        const page = await fetch(ready.docs);
        assert.equal(page.status, 200);
        const html = await page.text();
        assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
        assert.equal(/https?:\/\//.test(html), false, "the page links outside the twin");
        for (const asset of ["swagger-ui.css", "swagger-ui-bundle.js", "init.js"]) {
            const res = await fetch(new URL(asset, ready.docs));
            assert.equal(res.status, 200, asset);
        }
        const redirect = await fetch(`${ready.url}/docs`, { redirect: "manual" });
        assert.equal(redirect.status, 308);
        assert.equal((await fetch(new URL("nothing.js", ready.docs))).status, 404);
    });

    it("in Chromium, /docs takes the key, sends the example prediction and shows the model's answer", async function () {
        if (!fs.existsSync(CHROMIUM)) {
            // scripts/ensure-deps.sh test installs Debian's chromium; CI runs this test.
            throw new Error(`Chromium not found at ${CHROMIUM}: run bash scripts/ensure-deps.sh test`);
        }
        const shown = await predictInBrowser(ready.docs, KEY, tmp);
        assert.equal(shown.status, "200", shown.body);
        assert.deepEqual(JSON.parse(shown.body).predictions, [model.predictions[0]]);
        assert.deepEqual(shown.outside, [], "the page fetched something from outside the twin");
    });

    it("in Chromium, the CSV example survives switching the body from a picked JSON example to text/csv", async function () {
        if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run bash scripts/ensure-deps.sh test`);
        // Swagger UI keeps the picked example's name across media types; with named CSV examples it found none
        // and sent the literal "string".
        const shown = await predictInBrowser(ready.docs, KEY, tmp, { example: "inputs", mediaType: "text/csv" });
        assert.deepEqual(shown.sent, ["text/csv | 5.1,3.5,1.4,0.2\n"]);
        assert.equal(shown.status, "200", shown.body);
        // CSV rows in, the default Accept's JSON out: a bare list, as AWS's scikit-learn container answers.
        assert.deepEqual(JSON.parse(shown.body), [model.predictions[0]]);
    });
});

/** Drives Swagger UI as a person would: Authorize with the key, pick an example and a body type, Execute, read the response shown. */
async function predictInBrowser(
    docsUrl: string,
    key: string,
    tmp: string,
    choose: { example?: string; mediaType?: string } = {},
): Promise<{ status: string; body: string; outside: string[]; sent: string[] }> {
    const { chromium } = require("playwright-core") as typeof import("playwright-core");
    const profile = fs.mkdtempSync(path.join(tmp, "chromium-"));
    // A persistent context is how playwright takes a (fresh) --user-data-dir.
    const browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
        timeout: 60_000,
    });
    try {
        const page = await browser.newPage();
        const origin = new URL(docsUrl).origin;
        const outside: string[] = [];
        const sent: string[] = [];
        page.on("request", (req) => {
            if (!req.url().startsWith(origin) && !req.url().startsWith("data:")) outside.push(req.url());
            if (req.method() === "POST") sent.push(`${req.headers()["content-type"]} | ${req.postData()}`);
        });
        await page.goto(docsUrl);
        await page.locator("button.authorize").first().click();
        await page.locator(".auth-container input").first().fill(key);
        await page.locator(".auth-btn-wrapper button.authorize").click();
        await page.locator(".auth-btn-wrapper button.btn-done").click();
        await page.locator(".opblock-post .opblock-summary").first().click();
        const requestBody = page.locator(".opblock-post .opblock-section-request-body");
        if (choose.example) await requestBody.locator(".examples-select select").selectOption(choose.example);
        if (choose.mediaType) await requestBody.locator(".body-param-content-type select").selectOption(choose.mediaType);
        await page.locator(".opblock-post button.execute").click();
        const response = page.locator(".live-responses-table .response").first();
        await response.waitFor({ timeout: 30_000 });
        const status = (await response.locator(".response-col_status").innerText()).trim();
        const body = (
            await response.locator(".response-col_description .microlight, .response-col_description pre").first().innerText()
        ).trim();
        return { status, body, outside, sent };
    } finally {
        await browser.close();
    }
}
