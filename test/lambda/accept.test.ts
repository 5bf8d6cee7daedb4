/** Choosing the one answer type to ask SageMaker for (lambda/accept.ts), as the container would choose it. */
import { strict as assert } from "assert";
import { chooseAccept } from "../../lambda/accept";

describe("Accept negotiation", () => {
    it("of equally acceptable types the one listed first wins, as the container's choose_accept picks", () => {
        assert.equal(chooseAccept("text/csv, application/json"), "text/csv");
        assert.equal(chooseAccept("application/json, text/csv"), "application/json");
        assert.equal(chooseAccept("text/csv;q=0.5, application/json;q=0.5"), "text/csv");
    });

    it("a higher q wins wherever it is listed", () => {
        assert.equal(chooseAccept("text/csv;q=0.5, application/json"), "application/json");
        assert.equal(chooseAccept("application/json;q=0.4, text/csv;q=0.8"), "text/csv");
    });
});
