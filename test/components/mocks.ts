/**
 * Pulumi mocks for the component tests: every registered resource is recorded as {type, name, inputs,
 * parent}, provider functions the component calls are answered with fixed values, and outputs are
 * computed the way AWS would name things, so tests can compare ARNs across resources.
 *
 * Import this module before the code under test (mocha loads every test file first, and another file
 * may install mocks of its own: call `useMocks()` in a `before` hook to put these back).
 */
import * as pulumi from "@pulumi/pulumi";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

/**
 * A Price List answer for ml.m5.large hosting in us-east-1, in the shape GetProducts returns (offer and rate codes
 * are opaque keys): what `aws.pricing.getProduct`'s `result` holds.
 */
export const PRICE_LIST_PRODUCT = {
    product: {
        productFamily: "ML Instance",
        attributes: { component: "Hosting", regionCode: REGION, instanceName: "ml.m5.large", servicecode: "AmazonSageMaker" },
        sku: "SKU123EXAMPLE",
    },
    serviceCode: "AmazonSageMaker",
    terms: {
        OnDemand: {
            "SKU123EXAMPLE.JRTCKXETXF": {
                priceDimensions: {
                    "SKU123EXAMPLE.JRTCKXETXF.6YS6EN2CT7": {
                        unit: "Hrs",
                        pricePerUnit: { USD: "0.1150000000" },
                        description: "$0.115 per Hosting ml.m5.large hour in US East (N. Virginia)",
                    },
                },
            },
        },
    },
    version: "20261101000000",
    publicationDate: "2026-11-01T00:00:00Z",
};

/** What the Price List answers next, or an error to throw; reset() puts the fixture back. */
export const priceList: { answer: object | Error } = { answer: PRICE_LIST_PRODUCT };
/** The filters of the last Price List query, and the region of the provider it went through. */
export const lastPriceQuery: { filters?: { field: string; value: string }[]; provider?: string } = {};

/** One registered resource, as the mock monitor saw it, plus the parent its options named. */
export interface Recorded {
    type: string;
    name: string;
    inputs: any;
    /** The parent resource object from the resource's options (undefined for top-level resources). */
    parent?: pulumi.Resource;
    resource?: pulumi.Resource;
}

const registered: Recorded[] = [];
/** The provider functions the program called, by token, in order. */
const calls: string[] = [];

/**
 * What AWS reports as an endpoint's live EndpointConfig, by endpoint name, where a test makes it differ from
 * the one deployed (a rolled-back update). Otherwise the endpoint runs the config it was given.
 */
export const liveEndpointConfigs = new Map<string, string>();
const seen: Recorded[] = [];

function outputsFor(type: string, name: string, inputs: any): Record<string, any> {
    const physical = inputs.name ?? `${name}-1234567`;
    const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
    switch (type) {
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? `${name.toLowerCase()}-1234567`;
            return { bucket, arn: `arn:aws:s3:::${bucket}` };
        }
        case "aws:s3/bucketObjectv2:BucketObjectv2":
            return { etag: "etag" };
        case "aws:ecr/repository:Repository":
            return {
                name: physical,
                arn: arn("ecr", `repository/${physical}`),
                registryId: ACCOUNT,
                repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${physical}`,
            };
        case "docker-build:index:Image":
            return { digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", ref: "ref", contextHash: "hash" };
        case "aws:iam/role:Role":
            return { name: physical, arn: `arn:aws:iam::${ACCOUNT}:role/${physical}` };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { name: physical, arn: arn("logs", `log-group:${physical}`) };
        case "aws:sagemaker/model:Model":
            return { name: physical, arn: arn("sagemaker", `model/${physical}`) };
        case "aws:sagemaker/endpointConfiguration:EndpointConfiguration":
            return { name: physical, arn: arn("sagemaker", `endpoint-config/${physical}`) };
        case "aws:sagemaker/endpoint:Endpoint":
            return { name: physical, arn: arn("sagemaker", `endpoint/${physical.toLowerCase()}`) };
        case "aws:lambda/function:Function":
            return {
                name: physical,
                arn: arn("lambda", `function:${physical}`),
                invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn("lambda", `function:${physical}`)}/invocations`,
            };
        case "aws:apigateway/restApi:RestApi":
            return { name: physical, rootResourceId: "root123", executionArn: arn("execute-api", "api123") };
        case "aws:sns/topic:Topic":
            return { name: physical, arn: arn("sns", physical) };
        case "aws:appautoscaling/policy:Policy":
            return { arn: arn("autoscaling", `scalingPolicy:${name}`) };
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return { name: physical, arn: arn("cloudwatch", `alarm:${physical}`) };
        case "aws:cloudwatch/dashboard:Dashboard":
            return { dashboardArn: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${inputs.dashboardName}` };
        case "aws:apigateway/stage:Stage":
            return { invokeUrl: `https://api123.execute-api.${REGION}.amazonaws.com/${inputs.stageName}` };
        case "aws:apigateway/apiKey:ApiKey":
            return { value: "the-api-key-value" };
        // The awsx VPC is a remote component: these stand for the outputs its provider would report.
        case "awsx:ec2:Vpc":
            return { vpcId: "vpc-0123", isolatedSubnetIds: ["subnet-0a1", "subnet-0b2"], privateSubnetIds: [], publicSubnetIds: [] };
        case "aws:ec2/securityGroup:SecurityGroup":
            return { arn: arn("ec2", `security-group/sg-${name}`) };
        case "aws:ec2/vpcEndpoint:VpcEndpoint":
            return { prefixListId: inputs.vpcEndpointType === "Gateway" ? "pl-63a5400a" : undefined };
        default:
            return {};
    }
}

const mocks: pulumi.runtime.Mocks = {
    newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: { ...args.inputs, ...outputsFor(args.type, args.name, args.inputs) } };
    },
    call(args: pulumi.runtime.MockCallArgs) {
        calls.push(args.token);
        switch (args.token) {
            case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
                return { proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`, userName: "AWS", password: "token" };
            case "aws:cloudcontrol/getResource:getResource": {
                const endpoint = registered.find(
                    (r) =>
                        r.type === "aws:sagemaker/endpoint:Endpoint" && outputsFor(r.type, r.name, r.inputs).arn === args.inputs.identifier,
                );
                if (args.inputs.typeName !== "AWS::SageMaker::Endpoint" || !endpoint) {
                    throw new Error(`no ${args.inputs.typeName} ${args.inputs.identifier}`);
                }
                const live = liveEndpointConfigs.get(endpoint.inputs.name) ?? endpoint.inputs.endpointConfigName;
                return { properties: JSON.stringify({ EndpointName: endpoint.inputs.name, EndpointConfigName: live }) };
            }
            case "aws:ec2/getVpcEndpointService:getVpcEndpointService":
                return { serviceName: `com.amazonaws.${REGION}.${args.inputs.service}`, serviceType: args.inputs.serviceType };
            case "aws:ec2/getRouteTables:getRouteTables":
                return { ids: ["rtb-0a1", "rtb-0b2"], vpcId: args.inputs.vpcId };
            case "aws:index/getRegion:getRegion":
                return { region: REGION, name: REGION, id: REGION };
            case "aws:pricing/getProduct:getProduct": {
                lastPriceQuery.filters = args.inputs.filters;
                lastPriceQuery.provider = args.provider;
                if (priceList.answer instanceof Error) {
                    throw priceList.answer;
                }
                return { result: JSON.stringify(priceList.answer), serviceCode: args.inputs.serviceCode, filters: args.inputs.filters };
            }
            case "aws:s3/getBucket:getBucket":
                return { bucket: args.inputs.bucket, arn: `arn:aws:s3:::${args.inputs.bucket}`, id: args.inputs.bucket };
            default:
                throw new Error(`unexpected provider function ${args.token}`);
        }
    },
};

/**
 * Installs these mocks as the Pulumi runtime's (again, if another test file replaced them): as `pulumi up`
 * runs the program, or as `pulumi preview` does with `preview` true.
 */
export function useMocks(preview = false): void {
    void pulumi.runtime.setMocks(mocks, "modelapi", "test", preview, "org");
}
useMocks();

/**
 * A transformation to pass in the component's options: it sees the component and every child the
 * component creates with a parent, and records each child's parent.
 */
export const recordParents: pulumi.ResourceTransformation = (args) => {
    seen.push({ type: args.type, name: args.name, inputs: args.props, parent: args.opts.parent, resource: args.resource });
    return undefined;
};

/** Forgets everything recorded so far; call before each build. */
export function reset(): void {
    priceList.answer = PRICE_LIST_PRODUCT;
    delete lastPriceQuery.filters;
    delete lastPriceQuery.provider;
    registered.length = 0;
    seen.length = 0;
    calls.length = 0;
}

/** The tokens of the provider functions called since the last reset. */
export function called(): string[] {
    return calls.slice();
}

/** Waits until every resource the component created has been registered with the mock monitor. */
export async function settle(): Promise<void> {
    let count = -1;
    while (count !== seen.length) {
        count = seen.length;
        await Promise.all(seen.map((r) => (r.resource ? promiseOf(r.resource.urn) : undefined)));
    }
}

/** Every registered resource (custom and component), in registration order. */
export function all(): Recorded[] {
    return registered.slice();
}

/** The resources seen by {@link recordParents}, with their parents. */
export function withParents(): Recorded[] {
    return seen.slice();
}

/** Every registered resource of a type. */
export function findAll(type: string): Recorded[] {
    return registered.filter((r) => r.type === type);
}

/** The one registered resource of a type (and name, when given); throws when there is not exactly one. */
export function find(type: string, name?: string): Recorded {
    const matches = registered.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (matches.length !== 1) {
        const names = findAll(type).map((r) => r.name);
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length} (${names.join(", ") || "none"})`);
    }
    return matches[0];
}

/** The value of an output once it resolves (undefined while unknown). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Whether an output is marked secret. */
export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
    return (output as any).isSecret as Promise<boolean>;
}

/** A JSON policy document input, parsed. */
export function parsePolicy(policy: string): { Statement: any[] } {
    return JSON.parse(policy);
}

/** Every IAM-style policy document among the recorded inputs: role, bucket and repository policies. */
export function policyDocuments(): { owner: string; doc: { Statement: any[] } }[] {
    const types = ["aws:iam/rolePolicy:RolePolicy", "aws:s3/bucketPolicy:BucketPolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy"];
    return registered.filter((r) => types.includes(r.type)).map((r) => ({ owner: r.name, doc: parsePolicy(r.inputs.policy) }));
}

/** Resource ARNs of statements with the given Sid across policy documents of one owner. */
export function statement(owner: string, sid: string): any {
    const doc = policyDocuments().find((d) => d.owner === owner);
    if (!doc) {
        throw new Error(`no policy named ${owner}`);
    }
    const found = doc.doc.Statement.find((s) => s.Sid === sid);
    if (!found) {
        throw new Error(`policy ${owner} has no statement ${sid}`);
    }
    return found;
}

export function asArray<T>(x: T | T[]): T[] {
    return Array.isArray(x) ? x : [x];
}
