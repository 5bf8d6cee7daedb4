/** The unknown-key rule shared by the component and the stack config (core/known-keys.ts). */
import { strict as assert } from "assert";
import { closestKey, editDistance, isKnownKey, type KeysOf, type KeyTable, unknownKeys, unknownKeysDeep } from "../../core/known-keys";

const SCALING = { minCapacity: true, maxCapacity: true } as const;
const ENDPOINT = { instanceType: true, instanceCount: true, environment: "map", autoscaling: SCALING } as const;
const MODEL = { name: true, path: true, s3Uri: true } as const;
const ARGS: KeyTable = { models: [MODEL], endpoint: ENDPOINT, tags: "map" };

describe("known keys", () => {
    it("a table that lacks a key of its interface, has one it does not, or flattens a level does not compile", () => {
        // The type check (npm run typecheck) fails if any of these compiles: @ts-expect-error then has nothing to expect.
        interface Settings {
            size?: number;
            limits?: { low?: number };
            labels?: { [key: string]: string };
            items: { id: string }[];
        }
        // @ts-expect-error items is missing
        const missing: KeysOf<Settings> = { size: true, limits: { low: true }, labels: "map" };
        // @ts-expect-error colour is not a key of Settings
        const extra: KeysOf<Settings> = { size: true, limits: { low: true }, labels: "map", items: [{ id: true }], colour: true };
        // @ts-expect-error limits holds a nested level, not a value
        const flat: KeysOf<Settings> = { size: true, limits: true, labels: "map", items: [{ id: true }] };
        // @ts-expect-error items is a list of levels
        const unlisted: KeysOf<Settings> = { size: true, limits: { low: true }, labels: "map", items: { id: true } };
        const right: KeysOf<Settings> = { size: true, limits: { low: true }, labels: "map", items: [{ id: true }] };
        assert.deepEqual(
            [missing, extra, flat, unlisted, right].map((t) => Object.keys(t).length),
            [3, 5, 4, 4, 4],
        );
    });

    it("edit distance counts insertions, deletions, substitutions and a swap of neighbours as one edit each", () => {
        assert.equal(editDistance("auth", "auth"), 0);
        assert.equal(editDistance("instanceCont", "instanceCount"), 1);
        assert.equal(editDistance("path", "pth"), 1);
        assert.equal(editDistance("auht", "auth"), 1);
        assert.equal(editDistance("kitten", "sitting"), 3);
        assert.equal(editDistance("", "uri"), 3);
    });

    it("the closest known key is suggested within a third of the word's length, ignoring case", () => {
        const keys = ["instanceType", "instanceCount", "autoscaling"];
        assert.equal(closestKey("instanceCont", keys), "instanceCount");
        assert.equal(closestKey("instancetype", keys), "instanceType");
        assert.equal(closestKey("autoscalling", keys), "autoscaling");
        assert.equal(closestKey("scaling", keys), undefined);
        assert.equal(closestKey("pth", ["name", "path", "s3Uri"]), "path");
        assert.equal(closestKey("ab", ["uri"]), undefined);
    });

    it("on a tie the first key in table order is suggested", () => {
        assert.equal(closestKey("cat", ["bat", "hat"]), "bat");
        assert.equal(closestKey("cat", ["hat", "bat"]), "hat");
    });

    it("only a table's own keys are known, never inherited names such as constructor", () => {
        assert.equal(isKnownKey(MODEL, "path"), true);
        assert.equal(isKnownKey(MODEL, "constructor"), false);
        assert.equal(isKnownKey(MODEL, "toString"), false);
        assert.deepEqual(
            unknownKeys({ constructor: 1, name: "iris" }, MODEL).map((u) => u.key),
            ["constructor"],
        );
    });

    it("one level: each unknown key in the order given, with the table's keys and a suggestion when one is close", () => {
        assert.deepEqual(unknownKeys({ nme: "iris", path: "p", version: 2 }, MODEL), [
            { key: "nme", expected: ["name", "path", "s3Uri"], suggestion: "name" },
            { key: "version", expected: ["name", "path", "s3Uri"] },
        ]);
    });

    it("every depth: nested levels and each element of a list, with its path, in the order given", () => {
        const found = unknownKeysDeep(
            {
                models: [
                    { name: "a", path: "p" },
                    { name: "b", pth: "p" },
                ],
                endpoint: { instanceCont: 2, autoscaling: { maxCapcity: 3 } },
                tagz: {},
            },
            ARGS,
        );
        assert.deepEqual(
            found.map((u) => [u.path, u.suggestion]),
            [
                ["models[1].pth", "path"],
                ["endpoint.instanceCont", "instanceCount"],
                ["endpoint.autoscaling.maxCapcity", "maxCapacity"],
                ["tagz", "tags"],
            ],
        );
    });

    it("the user's own maps are not walked: any key is theirs", () => {
        assert.deepEqual(unknownKeysDeep({ tags: { anything: "x" }, endpoint: { environment: { MY_VAR: "1" } } }, ARGS), []);
    });

    it("values that are not plain objects are left to the checks of their values", () => {
        class Wrapped {
            constructor(public readonly whatever = 1) {}
        }
        const found = unknownKeysDeep(
            { endpoint: new Wrapped(), models: "iris", tags: null, extra: Promise.resolve({ x: 1 }) } as Record<string, unknown>,
            ARGS,
        );
        assert.deepEqual(
            found.map((u) => u.path),
            ["extra"],
        );
        assert.deepEqual(
            unknownKeysDeep({ endpoint: { autoscaling: [{ x: 1 }] }, models: [null, 7, { nope: 1 }] }, ARGS).map((u) => u.path),
            ["models[2].nope"],
        );
    });

    it("a level whose unknown keys another check names is skipped, and its known keys are still walked", () => {
        const found = unknownKeysDeep(
            { endpoint: { extra: 1, autoscaling: { minCapcity: 1 } } },
            ARGS,
            "",
            new Set([ENDPOINT as KeyTable]),
        );
        assert.deepEqual(
            found.map((u) => u.path),
            ["endpoint.autoscaling.minCapcity"],
        );
    });
});
