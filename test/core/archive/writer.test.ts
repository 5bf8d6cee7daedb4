/** The archive writer (core/archive/writer.ts): the worker thread that streams the archive to its file. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { writeArchive } from "../../../core/archive/writer";
import { modelDir, tempDir } from "../../components/fixtures";

describe("archive writer", function () {
    this.timeout(30000);

    it("a failure inside the packing worker comes back as an error naming the file, never as a hang", () => {
        const dir = modelDir({ "a.txt": "1" });
        const job = { dir, outPath: path.join(tempDir("out"), "x.tar.gz"), mtimeMs: 0, gzipLevel: 9, readSize: 1024 };
        assert.throws(() => writeArchive({ ...job, tarPaths: ["a.txt", "gone.bin"] }), /ENOENT.*gone\.bin/);
        fs.writeFileSync(job.outPath, "taken");
        assert.throws(() => writeArchive({ ...job, tarPaths: ["a.txt"] }), /EEXIST/);
    });
});
