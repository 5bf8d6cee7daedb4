// Stands in for the archive worker in a test: runs the real one with a tar module that cannot be loaded, an
// error inside the worker after it started.
"use strict";
const path = require("path");
const { workerData } = require("worker_threads");

workerData.tarModule = path.join(__dirname, "no-such-tar-module.js");
require(path.join(__dirname, "..", "..", "..", "..", "core", "archive", "archive-worker.js"));
