import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureExampleModel, TrainingInterrupted } from "../../local/example-model";

describe("local twin: the example model", function () {
    this.timeout(60_000);
    let tmp: string;
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-example-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("is trained with Debian's Python into the directory asked for, then reused", () => {
        const dir = path.join(tmp, "iris");
        const lines: string[] = [];
        assert.equal(ensureExampleModel(dir, { log: (l) => lines.push(l) }), dir);
        const model = path.join(dir, "model.joblib");
        assert.ok(fs.statSync(model).size > 0);
        assert.ok(
            lines.some((l) => /trained on 150 iris rows/.test(l)),
            lines.join("\n"),
        );
        const before = fs.statSync(model).mtimeMs;
        ensureExampleModel(dir, { log: (l) => lines.push(l) });
        assert.equal(fs.statSync(model).mtimeMs, before, "a trained example is reused, not retrained");
        assert.deepEqual(fs.readdirSync(dir), ["model.joblib"], "nothing but the model is left in the directory");
    });

    it("a trainer stopped by a signal (Ctrl-C, SIGTERM) is a stop, not a training failure", () => {
        // A stand-in interpreter: passes the module check, then is stopped by a signal while training.
        // SIGTERM rather than SIGINT: a test runner started in the background may have SIGINT ignored.
        const python = path.join(tmp, "interrupted-python");
        fs.writeFileSync(python, '#!/bin/sh\ncase "$1" in\n  -c) exit 0 ;;\n  *) kill -TERM $$; sleep 5 ;;\nesac\n', { mode: 0o755 });
        const saved = process.env.MODELAPI_PYTHON;
        process.env.MODELAPI_PYTHON = python;
        try {
            assert.throws(() => ensureExampleModel(path.join(tmp, "interrupted")), TrainingInterrupted);
        } finally {
            if (saved === undefined) delete process.env.MODELAPI_PYTHON;
            else process.env.MODELAPI_PYTHON = saved;
        }
    });
});
