/**
 * The moto harness itself: start, readiness, reset, ECS task transitions, stop; and what the
 * global setup hands to test files.
 *
 * This file starts its own moto server: reset() and set-transition are global to a server, and the
 * shared one (from global-setup.ts) serves other test files running in parallel.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { freeLoopbackPort, motoAvailable, startMoto, type MotoServer } from '../support/moto.js';
import { motoUrlOrSkip } from '../support/e2e.js';
import { cliEnv, makeStateDir } from '../support/cli.js';

const available = await motoAvailable();

const assumeRolePolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

function clients(endpoint: string) {
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  return { iam: new IAMClient(config), ecs: new ECSClient(config), ec2: new EC2Client(config) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('freeLoopbackPort', () => {
  it('returns a usable port number', async () => {
    const port = await freeLoopbackPort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});

describe.skipIf(!available)('moto harness', () => {
  let moto: MotoServer;
  let aws: ReturnType<typeof clients>;

  beforeAll(async () => {
    moto = await startMoto();
    aws = clients(moto.url);
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('serves on loopback and answers GET /moto-api/', async () => {
    expect(moto.url).toBe(`http://127.0.0.1:${moto.port}`);
    const response = await fetch(`${moto.url}/moto-api/`);
    await response.arrayBuffer();
    expect(response.status).toBe(200);
  });

  it('reset() empties the backends', async () => {
    await aws.iam.send(new CreateRoleCommand({ RoleName: 'harness-reset', AssumeRolePolicyDocument: assumeRolePolicy }));
    await aws.iam.send(new GetRoleCommand({ RoleName: 'harness-reset' }));
    await moto.reset();
    // the SDK names IAM's modelled errors after their shape: code NoSuchEntity, name NoSuchEntityException
    await expect(aws.iam.send(new GetRoleCommand({ RoleName: 'harness-reset' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      Code: 'NoSuchEntity',
    });
  });

  describe('setTaskTransition', () => {
    /** lastStatus of a fresh task: in the RunTask answer, then on each of `reads` DescribeTasks. */
    async function statuses(reads: number): Promise<string[]> {
      const cluster = 'harness-cluster';
      // tagged: moto's tagging GetResources fails (HTTP 500) while any untagged ECS cluster exists
      await aws.ecs.send(new CreateClusterCommand({ clusterName: cluster, tags: [{ key: 'test', value: 'harness' }] }));
      await aws.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'harness-task',
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          // moto answers RunTask with HTTP 500 unless containers set memory or memoryReservation
          containerDefinitions: [{ name: 'app', image: 'busybox', memoryReservation: 64 }],
        }),
      );
      const subnets = await aws.ec2.send(new DescribeSubnetsCommand({}));
      const groups = await aws.ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }),
      );
      const run = await aws.ecs.send(
        new RunTaskCommand({
          cluster,
          taskDefinition: 'harness-task',
          launchType: 'FARGATE',
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: [subnets.Subnets![0].SubnetId!],
              securityGroups: [groups.SecurityGroups![0].GroupId!],
            },
          },
        }),
      );
      const task = run.tasks![0];
      const seen = [task.lastStatus!];
      for (let i = 0; i < reads; i++) {
        const described = await aws.ecs.send(new DescribeTasksCommand({ cluster, tasks: [task.taskArn!] }));
        seen.push(described.tasks![0].lastStatus!);
      }
      return seen;
    }

    it('holds a task RUNNING for N-1 DescribeTasks with times N, then one state per N reads', async () => {
      await moto.setTaskTransition(3);
      expect(await statuses(6)).toEqual([
        'RUNNING', // RunTask's answer
        'RUNNING',
        'RUNNING',
        'DEACTIVATING',
        'DEACTIVATING',
        'DEACTIVATING',
        'STOPPING',
      ]);
    });

    it("'auto' restores moto's default: one state further on every DescribeTasks", async () => {
      await moto.setTaskTransition(3);
      await moto.setTaskTransition('auto');
      expect(await statuses(5)).toEqual([
        'RUNNING',
        'DEACTIVATING',
        'STOPPING',
        'DEPROVISIONING',
        'STOPPED',
        'STOPPED',
      ]);
    });

    it("'immediate' stops a task at once (even RunTask's answer says STOPPED)", async () => {
      await moto.setTaskTransition('immediate');
      expect(await statuses(1)).toEqual(['STOPPED', 'STOPPED']);
      await moto.setTaskTransition('auto');
    });

    it('reset() also restores the default transition', async () => {
      await moto.setTaskTransition(5);
      await moto.reset();
      const response = await fetch(`${moto.url}/moto-api/state-manager/get-transition?model_name=ecs::task`);
      expect(await response.json()).toEqual({ progression: 'manual', times: 1 });
    });

    it('rejects a non-positive times', async () => {
      await expect(moto.setTaskTransition(0)).rejects.toThrow(RangeError);
    });
  });

  it('stop() ends the process and is idempotent', async () => {
    const own = await startMoto();
    expect(isAlive(own.pid)).toBe(true);
    await own.stop();
    await own.stop();
    expect(isAlive(own.pid)).toBe(false); // exited and reaped: not even a zombie answers kill(0)
    await expect(fetch(`${own.url}/moto-api/`)).rejects.toThrow();
  });

  it('fails clearly when the port is taken, with the server stderr', async () => {
    await expect(startMoto({ port: moto.port })).rejects.toThrow(/exited before it was ready[\s\S]*stderr/);
  });
});

describe('global setup', () => {
  it.skipIf(!available)('provides the shared moto URL to test files', async () => {
    const url = inject('motoUrl');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.ECSPRIMER_TEST_MOTO_URL).toBe(url);
    expect(motoUrlOrSkip()).toBe(url);
    const response = await fetch(`${url}/moto-api/`);
    await response.arrayBuffer();
    expect(response.status).toBe(200);
  });

  it.skipIf(available)('provides null when moto is missing', () => {
    expect(inject('motoUrl')).toBeNull();
    expect(motoUrlOrSkip()).toBeNull();
  });
});

describe('cli harness environment', () => {
  it('builds the environment from scratch, with per-call HOME and state dirs under the run temp root (and one compile cache for the run)', () => {
    const root = process.env.ECSPRIMER_TEST_TMPDIR!;
    expect(root && existsSync(root)).toBe(true);
    const env = cliEnv({ EXTRA: 'x', NO_COLOR: undefined });
    expect(Object.keys(env).sort()).toEqual(
      [
        'PATH',
        'HOME',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_REGION',
        'AWS_EC2_METADATA_DISABLED',
        'AWS_CONFIG_FILE',
        'AWS_SHARED_CREDENTIALS_FILE',
        'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
        'ECSPRIMER_STATE_DIR',
        'ECSPRIMER_CACHE_DIR',
        'EXTRA',
      ].sort(),
    );
    expect(path.dirname(env.HOME)).toBe(root);
    expect(readdirSync(env.HOME)).toEqual([]);
    expect(existsSync(env.AWS_CONFIG_FILE)).toBe(false);
    expect(existsSync(env.AWS_SHARED_CREDENTIALS_FILE)).toBe(false);
    expect(path.dirname(env.ECSPRIMER_STATE_DIR)).toBe(root);
    expect(cliEnv().HOME).not.toBe(env.HOME);
    expect(path.dirname(env.ECSPRIMER_CACHE_DIR)).toBe(root);
    expect(cliEnv().ECSPRIMER_CACHE_DIR).toBe(env.ECSPRIMER_CACHE_DIR);

    const stateDir = makeStateDir();
    expect(cliEnv({ ECSPRIMER_STATE_DIR: stateDir }).ECSPRIMER_STATE_DIR).toBe(stateDir);
    expect(cliEnv({ ECSPRIMER_STATE_DIR: undefined })).not.toHaveProperty('ECSPRIMER_STATE_DIR');
  });
});
