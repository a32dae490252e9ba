/**
 * Logs, end to end through the built CLI against a moto of this file's own (the ECS task
 * lifecycle is driven with moto's state manager, global to a server): the default task definition
 * logs with awslogs to a log group the stack makes (tagged, 7 days) through the stack's execution
 * role; `task run --follow` streams the lines a container writes (put into its awslogs stream
 * `ecs/web/<task-id>` as the container would) and exits with the container's code; `task logs`
 * and `service logs` print them; teardown deletes the log group, or keeps it with --keep-logs.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DescribeLogGroupsCommand, ListTagsForResourceCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serviceTasks } from '../support/aws-behaviours.js';
import { makeStateDir, runCli, spawnCli, type CliResult } from '../support/cli.js';
import { describeE2E } from '../support/e2e.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { startProxy } from '../support/proxy.js';
import { TEST_ACCOUNT, uniqueStack } from '../support/stack-state.js';

describeE2E('logs (built CLI → moto with logs)', () => {
  let moto: MotoServer;
  let logs: CloudWatchLogsClient;
  let ecs: ECSClient;
  let iam: IAMClient;
  beforeAll(async () => {
    moto = await startMoto();
    const cfg = { endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    logs = new CloudWatchLogsClient(cfg);
    ecs = new ECSClient(cfg);
    iam = new IAMClient(cfg);
  });
  afterAll(async () => {
    for (const c of [logs, ecs, iam]) c?.destroy();
    await moto?.stop();
  });

  function stackCli(endpoint?: string) {
    const stack = uniqueStack('log');
    const state = makeStateDir();
    const env = { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '100' };
    const run = (args: string[], via = endpoint ?? moto.url): Promise<CliResult> => runCli([...args, '--stack', stack, '--endpoint-url', via, '--yes'], { env, timeoutMs: 60_000 });
    const spawn = (args: string[]) => spawnCli([...args, '--stack', stack, '--endpoint-url', moto.url, '--yes'], { env });
    return { stack, state, run, spawn, group: `/ecs/${stack}-web` };
  }
  const ok = (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stderr}`).toBe(0);

  /** `task run --follow` of `family` in the stack's cluster, once it says which task it follows. */
  async function startFollowing(s: ReturnType<typeof stackCli>, family: string) {
    const child = s.spawn(['task', 'run', '--cluster', `${s.stack}-c`, '--task-definition', family, '--follow']);
    await child.waitForOutput(/following task ([0-9a-f-]{32,36})/, { stream: 'stderr', timeoutMs: 30_000 });
    return { child, id: /following task ([0-9a-f-]{32,36})/.exec(child.stderrSoFar())![1] };
  }

  /** Writes lines into a task's awslogs stream, as its container would. */
  async function write(group: string, taskId: string, lines: string[], container = 'web') {
    const stream = `ecs/${container}/${taskId}`;
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })).catch(() => undefined);
    const now = Date.now();
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: lines.map((message, i) => ({ timestamp: now + i, message })) }));
  }

  it('task register makes the log group (tagged, 7 days) and the execution role (plain trust, the managed policy)', async () => {
    const s = stackCli();
    const r = await s.run(['task', 'register', '--log-retention', '14']);
    ok(r, 'task register');
    const g = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: s.group }))).logGroups?.[0];
    expect(g?.retentionInDays).toBe(14);
    const tags = await logs.send(new ListTagsForResourceCommand({ resourceArn: g!.arn!.replace(/:\*$/, '') }));
    expect(tags.tags).toMatchObject({ 'ecsprimer:stack': s.stack });
    const role = (await iam.send(new GetRoleCommand({ RoleName: `${s.stack}-exec` }))).Role!;
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)).Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.RoleName }))).AttachedPolicies?.map((p) => p.PolicyArn)).toEqual(['arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy']);
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${s.stack}-web` }))).taskDefinition!;
    expect(td.executionRoleArn).toBe(role.Arn);
    expect(td.containerDefinitions?.[0].logConfiguration).toEqual({ logDriver: 'awslogs', options: { 'awslogs-group': s.group, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' } });

    // --execution-role still wins: no stack execution role is made or used.
    const other = stackCli();
    ok(await other.run(['iam', 'create']), 'iam create');
    ok(await other.run(['task', 'register', '--execution-role', `${other.stack}-role`]), 'task register --execution-role');
    await expect(iam.send(new GetRoleCommand({ RoleName: `${other.stack}-exec` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });

    const bad = await s.run(['task', 'register', '--log-retention', '10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--log-retention: "10" is not a retention CloudWatch Logs offers');
  });

  it('task run --follow streams the lines until the task stops, then exits with the exit code; task logs prints them again', async () => {
    const s = stackCli();
    ok(await s.run(['cluster', 'create', '--name', `${s.stack}-c`]), 'cluster create');
    ok(await s.run(['task', 'register']), 'task register');
    await moto.setTaskTransition(8);
    try {
      const { child, id } = await startFollowing(s, `${s.stack}-web`);
      await write(s.group, id, ['hello from the container', 'second line']);
      const r = await child.result;
      ok(r, 'task run --follow');
      // The lines, in order, first on stdout; the run's result after them.
      expect(r.stdout.startsWith('hello from the container\nsecond line\n')).toBe(true);
      expect(r.stdout).toContain(`created ecs-task ${id}`);
      expect(r.stderr).toMatch(/container web \(essential\): exit code 0/);

      const again = await s.run(['task', 'logs', '--cluster', `${s.stack}-c`, '--task', id]);
      ok(again, 'task logs');
      expect(again.stdout).toBe('hello from the container\nsecond line\n');
      const json = await s.run(['task', 'logs', '--cluster', `${s.stack}-c`, '--task', id, '-o', 'json']);
      expect(JSON.parse(json.stdout).logs.map((l: { message: string }) => l.message)).toEqual(['hello from the container', 'second line']);

      const badSince = await s.run(['task', 'logs', '--cluster', `${s.stack}-c`, '--task', id, '--since', 'yesterday']);
      expect(badSince.code).toBe(2);
      expect(badSince.stderr).toContain('--since: "yesterday" is neither a duration nor a time');
      const badContainer = await s.run(['task', 'logs', '--cluster', `${s.stack}-c`, '--task', id, '--container', 'db']);
      expect(badContainer.code).toBe(2);
      expect(badContainer.stderr).toContain('has no container "db"');
    } finally {
      await moto.setTaskTransition('auto');
    }
  });

  it('Ctrl-C stops following, not the task, and says how to follow again', async () => {
    const s = stackCli();
    ok(await s.run(['cluster', 'create', '--name', `${s.stack}-c`]), 'cluster create');
    ok(await s.run(['task', 'register']), 'task register');
    await moto.setTaskTransition(1000);
    try {
      const { child, id } = await startFollowing(s, `${s.stack}-web`);
      child.child.kill('SIGINT');
      const r = await child.result;
      expect(r.code).toBe(130);
      expect(r.stderr).toContain(`Follow again with: ecsprimer task logs --cluster ${s.stack}-c --task ${id} --follow`);
    } finally {
      await moto.setTaskTransition('auto');
    }
  });

  it("service logs prints every task's lines, each prefixed by its task id", async () => {
    const s = stackCli();
    const c = `${s.stack}-c`;
    ok(await s.run(['cluster', 'create', '--name', c]), 'cluster create');
    ok(await s.run(['task', 'register']), 'task register');
    ok(await s.run(['service', 'create', '--cluster', c, '--name', 'web', '--task-definition', `${s.stack}-web`, '--desired-count', '0']), 'service create');
    // moto's services start no tasks: two standalone tasks play the service's, through the proxy.
    const ran = JSON.parse((await s.run(['task', 'run', '--cluster', c, '--task-definition', `${s.stack}-web`, '--count', '2', '-o', 'json'])).stdout) as { tasks: Array<{ taskId: string; taskArn: string }> };
    await write(s.group, ran.tasks[0].taskId, ['from the first']);
    await write(s.group, ran.tasks[1].taskId, ['from the second']);
    const p = await startProxy({ target: moto.url, faults: serviceTasks({ cluster: c, service: 'web', taskArns: ran.tasks.map((t) => t.taskArn) }) });
    try {
      const r = await s.run(['service', 'logs', '--cluster', c, '--name', 'web'], p.url);
      ok(r, 'service logs');
      expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual([`[${ran.tasks[0].taskId.slice(0, 8)}] from the first`, `[${ran.tasks[1].taskId.slice(0, 8)}] from the second`].sort());
    } finally {
      await p.stop();
    }
  });

  it('task run --follow of a task with two containers prefixes each line with its container', async () => {
    const s = stackCli();
    ok(await s.run(['cluster', 'create', '--name', `${s.stack}-c`]), 'cluster create');
    const logConfiguration = { logDriver: 'awslogs', options: { 'awslogs-group': s.group, 'awslogs-region': '${AWS::Region}', 'awslogs-stream-prefix': 'ecs' } };
    const doc = {
      family: `${s.stack}-two`,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'web', image: 'public.ecr.aws/nginx/nginx:stable-alpine', essential: true, memoryReservation: 128, logConfiguration },
        { name: 'side', image: 'public.ecr.aws/docker/library/busybox:stable', essential: false, memoryReservation: 64, logConfiguration },
      ],
    };
    ok(await s.run(['task', 'register', '--document', JSON.stringify(doc)]), 'task register');
    await moto.setTaskTransition(8);
    try {
      const { child, id } = await startFollowing(s, `${s.stack}-two`);
      await write(s.group, id, ['serving'], 'web');
      await write(s.group, id, ['sidecar up'], 'side');
      const r = await child.result;
      ok(r, 'task run --follow');
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('['));
      expect(lines.sort()).toEqual(['[side] sidecar up', '[web] serving']);
    } finally {
      await moto.setTaskTransition('auto');
    }
  });

  it('service logs --follow prints lines as the tasks write them, until Ctrl-C', async () => {
    const s = stackCli();
    const c = `${s.stack}-c`;
    ok(await s.run(['cluster', 'create', '--name', c]), 'cluster create');
    ok(await s.run(['task', 'register']), 'task register');
    ok(await s.run(['service', 'create', '--cluster', c, '--name', 'web', '--task-definition', `${s.stack}-web`, '--desired-count', '0']), 'service create');
    const ran = JSON.parse((await s.run(['task', 'run', '--cluster', c, '--task-definition', `${s.stack}-web`, '--count', '2', '-o', 'json'])).stdout) as { tasks: Array<{ taskId: string; taskArn: string }> };
    const p = await startProxy({ target: moto.url, faults: serviceTasks({ cluster: c, service: 'web', taskArns: ran.tasks.map((t) => t.taskArn) }) });
    try {
      const child = spawnCli(['service', 'logs', '--cluster', c, '--name', 'web', '--follow', '--stack', s.stack, '--endpoint-url', p.url], { env: { ECSPRIMER_STATE_DIR: s.state, ECSPRIMER_POLL_MS: '100' } });
      await new Promise((r) => setTimeout(r, 1500));
      await write(s.group, ran.tasks[1].taskId, ['written while following']);
      await child.waitForOutput(/written while following/, { stream: 'stdout', timeoutMs: 30_000 });
      child.child.kill('SIGINT');
      const r = await child.result;
      expect(r.code).toBe(130);
      expect(r.stdout).toContain(`[${ran.tasks[1].taskId.slice(0, 8)}] written while following`);
    } finally {
      await p.stop();
    }
  });

  it('teardown deletes the log group; with --keep-logs it keeps it', async () => {
    for (const keep of [false, true]) {
      const s = stackCli();
      ok(await s.run(['task', 'register']), 'task register');
      const r = await s.run(['teardown', ...(keep ? ['--keep-logs'] : [])]);
      ok(r, 'teardown');
      const left = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: s.group }))).logGroups ?? [];
      expect(left.map((g) => g.logGroupName)).toEqual(keep ? [s.group] : []);
      await expect(iam.send(new GetRoleCommand({ RoleName: `${s.stack}-exec` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
      expect(TEST_ACCOUNT).toBe('123456789012');
    }
  });

  it('logs delete: a bad name exits 2 with nothing sent; a group of another owner is named in the plan, then deleted', async () => {
    const s = stackCli();
    const bad = await s.run(['logs', 'delete', '--group', 'no spaces allowed']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--group.*not a log group name/s);
    ok(await s.run(['task', 'register']), 'task register');
    ok(await s.run(['logs', 'delete', '--group', s.group]), 'logs delete');
    expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: s.group }))).logGroups ?? []).toEqual([]);
    const foreign = `/other/${s.stack}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName: foreign }));
    const r = await s.run(['logs', 'delete', '--group', foreign]);
    ok(r, 'logs delete foreign');
    expect(r.stdout + r.stderr).toMatch(/not created by stack .*no ecsprimer tag/);
    expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: foreign }))).logGroups ?? []).toEqual([]);
    const again = await s.run(['logs', 'delete', '--group', foreign]);
    ok(again, 'logs delete again');
    expect(again.stdout).toMatch(/already absent logs-log-group/);
  });
});
