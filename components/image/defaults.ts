/** @internal Where the serving image comes from, with its defaults applied. */
import { definedFields, withDefaults } from "../../core/defined";
import { defaultImageContext } from "../../core/package-root";
import type { ImageArgs } from "../args";

/** @internal An image to build and push to a repository of the component's own. */
export interface BuildImage {
    kind: "build";
    context: string;
    dockerfile?: string;
    platform: string;
    keepImages: number;
}

/** @internal An image that already exists. */
export interface ExistingImage {
    kind: "existing";
    uri: string;
    repositoryArn?: string;
}

/** @internal */
export function imageDefaults() {
    return { platform: "linux/amd64", keepImages: 10 };
}

/** @internal `image` with its defaults: an existing image when `uri` is set, else one built from `context`. */
export function imageSettings(image: ImageArgs = {}): BuildImage | ExistingImage {
    if (image.uri !== undefined) {
        return { kind: "existing", uri: image.uri, repositoryArn: image.repositoryArn };
    }
    return {
        kind: "build",
        ...withDefaults(imageDefaults(), { platform: image.platform, keepImages: image.keepImages }),
        ...definedFields({ dockerfile: image.dockerfile }),
        context: image.context ?? defaultImageContext(),
    };
}
