/**
 * Unit tests of the error mapping for shapes the wire-protocol tests do not produce.
 */
import { strict as assert } from "node:assert";
import { fromInvokeError, modelMessage } from "../../lambda/errors";

describe("lambda error mapping", function () {
    it("a model message is taken from message, error, or error.message, in that order", function () {
        assert.equal(modelMessage('{"message": "m", "error": "e"}'), "m");
        assert.equal(modelMessage('{"error": "bad csv row 3"}'), "bad csv row 3");
        assert.equal(modelMessage('{"error": {"code": "x", "message": "need 4 columns"}}'), "need 4 columns");
    });

    it("a model message that is JSON without those fields, or not JSON, passes as text", function () {
        assert.equal(modelMessage('{"detail": "nope"}'), '{"detail": "nope"}');
        assert.equal(modelMessage("[1, 2]"), "[1, 2]");
        assert.equal(modelMessage("plain words"), "plain words");
    });

    it("an empty model message gets a generic sentence rather than an empty string", function () {
        assert.equal(modelMessage(""), "The model rejected the request.");
        assert.equal(modelMessage(undefined), "The model rejected the request.");
    });

    it("a socket timeout (ETIMEDOUT) is 504", function () {
        const err = Object.assign(new Error("socket hang up"), { code: "ETIMEDOUT" });
        assert.equal(fromInvokeError(err).status, 504);
    });

    it("a ModelError without a status and not a timeout is a 500 ModelFailure", function () {
        const err = Object.assign(new Error("Received server error"), { name: "ModelError" });
        assert.equal(fromInvokeError(err).status, 500);
        assert.equal(fromInvokeError(err).code, "ModelFailure");
    });

    it("something thrown that is not an Error is 500", function () {
        const mapped = fromInvokeError("boom");
        assert.equal(mapped.status, 500);
        assert.equal(mapped.code, "InternalError");
        assert.doesNotMatch(mapped.message, /boom/);
    });
});
