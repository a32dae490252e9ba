/**
 * `task run`: the RunTask input (stack tags, tag propagation, startedBy, default VPC network),
 * and `--wait stopped` passing on the essential container's exit code (printed with the
 * stoppedReason and each container's code and reason, and in the JSON data).
 */
import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runExitCode, taskOutcome } from '../../src/ecs/outcome.js';
import type { TaskInfo } from '../../src/aws/ecs-types.js';
import { ACCOUNT, cli, journalEvents, useCliEnv } from '../support/in-process.js';

const ecs = mockClient(ECSClient);
const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
useCliEnv();

const TD_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/app:4`;
const CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/c1`;

function taskDefinition(extra: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    taskDefinitionArn: TD_ARN,
    family: 'app',
    revision: 4,
    status: 'ACTIVE',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    compatibilities: ['EC2', 'FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      { name: 'app', image: 'busybox', essential: true },
      { name: 'sidecar', image: 'busybox', essential: false },
    ],
    ...extra,
  };
}

function awsTask(id: string, status: string, extra: Partial<Task> = {}): Task {
  return {
    taskArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/c1/${id}`,
    clusterArn: CLUSTER_ARN,
    taskDefinitionArn: TD_ARN,
    lastStatus: status,
    desiredStatus: status === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    group: 'family:app',
    containers: [{ name: 'app', lastStatus: status }, { name: 'sidecar', lastStatus: status }],
    ...extra,
  };
}

beforeEach(() => {
  ecs.reset();
  ec2.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/test` });
  ecs.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'c1', clusterArn: CLUSTER_ARN, status: 'ACTIVE' }], failures: [] });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: taskDefinition(), tags: [{ key: 'ecsprimer:stack', value: 'ecsprimer' }] });
  ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: 'subnet-0000000000000000b', VpcId: 'vpc-1', DefaultForAz: true, AvailabilityZone: 'us-east-1b' },
      { SubnetId: 'subnet-0000000000000000a', VpcId: 'vpc-1', DefaultForAz: true, AvailabilityZone: 'us-east-1a' },
    ],
  });
  ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      { GroupId: 'sg-00000000000000002', GroupName: 'default', VpcId: 'vpc-other' },
      { GroupId: 'sg-00000000000000001', GroupName: 'default', VpcId: 'vpc-1' },
    ],
  });
  ecs.on(RunTaskCommand).resolves({ tasks: [awsTask('t1', 'PROVISIONING')], failures: [] });
});

const fast = { env: { ECSPRIMER_POLL_MS: '1' } };

describe('task run: the RunTask input', () => {
  it('uses the default VPC (one EC2 round trip), tags and propagates, and says so in the plan', async () => {
    const r = await cli(['task', 'run', '--cluster', 'c1', '--task-definition', 'app', '--yes', '--tag', 'job=nightly'], fast);
    expect(r.code).toBe(0);
    const input = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(input).toMatchObject({
      cluster: 'c1',
      taskDefinition: TD_ARN,
      count: 1,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0000000000000000a', 'subnet-0000000000000000b'], securityGroups: ['sg-00000000000000001'], assignPublicIp: 'ENABLED' } },
      tags: [{ key: 'ecsprimer:stack', value: 'ecsprimer' }, { key: 'job', value: 'nightly' }],
      propagateTags: 'TASK_DEFINITION',
      enableECSManagedTags: true,
      startedBy: 'ecsprimer/ecsprimer',
    });
    expect(input.clientToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(input.placementStrategy).toBeUndefined();
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0].args[0].input.Filters).toEqual([{ Name: 'default-for-az', Values: ['true'] }]);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0].args[0].input.Filters).toEqual([{ Name: 'group-name', Values: ['default'] }]);
    expect(r.stderr).toContain('no --subnets given, so the default VPC vpc-1 is used');
    expect(journalEvents()).toEqual([
      `intent ecs-task run-${input.clientToken}`,
      'created ecs-task t1',
      `deleted ecs-task run-${input.clientToken}`,
    ]);
  });

  it('with subnets but no security groups, uses the "default" group of their VPC; with both, no EC2 call', async () => {
    await cli(['task', 'run', '--cluster', 'c1', '--task-definition', 'app', '--yes', '--subnets', 'subnet-0000000000000000a', '--no-assign-public-ip'], fast);
    expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input.networkConfiguration).toEqual({
      awsvpcConfiguration: { subnets: ['subnet-0000000000000000a'], securityGroups: ['sg-00000000000000001'], assignPublicIp: 'DISABLED' },
    });
    ec2.resetHistory();
    ecs.resetHistory();
    await cli(['task', 'run', '--cluster', 'c1', '--task-definition', 'app', '--yes', '--subnets', 'subnet-0000000000000000a', '--security-groups', 'sg-00000000000000009'], fast);
    expect(ec2.calls()).toHaveLength(0);
    expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input.networkConfiguration).toEqual({
      awsvpcConfiguration: { subnets: ['subnet-0000000000000000a'], securityGroups: ['sg-00000000000000009'] },
    });
  });

  it('does not propagate the tags of another stack\'s task definition', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: taskDefinition(), tags: [{ key: 'ecsprimer:stack', value: 'other' }] });
    const r = await cli(['task', 'run', '--cluster', 'c1', '--task-definition', 'app', '--yes'], fast);
    expect(r.code).toBe(0);
    expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input.propagateTags).toBeUndefined();
  });

  it('refuses a missing cluster or an INACTIVE task definition before RunTask (exit 1)', async () => {
    ecs.on(DescribeClustersCommand).resolves({ clusters: [], failures: [{ arn: CLUSTER_ARN, reason: 'MISSING' }] });
    let r = await cli(['task', 'run', '--cluster', 'c1', '--task-definition', 'app', '--yes'], fast);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cluster c1 does not exist: create it first (ecsprimer cluster create --name c1)');
    ecs.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'c1', clusterArn: CLUSTER_ARN, status: 'ACTIVE' }] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: taskDefinition({ status: 'INACTIVE' }) });
    r = await cli(['task', 'run', '--cluster', 'c1', '--task-definition', 'app:4', '--yes'], fast);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('app:4 is INACTIVE');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('refuses container overrides naming no container of the task definition (exit 2)', async () => {
    const r = await cli(['task', 'run', '--cluster', 'c1', '--task-definition', 'app', '--yes', '--overrides', '{"containerOverrides":[{"name":"nope","command":["true"]}]}'], fast);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"nope" is not a container of the task definition; its containers are "app" or "sidecar"');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });
});

describe('task run --wait stopped: exit codes', () => {
  const stopped = (app: number | undefined, sidecar: number | undefined, extra: Partial<Task> = {}) =>
    awsTask('t1', 'STOPPED', {
      stoppedReason: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
      containers: [
        { name: 'app', lastStatus: 'STOPPED', ...(app !== undefined ? { exitCode: app } : {}), ...(app && app > 0 ? { reason: 'OutOfMemoryError: Container killed due to memory usage' } : {}) },
        { name: 'sidecar', lastStatus: 'STOPPED', ...(sidecar !== undefined ? { exitCode: sidecar } : {}) },
      ],
      ...extra,
    });

  const table = [
    { case: 'essential container exit 0', task: stopped(0, 0), exit: 0 },
    { case: 'essential container exit 3 (the non-essential one does not count)', task: stopped(3, 0), exit: 3 },
    { case: 'non-essential container fails, essential succeeds', task: stopped(0, 7), exit: 0 },
    { case: 'the essential container never ran (no exit code)', task: stopped(undefined, undefined, { stoppedReason: 'CannotPullContainerError: image not found', stopCode: 'TaskFailedToStart' }), exit: 1 },
  ];
  it.each(table)('$case → exit $exit', async ({ task, exit }) => {
    ecs.on(DescribeTasksCommand).resolvesOnce({ tasks: [awsTask('t1', 'RUNNING')] }).resolves({ tasks: [task] });
    const r = await cli(['task', 'run', '--cluster', 'c1', '--task-definition', 'app', '--wait', 'stopped', '--yes', '-o', 'json'], fast);
    expect(r.code).toBe(exit);
    const data = r.json();
    expect(data.tasks[0].lastStatus).toBe('STOPPED');
    expect(data.tasks[0].stoppedReason).toBe(task.stoppedReason);
    expect(data.tasks[0].containers.find((c: { name: string }) => c.name === 'app')).toMatchObject({ essential: true });
    expect(r.stderr).toContain(`task t1 STOPPED: ${task.stoppedReason}`);
    if (exit === 1) {
      expect(data.ok).toBe(false);
      expect(data.error.code).toBe('TaskFailed');
      expect(r.stderr).toContain('CannotPullContainerError: image not found');
    } else {
      expect(data.exitCode).toBe(exit);
      expect(r.stderr).toMatch(/container app \(essential\): exit code \d/);
    }
    if (exit === 3) expect(r.stderr).toContain('OutOfMemoryError');
  });

  it('--wait running fails (exit 1) with the stoppedReason when the task stops before running', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [stopped(undefined, undefined, { stoppedReason: 'ResourceInitializationError: unable to pull secrets', stopCode: 'TaskFailedToStart' })] });
    const r = await cli(['task', 'run', '--cluster', 'c1', '--task-definition', 'app', '--wait', 'running', '--yes'], fast);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The task stopped before it was RUNNING: task t1 stopped: ResourceInitializationError: unable to pull secrets');
    expect(r.stdout).toContain('✓ created ecs-task t1');
  });
});

describe('runExitCode / taskOutcome', () => {
  const t = (containers: TaskInfo['containers'], status = 'STOPPED'): TaskInfo => ({
    arn: 'a', id: 'x', clusterArn: '', taskDefinitionArn: '', lastStatus: status, desiredStatus: 'STOPPED', tags: {}, containers,
  });
  const ess = new Set(['app']);
  const table = [
    { case: 'all zero', tasks: [t([{ name: 'app', exitCode: 0 }])], exit: 0, failed: false },
    { case: 'first non-zero of several tasks', tasks: [t([{ name: 'app', exitCode: 0 }]), t([{ name: 'app', exitCode: 2 }]), t([{ name: 'app', exitCode: 5 }])], exit: 2, failed: false },
    { case: 'a task that never ran', tasks: [t([{ name: 'app' }])], exit: 1, failed: true },
    { case: 'a code outside 1–255 becomes 1', tasks: [t([{ name: 'app', exitCode: 300 }])], exit: 1, failed: false },
    { case: 'unknown task definition: every container counts', tasks: [t([{ name: 'app', exitCode: 0 }, { name: 'other', exitCode: 4 }])], exit: 4, failed: false, all: true },
  ];
  it.each(table)('$case → $exit', ({ tasks, exit, failed, all }) => {
    const r = runExitCode(tasks.map((x) => taskOutcome(x, all ? undefined : ess)));
    expect(r.exitCode).toBe(exit);
    expect(r.failed).toBe(failed);
  });
});
