/**
 * Private networking under mocks: the model's vpcConfig, the Lambda's VPC config when asked, the EC2
 * permissions each role gets for its network interfaces (and only then), and the combinations SageMaker
 * refuses, rejected before anything is created.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ModelApiArgs } from "../../../components";
import { modelDir } from "../fixtures";
import { build, refuses } from "../harness";

const IMAGE = { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/serving:1" };
const SUBNETS = ["subnet-0aaa", "subnet-0bbb"];
const GROUPS = ["sg-0ccc"];

describe("ModelApi network", function () {
    this.timeout(30000);
    const dir = modelDir();
    const args = (network?: ModelApiArgs["network"], extra: Partial<ModelApiArgs> = {}): ModelApiArgs => ({
        models: [{ name: "iris", path: dir }],
        image: IMAGE,
        ...(network ? { network } : {}),
        ...extra,
    });
    const ec2Actions = (owner: string) =>
        mocks
            .policyDocuments()
            .filter((d) => d.owner === owner)
            .flatMap((d) => d.doc.Statement)
            .flatMap((s) => mocks.asArray<string>(s.Action))
            .filter((a) => a.startsWith("ec2:"));

    it("puts the SageMaker model in the given subnets with the given security groups", async () => {
        await build("iris", args({ subnetIds: SUBNETS, securityGroupIds: GROUPS }));
        const model = mocks.find("aws:sagemaker/model:Model");
        assert.deepEqual(model.inputs.vpcConfig, { subnets: SUBNETS, securityGroupIds: GROUPS });
        // Network isolation stays on: the VPC adds a private path, it does not open the container.
        assert.equal(model.inputs.enableNetworkIsolation, true);
    });

    it("takes subnet and security group ids that are outputs of other resources", async () => {
        const subnet = pulumi.output("subnet-0ddd");
        await build("iris", args({ subnetIds: [subnet, "subnet-0eee"], securityGroupIds: [pulumi.output("sg-0fff")] }));
        assert.deepEqual(mocks.find("aws:sagemaker/model:Model").inputs.vpcConfig, {
            subnets: ["subnet-0ddd", "subnet-0eee"],
            securityGroupIds: ["sg-0fff"],
        });
    });

    it("the endpoint role may manage network interfaces and describe the VPC, with the actions AWS lists and no wildcard action", async () => {
        await build("iris", args({ subnetIds: SUBNETS, securityGroupIds: GROUPS }));
        const describe = mocks.statement("iris-endpoint-policy", "DescribeVpcForModel");
        assert.deepEqual(describe.Action.sort(), [
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        ]);
        const manage = mocks.statement("iris-endpoint-policy", "ManageModelNetworkInterfaces");
        assert.deepEqual(manage.Action.sort(), [
            "ec2:CreateNetworkInterface",
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
            "ec2:DeleteNetworkInterfacePermission",
        ]);
        for (const action of ec2Actions("iris-endpoint-policy")) assert.doesNotMatch(action, /\*/);
        // "*" as resource only where AWS leaves no other choice: these two statements and the ECR token (iam.test.ts).
        const starred = mocks
            .policyDocuments()
            .flatMap((d) => d.doc.Statement.filter((st) => mocks.asArray(st.Resource).includes("*")).map((st) => `${d.owner}/${st.Sid}`));
        assert.deepEqual(starred.sort(), [
            "iris-endpoint-policy/DescribeVpcForModel",
            "iris-endpoint-policy/GetEcrAuthorizationToken",
            "iris-endpoint-policy/ManageModelNetworkInterfaces",
        ]);
        assert.deepEqual(ec2Actions("iris-function-policy"), [], "the Lambda outside the VPC needs no EC2 permission");
    });

    it("without network: no vpcConfig anywhere and no EC2 permission in any role", async () => {
        await build("iris", args());
        assert.equal(mocks.find("aws:sagemaker/model:Model").inputs.vpcConfig, undefined);
        assert.equal(mocks.find("aws:lambda/function:Function").inputs.vpcConfig, undefined);
        assert.deepEqual(ec2Actions("iris-endpoint-policy"), []);
        assert.deepEqual(ec2Actions("iris-function-policy"), []);
    });

    it("keeps the Lambda outside the VPC unless functionInVpc is set", async () => {
        await build("iris", args({ subnetIds: SUBNETS, securityGroupIds: GROUPS }));
        assert.equal(mocks.find("aws:lambda/function:Function").inputs.vpcConfig, undefined);
    });

    it("with functionInVpc runs the Lambda in the same subnets and groups, with Lambda's VPC permissions", async () => {
        await build("iris", args({ subnetIds: SUBNETS, securityGroupIds: GROUPS, functionInVpc: true }));
        const fn = mocks.find("aws:lambda/function:Function");
        assert.deepEqual(fn.inputs.vpcConfig, { subnetIds: SUBNETS, securityGroupIds: GROUPS });
        assert.deepEqual(ec2Actions("iris-function-policy").sort(), [
            "ec2:AssignPrivateIpAddresses",
            "ec2:CreateNetworkInterface",
            "ec2:DeleteNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets",
            "ec2:UnassignPrivateIpAddresses",
        ]);
        // Still only its own endpoint to invoke.
        assert.ok(mocks.statement("iris-function-policy", "InvokeOwnEndpoint"));
    });

    describe("refused combinations", () => {
        before(() => mocks.useMocks());
        beforeEach(() => mocks.reset());

        it("a serverless endpoint in a VPC (SageMaker serverless does not support VPC configuration)", () => {
            refuses(
                args({ subnetIds: SUBNETS, securityGroupIds: GROUPS }, { endpoint: { serverless: {} } }),
                "network cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not support VPC configuration",
            );
        });

        it("fewer than two subnets, or more than 16", () => {
            const message = (n: number) =>
                `network.subnetIds must list 2 to 16 subnets in at least two Availability Zones (SageMaker asks for two even for one instance); got ${n}`;
            refuses(args({ subnetIds: ["subnet-0aaa"], securityGroupIds: GROUPS }), message(1));
            const many = Array.from({ length: 17 }, (_, i) => `subnet-0${i.toString(16)}`);
            refuses(args({ subnetIds: many, securityGroupIds: GROUPS }), message(17));
        });

        it("no security group, or more than five", () => {
            refuses(args({ subnetIds: SUBNETS, securityGroupIds: [] }), "network.securityGroupIds must list 1 to 5 security groups; got 0");
            const six = ["sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6"];
            refuses(
                args({ subnetIds: SUBNETS, securityGroupIds: six }),
                "network.securityGroupIds must list 1 to 5 security groups; got 6",
            );
        });

        it("ids that are not subnet or security group ids, and a subnet listed twice", () => {
            refuses(
                args({ subnetIds: ["subnet-0aaa", "vpc-0123"], securityGroupIds: GROUPS }),
                `network.subnetIds[1] "vpc-0123" is not a subnet id (subnet-...)`,
            );
            refuses(
                args({ subnetIds: SUBNETS, securityGroupIds: ["default"] }),
                `network.securityGroupIds[0] "default" is not a security group id (sg-...)`,
            );
            refuses(
                args({ subnetIds: ["subnet-0aaa", "subnet-0aaa"], securityGroupIds: GROUPS }),
                "network.subnetIds lists a subnet more than once",
            );
        });
    });
});
