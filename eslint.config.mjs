// Lint for the TypeScript sources and tests; formatting is Prettier's job (npm run format:check).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "dist/", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // Unused names hide dead code; a leading underscore marks one kept on purpose (e.g. a signature).
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            // A closure may read a variable that is assigned once, later (e.g. a server started after its client).
            "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
            // A stray .only silently shrinks the suite to a few tests with exit 0.
            "no-restricted-properties": [
                "error",
                { object: "describe", property: "only", message: "a stray .only shrinks the suite" },
                { object: "it", property: "only", message: "a stray .only shrinks the suite" },
            ],
        },
    },
    // The layers (docs/architecture.md): core/ creates no resource and imports no Pulumi package, and the
    // component (components/) and the local twin (local/) share core/ and contract/, never each other.
    {
        files: ["core/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        { regex: "^@pulumi/", message: "core/ creates no resource: Pulumi belongs in components/." },
                        {
                            regex: "(^|/)(components|local)(/|$)",
                            message: "core/ is shared by components/ and local/ and imports neither.",
                        },
                    ],
                },
            ],
        },
    },
    {
        files: ["local/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                { patterns: [{ regex: "(^|/)components(/|$)", message: "local/ uses core/ and contract/, never components/." }] },
            ],
        },
    },
    {
        files: ["components/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                { patterns: [{ regex: "(^|/)local(/|$)", message: "components/ uses core/ and contract/, never local/." }] },
            ],
        },
    },
    {
        files: ["test/**/*.ts"],
        rules: {
            // Tests read untyped JSON (OpenAPI and Postman documents, policies, dashboard bodies) and Pulumi's
            // mock inputs, which Pulumi itself types as any.
            "@typescript-eslint/no-explicit-any": "off",
            // Tests load the code under test after setting Pulumi's mocks or the environment, which a
            // static import would hoist above that set-up.
            "@typescript-eslint/no-require-imports": "off",
        },
    },
);
