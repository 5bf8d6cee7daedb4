import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { contextTag } from "../../core/archive/context-hash";
import { defaultImageContext } from "../../core/package-root";
import { localImageName } from "../../local/image";

describe("local twin: the locally built image's name", () => {
    it("carries the content tag the component gives the image it pushes from the same context", () => {
        assert.equal(localImageName(), `localhost/modelapi-serving:${contextTag(defaultImageContext())}`);
        assert.match(localImageName(), /^localhost\/modelapi-serving:[0-9a-f]{12}$/);
    });

    it("changes when a file of the context changes, so an edited server is never served from a stale image", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-image-name-"));
        try {
            fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM debian:bookworm-slim\n");
            const before = localImageName(dir);
            assert.equal(localImageName(dir), before);
            fs.writeFileSync(path.join(dir, "serve"), "#!/bin/sh\n");
            assert.notEqual(localImageName(dir), before);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
