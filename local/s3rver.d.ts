/** The part of @20minutes/s3rver (no types of its own) the local twin uses. */
declare module "@20minutes/s3rver" {
    import type { Server } from "http";
    import type { AddressInfo } from "net";

    interface S3rverOptions {
        address?: string;
        port?: number;
        silent?: boolean;
        directory?: string;
        resetOnClose?: boolean;
        vhostBuckets?: boolean;
        configureBuckets?: Array<{ name: string }>;
    }

    class S3rver {
        constructor(options: S3rverOptions);
        httpServer?: Server;
        run(): Promise<AddressInfo>;
        close(): Promise<void>;
    }

    export = S3rver;
}
