import * as pulumi from "@pulumi/pulumi";

/** @internal One IAM policy statement; resources come from resource outputs, never hand-built ARNs. */
export interface Statement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Action: string[];
    Resource: pulumi.Input<string>[];
    Principal?: unknown;
    Condition?: unknown;
}

/** @internal A policy document as the JSON string IAM, S3 and ECR take. */
export function policyDocument(statements: Statement[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** @internal The trust policy letting one AWS service assume a role. */
export function assumeRolePolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

/** @internal A log group's ARN and the ARN of its streams, which is what CreateLogStream/PutLogEvents act on. */
export function logGroupResources(logGroupArn: pulumi.Input<string>): pulumi.Input<string>[] {
    return [logGroupArn, pulumi.interpolate`${logGroupArn}:log-stream:*`];
}
