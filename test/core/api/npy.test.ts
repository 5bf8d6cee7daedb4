/** The documents' .npy bodies (core/api/npy.ts): what NumPy itself reads back. */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { npyOf } from "../../../core/api/npy";

const PYTHON = process.env.MODELAPI_PYTHON || "/usr/bin/python3";

describe("the .npy bytes of example rows", () => {
    it("are what np.load reads back as the same float64 rows, header padded as np.save pads it", () => {
        const rows = [
            [5.1, 3.5, 1.4, 0.2],
            [-1, 0, 1e300, 2.5],
        ];
        const bytes = npyOf(rows);
        const read = spawnSync(
            PYTHON,
            [
                "-c",
                "import io, sys, json, numpy as np; a = np.load(io.BytesIO(sys.stdin.buffer.read()), allow_pickle=False); print(json.dumps([str(a.dtype), a.tolist()]))",
            ],
            { input: bytes, encoding: "utf8" },
        );
        assert.equal(read.status, 0, read.stderr);
        assert.deepEqual(JSON.parse(read.stdout), ["float64", rows]);
        assert.equal((10 + bytes.readUInt16LE(8)) % 64, 0);
    });
});
