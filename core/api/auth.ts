/**
 * How callers authenticate to the API, as the documents describe it. The component's public `ApiAuth`
 * (components/args.ts) has exactly these values; the component passes its setting here, so a value
 * added there and not here fails to compile.
 */
export type AuthScheme = "apiKey" | "iam" | "none";
