/**
 * The twin's documents for a multi-model endpoint, against one running twin: the model names are the
 * documented values of {name}, every example is answered as documented, and the Postman collection's
 * requests all pass under newman.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { openApiErrors, postmanErrors } from "../support/documents";
import { runNewman, sendEveryExample } from "./docs-checks";
import { fitModel, type ReadyLine, TwinProcess } from "./support";

const KEY = "docs-multi-key-0123456789";

describe("local twin: API docs of a multi-model endpoint", function () {
    this.timeout(120_000);
    let tmp: string;
    let twin: TwinProcess;
    let ready: ReadyLine & { openApi: string; postman: string };

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-docs-mm-"));
        const iris = fitModel(path.join(tmp, "iris"));
        const reversed = fitModel(path.join(tmp, "reversed"), "reversed");
        twin = new TwinProcess(["--port", "0", "--api-key", KEY, "--multi-model", `iris=${iris.dir}`, `reversed=${reversed.dir}`]);
        ready = (await twin.ready()) as typeof ready;
    });
    after(async () => {
        await twin?.kill(ready?.serverPid);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("documents both routes and the served models, and answers every example as documented", async () => {
        const doc: any = await (await fetch(ready.openApi)).json();
        assert.equal(await openApiErrors(doc), "");
        assert.deepEqual(Object.keys(doc.paths).sort(), ["/models", "/models/{name}/predict"]);
        const name = doc.paths["/models/{name}/predict"].post.parameters.find((p: any) => p.name === "name");
        assert.deepEqual(name.schema.enum, ["iris", "reversed"]);
        const sent = await sendEveryExample(doc, ready.url, KEY);
        assert.deepEqual(sent, [
            "GET /models → 200",
            "POST /models/{name}/predict application/json instances → 200",
            "POST /models/{name}/predict application/json inputs → 200",
            "POST /models/{name}/predict application/json wrongFeatureCount → 400",
            "POST /models/{name}/predict text/csv example → 200",
        ]);
    });

    it("offers a valid Postman collection whose requests all pass under newman", async () => {
        const collection: any = await (await fetch(ready.postman)).json();
        assert.equal(postmanErrors(collection), "");
        const summary = await runNewman(collection, { apiKey: KEY });
        assert.deepEqual(
            summary.run.failures.map((f: any) => `${f.source?.name}: ${f.error?.message}`),
            [],
        );
        const requests = collection.item.flatMap((folder: any) => folder.item);
        assert.equal(summary.run.stats.requests.total, requests.length);
        assert.equal(summary.run.stats.assertions.total, requests.length);
        assert.ok(requests.some((r: any) => r.name.startsWith("404 ModelNotFound")));
    });
});
