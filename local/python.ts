/**
 * Which Python runs the model server and the example trainer, and a plain answer when it lacks
 * something. Debian's /usr/bin/python3 is the default because that is where the Debian packages
 * the serving image installs (python3-sklearn and friends) live; MODELAPI_PYTHON overrides it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";

export const DEFAULT_PYTHON = "/usr/bin/python3";

/** Python modules the server and trainer import, and the Debian package that provides each. */
export const DEBIAN_PACKAGES: Record<string, string> = {
    numpy: "python3-numpy",
    scipy: "python3-scipy",
    sklearn: "python3-sklearn",
    joblib: "python3-joblib",
    xgboost: "python3-xgboost",
    pandas: "python3-pandas",
};

/** The same modules' names on PyPI, for an interpreter that does not take Debian's packages. */
export const PIP_PACKAGES: Record<string, string> = {
    numpy: "numpy",
    scipy: "scipy",
    sklearn: "scikit-learn",
    joblib: "joblib",
    xgboost: "xgboost",
    pandas: "pandas",
};

export class MissingDependencyError extends Error {
    name = "MissingDependencyError";
}

export function pythonPath(env: NodeJS.ProcessEnv = process.env): string {
    return env.MODELAPI_PYTHON?.trim() || DEFAULT_PYTHON;
}

/** The advice for installing Debian packages, worded for the reader's situation. */
export function installAdvice(packages: string[]): string {
    const list = packages.join(" ");
    const verb = packages.length === 1 ? `${list} is not installed` : `${list} are not installed`;
    const pronoun = packages.length === 1 ? "it" : "them";
    return `${verb}: run \`sudo apt-get install ${list}\`, or \`npm start\` as root which installs ${pronoun}`;
}

/** Throws a MissingDependencyError naming the Debian packages when `python` cannot import `modules` (none: only that it runs). */
export function checkPythonModules(modules: string[], python: string = pythonPath()): void {
    if (!fs.existsSync(python)) {
        const hint = python === DEFAULT_PYTHON ? installAdvice(["python3"]) : "check MODELAPI_PYTHON";
        throw new MissingDependencyError(`Python "${python}" was not found; ${hint}`);
    }
    const probe = `
import importlib, sys
missing = []
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ImportError:
        missing.append(name)
print(" ".join(missing))
`;
    const result = spawnSync(python, ["-c", probe, ...modules], { encoding: "utf8", timeout: 60_000 });
    if (result.error || result.status !== 0) {
        throw new MissingDependencyError(`Python "${python}" could not be run: ${result.error?.message ?? result.stderr.trim()}`);
    }
    const missing = result.stdout.trim().split(/\s+/).filter(Boolean);
    if (missing.length > 0) {
        throw new MissingDependencyError(missingModulesMessage(missing, python));
    }
}

/** "No module named 'sklearn'" in a Python log, turned into the package to install; undefined if absent. */
export function missingModuleFromLog(text: string, python: string = pythonPath()): string | undefined {
    const match = /No module named '([A-Za-z0-9_]+)/.exec(text);
    return match ? missingModulesMessage([match[1]], python) : undefined;
}

/**
 * Debian's packages install into the system's Python (/usr/bin); any other interpreter (a virtualenv, pyenv,
 * conda, /opt/py/bin/python3) needs the modules installed for itself.
 */
export function isSystemPython(python: string): boolean {
    return python.startsWith("/usr/bin/") || python.startsWith("/bin/");
}

function missingModulesMessage(modules: string[], python: string): string {
    if (!isSystemPython(python)) {
        const known = modules.filter((m) => PIP_PACKAGES[m] !== undefined);
        const unknown = modules.filter((m) => PIP_PACKAGES[m] === undefined);
        const parts: string[] = [];
        if (known.length > 0) {
            const list = known.map((m) => PIP_PACKAGES[m]).join(" ");
            parts.push(
                `${python} (MODELAPI_PYTHON) cannot import ${known.join(", ")}; install ${list} for that interpreter ` +
                    `(\`${python} -m pip install ${list}\`, or its environment's own installer), or unset MODELAPI_PYTHON ` +
                    `to use ${DEFAULT_PYTHON} with Debian's packages`,
            );
        }
        if (unknown.length > 0) {
            parts.push(
                `${python} (MODELAPI_PYTHON) cannot import ${unknown.join(", ")}; install the package that provides it for that interpreter`,
            );
        }
        return parts.join(". ");
    }
    const packages = modules.map((m) => DEBIAN_PACKAGES[m]).filter((p): p is string => p !== undefined);
    const unknown = modules.filter((m) => DEBIAN_PACKAGES[m] === undefined);
    const parts: string[] = [];
    if (packages.length > 0) {
        parts.push(`${python} cannot import ${modules.filter((m) => DEBIAN_PACKAGES[m]).join(", ")}; ${installAdvice(packages)}`);
    }
    if (unknown.length > 0) {
        parts.push(
            `${python} cannot import ${unknown.join(", ")}; install the Debian package that provides it (apt-cache search ${unknown[0]})`,
        );
    }
    return parts.join(". ");
}
