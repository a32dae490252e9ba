/**
 * What AWS does and moto does not (test/support/aws-behaviours.ts), played through the proxy in
 * front of moto, against the built CLI: each behaviour is survived, reported, and the server ends
 * in the expected state. test/RELIABILITY.md lists them.
 */
import { DescribeClustersCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { GetRoleCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  circuitBreakerRollback,
  clusterStillCountsItsTasks,
  ecsServiceLinkedRoleBeingCreated,
  iamCreatesNotVisibleYet,
  iamDetachesNotSettled,
  inactiveRevisionsUnlisted,
  mayNotTagOnCreate,
  serviceDrainsWhileTasksStop,
  taskStops,
  taskDefinitionWithAwsDefaults,
} from '../support/aws-behaviours.js';
import { makeStateDir, runCli, type CliResult } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { startProxy, type FaultRule, type Proxy } from '../support/proxy.js';
import { countsOf, EMPTY_COUNTS, readStackState, sdkClients, TEST_ACCOUNT, uniqueStack } from '../support/stack-state.js';

describeE2E('AWS behaviours moto never shows (built CLI → behaviour proxy → moto)', () => {
  let motoUrl: string;
  const proxies: Proxy[] = [];
  beforeAll(() => {
    motoUrl = requireMotoUrl();
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
  });

  async function proxy(rules: FaultRule[]): Promise<Proxy> {
    const p = await startProxy({ target: motoUrl, faults: rules });
    proxies.push(p);
    return p;
  }

  /** A CLI bound to one stack, state directory and endpoint; retries and polls are fast. */
  function cli(endpoint: string, o: { stack?: string; env?: Record<string, string> } = {}) {
    const stack = o.stack ?? uniqueStack('bhv');
    const state = makeStateDir();
    const run = (args: string[], extra: string[] = ['--yes']): Promise<CliResult> =>
      runCli([...args, '--stack', stack, '--endpoint-url', endpoint, ...extra], {
        env: { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '50', ...o.env },
        timeoutMs: 90_000,
      });
    return { stack, state, run };
  }

  const ok = (r: CliResult, what: string) => expect(r.code, `${what}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);

  describe("ECS's first use in an account (its service-linked role is being created)", () => {
    it('CreateCluster is retried, visibly, until ECS accepts it', async () => {
      const p = await proxy(ecsServiceLinkedRoleBeingCreated(2, ['CreateCluster']));
      const { stack, run } = cli(p.url);
      const r = await run(['cluster', 'create', '--name', `${stack}-c`]);
      ok(r, 'cluster create');
      expect(r.stderr).toContain("waiting for ECS to create its service-linked role (ECS's first use in this account)");
      expect(p.counts().byOperation['ecs:CreateCluster']).toBe(3);
      const { ecs } = sdkClients(motoUrl);
      const c = (await ecs.send(new DescribeClustersCommand({ clusters: [`${stack}-c`] }))).clusters?.[0];
      ecs.destroy();
      expect(c?.status).toBe('ACTIVE');
    });

    it('CreateService is retried with the same client token, and the service is created once', async () => {
      const setup = cli(motoUrl);
      ok(await setup.run(['cluster', 'create', '--name', `${setup.stack}-c`]), 'cluster create');
      ok(await setup.run(['task', 'register']), 'task register');
      const p = await proxy(ecsServiceLinkedRoleBeingCreated(2, ['CreateService']));
      const { run } = cli(p.url, { stack: setup.stack });
      const r = await run(['service', 'create', '--cluster', `${setup.stack}-c`, '--name', 'web', '--task-definition', `${setup.stack}-web`]);
      ok(r, 'service create');
      expect(r.stderr).toContain('waiting for ECS to create its service-linked role');
      expect(p.counts().byOperation['ecs:CreateService']).toBe(3);
      const s = await readStackState(motoUrl, setup.stack, { clusters: [`${setup.stack}-c`] });
      expect(s.services).toEqual([{ cluster: `${setup.stack}-c`, name: 'web', status: 'ACTIVE', desiredCount: 1 }]);
    });

    it('gives up after the bound with what to do (exit 1)', async () => {
      const p = await proxy(ecsServiceLinkedRoleBeingCreated(1000, ['CreateCluster']));
      const { stack, run } = cli(p.url, { env: { ECSPRIMER_RETRY_MAX_MS: '300' } });
      const r = await run(['cluster', 'create', '--name', `${stack}-c`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Unable to assume the service linked role');
      expect(r.stderr).toContain('aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com');
    });
  });

  describe('a deleted service drains while its tasks stop', () => {
    /** The stack's cluster, task definition and service, made directly on moto. */
    async function stackWithService() {
      const setup = cli(motoUrl);
      const c = `${setup.stack}-c`;
      ok(await setup.run(['cluster', 'create', '--name', c]), 'cluster create');
      ok(await setup.run(['task', 'register']), 'task register');
      ok(await setup.run(['service', 'create', '--cluster', c, '--name', 'web', '--task-definition', `${setup.stack}-web`]), 'service create');
      return { setup, c };
    }
    const after = (p: Proxy, op: string) => {
      const log = p.log().map((e) => `${e.service}:${e.operation}`);
      return log.slice(log.indexOf('ecs:DeleteService') + 1).filter((x) => x === op).length;
    };

    it('DeleteService answers DRAINING: teardown polls until INACTIVE, and deletes the cluster only then', async () => {
      const { setup, c } = await stackWithService();
      const p = await proxy(serviceDrainsWhileTasksStop({ cluster: c, service: 'web', polls: 2 }));
      const { run } = cli(p.url, { stack: setup.stack });
      const r = await run(['teardown']);
      ok(r, 'teardown');
      expect(r.stderr).toContain(`waiting for service web in ${c} to be INACTIVE`);
      // Two reads still DRAINING, then the one that sees it INACTIVE; DeleteCluster after all three.
      expect(after(p, 'ecs:DescribeServices')).toBe(3);
      const log = p.log().map((e) => `${e.service}:${e.operation}`);
      expect(log.lastIndexOf('ecs:DescribeServices')).toBeLessThan(log.indexOf('ecs:DeleteCluster'));
      expect(countsOf(await readStackState(motoUrl, setup.stack, { clusters: [c] }))).toEqual(EMPTY_COUNTS);
    });

    it('DeleteService answers INACTIVE (no task needed stopping): nothing to wait for, no poll', async () => {
      const { setup, c } = await stackWithService();
      const p = await proxy([]);
      const { run } = cli(p.url, { stack: setup.stack });
      const r = await run(['teardown']);
      ok(r, 'teardown');
      expect(after(p, 'ecs:DescribeServices')).toBe(0);
      expect(r.stderr).not.toContain('to be INACTIVE');
      expect(countsOf(await readStackState(motoUrl, setup.stack, { clusters: [c] }))).toEqual(EMPTY_COUNTS);
    });
  });

  describe('DeleteCluster right after the last tasks stopped', () => {
    it.each([
      { code: 'ClusterContainsTasksException' },
      { code: 'ClusterContainsServicesException' },
      { code: 'UpdateInProgressException' },
    ])('$code is retried, visibly, until the cluster is deleted', async ({ code }) => {
      const setup = cli(motoUrl);
      ok(await setup.run(['cluster', 'create', '--name', `${setup.stack}-c`]), 'cluster create');
      const p = await proxy(clusterStillCountsItsTasks(2, code));
      const { run } = cli(p.url, { stack: setup.stack });
      const r = await run(['cluster', 'delete', '--name', `${setup.stack}-c`]);
      ok(r, 'cluster delete');
      expect(r.stderr).toContain(`waiting for ECS to see that cluster ${setup.stack}-c is empty`);
      expect(p.counts().byOperation['ecs:DeleteCluster']).toBe(3);
      const { ecs } = sdkClients(motoUrl);
      const c = (await ecs.send(new DescribeClustersCommand({ clusters: [`${setup.stack}-c`] }))).clusters?.[0];
      ecs.destroy();
      expect(c?.status).toBe('INACTIVE');
    });
  });

  describe('IAM is eventually consistent', () => {
    it('iam delete waits out DeleteConflict on DeleteRole and DeletePolicy after the detach: both are deleted', async () => {
      const setup = cli(motoUrl);
      ok(await setup.run(['iam', 'create']), 'iam create');
      const p = await proxy(iamDetachesNotSettled(2));
      const { run } = cli(p.url, { stack: setup.stack });
      const r = await run(['iam', 'delete']);
      ok(r, 'iam delete');
      expect(r.stderr).toContain(`waiting for IAM to settle the detaches of role ${setup.stack}-role`);
      expect(p.counts().byOperation['iam:DeleteRole']).toBe(3);
      expect(p.counts().byOperation['iam:DeletePolicy']).toBe(3);
      expect(countsOf(await readStackState(motoUrl, setup.stack))).toEqual(EMPTY_COUNTS);
    });

    it('teardown waits out DeleteConflict too, and ends with nothing of the stack', async () => {
      const setup = cli(motoUrl);
      ok(await setup.run(['iam', 'create']), 'iam create');
      ok(await setup.run(['cluster', 'create', '--name', `${setup.stack}-c`]), 'cluster create');
      const p = await proxy(iamDetachesNotSettled(3));
      const r = await cli(p.url, { stack: setup.stack }).run(['teardown']);
      // A new state directory: the teardown finds the stack by its tags and IAM path.
      ok(r, 'teardown');
      expect(countsOf(await readStackState(motoUrl, setup.stack, { clusters: [`${setup.stack}-c`] }))).toEqual(EMPTY_COUNTS);
    });

    it('iam create waits out NoSuchEntity on AttachRolePolicy right after the creates: the policy is attached', async () => {
      const p = await proxy(iamCreatesNotVisibleYet(2));
      const { stack, run } = cli(p.url);
      const r = await run(['iam', 'create']);
      ok(r, 'iam create');
      expect(r.stderr).toContain(`waiting for IAM to know role ${stack}-role and the policy (just created)`);
      expect(p.counts().byOperation['iam:AttachRolePolicy']).toBe(3);
      const { iam } = sdkClients(motoUrl);
      const role = await iam.send(new GetRoleCommand({ RoleName: `${stack}-role` }));
      const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: `${stack}-role` }));
      iam.destroy();
      expect(role.Role?.RoleName).toBe(`${stack}-role`);
      expect(attached.AttachedPolicies?.map((a) => a.PolicyName)).toEqual([`${stack}-policy`]);
    });
  });

  describe('a task that stops, as AWS reports it', () => {
    async function setup() {
      const s = cli(motoUrl);
      ok(await s.run(['cluster', 'create', '--name', `${s.stack}-c`]), 'cluster create');
      ok(await s.run(['task', 'register']), 'task register');
      return s;
    }

    it('task run --wait stopped exits with the essential container exit code, and says why the task stopped', async () => {
      const s = await setup();
      const p = await proxy(taskStops({ stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited', exitCode: 3 }));
      const r = await cli(p.url, { stack: s.stack }).run(['task', 'run', '--cluster', `${s.stack}-c`, '--task-definition', `${s.stack}-web`, '--wait', 'stopped']);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain('STOPPED: Essential container in task exited (EssentialContainerExited)');
      expect(r.stderr).toMatch(/container web \(essential\): exit code 3/);
    });

    it('task run --wait running exits 1 when the task stops without running, with the stopped reason and stop code', async () => {
      const s = await setup();
      const p = await proxy(taskStops({ stoppedReason: 'CannotPullContainerError: pull access denied for nginx', stopCode: 'TaskFailedToStart', containerReason: 'CannotPullContainerError' }));
      const r = await cli(p.url, { stack: s.stack }).run(['task', 'run', '--cluster', `${s.stack}-c`, '--task-definition', `${s.stack}-web`, '--wait', 'running']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('The task stopped before it was RUNNING');
      expect(r.stderr).toContain('CannotPullContainerError: pull access denied for nginx (TaskFailedToStart)');
    });
  });

  describe("a deployment circuit breaker's rollback", () => {
    it('service update --wait exits 1: rolled back to the revision before, with the failed tasks\' stopped reasons', async () => {
      const setup = cli(motoUrl);
      const c = `${setup.stack}-c`;
      ok(await setup.run(['cluster', 'create', '--name', c]), 'cluster create');
      ok(await setup.run(['task', 'register']), 'task register');
      ok(await setup.run(['service', 'create', '--cluster', c, '--name', 'web', '--task-definition', `${setup.stack}-web`]), 'service create');
      const v2 = JSON.stringify({
        family: `${setup.stack}-web`,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'web', image: 'public.ecr.aws/nginx/nginx:broken', essential: true }],
      });
      ok(await setup.run(['task', 'register', '--document', v2]), 'task register (revision 2)');
      const p = await proxy(
        circuitBreakerRollback({
          cluster: c,
          service: 'web',
          failed: [{ stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found', stopCode: 'TaskFailedToStart' }],
        }),
      );
      const r = await cli(p.url, { stack: setup.stack }).run(['service', 'update', '--cluster', c, '--name', 'web', '--task-definition', `${setup.stack}-web:2`, '--wait']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`and ECS rolled back to ${setup.stack}-web:1`);
      expect(r.stderr).toContain('CannotPullContainerError: pull image manifest has been retried 5 time(s): not found (TaskFailedToStart)');
      expect(r.stderr).not.toMatch(/stable: running/);
      // The update itself was made (and journalled); only the deployment failed.
      const s = await readStackState(motoUrl, setup.stack, { clusters: [c] });
      expect(s.services).toEqual([{ cluster: c, name: 'web', status: 'ACTIVE', desiredCount: 1 }]);
    });
  });

  describe('what AWS fills in and what it no longer lists', () => {
    const withHealthCheck = (stack: string) =>
      JSON.stringify({
        family: `${stack}-web`,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'web', image: 'public.ecr.aws/nginx/nginx:stable-alpine', essential: true, healthCheck: { command: ['CMD-SHELL', 'wget -q -O- http://localhost/ || exit 1'] } }],
      });

    it("a health check's defaults (interval 30, timeout 5, retries 3) in DescribeTaskDefinition leave a re-registration unchanged", async () => {
      const setup = cli(motoUrl);
      ok(await setup.run(['task', 'register', '--document', withHealthCheck(setup.stack)]), 'task register');
      const p = await proxy(taskDefinitionWithAwsDefaults());
      const r = await cli(p.url, { stack: setup.stack }).run(['task', 'register', '--document', withHealthCheck(setup.stack)]);
      ok(r, 'task register again');
      expect(r.stdout + r.stderr).toMatch(/unchanged/);
      expect(p.counts().byOperation['ecs:RegisterTaskDefinition']).toBeUndefined();
      expect((await readStackState(motoUrl, setup.stack)).taskDefinitions).toEqual([`${setup.stack}-web:1`]);
    });

    it('task deregister finds the INACTIVE revisions ListTaskDefinitions no longer lists (journal): every revision is deleted', async () => {
      const { stack, state, run } = cli(motoUrl);
      ok(await run(['task', 'register']), 'task register');
      ok(await run(['task', 'register', '--document', withHealthCheck(stack)]), 'task register (revision 2)');
      ok(await run(['task', 'deregister', '--family', `${stack}-web`, '--revision', '1', '--keep-inactive']), 'deregister revision 1, kept INACTIVE');
      const p = await proxy(inactiveRevisionsUnlisted());
      const r = await runCli(['task', 'deregister', '--family', `${stack}-web`, '--stack', stack, '--endpoint-url', p.url, '--yes'], { env: { ECSPRIMER_STATE_DIR: state } });
      ok(r, 'task deregister');
      expect(r.stderr).toMatch(/DeleteTaskDefinitions +\S+-web:1, \S+-web:2/);
      expect(p.counts().byOperation['ecs:DeleteTaskDefinitions']).toBe(1);
      expect((await readStackState(motoUrl, stack)).taskDefinitions).toEqual([]);
    });

    it('teardown finds them too (journal): nothing of the stack is left', async () => {
      const { stack, state, run } = cli(motoUrl);
      ok(await run(['task', 'register']), 'task register');
      ok(await run(['task', 'deregister', '--family', `${stack}-web`, '--keep-inactive']), 'deregister, kept INACTIVE');
      const p = await proxy(inactiveRevisionsUnlisted());
      const r = await runCli(['teardown', '--stack', stack, '--endpoint-url', p.url, '--yes'], { env: { ECSPRIMER_STATE_DIR: state } });
      ok(r, 'teardown');
      expect(r.stdout).toContain(`${stack}-web`);
      expect((await readStackState(motoUrl, stack)).taskDefinitions).toEqual([]);
    });
  });

  describe('a large stack', () => {
    // Found by its tags (no journal): the tagging API of a moto of its own, because moto answers
    // GetResources with HTTP 500 while any untagged ECS cluster exists (other files make some).
    let own: MotoServer;
    beforeAll(async () => {
      own = await startMoto();
    });
    afterAll(async () => {
      await own?.stop();
    });

    it('teardown reads its task definitions at most 10 at a time, and removes all 30', async () => {
      const motoUrl = own.url;
      const stack = uniqueStack('big');
      const { ecs } = sdkClients(motoUrl);
      const families = Array.from({ length: 30 }, (_, i) => `${stack}-f${i}`);
      await Promise.all(
        families.map((family) =>
          ecs.send(
            new RegisterTaskDefinitionCommand({
              family,
              containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }],
              tags: [{ key: 'ecsprimer:stack', value: stack }],
            }),
          ),
        ),
      );
      ecs.destroy();
      const p = await startProxy({ target: motoUrl, faults: [{ kind: 'slow-response', match: { service: 'ecs', operation: 'DescribeTaskDefinition' }, stallMs: 50 }] });
      proxies.push(p);
      ok(await cli(p.url, { stack }).run(['teardown']), 'teardown');
      const c = p.counts();
      expect(c.byOperation['ecs:DescribeTaskDefinition']).toBeGreaterThanOrEqual(30);
      expect(c.maxInFlight['ecs:DescribeTaskDefinition']).toBeLessThanOrEqual(10);
      expect(c.maxInFlight['ecs:DescribeTaskDefinition']).toBeGreaterThan(1);
      expect((await readStackState(motoUrl, stack, { families })).taskDefinitions).toEqual([]);
    });
  });

  describe('endpoints per service, as the SDK resolves them', () => {
    it("AWS_ENDPOINT_URL_ECS sends ECS's requests elsewhere than AWS_ENDPOINT_URL's", async () => {
      const p = await proxy([]);
      const stack = uniqueStack('ep');
      const r = await runCli(['cluster', 'create', '--name', `${stack}-c`, '--stack', stack, '--yes'], { env: { AWS_ENDPOINT_URL: motoUrl, AWS_ENDPOINT_URL_ECS: p.url } });
      ok(r, 'cluster create');
      const byOp = p.counts().byOperation;
      expect(byOp['ecs:CreateCluster']).toBe(1);
      expect(Object.keys(byOp).every((k) => k.startsWith('ecs:'))).toBe(true);
      expect((await readStackState(motoUrl, stack)).clusters.map((c) => c.name)).toEqual([`${stack}-c`]);
    });

    it("a profile's services section and endpoint_url, and its region, are honoured; --endpoint-url overrides them", async () => {
      const p = await proxy([]);
      const dir = makeStateDir();
      const config = join(dir, 'aws-config');
      writeFileSync(
        config,
        ['[profile local]', 'region = eu-west-1', 'aws_access_key_id = test', 'aws_secret_access_key = test', 'services = local', `endpoint_url = ${motoUrl}`, '', '[services local]', 'ecs =', `  endpoint_url = ${p.url}`, ''].join('\n'),
      );
      const stack = uniqueStack('prof');
      const env = { AWS_CONFIG_FILE: config, AWS_PROFILE: 'local', AWS_REGION: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, ECSPRIMER_STATE_DIR: dir };
      const r = await runCli(['cluster', 'create', '--name', `${stack}-c`, '--stack', stack, '--yes'], { env });
      ok(r, 'cluster create');
      expect(r.stderr).toContain('eu-west-1');
      expect(p.counts().byOperation['ecs:CreateCluster']).toBe(1);
      expect(p.counts().byOperation['sts:GetCallerIdentity']).toBeUndefined();
      expect(existsSync(join(dir, TEST_ACCOUNT, 'eu-west-1'))).toBe(true);

      p.resetCounts();
      const over = await runCli(['cluster', 'delete', '--name', `${stack}-c`, '--stack', stack, '--yes', '--endpoint-url', motoUrl], { env });
      ok(over, 'cluster delete with --endpoint-url');
      expect(p.counts().total).toBe(0);
    });
  });

  describe('permissions a create needs', () => {
    it.each([
      { service: 'ecs' as const, operation: 'CreateCluster', action: 'ecs:TagResource', args: (s: string) => ['cluster', 'create', '--name', `${s}-c`] },
      { service: 'iam' as const, operation: 'CreateRole', action: 'iam:TagRole', args: () => ['iam', 'role', 'create', '--name', 'tagless', '--trust-principal', 'ecs-tasks.amazonaws.com'] },
      { service: 'iam' as const, operation: 'CreatePolicy', action: 'iam:TagPolicy', args: () => ['iam', 'policy', 'create', '--name', 'tagless'] },
    ])('AccessDenied for $action on $operation says that a tagged create needs it (exit 1)', async ({ service, operation, action, args }) => {
      const p = await proxy(mayNotTagOnCreate(service, operation, action));
      const { stack, run } = cli(p.url);
      const r = await run(args(stack));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${action}`);
      expect(r.stderr).toContain(`ecsprimer creates it tagged with its stack, which needs ${action} as well as ${service}:${operation}`);
    });
  });
});
