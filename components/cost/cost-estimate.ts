/**
 * @internal The endpoint's cost estimate, read at deploy time from AWS's Price List Query API
 * (`aws.pricing.getProduct`): the on-demand hourly price of the instance type in the endpoint's region, times
 * the instance counts autoscaling may reach. An estimate: it leaves out storage, data transfer, requests to
 * API Gateway and Lambda, and any savings plan. It never blocks a deploy: the data source fails when its
 * filters match no product or more than one (terraform-provider-aws internal/service/pricing/product_data_source.go:
 * "Pricing product query did not return any elements", "not precise enough"), and the deployer may lack
 * `pricing:GetProducts`; the output then says why there is no figure.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../settings/settings";

/** @internal Hours in the month the estimate multiplies by: 365 × 24 / 12, the month AWS's pricing pages use. */
export const HOURS_PER_MONTH = 730;

/**
 * @internal The region the Price List API answers in: it is served from us-east-1, eu-central-1 and ap-south-1
 * only ("Using the AWS Price List Query API", AWS Billing User Guide), and the provider's data source is "only
 * available in a us-east-1 or ap-south-1 provider" (pulumi-aws, aws.pricing.getProduct).
 */
export const PRICE_LIST_REGION = "us-east-1";

/** @internal The service code of SageMaker in the Price List. */
export const SAGEMAKER_SERVICE_CODE = "AmazonSageMaker";

/** The estimate ModelApi outputs as `costEstimate`. Prices in US dollars, on-demand, before tax. */
export interface CostEstimate {
    /** Whether an hourly figure was found; false for serverless endpoints and when the Price List gave none. */
    available: boolean;
    /** "instances" (billed per instance-hour) or "usage" (billed per request: serverless). */
    basis: string;
    /** What the figures mean, or why there are none. */
    note: string;
    /** The currency of every figure: "USD". */
    currency: string;
    /** The instance type priced. */
    instanceType?: string;
    /** The endpoint's region, in which the instance type is priced. */
    region?: string;
    /** The on-demand price of one instance for one hour. */
    hourlyPerInstance?: number;
    /** The fewest instances the endpoint runs: 0 for an asynchronous endpoint that scales to zero. */
    instancesMin?: number;
    /** The most instances autoscaling may start. */
    instancesMax?: number;
    /** The cost of a month (730 hours) at the fewest instances. */
    monthlyAtMin?: number;
    /** The cost of a month (730 hours) at the most instances. */
    monthlyAtMax?: number;
    /** The Price List's SKU the figure comes from. */
    sku?: string;
    /** When the Price List published the figure. */
    publicationDate?: string;
}

/**
 * @internal The Price List filters (every one a TERM_MATCH) that name one SageMaker hosting instance type in
 * one region; the attribute names are those of the AmazonSageMaker offer file (`productFamily` "ML Instance",
 * `component` "Hosting", `regionCode`, `instanceName`).
 */
export function priceFilters(region: string, instanceType: string): { field: string; value: string }[] {
    return [
        { field: "productFamily", value: "ML Instance" },
        { field: "component", value: "Hosting" },
        { field: "regionCode", value: region },
        { field: "instanceName", value: instanceType },
    ];
}

/**
 * @internal The hourly on-demand price in one Price List product (`GetProducts`' PriceList entry: `terms.OnDemand`,
 * keyed by opaque offer codes, each with `priceDimensions` keyed by rate codes). Of several hourly dimensions
 * the highest positive is the on-demand rate. Throws with what is missing.
 */
export function hourlyPrice(product: unknown): { usd: number; sku?: string; publicationDate?: string } {
    const p = product as {
        product?: { sku?: string };
        publicationDate?: string;
        terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string } }> }> };
    };
    const prices = Object.values(p.terms?.OnDemand ?? {})
        .flatMap((offer) => Object.values(offer.priceDimensions ?? {}))
        .filter((dimension) => dimension.unit === "Hrs")
        .map((dimension) => Number(dimension.pricePerUnit?.USD))
        .filter((usd) => Number.isFinite(usd) && usd > 0);
    if (prices.length === 0) {
        throw new Error("the product has no on-demand hourly price in USD");
    }
    return { usd: Math.max(...prices), sku: p.product?.sku, publicationDate: p.publicationDate };
}

/** @internal Rounded to the cent for monthly figures, to 1/10000 of a dollar for the hourly one. */
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** @internal The estimate from an hourly price and the instance counts. */
export function instanceEstimate(
    price: { usd: number; sku?: string; publicationDate?: string },
    instanceType: string,
    region: string,
    instancesMin: number,
    instancesMax: number,
    scalesToZero: boolean,
): CostEstimate {
    return {
        available: true,
        basis: "instances",
        note: scalesToZero
            ? "An estimate: asynchronous and billed per instance-hour while instances run; with scale to zero an idle endpoint " +
              "costs nothing, so the bill lies between monthlyAtMin and monthlyAtMax by the hours instances run."
            : "An estimate: on-demand instance-hours of the endpoint only (no storage, data transfer, API Gateway or Lambda).",
        currency: "USD",
        instanceType,
        region,
        hourlyPerInstance: round(price.usd, 4),
        instancesMin,
        instancesMax,
        monthlyAtMin: round(price.usd * instancesMin * HOURS_PER_MONTH, 2),
        monthlyAtMax: round(price.usd * instancesMax * HOURS_PER_MONTH, 2),
        sku: price.sku,
        publicationDate: price.publicationDate,
    };
}

/** @internal The estimate without a figure, and why. */
export function unavailableEstimate(basis: string, note: string): CostEstimate {
    return { available: false, basis, note, currency: "USD" };
}

/**
 * @internal The `costEstimate` output. A serverless endpoint is billed by usage and has no hourly figure; for
 * instances the Price List is asked through a provider of its own in its region, a child of the component.
 */
export function costEstimate(name: string, settings: Settings, parent: pulumi.Resource): pulumi.Output<CostEstimate> {
    const endpoint = settings.endpoint;
    if (endpoint.serverless) {
        return pulumi.output(
            unavailableEstimate(
                "usage",
                "Serverless endpoints are billed by usage (compute time per request and memory size, and data processed), not per hour.",
            ),
        );
    }
    const scaling = endpoint.autoscaling;
    const instancesMin = scaling ? scaling.minCapacity : endpoint.instanceCount;
    const instancesMax = scaling ? scaling.maxCapacity : endpoint.instanceCount;
    const scalesToZero = instancesMin === 0;
    // An explicit provider does not read the stack's aws:* settings; the profile is passed on when set.
    const provider = new aws.Provider(`${name}-pricing`, { region: PRICE_LIST_REGION, profile: aws.config.profile }, { parent });
    const estimate = aws
        .getRegion({}, { parent })
        .then(async (current) => {
            const region = current.region;
            const product = await aws.pricing.getProduct(
                { serviceCode: SAGEMAKER_SERVICE_CODE, filters: priceFilters(region, endpoint.instanceType) },
                { parent, provider },
            );
            return instanceEstimate(
                hourlyPrice(JSON.parse(product.result)),
                endpoint.instanceType,
                region,
                instancesMin,
                instancesMax,
                scalesToZero,
            );
        })
        .catch((err: unknown) => {
            const reason = errorText(err);
            void pulumi.log.warn(`ModelApi "${name}": no cost estimate from the AWS Price List: ${reason}`, parent);
            return unavailableEstimate("instances", `No estimate: the AWS Price List gave no single hourly price (${reason}).`);
        });
    return pulumi.output(estimate);
}

/** An invoke's failure as one line: the message, or what the engine's error carries (a gRPC error has `details`). */
function errorText(err: unknown): string {
    const e = err as { message?: string; details?: string };
    return (e?.message || e?.details || String(err)).split("\n")[0];
}
