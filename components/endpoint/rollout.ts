import * as aws from "@pulumi/aws";
import { Statement } from "../iam";
import { CreatedAlarm } from "../monitoring/alarms";
import type { RolloutSettings } from "./defaults";
import { ROLLBACK_ALARMS } from "../monitoring/catalogue";
import { TRAFFIC_SHIFTING } from "./rollout-rules";

/** @internal The component's own alarms a rollout rolls back on (the endpoint's errors and latency). */
export function rollbackAlarms(alarms: CreatedAlarm[]): CreatedAlarm[] {
    return alarms.filter((a) => ROLLBACK_ALARMS.includes(a.key));
}

/**
 * @internal The endpoint's deployment config: a blue/green update ("Blue/Green Deployments", SageMaker Developer
 * Guide) with the chosen traffic shifting, a bake after each shift (WaitIntervalInSeconds), a final bake before
 * the old fleet goes (TerminationWaitInSeconds), and auto-rollback on the component's own alarms
 * ("Auto-Rollback Configuration and Monitoring"). Sizes are shares of the new fleet (CAPACITY_PERCENT), so
 * they follow the instance count autoscaling has set.
 */
export function deploymentConfig(rollout: RolloutSettings, alarms: CreatedAlarm[]): aws.types.input.sagemaker.EndpointDeploymentConfig {
    const capacity = (value: number) => ({ type: "CAPACITY_PERCENT", value });
    return {
        blueGreenUpdatePolicy: {
            trafficRoutingConfiguration: {
                type: TRAFFIC_SHIFTING[rollout.trafficShifting],
                waitIntervalInSeconds: rollout.bakeSeconds,
                canarySize: rollout.trafficShifting === "canary" ? capacity(rollout.canaryPercent) : undefined,
                linearStepSize: rollout.trafficShifting === "linear" ? capacity(rollout.linearStepPercent) : undefined,
            },
            terminationWaitInSeconds: rollout.finalBakeSeconds,
            maximumExecutionTimeoutInSeconds: rollout.maximumSeconds,
        },
        autoRollbackConfiguration: { alarms: alarms.map((a) => ({ alarmName: a.alarm.name })) },
    };
}

/**
 * @internal SageMaker reads the rollback alarms' state as the endpoint's execution role: the role may describe
 * exactly those alarms ("Auto-Rollback Configuration and Monitoring": the execution role needs
 * cloudwatch:DescribeAlarms on the auto-rollback alarms).
 */
export function describeRollbackAlarmsStatement(alarms: CreatedAlarm[]): Statement {
    return { Sid: "ReadRollbackAlarms", Effect: "Allow", Action: ["cloudwatch:DescribeAlarms"], Resource: alarms.map((a) => a.alarm.arn) };
}
