/**
 * @internal The arguments with every default applied, checked first: what the rest of the component builds
 * from. Each folder owns its part's defaults; this is where they are put together.
 */
import { type ApiSettings, apiSettings } from "../api/defaults";
import type { ModelApiArgs, ModelSpec } from "../args";
import { type EndpointSettings, endpointSettings, servedKind } from "../endpoint/defaults";
import { type NetworkSettings, networkSettings } from "../endpoint/network";
import { type BuildImage, type ExistingImage, imageSettings } from "../image/defaults";
import { type MonitoringSettings, monitoringSettings } from "../monitoring/defaults";
import { validateArgs } from "./validate";

/** @internal Every argument with its default applied. */
export interface Settings {
    name: string;
    models: ModelSpec[];
    multiModel: boolean;
    image: BuildImage | ExistingImage;
    endpoint: EndpointSettings;
    api: ApiSettings;
    kmsKeyArn?: string;
    /** Undefined when monitoring is off. */
    monitoring?: MonitoringSettings;
    /** Unset: not in a VPC. */
    network?: NetworkSettings;
    tags: { [key: string]: string };
}

/** @internal Validates `args` (throwing before anything is created), then applies the defaults. */
export function resolveSettings(name: string, args: ModelApiArgs): Settings {
    validateArgs(name, args);
    const endpoint = endpointSettings(args.endpoint);
    return {
        name,
        models: args.models.map((m) => ({ ...m })),
        multiModel: args.multiModel ?? false,
        image: imageSettings(args.image),
        endpoint,
        api: apiSettings(args.api),
        kmsKeyArn: args.artifacts?.kmsKeyArn,
        monitoring: monitoringSettings(args, servedKind(args.endpoint)),
        network: networkSettings(args),
        tags: { ...(args.tags ?? {}) },
    };
}
