import { strict as assert } from "assert";
import * as path from "path";
import { hostCommand, imageCommand, podmanRunFlags } from "../../local/container-process";

const REPO = path.resolve(__dirname, "..", "..");

describe("local twin: model server command lines", () => {
    it("runs container/serve with Debian's Python, bound to loopback with SageMaker's env", () => {
        const cmd = hostCommand({ multiModel: false, modelDir: "/tmp/m", port: 9001, workers: 2 }, "/usr/bin/python3", { PATH: "/bin" });
        assert.equal(cmd.command, "/usr/bin/python3");
        assert.deepEqual(cmd.args, [path.join(REPO, "container", "serve")]);
        assert.equal(cmd.env.SM_MODEL_DIR, "/tmp/m");
        assert.equal(cmd.env.SAGEMAKER_BIND_TO_PORT, "9001");
        assert.equal(cmd.env.MODELAPI_BIND_HOST, "127.0.0.1");
        assert.equal(cmd.env.SAGEMAKER_MODEL_SERVER_WORKERS, "2");
        assert.equal(cmd.env.SAGEMAKER_MULTI_MODEL, undefined);
        assert.equal(cmd.env.PATH, "/bin");
    });

    it("switches the host server to multi-model mode", () => {
        const cmd = hostCommand({ multiModel: true, modelsRoot: "/tmp/ms", port: 9001, workers: 1 }, "/usr/bin/python3", {});
        assert.equal(cmd.env.SAGEMAKER_MULTI_MODEL, "true");
        assert.equal(cmd.env.SM_MODEL_DIR, undefined);
    });

    it("runs an image under podman as SageMaker does, with the flags this host needs, published on loopback only", () => {
        const cmd = imageCommand(
            { multiModel: false, modelDir: "/tmp/m", port: 9001, workers: 1, image: "localhost/modelapi-serving:test" },
            "podman",
            "modelapi-local-ab",
            podmanRunFlags("20000", true),
            {},
        );
        assert.equal(cmd.command, "podman");
        assert.deepEqual(cmd.args, [
            "run",
            "--rm",
            "--name",
            "modelapi-local-ab",
            "--runtime",
            "runc",
            "--ulimit",
            "nofile=20000:20000",
            "--ulimit",
            "nproc=32768:32768",
            "-p",
            "127.0.0.1:9001:8080",
            "-e",
            "SAGEMAKER_MODEL_SERVER_WORKERS=1",
            "-v",
            "/tmp/m:/opt/ml/model:ro",
            "localhost/modelapi-serving:test",
            "serve",
        ]);
    });

    it("passes SageMaker's container variables from the twin's environment to the image, as endpoint.environment does", () => {
        const env = {
            SAGEMAKER_PROGRAM: "script.py",
            SAGEMAKER_INFERENCE_OUTPUT: "predicted_label,probabilities",
            MAX_CONTENT_LENGTH: "1048576",
            SAGEMAKER_MULTI_MODEL: "true", // the twin decides this one
            MODELAPI_API_KEY: "secret", // the twin's own, never the container's
            PATH: "/usr/bin",
        };
        const cmd = imageCommand({ multiModel: false, modelDir: "/tmp/m", port: 9001, workers: 1, image: "img" }, "docker", "n", [], env);
        const passed = cmd.args.flatMap((arg, i) => (cmd.args[i - 1] === "-e" ? [arg] : []));
        assert.deepEqual(passed, [
            "SAGEMAKER_MODEL_SERVER_WORKERS=1",
            "MAX_CONTENT_LENGTH=1048576",
            "SAGEMAKER_INFERENCE_OUTPUT=predicted_label,probabilities",
            "SAGEMAKER_PROGRAM=script.py",
        ]);
    });

    it("runs an image under Docker without podman's flags, and mounts the models directory for multi-model", () => {
        const cmd = imageCommand(
            { multiModel: true, modelsRoot: "/tmp/ms", port: 9002, workers: 2, image: "img" },
            "docker",
            "n",
            podmanRunFlags("20000", true),
            {},
        );
        assert.equal(cmd.command, "docker");
        assert.deepEqual(cmd.args, [
            "run",
            "--rm",
            "--name",
            "n",
            "-p",
            "127.0.0.1:9002:8080",
            "-e",
            "SAGEMAKER_MODEL_SERVER_WORKERS=2",
            "-e",
            "SAGEMAKER_MULTI_MODEL=true",
            "-v",
            "/tmp/ms:/opt/ml/models:ro",
            "img",
            "serve",
        ]);
    });

    it("asks podman for runc only where it is installed, and for finite rlimits when the hard limit is unlimited", () => {
        assert.deepEqual(podmanRunFlags("4096", false), ["--ulimit", "nofile=4096:4096", "--ulimit", "nproc=32768:32768"]);
        assert.deepEqual(podmanRunFlags("unlimited", true), [
            "--runtime",
            "runc",
            "--ulimit",
            "nofile=1048576:1048576",
            "--ulimit",
            "nproc=32768:32768",
        ]);
    });
});
