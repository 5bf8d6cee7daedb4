/**
 * The advice when the model server's Python lacks a library: Debian's packages for the system's Python,
 * an install for that interpreter when MODELAPI_PYTHON names another one.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { MissingDependencyError, checkPythonModules, missingModuleFromLog } from "../../local/python";

const LOG = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'sklearn'\n";

describe("local/python: what to install when a library is missing", () => {
    it("for Debian's /usr/bin/python3, names the Debian package and apt-get", () => {
        const advice = missingModuleFromLog(LOG, "/usr/bin/python3");
        assert.equal(
            advice,
            "/usr/bin/python3 cannot import sklearn; python3-sklearn is not installed: run `sudo apt-get install python3-sklearn`, " +
                "or `npm start` as root which installs it",
        );
    });

    it("for another interpreter, names the PyPI package to install for that interpreter, not apt-get", () => {
        const advice = missingModuleFromLog(LOG, "/opt/py/bin/python3");
        assert.equal(
            advice,
            "/opt/py/bin/python3 (MODELAPI_PYTHON) cannot import sklearn; install scikit-learn for that interpreter " +
                "(`/opt/py/bin/python3 -m pip install scikit-learn`, or its environment's own installer), or unset MODELAPI_PYTHON " +
                "to use /usr/bin/python3 with Debian's packages",
        );
        assert.doesNotMatch(advice!, /apt-get|python3-sklearn/);
    });

    it("for another interpreter, says so for a module it has no package name for", () => {
        const advice = missingModuleFromLog("No module named 'torch'", "/home/me/.venv/bin/python");
        assert.equal(
            advice,
            "/home/me/.venv/bin/python (MODELAPI_PYTHON) cannot import torch; install the package that provides it for that interpreter",
        );
    });

    it("checkPythonModules gives that advice for the interpreter it probed", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-python-"));
        try {
            // stands in for an interpreter that has numpy but neither scikit-learn nor joblib
            const python = path.join(dir, "python3");
            fs.writeFileSync(python, "#!/bin/sh\necho sklearn joblib\n", { mode: 0o755 });
            assert.throws(
                () => checkPythonModules(["numpy", "sklearn", "joblib"], python),
                (err: Error) =>
                    err instanceof MissingDependencyError &&
                    err.message.startsWith(`${python} (MODELAPI_PYTHON) cannot import sklearn, joblib; install scikit-learn joblib`) &&
                    err.message.includes(`\`${python} -m pip install scikit-learn joblib\``) &&
                    !err.message.includes("apt-get"),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
