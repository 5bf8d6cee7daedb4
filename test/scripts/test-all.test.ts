/**
 * The test runner itself: a suite that quietly shrinks fails the run, a stray `.only` fails mocha, and
 * `npx mocha FILE` runs that file alone. scripts/test-all.sh runs here against stand-in suites that print
 * the counts the real ones print, so no real suite runs twice.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const RUNNER = path.join(ROOT, "scripts", "test-all.sh");

/** The per-suite minimums as scripts/test-all.sh declares them. */
function minimums(): Record<string, number> {
    const line = fs.readFileSync(RUNNER, "utf8").match(/^declare -A minimum=\((.*)\)$/m);
    assert.ok(line, "scripts/test-all.sh declares its minimums on one `declare -A minimum=(...)` line");
    return Object.fromEntries([...line[1].matchAll(/\[(\w+)\]=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

interface Suites {
    mocha: string;
    pytest: string;
    image: string;
    lint: string;
}

/** Runs a copy of scripts/test-all.sh whose suites only print the given summaries. */
function runAll(out: Suites): { status: number | null; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-test-all-"));
    try {
        const write = (file: string, text: string) => {
            fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
            fs.writeFileSync(path.join(dir, file), text, { mode: 0o755 });
        };
        write("scripts/test-all.sh", fs.readFileSync(RUNNER, "utf8"));
        write("scripts/test-python.sh", `echo '${out.pytest}'\n`);
        write("container/test-image.sh", `echo '${out.image}'\n`);
        write("scripts/lint.sh", `echo '${out.lint}'\n`);
        // npm run -s typecheck | test:ts
        write("bin/npm", `#!/bin/sh\ncase "$*" in *test:ts*) echo '${out.mocha}' ;; esac\n`);
        const result = spawnSync("bash", [path.join(dir, "scripts/test-all.sh")], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}` },
        });
        return { status: result.status, output: result.stdout + result.stderr };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("scripts/test-all.sh: a suite cannot quietly shrink", function () {
    const least = minimums();
    const atMinimum = (): Suites => ({
        mocha: `  ${least.mocha} passing (2m)`,
        pytest: `${least.pytest} passed in 95.00s`,
        image: `${least.image} passed, 0 failed`,
        lint: `${least.lint} passed, 0 failed`,
    });

    it("declares a minimum for mocha, pytest, the image test and the lint checks", function () {
        for (const suite of ["mocha", "pytest", "image", "lint"]) {
            assert.ok(least[suite] > 0, `no minimum for ${suite}`);
        }
    });

    it("passes when every suite passes at least its minimum", function () {
        const { status, output } = runAll(atMinimum());
        assert.equal(status, 0, output);
        assert.match(output, new RegExp(`total: ${least.mocha + least.pytest + least.image + least.lint} passed, 0 failed, 0 skipped`));
    });

    for (const suite of ["mocha", "pytest", "image", "lint"] as const) {
        it(`fails when ${suite} passes one test fewer than its minimum, naming it`, function () {
            const suites = atMinimum();
            suites[suite] = suites[suite].replace(String(least[suite]), String(least[suite] - 1));
            const { status, output } = runAll(suites);
            assert.equal(status, 1, output);
            assert.match(output, new RegExp(`${suite} passed ${least[suite] - 1} tests, fewer than its minimum of ${least[suite]}`));
            assert.match(output, /failed suites: .*\(passed \d+ < minimum \d+\)/);
        });
    }

    it("counts an image test that says it was skipped as skipped, not as too few", function () {
        const suites = atMinimum();
        suites.image = "# IMAGE TEST SKIPPED: no Docker daemon\n0 passed, 0 failed, 1 skipped";
        const { status, output } = runAll(suites);
        assert.equal(status, 0, output);
        assert.match(output, /total: \d+ passed, 0 failed, 1 skipped/);
    });
});

describe(".mocharc.json: what a mocha command line runs", function () {
    let dir: string;
    before(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-mocharc-"));
    });
    after(function () {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** mocha with the project's configuration on one file of tests. */
    function mocha(source: string) {
        const file = path.join(dir, `case-${Math.random().toString(36).slice(2)}.test.ts`);
        fs.writeFileSync(file, source);
        const result = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), file], { cwd: ROOT, encoding: "utf8" });
        return { status: result.status, output: result.stdout + result.stderr };
    }

    it("runs only the file named on the command line", function () {
        const { status, output } = mocha(`describe("one file", () => { it("a", () => {}); it("b", () => {}); });\n`);
        assert.equal(status, 0, output);
        assert.match(output, /\b2 passing\b/);
    });

    it("fails a run that holds a stray .only", function () {
        const { status, output } = mocha(`describe("x", () => { it.only("a", () => {}); it("b", () => {}); });\n`);
        assert.notEqual(status, 0, output);
        assert.match(output, /forbid|\.only/i);
        assert.doesNotMatch(output, /1 passing/);
    });
});
