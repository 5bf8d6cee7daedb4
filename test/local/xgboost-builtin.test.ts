/**
 * The twin serving an artifact of SageMaker's built-in XGBoost algorithm unchanged: a model.tar.gz holding
 * only `xgboost-model`, trained here from a label-first CSV as the algorithm trains, answering CSV with the
 * algorithm's own class probabilities.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { post, PYTHON, type ReadyLine, TwinProcess } from "./support";

const KEY = "test-key-0123456789";

/** Trains iris with objective multi:softprob from a headerless, label-first CSV and packs model.tar.gz. */
const TRAIN_BUILTIN = `
import json, os, sys, tarfile
import numpy as np, xgboost as xgb
from sklearn.datasets import load_iris
out = sys.argv[1]
X, y = load_iris(return_X_y=True)
train = os.path.join(out, "train.csv")
with open(train, "w") as f:
    for label, row in zip(y, X):
        f.write(",".join(str(v) for v in [label, *row]) + "\\n")
booster = xgb.train({"objective": "multi:softprob", "num_class": 3, "max_depth": 2, "nthread": 1},
                    xgb.DMatrix(train + "?format=csv&label_column=0"), 10)
booster.save_model(os.path.join(out, "xgboost-model.bin"))
archive = os.path.join(out, "model.tar.gz")
with tarfile.open(archive, "w:gz") as tar:
    tar.add(os.path.join(out, "xgboost-model.bin"), arcname="xgboost-model")
rows = X[[0, 50, 100, 25]].tolist()
probabilities = booster.predict(xgb.DMatrix(np.array(rows))).tolist()
print(json.dumps({"archive": archive, "rows": rows, "probabilities": probabilities}))
`;

interface BuiltinModel {
    archive: string;
    rows: number[][];
    probabilities: number[][];
}

describe("local twin with a built-in XGBoost artifact", function () {
    this.timeout(120_000);
    let tmp: string;
    let model: BuiltinModel;
    let twin: TwinProcess;
    let ready: ReadyLine;
    const predict = (body: string, headers: Record<string, string>) => post(`${ready.url}/predict`, body, { "x-api-key": KEY, ...headers });
    const csv = (rows: number[][]) => rows.map((r) => r.join(",")).join("\n");

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-xgb-"));
        const result = spawnSync(PYTHON, ["-c", TRAIN_BUILTIN, tmp], { encoding: "utf8", timeout: 60_000 });
        assert.equal(result.status, 0, `training the built-in style model failed: ${result.stderr}`);
        model = JSON.parse(result.stdout) as BuiltinModel;
        twin = new TwinProcess(["--port", "0", "--api-key", KEY, `iris=${model.archive}`]);
        ready = await twin.ready();
    });
    after(async () => {
        await twin?.kill(ready?.serverPid);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("answers CSV rows with one line of class probabilities per row, the algorithm's own numbers", async () => {
        const res = await predict(csv(model.rows), { "Content-Type": "text/csv", Accept: "text/csv" });
        assert.equal(res.status, 200, res.text);
        assert.match(res.headers.get("content-type") ?? "", /^text\/csv/);
        // each value is the float32 probability printed as Python prints it, as the algorithm's container does
        const expected = model.probabilities.map((row) => row.map(String).join(",")).join("\n") + "\n";
        assert.equal(res.text, expected);
        const argmax = res.text
            .trim()
            .split("\n")
            .map((line) => {
                const p = line.split(",").map(Number);
                return p.indexOf(Math.max(...p));
            });
        assert.deepEqual(argmax, [0, 1, 2, 0]);
    });

    it("answers JSON as the algorithm does: a score per row", async () => {
        const res = await predict(csv(model.rows), { "Content-Type": "text/csv", Accept: "application/json" });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(JSON.parse(res.text), { predictions: model.probabilities.map((score) => ({ score })) });
    });

    it("refuses a row wider than the model with 400, naming both widths as the algorithm does", async () => {
        const res = await predict("1,2,3,4,5,6", { "Content-Type": "text/csv", Accept: "text/csv" });
        assert.equal(res.status, 400, res.text);
        assert.match(res.text, /Feature size of csv inference data 6 is larger than feature size of trained model 4\./);
    });
});
