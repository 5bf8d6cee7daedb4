/**
 * The cost estimate (components/cost/cost-estimate.ts): a Price List answer becomes hourly and monthly figures
 * for the instance counts the endpoint may run, and a missing or ambiguous answer never blocks a deploy.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { hourlyPrice, instanceEstimate, priceFilters } from "../../../components/cost/cost-estimate";
import { irisFixture } from "../fixtures";
import { build } from "../harness";

describe("ModelApi cost estimate", function () {
    this.timeout(60000);
    const { withEndpoint } = irisFixture();

    before(() => mocks.useMocks());

    it("the mocked Price List answer for ml.m5.large gives 0.115 USD an hour and 83.95 USD a month for one instance", async () => {
        const api = await build("iris", withEndpoint({}));
        const estimate = await mocks.promiseOf(api.costEstimate);
        assert.deepEqual(estimate, {
            available: true,
            basis: "instances",
            note: "An estimate: on-demand instance-hours of the endpoint only (no storage, data transfer, API Gateway or Lambda).",
            currency: "USD",
            instanceType: "ml.m5.large",
            region: "us-east-1",
            hourlyPerInstance: 0.115,
            instancesMin: 1,
            instancesMax: 1,
            monthlyAtMin: 83.95,
            monthlyAtMax: 83.95,
            sku: "SKU123EXAMPLE",
            publicationDate: "2026-11-01T00:00:00Z",
        });
        assert.deepEqual(mocks.lastPriceQuery.filters, priceFilters("us-east-1", "ml.m5.large"));
        assert.match(mocks.lastPriceQuery.provider ?? "", /pulumi:providers:aws::iris-pricing::/);
    });

    it("the Price List is asked through a us-east-1 provider of the component's own", async () => {
        await build("iris", withEndpoint({}));
        assert.equal(mocks.find("pulumi:providers:aws", "iris-pricing").inputs.region, "us-east-1");
    });

    it("an asynchronous endpoint that scales to zero costs nothing at its floor and 4 instances' worth at most", async () => {
        const api = await build("iris", withEndpoint({ async: {} }));
        const estimate = await mocks.promiseOf(api.costEstimate);
        assert.deepEqual([estimate.instancesMin, estimate.instancesMax, estimate.monthlyAtMin, estimate.monthlyAtMax], [0, 4, 0, 335.8]);
        assert.match(estimate.note, /scale to zero an idle endpoint costs nothing/);
    });

    it("a serverless endpoint is noted as usage-based, with no figure and no Price List query", async () => {
        const api = await build("iris", withEndpoint({ serverless: {} }));
        const estimate = await mocks.promiseOf(api.costEstimate);
        assert.deepEqual([estimate.available, estimate.basis, estimate.hourlyPerInstance], [false, "usage", undefined]);
        assert.ok(!mocks.called().includes("aws:pricing/getProduct:getProduct"));
    });

    it("a failing Price List query leaves the estimate unavailable with the reason, and the deploy goes on", async () => {
        mocks.useMocks();
        mocks.reset();
        const { ModelApi } = await import("../../../components");
        mocks.priceList.answer = new Error("Pricing product query not precise enough");
        const api = new ModelApi("iris", withEndpoint({}), { transformations: [mocks.recordParents] });
        const estimate = await mocks.promiseOf(api.costEstimate);
        assert.equal(estimate.available, false);
        // The mock monitor passes the invoke's failure on without its message; the provider's would name it.
        assert.match(estimate.note, /^No estimate: the AWS Price List gave no single hourly price/);
        await mocks.settle();
        assert.ok(mocks.findAll("aws:sagemaker/endpoint:Endpoint").length === 1);
    });

    it("of several hourly dimensions the highest positive is the on-demand rate; none at all is an error", () => {
        const product = (...usd: string[]) => ({
            terms: {
                OnDemand: {
                    a: { priceDimensions: Object.fromEntries(usd.map((u, i) => [`d${i}`, { unit: "Hrs", pricePerUnit: { USD: u } }])) },
                },
            },
        });
        assert.equal(hourlyPrice(product("0.0000000000", "0.2300000000", "0.1150000000")).usd, 0.23);
        assert.throws(() => hourlyPrice(product("0.0000000000")), /no on-demand hourly price/);
        assert.throws(() => hourlyPrice({}), /no on-demand hourly price/);
    });

    it("an endpoint idle 20 hours a day costs a sixth of one kept running, with scale to zero", () => {
        const price = { usd: 0.115 };
        const running = instanceEstimate(price, "ml.m5.large", "us-east-1", 1, 1, false).monthlyAtMax!;
        // 4 busy hours a day out of 24: one instance for 730 × 4 / 24 hours.
        const busyShare = 4 / 24;
        const scaled = instanceEstimate(price, "ml.m5.large", "us-east-1", 0, 1, true);
        assert.equal(running, 83.95);
        assert.equal(Math.round(scaled.monthlyAtMax! * busyShare * 100) / 100, 13.99);
        assert.equal(scaled.monthlyAtMin, 0);
    });
});
