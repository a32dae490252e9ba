/**
 * Placement: `--placement-strategy` / `--placement-constraint` values end up in RunTask's and
 * CreateService's input as ECS expects them; they are refused on Fargate before any request.
 */
import {
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RunTaskCommand,
  type CreateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { placementInput } from '../../src/ecs/inputs.js';
import { validateLaunchOptions } from '../../src/ecs/launch.js';
import { ACCOUNT, cli, useCliEnv } from '../support/in-process.js';

const ecs = mockClient(ECSClient);
const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
useCliEnv();

const TD_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/batch:2`;
const CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/c1`;

beforeEach(() => {
  ecs.reset();
  ec2.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  ecs.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'c1', clusterArn: CLUSTER_ARN, status: 'ACTIVE' }] });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: TD_ARN,
      family: 'batch',
      revision: 2,
      status: 'ACTIVE',
      networkMode: 'bridge',
      compatibilities: ['EC2'],
      containerDefinitions: [{ name: 'job', image: 'busybox', memory: 128, essential: true }],
    },
  });
  ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] });
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/c1/t1`, lastStatus: 'PENDING' }] });
  ecs.on(CreateServiceCommand).callsFake((i: CreateServiceCommandInput) => ({ service: { serviceName: i.serviceName, serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/c1/${i.serviceName}`, status: 'ACTIVE' } }));
});

const flags = [
  '--placement-strategy', 'spread:attribute:ecs.availability-zone',
  '--placement-strategy', 'binpack:MEMORY',
  '--placement-strategy', 'random',
  '--placement-constraint', 'distinctInstance',
  '--placement-constraint', 'memberOf:attribute:ecs.instance-type =~ t3.*',
];
const expected = {
  placementStrategy: [
    { type: 'spread', field: 'attribute:ecs.availability-zone' },
    { type: 'binpack', field: 'memory' },
    { type: 'random' },
  ],
  placementConstraints: [{ type: 'distinctInstance' }, { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }],
};

describe('placement mapping', () => {
  const table = [
    { case: 'nothing given: no placement members', strategies: [], constraints: [], out: {} },
    { case: 'spread over instances', strategies: ['spread:instanceId'], constraints: [], out: { placementStrategy: [{ type: 'spread', field: 'instanceId' }] } },
    { case: 'binpack by cpu, case-insensitive', strategies: ['BINPACK:cpu'], constraints: [], out: { placementStrategy: [{ type: 'binpack', field: 'cpu' }] } },
    { case: 'constraints only', strategies: [], constraints: ['distinctInstance'], out: { placementConstraints: [{ type: 'distinctInstance' }] } },
  ];
  it.each(table)('$case', ({ strategies, constraints, out }) => {
    const launch = validateLaunchOptions({ command: 'run', launchType: 'EC2', placementStrategies: strategies, placementConstraints: constraints });
    expect(placementInput(launch)).toEqual(out);
  });

  it('RunTask gets them in order (EC2, bridge: no network configuration)', async () => {
    const r = await cli(['task', 'run', '--cluster', 'c1', '--task-definition', 'batch', '--launch-type', 'EC2', ...flags, '--yes']);
    expect(r.code).toBe(0);
    const input = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(input).toMatchObject({ launchType: 'EC2', ...expected });
    expect(input.networkConfiguration).toBeUndefined();
    expect(ec2.calls()).toHaveLength(0);
  });

  it('CreateService gets them too, with the stack tag propagated from the service', async () => {
    const r = await cli(['service', 'create', '--cluster', 'c1', '--name', 'api', '--task-definition', 'batch', '--launch-type', 'EC2', '--desired-count', '3', ...flags, '--yes']);
    expect(r.code).toBe(0);
    const input = ecs.commandCalls(CreateServiceCommand)[0].args[0].input;
    expect(input).toMatchObject({
      cluster: 'c1',
      serviceName: 'api',
      taskDefinition: TD_ARN,
      desiredCount: 3,
      launchType: 'EC2',
      ...expected,
      tags: [{ key: 'ecsprimer:stack', value: 'ecsprimer' }],
      propagateTags: 'SERVICE',
      enableECSManagedTags: true,
    });
  });

  const refusals = [
    { case: 'a strategy on Fargate', argv: ['task', 'run', '--cluster', 'c1', '--task-definition', 'batch', '--placement-strategy', 'random'], words: ['EC2-only'] },
    { case: 'spread without a field', argv: ['task', 'run', '--cluster', 'c1', '--task-definition', 'batch', '--launch-type', 'EC2', '--placement-strategy', 'spread'], words: ['spread', 'instanceId, host or attribute:NAME'] },
    { case: 'binpack by disk', argv: ['task', 'run', '--cluster', 'c1', '--task-definition', 'batch', '--launch-type', 'EC2', '--placement-strategy', 'binpack:disk'], words: ['cpu or memory'] },
    { case: 'memberOf without an expression', argv: ['service', 'create', '--cluster', 'c1', '--name', 's', '--task-definition', 'batch', '--launch-type', 'EC2', '--placement-constraint', 'memberOf'], words: ['missing the expression'] },
    { case: 'a constraint on a Fargate service', argv: ['service', 'create', '--cluster', 'c1', '--name', 's', '--task-definition', 'batch', '--placement-constraint', 'distinctInstance'], words: ['EC2-only'] },
  ];
  it.each(refusals)('refuses $case with exit 2 and no request', async ({ argv, words }) => {
    const r = await cli([...argv, '--yes']);
    expect(r.code).toBe(2);
    for (const w of words) expect(r.stderr).toContain(w);
    expect(ecs.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });
});
