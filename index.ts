/**
 * The package entry point: what `import { ModelApi } from "modelapi"` gives a TypeScript program, and
 * what Pulumi's plugin host loads (and its schema analysis starts from) when another language adds this
 * repository with `pulumi package add`. Every ComponentResource exported from here becomes part of the
 * generated SDKs, so only ModelApi is.
 */
export * from "./components";
