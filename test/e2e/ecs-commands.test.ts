/**
 * End to end, against the shared moto server (unique names per test, no reset): every invalid
 * document of issue 3 exits 2 naming the field and the allowed values, with nothing created;
 * cluster delete refuses while tasks or services remain and --force empties it; task stop/list;
 * service update --wait; --dry-run with no endpoint and no credentials; no TTY without --yes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deploymentsComplete } from '../support/aws-behaviours.js';
import { makeStateDir, runCli } from '../support/cli.js';
import { startProxy } from '../support/proxy.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ACCOUNT = '123456789012';
let n = 0;
const unique = (p: string) => `${p}${Date.now().toString(36)}${n++}`;

/** A Fargate task definition moto can run (containers need memoryReservation there). */
function fargateDoc(family: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'app', image: 'public.ecr.aws/docker/library/busybox:stable', memoryReservation: 64, command: ['sh', '-c', 'echo hello'] }],
    ...patch,
  };
}

describeE2E('ecs commands (e2e against moto)', () => {
  let endpoint: string;
  let ecs: ECSClient;
  beforeAll(() => {
    endpoint = requireMotoUrl();
    ecs = new ECSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });

  const runner = (stack: string, state = makeStateDir(), via?: string) => ({
    state,
    cli: (args: string[], env: Record<string, string | undefined> = {}) =>
      runCli([...args, '--stack', stack, '--endpoint-url', via ?? endpoint], { env: { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '20', ...env } }),
  });

  const familyCount = async (family: string) => {
    const [a, i] = await Promise.all(
      (['ACTIVE', 'INACTIVE'] as const).map((status) => ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status }))),
    );
    return (a.taskDefinitionArns ?? []).length + (i.taskDefinitionArns ?? []).length;
  };

  describe('invalid task definitions: exit 2, the field and the allowed values named, nothing created', () => {
    const cases: Array<{ case: string; patch: Record<string, unknown>; words: string[] }> = [
      { case: 'Fargate with networkMode bridge', patch: { networkMode: 'bridge' }, words: ['networkMode', '"awsvpc"'] },
      { case: 'Fargate with no networkMode', patch: { networkMode: undefined }, words: ['networkMode', '"awsvpc"'] },
      { case: 'Fargate cpu 256 with 4 GB', patch: { memory: '4 GB' }, words: ['memory', '512, 1024 or 2048 MiB'] },
      { case: 'Fargate cpu not in the table', patch: { cpu: '3 vCPU', memory: '8192' }, words: ['cpu', '256, 512, 1024, 2048, 4096, 8192 or 16384'] },
      { case: 'Fargate without cpu', patch: { cpu: undefined }, words: ['cpu', 'is missing', '256, 512, 1024'] },
      { case: 'Fargate 8 vCPU with memory off its 4 GB steps', patch: { cpu: '8 vCPU', memory: '18 GB' }, words: ['memory', '16384–61440 MiB in 4096 MiB steps'] },
      { case: 'Fargate 16 vCPU with too little memory', patch: { cpu: '16384', memory: '16 GB' }, words: ['memory', '32768–122880 MiB in 8192 MiB steps'] },
      { case: 'a container without a name', patch: { containerDefinitions: [{ image: 'nginx', memoryReservation: 64 }] }, words: ['containerDefinitions[0].name', 'is missing'] },
      { case: 'a container without an image', patch: { containerDefinitions: [{ name: 'app', memoryReservation: 64 }] }, words: ['containerDefinitions[0].image', 'is missing'] },
      {
        case: 'two containers with the same name',
        patch: { containerDefinitions: [{ name: 'app', image: 'nginx', memoryReservation: 64 }, { name: 'app', image: 'nginx', memoryReservation: 64 }] },
        words: ['containerDefinitions[1].name', 'unique'],
      },
      { case: 'a port out of range', patch: { containerDefinitions: [{ name: 'app', image: 'nginx', memoryReservation: 64, portMappings: [{ containerPort: 70000 }] }] }, words: ['containerPort', 'from 1 to 65535'] },
      {
        case: 'awsvpc with hostPort ≠ containerPort',
        patch: { containerDefinitions: [{ name: 'app', image: 'nginx', memoryReservation: 64, portMappings: [{ containerPort: 80, hostPort: 8080 }] }] },
        words: ['hostPort', 'must equal containerPort or be left out'],
      },
      {
        case: 'EC2 without any memory',
        patch: { requiresCompatibilities: ['EC2'], networkMode: 'bridge', cpu: undefined, memory: undefined, containerDefinitions: [{ name: 'app', image: 'nginx' }] },
        words: ['containerDefinitions[0]', '"memory"', '"memoryReservation"'],
      },
    ];
    it.each(cases)('$case', async ({ patch, words }) => {
      const stack = unique('bad');
      const family = `${stack}-fam`;
      const { cli } = runner(stack);
      const doc = JSON.stringify(fargateDoc(family, patch));
      const r = await cli(['task', 'register', '--document', doc, '--yes']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      for (const w of words) expect(r.stderr).toContain(w);
      expect(await familyCount(family)).toBe(0);
    });

    const optionCases = [
      { case: 'placement on Fargate', args: ['--placement-strategy', 'spread:instanceId'], words: ['--placement-strategy', 'EC2-only'] },
      { case: '--count 11', args: ['--count', '11'], words: ['--count', 'from 1 to 10'] },
      { case: 'spread without a field', args: ['--launch-type', 'EC2', '--placement-strategy', 'spread'], words: ['spread', 'instanceId, host or attribute:NAME'] },
      { case: 'binpack by disk', args: ['--launch-type', 'EC2', '--placement-strategy', 'binpack:disk'], words: ['binpack', 'cpu or memory'] },
      { case: 'memberOf without an expression', args: ['--launch-type', 'EC2', '--placement-constraint', 'memberOf'], words: ['memberOf', 'expression'] },
      { case: 'an unknown launch type', args: ['--launch-type', 'EXTERNAL'], words: ['--launch-type', 'FARGATE or EC2'] },
    ];
    it.each(optionCases)('task run: $case', async ({ args, words }) => {
      const stack = unique('badrun');
      const { cli } = runner(stack);
      const cluster = `${stack}-c`;
      const r = await cli(['task', 'run', '--cluster', cluster, '--task-definition', 'whatever', ...args, '--yes']);
      expect(r.code, r.stderr).toBe(2);
      for (const w of words) expect(r.stderr).toContain(w);
      const c = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
      expect(c.clusters ?? []).toEqual([]);
    });

    it('a literal secret in the environment is a warning pointing to secrets/valueFrom, not an error', async () => {
      const stack = unique('sec');
      const family = `${stack}-fam`;
      const { cli } = runner(stack);
      const doc = fargateDoc(family, { containerDefinitions: [{ name: 'app', image: 'nginx', memoryReservation: 64, environment: [{ name: 'DB_PASSWORD', value: 'hunter2' }] }] });
      const r = await cli(['task', 'register', '--document', JSON.stringify(doc), '--yes']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('DB_PASSWORD');
      expect(r.stderr).toContain('valueFrom');
      expect(r.stderr + r.stdout).not.toContain('hunter2');
      expect(await familyCount(family)).toBe(1);
    });
  });

  it('cluster delete refuses while a service and a task remain (exit 1, nothing changed); --force empties and deletes it', async () => {
    const stack = unique('cd');
    const cluster = `${stack}-c`;
    const family = `${stack}-fam`;
    const { cli, state } = runner(stack);
    expect((await cli(['cluster', 'create', '--name', cluster, '--yes'])).code).toBe(0);
    expect((await cli(['task', 'register', '--document', JSON.stringify(fargateDoc(family)), '--yes'])).code).toBe(0);
    const run = await cli(['task', 'run', '--cluster', cluster, '--task-definition', family, '--yes', '-o', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const taskArn = JSON.parse(run.stdout).tasks[0].taskArn as string;
    expect((await cli(['service', 'create', '--cluster', cluster, '--name', 'web', '--task-definition', family, '--desired-count', '1', '--yes'])).code).toBe(0);

    const refused = await cli(['cluster', 'delete', '--name', cluster, '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Cluster ${cluster} still has 1 service (web ACTIVE) and 1 task not stopped`);
    expect(refused.stderr).toContain('--force');
    const still = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
    expect(still.clusters?.[0].status).toBe('ACTIVE');
    const svc = await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }));
    expect(svc.services?.[0]).toMatchObject({ status: 'ACTIVE', desiredCount: 1 });

    const forced = await cli(['cluster', 'delete', '--name', cluster, '--force', '--yes']);
    expect(forced.code, forced.stderr).toBe(0);
    const after = await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }));
    // Deleted with force (one DeleteService, no scaling to 0 first): INACTIVE.
    expect(after.services?.[0]?.status).toBe('INACTIVE');
    const task = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    expect(task.tasks?.[0].lastStatus).toBe('STOPPED');
    const gone = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
    expect(gone.clusters?.[0].status).toBe('INACTIVE');
    const journal = readFileSync(join(state, ACCOUNT, 'us-east-1', `${stack}.jsonl`), 'utf8');
    const last = journal.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.command === 'cluster delete');
    expect(last.map((r: { event: string; type: string }) => `${r.event} ${r.type}`)).toEqual(
      expect.arrayContaining(['deleted ecs-service', 'deleted ecs-task', 'deleted ecs-cluster']),
    );
    expect(`${last[last.length - 1].event} ${last[last.length - 1].type}`).toBe('deleted ecs-cluster');
  });

  it('task list (text and JSON) and task stop --task, then --all finds nothing left', async () => {
    const stack = unique('ts');
    const cluster = `${stack}-c`;
    const family = `${stack}-fam`;
    const { cli } = runner(stack);
    await cli(['cluster', 'create', '--name', cluster, '--yes']);
    await cli(['task', 'register', '--document', JSON.stringify(fargateDoc(family)), '--yes']);
    const run = await cli(['task', 'run', '--cluster', cluster, '--task-definition', family, '--count', '2', '--yes', '-o', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const ids = JSON.parse(run.stdout).tasks.map((t: { taskId: string }) => t.taskId) as string[];
    expect(ids).toHaveLength(2);

    const listed = await cli(['task', 'list', '--cluster', cluster, '-o', 'json']);
    expect(listed.code).toBe(0);
    const tasks = JSON.parse(listed.stdout).tasks as Array<{ id: string; tags: Record<string, string>; startedBy: string }>;
    expect(tasks.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(tasks[0].tags['ecsprimer:stack']).toBe(stack);
    expect(tasks[0].startedBy).toBe(`ecsprimer/${stack}`);
    const text = await cli(['task', 'list', '--cluster', cluster]);
    expect(text.stdout).toMatch(/^TASK\s+STATUS\s+DESIRED\s+TASK DEFINITION/);
    expect(text.stdout).toContain(ids[0]);

    const stop = await cli(['task', 'stop', '--cluster', cluster, '--task', ids[0], '--reason', 'e2e test', '--yes']);
    expect(stop.code, stop.stderr).toBe(0);
    const d = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [ids[0]] }));
    expect(d.tasks?.[0]).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: 'e2e test' });

    const all = await cli(['task', 'stop', '--cluster', cluster, '--all', '--yes', '-o', 'json']);
    expect(all.code, all.stderr).toBe(0);
  });

  it('service update --desired-count --wait becomes stable; a service not made by ecsprimer is refused by create', async () => {
    const stack = unique('su');
    const cluster = `${stack}-c`;
    const family = `${stack}-fam`;
    const { cli, state } = runner(stack);
    await cli(['cluster', 'create', '--name', cluster, '--yes']);
    await cli(['task', 'register', '--document', JSON.stringify(fargateDoc(family)), '--yes']);
    expect((await cli(['service', 'create', '--cluster', cluster, '--name', 'web', '--task-definition', family, '--desired-count', '1', '--yes'])).code).toBe(0);
    // --wait needs the deployment's rollout COMPLETED, which moto never reports after an update.
    const proxy = await startProxy({ target: endpoint, faults: deploymentsComplete() });
    const up = await runner(stack, state, proxy.url).cli(['service', 'update', '--cluster', cluster, '--name', 'web', '--desired-count', '3', '--wait', '--yes', '-o', 'json']).finally(() => proxy.stop());
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout).service).toMatchObject({ desiredCount: 3, runningCount: 3 });
    const s = await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }));
    expect(s.services?.[0].desiredCount).toBe(3);

    // A service someone else created (no stack tag) is not taken over.
    const subnetArgs = (s.services?.[0].networkConfiguration?.awsvpcConfiguration ?? {}) as { subnets?: string[]; securityGroups?: string[] };
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: 'theirs', taskDefinition: family, desiredCount: 0, launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: subnetArgs.subnets!, securityGroups: subnetArgs.securityGroups } } }));
    const refused = await cli(['service', 'create', '--cluster', cluster, '--name', 'theirs', '--task-definition', family, '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('was not created by ecsprimer');

    expect((await cli(['service', 'delete', '--cluster', cluster, '--name', 'web', '--yes'])).code).toBe(0);
    expect((await cli(['cluster', 'delete', '--name', cluster, '--force', '--yes'])).code).toBe(0);
  });

  it('a capacity provider strategy of FARGATE_SPOT runs on Fargate: the default VPC with a public IP, no launch type; an EC2-only revision is refused', async () => {
    const stack = unique('cps');
    const cluster = `${stack}-c`;
    const family = `${stack}-fam`;
    const { cli, state } = runner(stack);
    expect((await cli(['cluster', 'create', '--name', cluster, '--yes'])).code).toBe(0);
    expect((await cli(['task', 'register', '--document', JSON.stringify(fargateDoc(family)), '--yes'])).code).toBe(0);
    const spot = JSON.stringify({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] });
    // Through a proxy that keeps the request bodies: moto fills in launchType EC2 by itself.
    const proxy = await startProxy({ target: endpoint, captureBodies: true });
    const r = await runner(stack, state, proxy.url).cli(['service', 'create', '--cluster', cluster, '--name', 'spot', '--task-definition', family, '--document', spot, '--yes']).finally(() => proxy.stop());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('on FARGATE_SPOT');
    const sent = JSON.parse(proxy.log().find((e) => e.operation === 'CreateService')?.body ?? '{}') as Record<string, unknown>;
    expect(sent.launchType).toBeUndefined();
    expect(sent.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
    const s = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['spot'] }))).services?.[0];
    expect(s?.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('ENABLED');
    expect(s?.networkConfiguration?.awsvpcConfiguration?.subnets?.length).toBeGreaterThan(0);

    const ec2Family = `${stack}-ec2`;
    const ec2 = await cli(['task', 'register', '--document', JSON.stringify(fargateDoc(ec2Family, { requiresCompatibilities: ['EC2'], networkMode: 'bridge', cpu: undefined, memory: undefined, containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] })), '--yes']);
    expect(ec2.code, ec2.stderr).toBe(0);
    const refused = await cli(['service', 'create', '--cluster', cluster, '--name', 'spot2', '--task-definition', ec2Family, '--document', spot, '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('capacityProviderStrategy (FARGATE_SPOT): task definition');
    expect(refused.stderr).toContain('is not compatible with FARGATE');
    expect((await ecs.send(new DescribeServicesCommand({ cluster, services: ['spot2'] }))).services ?? []).toEqual([]);
    expect((await cli(['cluster', 'delete', '--name', cluster, '--force', '--yes'])).code).toBe(0);
  });

  it('--dry-run works with no endpoint and no credentials; no TTY without --yes exits 2 before any request', async () => {
    const stack = unique('dry');
    const cluster = `${stack}-c`;
    const offline = (args: string[]) =>
      runCli([...args, '--stack', stack, '--endpoint-url', 'http://127.0.0.1:1'], {
        env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_EC2_METADATA_DISABLED: 'true' },
      });
    for (const args of [
      ['cluster', 'create', '--name', cluster],
      ['task', 'register', '--execution-role', `${stack}-role`],
      ['task', 'run', '--cluster', cluster, '--task-definition', 'web', '--wait', 'stopped'],
      ['service', 'create', '--cluster', cluster, '--name', 'web', '--task-definition', 'web', '--desired-count', '2', '--wait'],
      ['service', 'delete', '--cluster', cluster, '--name', 'web'],
      ['task', 'deregister', '--family', 'web'],
      ['cluster', 'delete', '--name', cluster, '--force'],
    ]) {
      const r = await offline([...args, '--dry-run']);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Dry run: ${args[0]} ${args[1]}`);
      expect(r.stdout).toContain('nothing was changed (dry run)');
      const j = await offline([...args, '--dry-run', '-o', 'json']);
      expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, dryRun: true });
    }
    const run = await offline(['task', 'run', '--cluster', cluster, '--task-definition', 'web', '--dry-run']);
    expect(run.stdout).toContain("the default VPC's default subnets");

    const { cli } = runner(stack);
    const noTty = await cli(['cluster', 'create', '--name', cluster]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--yes');
    const c = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
    expect(c.clusters ?? []).toEqual([]);
  });
});
