/**
 * The stack's private network under mocks (the awsx VPC's outputs mocked): one setting creates a VPC with
 * isolated private subnets and the endpoints a network-isolated model needs, and every API joins it.
 */
import * as mocks from "../components/mocks";
import { strict as assert } from "assert";
import { imageContext, modelDir } from "../components/fixtures";
import { ConfigError, planNetwork, planStack, RawConfig } from "../../stacks/config";
import { runStack } from "../../stacks/program";

describe("stack program: private network", function () {
    this.timeout(30000);
    const context = imageContext();
    const iris = modelDir({ "model.joblib": "iris" });
    const raw = (network: unknown, extra: RawConfig = {}): RawConfig => ({
        models: JSON.stringify([{ name: "iris", path: iris }]),
        image: JSON.stringify({ context }),
        network: JSON.stringify(network),
        ...extra,
    });
    const deploy = async (config: RawConfig) => {
        mocks.useMocks();
        mocks.reset();
        const outputs = runStack(planStack(config, "/"), planNetwork(config).vpc) as any;
        // The model's subnets resolve once every endpoint exists, so the graph is complete after them.
        await mocks.promiseOf(outputs.url);
        if (outputs.vpcId) await mocks.promiseOf(outputs.vpcId);
        return outputs;
    };
    const endpoints = () =>
        Object.fromEntries(
            mocks.findAll("aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => [e.inputs.serviceName.split(`${mocks.REGION}.`)[1], e.inputs]),
        );

    it("createVpc makes an awsx VPC with isolated private subnets in two zones and no NAT", async () => {
        const outputs = await deploy(raw({ createVpc: true }));
        const vpc = mocks.find("awsx:ec2:Vpc");
        assert.equal(vpc.name, "modelapi-vpc");
        assert.equal(vpc.inputs.cidrBlock, "10.0.0.0/16");
        assert.equal(vpc.inputs.numberOfAvailabilityZones, 2);
        assert.deepEqual(vpc.inputs.subnetSpecs, [{ type: "Isolated", name: "private" }]);
        assert.deepEqual(vpc.inputs.natGateways, { strategy: "None" });
        assert.equal(vpc.inputs.enableDnsHostnames, true);
        assert.equal(await mocks.promiseOf(outputs.vpcId), "vpc-0123");
    });

    it("adds the S3 gateway endpoint on the private route tables, and ECR api, ECR dkr and Logs interface endpoints", async () => {
        await deploy(raw({ createVpc: true }));
        const found = endpoints();
        assert.deepEqual(Object.keys(found).sort(), ["ecr.api", "ecr.dkr", "logs", "s3"]);
        assert.equal(found.s3.vpcEndpointType, "Gateway");
        assert.deepEqual(found.s3.routeTableIds, ["rtb-0a1", "rtb-0b2"]);
        for (const service of ["ecr.api", "ecr.dkr", "logs"]) {
            assert.equal(found[service].vpcEndpointType, "Interface", service);
            assert.equal(found[service].privateDnsEnabled, true, service);
            assert.deepEqual(found[service].subnetIds, ["subnet-0a1", "subnet-0b2"], service);
            assert.equal(found[service].vpcId, "vpc-0123");
        }
    });

    it("adds the SageMaker runtime endpoint and puts the Lambda inside only with functionInVpc", async () => {
        await deploy(raw({ createVpc: true, functionInVpc: true }));
        assert.ok(endpoints()["sagemaker.runtime"], "no sagemaker.runtime endpoint");
        assert.deepEqual(mocks.find("aws:lambda/function:Function").inputs.vpcConfig.subnetIds, ["subnet-0a1", "subnet-0b2"]);
        await deploy(raw({ createVpc: true }));
        assert.equal(endpoints()["sagemaker.runtime"], undefined);
        assert.equal(mocks.find("aws:lambda/function:Function").inputs.vpcConfig, undefined);
    });

    it("puts the model in the private subnets with a group that reaches only the endpoints, which admit only it", async () => {
        await deploy(raw({ createVpc: true }));
        const model = mocks.find("aws:sagemaker/model:Model");
        assert.deepEqual(model.inputs.vpcConfig.subnets, ["subnet-0a1", "subnet-0b2"]);
        const workload = mocks.find("aws:ec2/securityGroup:SecurityGroup", "modelapi-workload-sg");
        assert.deepEqual(model.inputs.vpcConfig.securityGroupIds, ["modelapi-workload-sg-id"]);
        assert.deepEqual(
            workload.inputs.egress.map((e: any) => [e.fromPort, e.toPort, e.cidrBlocks ?? e.prefixListIds]),
            [
                [443, 443, ["10.0.0.0/16"]],
                [443, 443, ["pl-63a5400a"]],
            ],
        );
        assert.equal(workload.inputs.ingress, undefined);
        const group = mocks.find("aws:ec2/securityGroup:SecurityGroup", "modelapi-endpoints-sg");
        assert.deepEqual(
            group.inputs.ingress.map((i: any) => [i.fromPort, i.securityGroups]),
            [[443, ["modelapi-workload-sg-id"]]],
        );
        for (const e of Object.values<any>(endpoints()).filter((e) => e.vpcEndpointType === "Interface")) {
            assert.deepEqual(e.securityGroupIds, ["modelapi-endpoints-sg-id"]);
        }
    });

    it("an existing VPC's subnetIds and securityGroupIds pass straight to the API, and no VPC is created", async () => {
        await deploy(raw({ subnetIds: ["subnet-0aaa", "subnet-0bbb"], securityGroupIds: ["sg-0ccc"] }));
        assert.deepEqual(mocks.find("aws:sagemaker/model:Model").inputs.vpcConfig, {
            subnets: ["subnet-0aaa", "subnet-0bbb"],
            securityGroupIds: ["sg-0ccc"],
        });
        assert.deepEqual(mocks.findAll("awsx:ec2:Vpc"), []);
    });

    it("rejects network settings that do not fit, naming the key", () => {
        const fails = (network: unknown, message: string) =>
            assert.throws(
                () => planNetwork({ network: JSON.stringify(network) }),
                (err: unknown) => err instanceof ConfigError && err.message === message,
            );
        fails(
            { createVpc: true, subnetIds: ["subnet-1"] },
            "modelapi:network takes either createVpc: true or subnetIds and securityGroupIds, not both",
        );
        fails(
            { createVpc: true, availabilityZoneCount: 1 },
            "modelapi:network.availabilityZoneCount must be an integer from 2 to 6; got 1",
        );
        fails(
            { createVpc: true, cidrBlock: "10.0.0.0/8" },
            `modelapi:network.cidrBlock must be an IPv4 range from /16 to /24, e.g. "10.0.0.0/16"; got "10.0.0.0/8"`,
        );
        fails({ subnetIds: ["subnet-1"] }, "modelapi:network.securityGroupIds must be a list of ids; or set createVpc: true for a new VPC");
        fails({ createVpc: true, functionInVpc: "yes" }, `modelapi:network.functionInVpc must be true or false; got "yes"`);
        fails(
            { vpcId: "vpc-1" },
            'modelapi:network has an unknown setting "vpcId"; expected one of subnetIds, securityGroupIds, functionInVpc, createVpc, cidrBlock, availabilityZoneCount',
        );
    });

    it("a serverless endpoint in the stack's VPC is refused, as SageMaker refuses it", () => {
        mocks.useMocks();
        mocks.reset();
        const config = raw({ createVpc: true }, { endpoint: JSON.stringify({ serverless: {} }) });
        assert.throws(
            () => runStack(planStack(config, "/"), planNetwork(config).vpc),
            /network cannot be combined with endpoint.serverless/,
        );
    });
});
