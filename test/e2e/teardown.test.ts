/**
 * Issue 4's reliability proofs, against moto: a full stack torn down to zero while decoys
 * survive; teardown without the journal; concurrent teardowns; a policy attached outside the
 * stack; a failing deletion that does not stop the others; and the README's shell scripts.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetPolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { CreateClusterCommand, DescribeClustersCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTaskDefinitionsCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { beforeAll, expect, it } from 'vitest';
import { makeStateDir, REPO_ROOT, runCli } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';
import { startProxy } from '../support/proxy.js';
import { startMoto } from '../support/moto.js';

const ACCOUNT = '123456789012';
let n = 0;
const uniqueStack = (p: string) => `${p}${Date.now().toString(36)}${n++}`;
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const DOC = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
const FAST = { ECSPRIMER_POLL_MS: '50' };

describeE2E('teardown (e2e against moto)', () => {
  let endpoint: string;
  let iam: IAMClient;
  let ecs: ECSClient;
  beforeAll(() => {
    endpoint = requireMotoUrl();
    const cfg = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    iam = new IAMClient(cfg);
    ecs = new ECSClient(cfg);
  });

  const cli = (args: string[], state: string, url = endpoint, env: Record<string, string> = {}) =>
    runCli([...args, '--endpoint-url', url], { env: { ECSPRIMER_STATE_DIR: state, ...FAST, ...env }, timeoutMs: 120_000 });

  async function ok(args: string[], state: string, url?: string) {
    const r = await cli(args, state, url);
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r;
  }

  /** Provisions the full stack: policy, role, attachment, cluster, task definition, service (2), a task. */
  async function fullStack(stack: string, state: string) {
    await ok(['iam', 'create', '--yes', '--stack', stack], state);
    await ok(['cluster', 'create', '--name', `${stack}-cluster`, '--yes', '--stack', stack], state);
    await ok(['task', 'register', '--execution-role', `${stack}-role`, '--yes', '--stack', stack], state);
    await ok(['service', 'create', '--cluster', `${stack}-cluster`, '--name', `${stack}-web`, '--task-definition', `${stack}-web`, '--desired-count', '2', '--launch-type', 'FARGATE', '--yes', '--stack', stack], state);
    await ok(['task', 'run', '--cluster', `${stack}-cluster`, '--task-definition', `${stack}-web`, '--launch-type', 'FARGATE', '--yes', '--stack', stack], state);
  }

  /** Everything of the stack that is still live on the server. */
  const leftovers = (stack: string) => leftoversOn(iam, ecs, stack);
  async function leftoversOn(iam: IAMClient, ecs: ECSClient, stack: string): Promise<string[]> {
    const left: string[] = [];
    // The stack's log groups (task register makes /ecs/<stack>-web), on the same server.
    const ep = await ecs.config.endpoint!();
    const logs = new CloudWatchLogsClient({ endpoint: `${ep.protocol}//${ep.hostname}:${ep.port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    left.push(...((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/ecs/${stack}-` }))).logGroups ?? []).map((g) => `log group ${g.logGroupName}`));
    logs.destroy();
    const roles = (await iam.send(new ListRolesCommand({ PathPrefix: `/ecsprimer/${stack}/` }))).Roles ?? [];
    left.push(...roles.map((r) => `role ${r.RoleName}`));
    const pols = (await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: `/ecsprimer/${stack}/` }))).Policies ?? [];
    left.push(...pols.map((p) => `policy ${p.PolicyName}`));
    const cl = (await ecs.send(new DescribeClustersCommand({ clusters: [`${stack}-cluster`] }))).clusters ?? [];
    left.push(...cl.filter((c) => c.status === 'ACTIVE').map((c) => `cluster ${c.clusterName}`));
    if (cl.length) {
      const svc = (await ecs.send(new DescribeServicesCommand({ cluster: `${stack}-cluster`, services: [`${stack}-web`] }))).services ?? [];
      left.push(...svc.filter((s) => s.status !== 'INACTIVE').map((s) => `service ${s.serviceName} ${s.status}`));
      const taskArns = (await ecs.send(new ListTasksCommand({ cluster: `${stack}-cluster` }))).taskArns ?? [];
      if (taskArns.length) {
        const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: `${stack}-cluster`, tasks: taskArns }))).tasks ?? [];
        left.push(...tasks.filter((t) => t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED').map((t) => `task ${t.taskArn}`));
      }
    }
    const tds = (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: `${stack}-web`, status: 'ACTIVE' }))).taskDefinitionArns ?? [];
    left.push(...tds.map((t) => `task definition ${t}`));
    return left;
  }

  it('tears a full stack down to zero while decoys survive untouched', async () => {
    const stack = uniqueStack('full');
    const other = `${stack}o`;
    const state = makeStateDir();
    await fullStack(stack, state);
    // Decoys: untagged look-alikes, and resources of another stack.
    await iam.send(new CreateRoleCommand({ RoleName: `${stack}-role-copy`, AssumeRolePolicyDocument: TRUST }));
    const decoyPolicy = (await iam.send(new CreatePolicyCommand({ PolicyName: `${stack}-policy-copy`, PolicyDocument: DOC }))).Policy!.Arn!;
    await ecs.send(new CreateClusterCommand({ clusterName: `${stack}-cluster-copy` }));
    await ok(['iam', 'create', '--yes', '--stack', other], makeStateDir());
    await ok(['cluster', 'create', '--name', `${other}-cluster`, '--yes', '--stack', other], makeStateDir());

    expect((await leftovers(stack)).length).toBeGreaterThanOrEqual(6);
    const status = await ok(['status', '--stack', stack, '-o', 'json'], state);
    const types = JSON.parse(status.stdout).resources.map((r: { type: string }) => r.type);
    expect(types).toEqual(expect.arrayContaining(['iam-policy', 'iam-role', 'iam-attachment', 'ecs-cluster', 'ecs-task-definition', 'ecs-service', 'ecs-task']));

    const dry = await ok(['teardown', '--dry-run', '--stack', stack], state);
    expect(dry.stdout).toMatch(/DeleteService[\s\S]*DeleteCluster[\s\S]*DeleteRole[\s\S]*DeletePolicy/);
    expect(await leftovers(stack)).not.toEqual([]);

    const down = await ok(['teardown', '--yes', '--stack', stack, '-o', 'json'], state);
    const report = JSON.parse(down.stdout);
    expect(report.ok).toBe(true);
    expect(await leftovers(stack)).toEqual([]);

    // Decoys untouched.
    expect((await iam.send(new GetRoleCommand({ RoleName: `${stack}-role-copy` }))).Role).toBeDefined();
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: decoyPolicy }))).Policy).toBeDefined();
    const decoyClusters = (await ecs.send(new DescribeClustersCommand({ clusters: [`${stack}-cluster-copy`, `${other}-cluster`] }))).clusters ?? [];
    expect(decoyClusters.map((c) => `${c.clusterName}:${c.status}`).sort()).toEqual([`${other}-cluster:ACTIVE`, `${stack}-cluster-copy:ACTIVE`].sort());
    expect((await iam.send(new GetRoleCommand({ RoleName: `${other}-role` }))).Role).toBeDefined();

    // Re-running is harmless: everything is already absent.
    const again = await ok(['teardown', '--yes', '--stack', stack, '-o', 'json'], state);
    expect(JSON.parse(again.stdout).changes.every((c: { status: string }) => c.status !== 'done')).toBe(true);
    await ok(['teardown', '--yes', '--stack', other], makeStateDir());
  });

  it('finds the stack by its tags when the journal is gone', async () => {
    const stack = uniqueStack('lost');
    const state = makeStateDir();
    await fullStack(stack, state);
    rmSync(join(state, ACCOUNT), { recursive: true, force: true });
    const status = await ok(['status', '--stack', stack, '-o', 'json'], state);
    const rows = JSON.parse(status.stdout).resources as Array<{ drift?: string }>;
    expect(rows.some((r) => r.drift === 'tagged but not journalled')).toBe(true);
    await ok(['teardown', '--yes', '--stack', stack], state);
    expect(await leftovers(stack)).toEqual([]);
  });

  it('two teardowns at once: both succeed or one names the lock; nothing remains', async () => {
    const stack = uniqueStack('twice');
    const state = makeStateDir();
    await ok(['iam', 'create', '--yes', '--stack', stack], state);
    await ok(['cluster', 'create', '--name', `${stack}-cluster`, '--yes', '--stack', stack], state);
    const [a, b] = await Promise.all([cli(['teardown', '--yes', '--stack', stack], state), cli(['teardown', '--yes', '--stack', stack], state)]);
    for (const r of [a, b]) {
      if (r.code !== 0) {
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/being changed by another ecsprimer run/);
      }
    }
    expect([a.code, b.code]).toContain(0);
    expect(await leftovers(stack)).toEqual([]);
  });

  it('detaches a 5-version policy from a role outside the stack and from a user, then deletes it', async () => {
    const stack = uniqueStack('pol5');
    const state = makeStateDir();
    await ok(['iam', 'create', '--yes', '--stack', stack], state);
    const arn = `arn:aws:iam::${ACCOUNT}:policy/ecsprimer/${stack}/${stack}-policy`;
    for (let i = 2; i <= 5; i++) {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, SetAsDefault: false, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: `s3:Get${i}`, Resource: '*' }] }) }));
    }
    await iam.send(new CreateRoleCommand({ RoleName: `${stack}-outside`, AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: `${stack}-outside`, PolicyArn: arn }));
    await iam.send(new CreateUserCommand({ UserName: `${stack}-user` }));
    await iam.send(new AttachUserPolicyCommand({ UserName: `${stack}-user`, PolicyArn: arn }));
    const r = await ok(['teardown', '--yes', '--stack', stack, '-v'], state);
    // moto would delete an attached policy; AWS refuses: the detaches must have been made.
    expect(r.stderr).toMatch(/→ iam:DetachRolePolicy/);
    expect(r.stderr).toMatch(/→ iam:DetachUserPolicy/);
    expect(r.stderr.match(/→ iam:DeletePolicyVersion/g)).toHaveLength(4);
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
    expect((await iam.send(new GetRoleCommand({ RoleName: `${stack}-outside` }))).Role).toBeDefined();
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: `${stack}-user` }))).AttachedPolicies).toEqual([]);
  });

  it('one failing deletion does not stop the others; the report lists it; a re-run finishes', async () => {
    const stack = uniqueStack('fail');
    const state = makeStateDir();
    await ok(['iam', 'create', '--yes', '--stack', stack], state);
    await ok(['cluster', 'create', '--name', `${stack}-cluster`, '--yes', '--stack', stack], state);
    // The policy's delete fails; the role does not wait for it (the journal's detach step removes
    // the attachment), so it goes all the same, as does the cluster.
    const proxy = await startProxy({ target: endpoint, faults: [{ kind: 'error', match: { service: 'iam', operation: 'DeletePolicy' }, errorCode: 'AccessDenied', errorMessage: 'not allowed', httpStatus: 403 }] });
    try {
      const r = await cli(['teardown', '--yes', '--stack', stack, '-o', 'json'], state, proxy.url, { AWS_MAX_ATTEMPTS: '1' });
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.ok).toBe(false);
      const byType = Object.fromEntries(report.changes.map((c: { type: string; status: string }) => [c.type, c.status]));
      expect(byType['ecs-cluster']).toBe('done');
      expect(byType['iam-policy']).toBe('failed');
      expect(byType['iam-role']).toBe('done');
      expect(byType['iam-attachment']).toBe('done');
      expect(report.error.message).toMatch(/DeletePolicy/);
    } finally {
      await proxy.stop();
    }
    await ok(['teardown', '--yes', '--stack', stack], state);
    expect(await leftovers(stack)).toEqual([]);
  });

  it.each([{ script: 'stack-with-teardown.sh' }, { script: 'stack-with-deletes.sh' }])("README's script $script works as written", async ({ script }) => {
    // `service create --wait` needs services that reach their desired count: moto does that only
    // with MOTO_ECS_SERVICE_RUNNING set, so these scripts get a server of their own.
    // The scripts attach AWS's AmazonECSTaskExecutionRolePolicy: moto has AWS managed policies
    // only with MOTO_IAM_LOAD_MANAGED_POLICIES set.
    const before = { running: process.env.MOTO_ECS_SERVICE_RUNNING, managed: process.env.MOTO_IAM_LOAD_MANAGED_POLICIES };
    process.env.MOTO_ECS_SERVICE_RUNNING = '2';
    process.env.MOTO_IAM_LOAD_MANAGED_POLICIES = 'true';
    const moto = await startMoto().finally(() => {
      if (before.running === undefined) delete process.env.MOTO_ECS_SERVICE_RUNNING;
      else process.env.MOTO_ECS_SERVICE_RUNNING = before.running;
      if (before.managed === undefined) delete process.env.MOTO_IAM_LOAD_MANAGED_POLICIES;
      else process.env.MOTO_IAM_LOAD_MANAGED_POLICIES = before.managed;
    });
    try {
      await runScript(script, moto.url);
    } finally {
      await moto.stop();
    }
  });

  async function runScript(script: string, endpoint: string) {
    const cfg = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    const [iamS, ecsS] = [new IAMClient(cfg), new ECSClient(cfg)];
    const ok = async (args: string[], state: string) => {
      const r = await cli(args, state, endpoint);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    };
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const text = readFileSync(join(REPO_ROOT, 'examples', script), 'utf8');
    expect(readme).toContain(text.trim());
    const stack = uniqueStack('sh');
    const state = makeStateDir();
    const env = { ECSPRIMER_STATE_DIR: state, ...FAST, STACK: stack, ECSPRIMER: `${process.execPath} ${join(REPO_ROOT, 'bin', 'ecsprimer.cjs')}`, AWS_ENDPOINT_URL: endpoint };
    if (script === 'stack-with-deletes.sh') {
      // The deletes script removes what the first half of the teardown script creates.
      await ok(['iam', 'create', '--yes', '--stack', stack], state);
      await ok(['cluster', 'create', '--name', `${stack}-cluster`, '--yes', '--stack', stack], state);
      await ok(['task', 'register', '--task-role', `${stack}-role`, '--yes', '--stack', stack], state);
      await ok(['service', 'create', '--cluster', `${stack}-cluster`, '--name', `${stack}-web`, '--task-definition', `${stack}-web`, '--desired-count', '2', '--launch-type', 'FARGATE', '--yes', '--stack', stack], state);
    }
    const { spawnSync } = await import('node:child_process');
    const { cliEnv } = await import('../support/cli.js');
    const r = spawnSync('bash', [join(REPO_ROOT, 'examples', script)], { env: cliEnv(env), encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`stack ${stack} is gone`);
    expect(await leftoversOn(iamS, ecsS, stack)).toEqual([]);
    // Idempotent: the deletes script runs again cleanly.
    if (script === 'stack-with-deletes.sh') {
      const again = spawnSync('bash', [join(REPO_ROOT, 'examples', script)], { env: cliEnv(env), encoding: 'utf8', timeout: 180_000 });
      expect(again.status, again.stderr).toBe(0);
    }
  }
});
