/**
 * The checks of `monitoring` (components/monitoring/checks.ts): what CloudWatch's PutMetricAlarm refuses is
 * refused before anything is created, with the argument and the reason.
 */
import * as mocks from "../mocks";
import { ModelApiArgs } from "../../../components";
import { irisFixture } from "../fixtures";
import { refuses } from "../harness";

describe("ModelApi monitoring checks: refused before anything is created", function () {
    this.timeout(60000);
    const { withEndpoint: base } = irisFixture();

    before(() => mocks.useMocks());

    const cases: [string, ModelApiArgs, string][] = [
        [
            "CPU alarm on serverless",
            base({ serverless: {} }, { monitoring: { enabled: true, alarms: { cpuUtilization: { enabled: true } } } }),
            "monitoring.alarms.cpuUtilization cannot be enabled with endpoint.serverless: serverless endpoints do not publish instance utilization metrics",
        ],
        [
            "unknown alarm",
            base({}, { monitoring: { alarms: { latency: {} } as any } }),
            'monitoring.alarms has an unknown alarm "latency"; expected one of endpoint5xx, endpoint4xx, modelLatency, cpuUtilization, memoryUtilization, backlogAge, invocationFailures, api5xx, apiLatency, functionErrors, functionThrottles',
        ],
        [
            "rate above 1",
            base({}, { monitoring: { alarms: { api5xx: { threshold: 5 } } } }),
            "monitoring.alarms.api5xx.threshold is an error rate from 0 to 1 (0.05 is 5 %); got 5",
        ],
        [
            "period of 45 s",
            base({}, { monitoring: { alarms: { apiLatency: { periodSeconds: 45 } } } }),
            "monitoring.alarms.apiLatency.periodSeconds must be 10, 20, 30 or a multiple of 60; got 45",
        ],
        [
            "more datapoints than periods",
            base({}, { monitoring: { alarms: { functionErrors: { datapointsToAlarm: 4 } } } }),
            "monitoring.alarms.functionErrors.datapointsToAlarm must be an integer from 1 to evaluationPeriods (3); got 4",
        ],
        [
            "not an SNS ARN",
            base({}, { monitoring: { alarmTopicArns: ["arn:aws:sqs:us-east-1:123456789012:q"] } }),
            `monitoring.alarmTopicArns[0] must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:alerts; got "arn:aws:sqs:us-east-1:123456789012:q"`,
        ],
    ];
    for (const [what, args, message] of cases) {
        it(what, () => refuses(args, message));
    }
});
