/**
 * `service create|update|delete`: a re-run is unchanged and still waits; another stack's service
 * is refused; CreateService is retried while IAM propagates a new role; delete scales to 0,
 * deletes and (by default) waits until INACTIVE; every change is journalled.
 */
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  InvalidParameterException,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type Service,
} from '@aws-sdk/client-ecs';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, cli, journalEvents, useCliEnv } from '../support/in-process.js';

const ecs = mockClient(ECSClient);
const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
useCliEnv();

const TD = (rev: number) => `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:${rev}`;
const SVC_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:service/c1/web`;
const fast = { env: { ECSPRIMER_POLL_MS: '1' } };

function service(extra: Partial<Service> = {}): Service {
  return {
    serviceName: 'web',
    serviceArn: SVC_ARN,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    taskDefinition: TD(1),
    deployments: [{ id: 'd', status: 'PRIMARY', desiredCount: 2, runningCount: 2, pendingCount: 0 }],
    events: [],
    tags: [{ key: 'ecsprimer:stack', value: 'ecsprimer' }],
    ...extra,
  };
}

beforeEach(() => {
  ecs.reset();
  ec2.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  ecs.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'c1', clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/c1`, status: 'ACTIVE' }] });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: { taskDefinitionArn: TD(1), family: 'web', revision: 1, status: 'ACTIVE', networkMode: 'awsvpc', compatibilities: ['EC2', 'FARGATE'], containerDefinitions: [{ name: 'web', image: 'nginx' }] },
  });
  ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0000000000000000a', VpcId: 'vpc-1', DefaultForAz: true, AvailabilityZone: 'us-east-1a' }] });
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-00000000000000001', GroupName: 'default', VpcId: 'vpc-1' }] });
});

describe('service create', () => {
  it('creates the service, retrying while IAM propagates the role, then waits until stable', async () => {
    ecs.on(DescribeServicesCommand)
      .resolvesOnce({ services: [], failures: [{ arn: SVC_ARN, reason: 'MISSING' }] })
      .resolvesOnce({ services: [service({ runningCount: 0, pendingCount: 2 })] })
      .resolves({ services: [service({ events: [{ id: 'e1', message: '(service web) has reached a steady state.', createdAt: new Date() }] })] });
    ecs.on(CreateServiceCommand)
      .rejectsOnce(new InvalidParameterException({ message: 'Unable to assume role and validate the listeners configured on your load balancer.', $metadata: { httpStatusCode: 400 } }))
      .callsFake((i: CreateServiceCommandInput) => ({ service: service({ serviceName: i.serviceName, runningCount: 0, pendingCount: 2 }) }));
    const r = await cli(['service', 'create', '--cluster', 'c1', '--name', 'web', '--task-definition', 'web', '--desired-count', '2', '--wait', '--yes', '-o', 'json'], fast);
    expect(r.code).toBe(0);
    expect(ecs.commandCalls(CreateServiceCommand)).toHaveLength(2);
    const input = ecs.commandCalls(CreateServiceCommand)[0].args[0].input;
    expect(input).toMatchObject({
      taskDefinition: TD(1),
      desiredCount: 2,
      launchType: 'FARGATE',
      propagateTags: 'SERVICE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0000000000000000a'], securityGroups: ['sg-00000000000000001'], assignPublicIp: 'ENABLED' } },
    });
    expect(r.stderr).toContain('waiting for IAM to propagate the role (CreateService');
    expect(r.stderr).toContain('has reached a steady state');
    expect(r.json().service).toMatchObject({ name: 'web', runningCount: 2, desiredCount: 2 });
    expect(journalEvents()).toEqual(['intent ecs-service web', 'created ecs-service web']);
  });

  it('a re-run against its own ACTIVE service is unchanged (no prompt) and still waits', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] });
    const r = await cli(['service', 'create', '--cluster', 'c1', '--name', 'web', '--task-definition', 'web', '--desired-count', '2', '--wait'], { ...fast, tty: true });
    expect(r.code).toBe(0);
    expect(r.prompts).toEqual([]);
    expect(r.stdout).toContain('= unchanged ecs-service web');
    expect(r.stderr).toContain('service web stable: running 2 of 2');
    expect(ecs.commandCalls(CreateServiceCommand)).toHaveLength(0);
  });

  it('a re-run with another desired count updates it', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] });
    ecs.on(UpdateServiceCommand).resolves({ service: service({ desiredCount: 3 }) });
    const r = await cli(['service', 'create', '--cluster', 'c1', '--name', 'web', '--task-definition', 'web', '--desired-count', '3', '--yes'], fast);
    expect(r.code).toBe(0);
    expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({ cluster: 'c1', service: 'web', desiredCount: 3 });
    expect(journalEvents()).toEqual(['updated ecs-service web']);
  });

  it.each([
    { case: "another stack's service", tags: [{ key: 'ecsprimer:stack', value: 'other' }], words: 'belongs to ecsprimer stack "other"' },
    { case: 'a service ecsprimer did not create', tags: [], words: 'was not created by ecsprimer' },
  ])('refuses to take over $case (exit 1, nothing sent)', async ({ tags, words }) => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ tags })] });
    const r = await cli(['service', 'create', '--cluster', 'c1', '--name', 'web', '--task-definition', 'web', '--yes'], fast);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(words);
    expect(ecs.commandCalls(CreateServiceCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('refuses while a service of that name is DRAINING, saying how to wait for it', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ status: 'DRAINING' })] });
    const r = await cli(['service', 'create', '--cluster', 'c1', '--name', 'web', '--task-definition', 'web', '--yes'], fast);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ecsprimer service wait --cluster c1 --name web --until inactive');
  });

  it('takes other CreateService members from --document, refusing one that a flag sets too (exit 2)', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [] });
    ecs.on(CreateServiceCommand).callsFake((i: CreateServiceCommandInput) => ({ service: service({ serviceName: i.serviceName }) }));
    let r = await cli(['service', 'create', '--cluster', 'c1', '--name', 'web', '--task-definition', 'web', '--yes', '--document', '{"healthCheckGracePeriodSeconds": 30, "enableExecuteCommand": true}'], fast);
    expect(r.code).toBe(0);
    expect(ecs.commandCalls(CreateServiceCommand)[0].args[0].input).toMatchObject({ healthCheckGracePeriodSeconds: 30, enableExecuteCommand: true });
    ecs.resetHistory();
    r = await cli(['service', 'create', '--cluster', 'c1', '--name', 'web', '--task-definition', 'web', '--desired-count', '2', '--yes', '--document', '{"desiredCount": 3}'], fast);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('desiredCount: is set both in the document and by --desired-count');
    expect(ecs.calls()).toHaveLength(0);
  });
});

describe('service update', () => {
  it('deploys another revision and journals the update', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD(2), family: 'web', revision: 2, status: 'ACTIVE', networkMode: 'awsvpc', compatibilities: ['FARGATE'] } });
    ecs.on(UpdateServiceCommand).resolves({ service: service({ taskDefinition: TD(2) }) });
    const r = await cli(['service', 'update', '--cluster', 'c1', '--name', 'web', '--task-definition', 'web:2', '--yes'], fast);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('taskDefinition web:1 → web:2');
    expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({ cluster: 'c1', service: 'web', taskDefinition: TD(2) });
    expect(journalEvents()).toEqual(['updated ecs-service web']);
  });

  it('needs something to change (exit 2)', async () => {
    const r = await cli(['service', 'update', '--cluster', 'c1', '--name', 'web', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--desired-count');
  });
});

describe('service delete', () => {
  it('deletes a service that runs tasks with force (one call, no scaling to 0 first), and waits until INACTIVE by default', async () => {
    ecs.on(DescribeServicesCommand)
      .resolvesOnce({ services: [service()] })
      .resolvesOnce({ services: [service({ status: 'DRAINING', desiredCount: 0 })] })
      .resolves({ services: [service({ status: 'INACTIVE', desiredCount: 0, runningCount: 0 })] });
    ecs.on(DeleteServiceCommand).resolves({ service: service({ status: 'DRAINING', desiredCount: 0 }) });
    const r = await cli(['service', 'delete', '--cluster', 'c1', '--name', 'web', '--yes'], fast);
    expect(r.code).toBe(0);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(ecs.commandCalls(DeleteServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'c1', service: 'web', force: true }]);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(3);
    expect(r.stderr).toContain('service web INACTIVE');
    expect(journalEvents()).toEqual(['deleted ecs-service web']);
  });

  it('--no-wait returns once ECS accepted the delete', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ desiredCount: 0 })] });
    ecs.on(DeleteServiceCommand).resolves({ service: service({ status: 'DRAINING', desiredCount: 0 }) });
    const r = await cli(['service', 'delete', '--cluster', 'c1', '--name', 'web', '--no-wait', '--yes'], fast);
    expect(r.code).toBe(0);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });

  it('an INACTIVE service is already absent', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ status: 'INACTIVE' })] });
    const r = await cli(['service', 'delete', '--cluster', 'c1', '--name', 'web'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('= already absent ecs-service web');
    expect(ecs.commandCalls(DeleteServiceCommand)).toHaveLength(0);
  });
});
