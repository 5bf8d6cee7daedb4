/** @internal Checks of `image`: an existing image or one to build, never a mix of both. */
import type { ModelApiArgs } from "../args";
import type { Report } from "../checks";

/** @internal Reports every `image` setting that cannot be. */
export function validateImage(args: ModelApiArgs, report: Report): void {
    const image = args.image ?? {};
    if (image.uri !== undefined) {
        if (image.context !== undefined) {
            report("image.context", `and image.uri cannot both be set`);
        }
        for (const key of ["dockerfile", "platform", "keepImages"] as const) {
            if (image[key] !== undefined) {
                report(`image.${key}`, `cannot be combined with image.uri: nothing is built for an existing image`);
            }
        }
    } else if (image.repositoryArn !== undefined) {
        report("image.repositoryArn", `requires image.uri`);
    }
    if (image.keepImages !== undefined && !(Number.isInteger(image.keepImages) && image.keepImages >= 1)) {
        report("image.keepImages", `must be a positive integer; got ${image.keepImages}`);
    }
}
