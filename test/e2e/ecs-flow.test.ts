/**
 * End to end, issue 3's "done when": a new user who ran `iam create` runs cluster create, task
 * register --execution-role, task run --wait stopped (no subnets: the default VPC), service create
 * --desired-count 2 --wait, service delete, task deregister and cluster delete — each confirmed
 * with --yes and journalled — against moto, checking the server's state through the SDK.
 *
 * This file starts its own moto server: moto reports a new service's tasks as running only when
 * MOTO_ECS_SERVICE_RUNNING is set in the server's environment (it starts no real tasks), and that
 * is global to a server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeStateDir, runCli } from '../support/cli.js';
import { describeE2E } from '../support/e2e.js';
import { startMoto, type MotoServer } from '../support/moto.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

describeE2E('ecs: the course flow (e2e against moto)', () => {
  let moto: MotoServer;
  let ecs: ECSClient;
  let ec2: EC2Client;
  let iam: IAMClient;

  beforeAll(async () => {
    const before = process.env.MOTO_ECS_SERVICE_RUNNING;
    process.env.MOTO_ECS_SERVICE_RUNNING = '2';
    try {
      moto = await startMoto();
    } finally {
      if (before === undefined) delete process.env.MOTO_ECS_SERVICE_RUNNING;
      else process.env.MOTO_ECS_SERVICE_RUNNING = before;
    }
    const config = { endpoint: moto.url, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    ecs = new ECSClient(config);
    ec2 = new EC2Client(config);
    iam = new IAMClient(config);
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('iam create → cluster → task definition → run --wait stopped → service --wait → delete everything, journalled', async () => {
    const stack = `flow${Date.now().toString(36)}`;
    const state = makeStateDir();
    const cluster = `${stack}-cluster`;
    const family = `${stack}-web`;
    const service = `${stack}-svc`;
    const cli = (...args: string[]) =>
      runCli([...args, '--stack', stack, '--endpoint-url', moto.url], { env: { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '50' } });
    const ok = async (...args: string[]) => {
      const r = await cli(...args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+|internal error/);
      return r;
    };

    await ok('iam', 'create', '--yes');
    const role = await iam.send(new GetRoleCommand({ RoleName: `${stack}-role` }));

    // cluster create: tagged; a re-run is unchanged.
    await ok('cluster', 'create', '--name', cluster, '--yes');
    const c = await ecs.send(new DescribeClustersCommand({ clusters: [cluster], include: ['TAGS'] }));
    expect(c.clusters?.[0]).toMatchObject({ status: 'ACTIVE' });
    expect(c.clusters?.[0].tags).toContainEqual({ key: 'ecsprimer:stack', value: stack });
    expect(JSON.parse((await ok('cluster', 'create', '--name', cluster, '--yes', '-o', 'json')).stdout).changes[0].status).toBe('unchanged');

    // task register with the role by name (it lives under /ecsprimer/<stack>/): the default document.
    await ok('task', 'register', '--execution-role', `${stack}-role`, '--yes');
    const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }));
    expect(td.taskDefinition).toMatchObject({ family, revision: 1, executionRoleArn: role.Role!.Arn, cpu: '256', memory: '512', networkMode: 'awsvpc' });
    expect(role.Role!.Arn).toContain(`:role/ecsprimer/${stack}/`);
    expect(td.tags).toContainEqual({ key: 'ecsprimer:stack', value: stack });
    const again = await ok('task', 'register', '--execution-role', `${stack}-role`, '--yes', '-o', 'json');
    expect(JSON.parse(again.stdout).taskDefinition).toMatchObject({ revision: 1, status: 'unchanged' });
    const revs = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family }));
    expect(revs.taskDefinitionArns).toHaveLength(1);

    // task run on Fargate with no subnets: the default VPC; wait until STOPPED; exit code of the essential container.
    const run = await ok('task', 'run', '--cluster', cluster, '--task-definition', family, '--launch-type', 'FARGATE', '--wait', 'stopped', '--yes', '-o', 'json');
    const ran = JSON.parse(run.stdout);
    expect(ran).toMatchObject({ ok: true, exitCode: 0, network: { chosen: 'default-vpc', assignPublicIp: 'ENABLED' } });
    expect(ran.tasks).toHaveLength(1);
    expect(ran.tasks[0]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 0 });
    expect(run.stderr).toMatch(/container web \(essential\): exit code 0/);
    const t = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [ran.tasks[0].taskArn], include: ['TAGS'] }));
    expect(t.tasks?.[0].tags).toContainEqual({ key: 'ecsprimer:stack', value: stack });
    expect(t.tasks?.[0].startedBy).toBe(`ecsprimer/${stack}`);
    const subnetId = t.tasks?.[0].attachments?.[0].details?.find((d) => d.name === 'subnetId')?.value;
    const defaults = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    expect(defaults.Subnets?.map((s) => s.SubnetId)).toContain(subnetId);

    // service create --desired-count 2 --wait: stable; tagged, tags propagated from the service.
    await ok('service', 'create', '--cluster', cluster, '--name', service, '--task-definition', family, '--desired-count', '2', '--wait', '--yes');
    const s = await ecs.send(new DescribeServicesCommand({ cluster, services: [service], include: ['TAGS'] }));
    expect(s.services?.[0]).toMatchObject({ status: 'ACTIVE', desiredCount: 2, runningCount: 2, propagateTags: 'SERVICE', taskDefinition: td.taskDefinition!.taskDefinitionArn });
    expect(s.services?.[0].tags).toContainEqual({ key: 'ecsprimer:stack', value: stack });

    // service delete: scaled to 0, deleted, INACTIVE.
    await ok('service', 'delete', '--cluster', cluster, '--name', service, '--yes');
    const gone = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    // Deleted with force (one DeleteService, no scaling to 0 first): INACTIVE.
    expect(gone.services?.[0]?.status).toBe('INACTIVE');

    // task deregister: no revision left, ACTIVE or INACTIVE.
    await ok('task', 'deregister', '--family', family, '--yes');
    for (const status of ['ACTIVE', 'INACTIVE'] as const) {
      const left = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status }));
      expect(left.taskDefinitionArns ?? []).toEqual([]);
    }

    // cluster delete: the stopped task does not count.
    await ok('cluster', 'delete', '--name', cluster, '--yes');
    const deleted = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
    expect(deleted.clusters?.[0]?.status ?? 'MISSING').not.toBe('ACTIVE');

    // The journal has every change, in order.
    const records = readFileSync(join(state, ACCOUNT, REGION, `${stack}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; type: string; name: string; command: string; parent?: string });
    const ecsEvents = records.filter((r) => r.type.startsWith('ecs-') && r.event !== 'intent' && !r.name.startsWith('run-') && r.name !== family);
    const taskId = ran.tasks[0].taskId as string;
    expect(ecsEvents.map((r) => `${r.command}: ${r.event} ${r.type} ${r.name}`)).toEqual([
      `cluster create: created ecs-cluster ${cluster}`,
      `task register: created ecs-task-definition ${family}:1`,
      `task run: created ecs-task ${taskId}`,
      `service create: created ecs-service ${service}`,
      `service delete: deleted ecs-service ${service}`,
      `task deregister: updated ecs-task-definition ${family}:1`,
      `task deregister: deleted ecs-task-definition ${family}:1`,
      `cluster delete: deleted ecs-cluster ${cluster}`,
    ]);
    // Every creating call was preceded by an intent.
    const intents = records.filter((r) => r.event === 'intent').map((r) => `${r.type} ${r.name}`);
    expect(intents).toEqual(expect.arrayContaining([`ecs-cluster ${cluster}`, `ecs-task-definition ${family}`, `ecs-service ${service}`]));
    expect(records.find((r) => r.type === 'ecs-service')?.parent).toBe(cluster);
  });
});
