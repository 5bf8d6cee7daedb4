/** Finding the installed package (core/package-root.ts), from a module's own location and never the working directory. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defaultImageContext, packageRoot } from "../../core/package-root";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

describe("package root", () => {
    let scratch: string;
    before(() => {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-package-root-"));
    });
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it("finds the package root from the module's location, not the working directory", function () {
        const outer = path.join(scratch, "app");
        const pkg = path.join(outer, "node_modules", "modelapi");
        fs.mkdirSync(path.join(pkg, "dist", "lambda"), { recursive: true });
        fs.writeFileSync(path.join(outer, "package.json"), JSON.stringify({ name: "someones-stack" }));
        fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "modelapi" }));

        assert.equal(packageRoot(path.join(pkg, "dist", "lambda")), pkg);
        assert.throws(() => packageRoot(outer), /Cannot find the modelapi package\.json/);
    });

    it("the default image context is the container/ directory shipped with the package", () => {
        assert.equal(defaultImageContext(), path.join(REPO_ROOT, "container"));
    });
});
