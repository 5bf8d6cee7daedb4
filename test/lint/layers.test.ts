/**
 * The layer rules of eslint.config.mjs, run through ESLint's Node API on scratch sources placed (in name
 * only) in each folder: core/ imports no Pulumi package and neither components/ nor local/, and
 * components/ and local/ never import each other; importing core/ and contract/ stays allowed.
 */
import { strict as assert } from "assert";
import { ESLint } from "eslint";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

describe("layer rules (eslint.config.mjs)", function () {
    this.timeout(60000);
    const eslint = new ESLint({ cwd: ROOT });

    /** The restricted-import errors ESLint reports for `code` as if it were the file `file`. */
    async function restricted(file: string, code: string): Promise<string[]> {
        const [result] = await eslint.lintText(`${code}\nexport const used = [x];\n`, { filePath: path.join(ROOT, file) });
        return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
    }

    it("core/ may not import a Pulumi package", async () => {
        const errors = await restricted("core/scratch.ts", `import * as x from "@pulumi/pulumi";`);
        assert.equal(errors.length, 1);
        assert.match(errors[0], /core\/ creates no resource/);
        assert.equal((await restricted("core/api/scratch.ts", `import type * as x from "@pulumi/aws";`)).length, 1);
    });

    it("core/ may not import components/ or local/", async () => {
        assert.equal((await restricted("core/scratch.ts", `import { ModelApi as x } from "../components";`)).length, 1);
        assert.equal((await restricted("core/archive/scratch.ts", `import { ApiAuth as x } from "../../components/args";`)).length, 1);
        assert.equal((await restricted("core/scratch.ts", `import { header as x } from "../local/http";`)).length, 1);
    });

    it("local/ may not import components/", async () => {
        const errors = await restricted("local/scratch.ts", `import { resolveSettings as x } from "../components/settings/settings";`);
        assert.equal(errors.length, 1);
        assert.match(errors[0], /local\/ uses core\/ and contract\/, never components\//);
    });

    it("components/ may not import local/", async () => {
        assert.equal((await restricted("components/api/scratch.ts", `import { readBody as x } from "../../local/http";`)).length, 1);
    });

    it("core/ and contract/ stay importable from components/ and local/, and contract/ from core/", async () => {
        assert.deepEqual(await restricted("components/scratch.ts", `import { packModel as x } from "../core/archive/pack";`), []);
        assert.deepEqual(await restricted("local/scratch.ts", `import { ROUTES as x } from "../contract";`), []);
        assert.deepEqual(await restricted("core/scratch.ts", `import { HEADERS as x } from "../contract";`), []);
    });
});
