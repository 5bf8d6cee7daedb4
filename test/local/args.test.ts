import { strict as assert } from "assert";
import * as path from "path";
import { DEFAULT_PORT, parseArgs, parseModel } from "../../local/args";

const REPO = path.resolve(__dirname, "..", "..");

describe("local twin: command line", () => {
    it("defaults: port 3000, one worker, no models (the example), no fixed key", () => {
        const opts = parseArgs([], {});
        assert.equal(opts.port, DEFAULT_PORT);
        assert.equal(opts.workers, 1);
        assert.deepEqual(opts.models, []);
        assert.equal(opts.apiKey, undefined);
        assert.equal(opts.multiModel, false);
        assert.equal(opts.image, undefined);
        assert.equal(opts.localImage, false);
    });

    it("reads every option, in both --flag value and --flag=value forms", () => {
        const opts = parseArgs(
            ["--multi-model", "--port=0", "--api-key", "k", "--image", "img:1", "--workers", "2", "a=./m1", "./m2.tar.gz"],
            {},
        );
        assert.equal(opts.multiModel, true);
        assert.equal(opts.port, 0);
        assert.equal(opts.apiKey, "k");
        assert.equal(opts.image, "img:1");
        assert.equal(opts.localImage, false);
        assert.equal(opts.workers, 2);
        assert.deepEqual(opts.models, [
            { name: "a", path: path.resolve("m1") },
            { name: "m2", path: path.resolve("m2.tar.gz") },
        ]);
    });

    it("resolves model paths from where npm was run (INIT_CWD), not the package root", () => {
        assert.deepEqual(parseArgs(["./m", "--multi-model", "b=../b.tar.gz"], { INIT_CWD: "/home/u/work" }).models, [
            { name: "m", path: "/home/u/work/m" },
            { name: "b", path: "/home/u/b.tar.gz" },
        ]);
    });

    it("takes the API key from MODELAPI_API_KEY unless --api-key is given", () => {
        assert.equal(parseArgs([], { MODELAPI_API_KEY: "fromenv" }).apiKey, "fromenv");
        assert.equal(parseArgs(["--api-key", "flag"], { MODELAPI_API_KEY: "fromenv" }).apiKey, "flag");
    });

    it("names a model after its directory or archive, and keeps a path with = as a path", () => {
        assert.equal(parseModel("/x/models/iris").name, "iris");
        assert.equal(parseModel("/x/iris.tgz").name, "iris");
        assert.deepEqual(parseModel("./a=b/model"), { name: "model", path: path.resolve("a=b/model") });
    });

    describe("--image with or without a value", () => {
        const base = { INIT_CWD: REPO };
        it("alone, asks for the image built from container/", () => {
            const opts = parseArgs(["--image"], base);
            assert.equal(opts.localImage, true);
            assert.equal(opts.image, undefined);
        });

        it("followed by a model path, a name=path or an archive, serves that model from the local image", () => {
            for (const [argv, name] of [
                [["--image", "./m"], "m"],
                [["--image", "iris=m"], "iris"],
                [["--image", "m.tar.gz"], "m"],
                [["--image", "container"], "container"], // an existing directory is a model, not an image
            ] as const) {
                const opts = parseArgs([...argv], base);
                assert.equal(opts.localImage, true, argv.join(" "));
                assert.equal(opts.image, undefined, argv.join(" "));
                assert.deepEqual(
                    opts.models.map((m) => m.name),
                    [name],
                    argv.join(" "),
                );
            }
        });

        it("followed by an image reference, or as --image=IMAGE, runs that image", () => {
            const spaced = parseArgs(["--image", "myteam/serving:1", "./m"], base);
            assert.equal(spaced.image, "myteam/serving:1");
            assert.equal(spaced.localImage, false);
            assert.deepEqual(
                spaced.models.map((m) => m.name),
                ["m"],
            );
            assert.equal(parseArgs(["--image=container"], base).image, "container");
        });

        it("followed by another option, asks for the local image and reads that option", () => {
            const opts = parseArgs(["--image", "--port", "0"], base);
            assert.equal(opts.localImage, true);
            assert.equal(opts.port, 0);
        });
    });

    it("reads --async as an asynchronous endpoint, off by default", () => {
        assert.equal(parseArgs(["--async", "./m"], {}).async, true);
        assert.equal(parseArgs(["./m"], {}).async, false);
    });

    it("reads arguments after -- as models, even when they look like options", () => {
        assert.throws(() => parseArgs(["--", "--port"], {}), /model name "--port" is not valid/);
    });

    const refused: Array<[string, string[], RegExp]> = [
        ["several models without --multi-model", ["a", "b"], /2 models were given; serving several needs --multi-model/],
        [
            "two models with one name",
            ["--multi-model", "x=a", "x=b"],
            /model name "x" is used more than once; model names must be unique; name them apart with name=path/,
        ],
        ["a name that is not a valid archive name", ["bad name=./m"], /model name "bad name" is not valid/],
        ["a name with a dot", ["--multi-model", "a.b=./m"], /model name "a\.b" is not valid/],
        ["a name with an underscore", ["--multi-model", "a_b=./m"], /model name "a_b" is not valid/],
        ["a name ending in a hyphen", ["--multi-model", "a-=./m"], /model name "a-" is not valid/],
        ["a name over 63 characters", ["--multi-model", `${"a".repeat(64)}=./m`], /is not valid/],
        ["a directory whose name cannot be a model name", ["./my.model"], /give one: name=\.\/my\.model/],
        ["an unknown option", ["--verbose"], /unknown option --verbose/],
        [
            "an asynchronous multi-model endpoint, which SageMaker has not",
            ["--async", "--multi-model", "a=./m"],
            /--async and --multi-model cannot be combined/,
        ],
        ["a port out of range", ["--port", "70000"], /--port must be a whole number from 0 to 65535/],
        ["an option without its value", ["--api-key"], /--api-key needs a value/],
        ["an empty value", ["--api-key="], /--api-key needs a value/],
        ["an option where a value belongs", ["--port", "--workers", "2"], /--port needs a value/],
        ["a value for a switch", ["--multi-model=yes"], /--multi-model takes no value, got "yes"/],
        ["an unknown short option", ["-x"], /unknown option -x; see --help/],
        ["a worker count of 0", ["--workers", "0"], /--workers must be a whole number from 1 to 64, got "0"/],
    ];
    for (const [what, argv, message] of refused) {
        it(`refuses ${what}`, () => {
            assert.throws(() => parseArgs(argv, {}), message);
        });
    }
});

describe("local twin: command line, model variants", () => {
    const env = { INIT_CWD: REPO };
    const refused = (argv: string[], pattern: RegExp) => assert.throws(() => parseArgs(argv, env), pattern);

    it("reads weighted variants and a shadow, paths resolved from where npm was run, the shadow's share 100 % by default", () => {
        const opts = parseArgs(["--variant", "v1=./models/v1:90", "--variant=v2=models/v2.tar.gz:10"], env);
        assert.deepEqual(opts.variants, [
            { name: "v1", path: path.join(REPO, "models/v1"), weight: 90 },
            { name: "v2", path: path.join(REPO, "models/v2.tar.gz"), weight: 10 },
        ]);
        assert.equal(opts.shadow, undefined);
        const shadowed = parseArgs(["--variant", "v1=./m1:1", "--shadow", "v3=./m3"], env);
        assert.deepEqual(shadowed.shadow, { name: "v3", path: path.join(REPO, "m3"), percent: 100 });
        assert.equal(parseArgs(["--shadow", "v3=./m3:25", "./m1"], env).shadow?.percent, 25);
    });

    it("without --variant or --shadow, serves MODEL as before with no variants", () => {
        const opts = parseArgs(["./m1"], env);
        assert.deepEqual([opts.variants, opts.shadow], [[], undefined]);
    });

    it("refuses a variant name SageMaker would refuse, naming it", () => {
        refused(["--variant", "v_1=./m:1"], /"v_1" cannot be a variant name/);
        refused(["--variant=-v=./m:1"], /"-v" cannot be a variant name/);
        refused(["--shadow", `${"a".repeat(64)}=./m`, "./m1"], /cannot be a variant name/);
        refused(["--variant", "./m:1"], /--variant .* is not NAME=PATH:WEIGHT/);
    });

    it("refuses the same variant name twice, ignoring case, the shadow's included", () => {
        refused(["--variant", "v1=./a:1", "--variant", "v1=./b:1"], /"v1" is given twice/);
        refused(["--variant", "v1=./a:1", "--shadow", "V1=./b"], /"V1" is given twice/);
    });

    it("refuses a missing, fractional, negative or all-zero weight and a percent outside 1 to 100", () => {
        refused(["--variant", "v1=./a"], /needs a weight after the path: v1=\.\/a:WEIGHT/);
        refused(["--variant", "v1=./a:"], /needs a weight/);
        refused(["--variant", "v1=./a:1.5"], /weight must be a whole number 0 or more, got "1.5"/);
        refused(["--variant", "v1=./a:-3"], /weight must be a whole number/);
        refused(["--variant", "v1=./a:0", "--variant", "v2=./b:0"], /weights are all 0/);
        refused(["--shadow", "v3=./c:0", "./m"], /percent must be a whole number from 1 to 100, got "0"/);
        refused(["--shadow", "v3=./c:101", "./m"], /got "101"/);
        refused(["--shadow", "v3=./c:half", "./m"], /got "half"/);
    });

    it("refuses a shadow beside more than one variant, variants with --multi-model or MODEL, and a second --shadow", () => {
        refused(["--variant", "v1=./a:9", "--variant", "v2=./b:1", "--shadow", "v3=./c"], /beside exactly one/);
        refused(["--multi-model", "--variant", "v1=./a:1"], /--variant cannot be combined with --multi-model/);
        refused(["--multi-model", "--shadow", "v3=./c", "a=./a"], /--shadow cannot be combined with --multi-model/);
        refused(["--variant", "v1=./a:1", "./m"], /MODEL .* cannot be given beside it/);
        refused(["--shadow", "v3=./c", "--shadow", "v4=./d", "./m"], /--shadow was given twice/);
    });

    it("refuses variants and a shadow on an asynchronous endpoint, which SageMaker does not offer", () => {
        refused(["--async", "--variant", "v1=./a:1"], /--variant cannot be combined with --async/);
        refused(["--async", "--shadow", "v3=./c", "./m"], /--shadow cannot be combined with --async/);
    });
});
