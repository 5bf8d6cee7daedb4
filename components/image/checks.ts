/** @internal Checks of `image`: an existing image or one to build, never a mix of both. */
import type { ModelApiArgs } from "../args";
import type { Fail } from "../checks";

/** @internal Reports through `fail` the first `image` setting that cannot be. */
export function validateImage(args: ModelApiArgs, fail: Fail): void {
    const image = args.image ?? {};
    if (image.uri !== undefined) {
        if (image.context !== undefined) {
            fail(`image.context and image.uri cannot both be set`);
        }
        const buildOnly = (["dockerfile", "platform", "keepImages"] as const).filter((k) => image[k] !== undefined);
        if (buildOnly.length > 0) {
            fail(`image.${buildOnly[0]} cannot be combined with image.uri: nothing is built for an existing image`);
        }
    } else if (image.repositoryArn !== undefined) {
        fail(`image.repositoryArn requires image.uri`);
    }
    if (image.keepImages !== undefined && !(Number.isInteger(image.keepImages) && image.keepImages >= 1)) {
        fail(`image.keepImages must be a positive integer; got ${image.keepImages}`);
    }
}
