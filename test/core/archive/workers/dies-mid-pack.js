// Stands in for the archive worker in a test: runs the real one and, once it has written the archive's first
// chunk, ends the thread without a word (its exit and error handlers removed first), as a kill or running out
// of memory would.
"use strict";
const path = require("path");
const { workerData } = require("worker_threads");

const CHUNKS = 1; // the index core/archive/archive-worker.js counts chunks at
const add = Atomics.add;
Atomics.add = (array, index, value) => {
    const result = add(array, index, value);
    if (array === workerData.state && index === CHUNKS) {
        process.removeAllListeners("exit");
        process.removeAllListeners("uncaughtException");
        process.removeAllListeners("unhandledRejection");
        process.exit(1);
    }
    return result;
};
require(path.join(__dirname, "..", "..", "..", "..", "core", "archive", "archive-worker.js"));
