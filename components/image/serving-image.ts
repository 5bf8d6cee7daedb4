import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { contextTag } from "../../core/archive/context-hash";
import { type BuildImage, type ExistingImage, imageDefaults } from "./defaults";

/** @internal What the endpoint needs to know about its serving image. */
export interface ServingImage {
    /** The URI SageMaker pulls: content-tagged when built here. */
    uri: pulumi.Output<string>;
    /** What identifies the image's content before it exists: the content tag, or the given URI. */
    contentKey: string;
    /** The repository the endpoint's role may pull from, when there is one it should be allowed to. */
    repositoryArn?: pulumi.Input<string>;
    /** Whether the image lives in a private ECR registry, which SageMaker pulls from with the role's token. */
    inEcr: boolean;
    /** Grants a role pull access through the repository's own policy; undefined for an existing image. */
    allowPull?: (roleArn: pulumi.Input<string>) => pulumi.Resource;
}

/** @internal Days an untagged image stays in the repository before its lifecycle policy expires it. */
export const UNTAGGED_IMAGE_DAYS = 30;

/**
 * @internal The repository's lifecycle policy: keep the last `keepImages` content-tagged images, and expire an
 * untagged image only once it is `UNTAGGED_IMAGE_DAYS` old. SageMaker resolves the tag to a digest when it
 * deploys, so a push of the same tag with another digest leaves the digest SageMaker runs untagged; a
 * count over all images ("tagStatus": "any") could expire it at the next pushes and break scale-out. Rules
 * and their fields: "Lifecycle policy properties in Amazon ECR" (Amazon ECR User Guide).
 */
export function lifecyclePolicy(keepImages: number): string {
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: `keep the last ${keepImages} tagged images`,
                selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keepImages },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `expire untagged images after ${UNTAGGED_IMAGE_DAYS} days`,
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: UNTAGGED_IMAGE_DAYS },
                action: { type: "expire" },
            },
        ],
    });
}

/**
 * @internal Whether an image URI names a private ECR repository: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repo>`,
 * the registry form of "Amazon ECR private registry" (Amazon ECR User Guide).
 */
export function isEcrImageUri(uri: string): boolean {
    return /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[^/]/.test(uri);
}

/**
 * @internal The serving image: an existing URI as given, or an ECR repository (scan on push, force delete,
 * keeping the last `keepImages` tagged images) with the image built from the context and pushed, tagged with
 * the context's content hash.
 */
export function servingImage(
    name: string,
    image: BuildImage | ExistingImage,
    tags: { [key: string]: string },
    parent: pulumi.Resource,
): ServingImage {
    if (image.kind === "existing") {
        return {
            uri: pulumi.output(image.uri),
            contentKey: image.uri,
            repositoryArn: image.repositoryArn,
            inEcr: isEcrImageUri(image.uri),
        };
    }
    // ECR repository names must be lower case; auto-naming keeps the logical name's case, so lower it here.
    const repository = new aws.ecr.Repository(
        `${name.toLowerCase()}-repo`,
        {
            imageScanningConfiguration: { scanOnPush: true },
            forceDelete: true,
            tags,
        },
        { parent },
    );
    new aws.ecr.LifecyclePolicy(
        `${name}-repo-lifecycle`,
        { repository: repository.name, policy: lifecyclePolicy(image.keepImages) },
        { parent },
    );
    const credentials = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent });
    // The platform is part of what is built, so of the tag; the default one adds nothing, so the tag of an image
    // for linux/amd64 is the local image's (`npm run image`) and what it was before the platform counted.
    const tag = contextTag(image.context, image.dockerfile, image.platform === imageDefaults().platform ? undefined : image.platform);
    const built = new dockerBuild.Image(
        `${name}-image`,
        {
            context: { location: image.context },
            dockerfile: image.dockerfile ? { location: image.dockerfile } : undefined,
            // SageMaker pulls only Docker image manifests (v2, schema 2): it rejects OCI image manifests and
            // indexes ("Unsupported manifest media type application/vnd.oci.image.manifest.v1+json",
            // aws/amazon-sagemaker-feedback issue 180). So: one platform (several would make an index); the
            // registry exporter with OCI media types off, said outright rather than left to BuildKit's default
            // ("Image and registry exporters", Docker docs); no attestation, which would turn OCI media types on
            // (moby/buildkit PR 3061): the provider's embedded build disables default provenance
            // (pulumi-docker-build provider/internal/client.go) and requests no SBOM, while `exec: true`, which
            // shells out to a buildx that adds provenance by default, is never set.
            platforms: [image.platform as dockerBuild.Platform],
            // The registry export pushes (its push defaults to true); `push: true` would add a second, bare one.
            exports: [{ registry: { ociMediaTypes: false } }],
            push: false,
            tags: [pulumi.interpolate`${repository.repositoryUrl}:${tag}`],
            registries: [
                {
                    address: credentials.proxyEndpoint,
                    username: credentials.userName,
                    password: pulumi.secret(credentials.password),
                },
            ],
        },
        { parent },
    );
    return {
        // The content tag, not the digest: the tag changes exactly when the context does, while a rebuild of
        // the same context (Docker builds are not byte-reproducible) would give a new digest and so a new
        // SageMaker model on an update that changed nothing. Derived from the image's output so SageMaker
        // waits for the push.
        uri: pulumi.all([repository.repositoryUrl, built.ref]).apply(([url]) => `${url}:${tag}`),
        contentKey: tag,
        repositoryArn: repository.arn,
        inEcr: true,
        allowPull: (roleArn) =>
            new aws.ecr.RepositoryPolicy(
                `${name}-repo-policy`,
                {
                    repository: repository.name,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "EndpointRolePull",
                                Effect: "Allow",
                                Principal: { AWS: roleArn },
                                Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                            },
                        ],
                    }),
                },
                { parent },
            ),
    };
}
