/**
 * A real S3-compatible server on 127.0.0.1 for an asynchronous API: @20minutes/s3rver, which verifies
 * SigV4 signatures (headers and presigned URLs) and keeps objects as files under a directory. The Lambda's
 * S3 client reaches it through AWS_ENDPOINT_URL_S3, with the only credentials it knows (S3RVER/S3RVER).
 */
import S3rver from "@20minutes/s3rver";
import { closeServer } from "./close-server";

/** The bucket of the twin's asynchronous API; it stands for the component's artifact bucket. */
export const LOCAL_BUCKET = "modelapi-local";
/** s3rver's only access key and secret. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export class LocalS3 {
    private server?: S3rver;
    url = "";

    /** Serves `bucket` from files under `directory`, on a free port. */
    constructor(
        private readonly directory: string,
        readonly bucket: string = LOCAL_BUCKET,
    ) {}

    async start(): Promise<string> {
        this.server = new S3rver({
            address: "127.0.0.1",
            port: 0,
            silent: true,
            directory: this.directory,
            vhostBuckets: false,
            configureBuckets: [{ name: this.bucket }],
        });
        const address = await this.server.run();
        this.url = `http://127.0.0.1:${address.port}`;
        return this.url;
    }

    /** The environment that points an AWS SDK S3 client at this server. */
    env(): Record<string, string> {
        return {
            AWS_ENDPOINT_URL_S3: this.url,
            AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
        };
    }

    /** The directory holding the object `key` of the bucket, for telling people where their files are. */
    where(): string {
        return `${this.directory}/${this.bucket}`;
    }

    async stop(): Promise<void> {
        const http = this.server?.httpServer;
        this.server = undefined;
        if (http) await closeServer(http);
    }
}
