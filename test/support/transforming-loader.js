// A TypeScript loader that rewrites every function the way tsx does (esbuild with keepNames, which wraps
// functions in `__name(...)`, and an older target, which adds helpers such as `__async`), for tests that must
// hold whatever loader runs the package: `node -r ./test/support/transforming-loader.js ...`.
"use strict";
const esbuild = require("esbuild");
const fs = require("fs");

require.extensions[".ts"] = (module, filename) => {
    const { code } = esbuild.transformSync(fs.readFileSync(filename, "utf8"), {
        loader: "ts",
        format: "cjs",
        keepNames: true,
        target: "es2016",
        sourcefile: filename,
    });
    module._compile(code, filename);
};
