/**
 * `cluster create|delete`: create tagged or "unchanged"; delete refuses (exit 1, naming the
 * services and tasks) while something remains, unless --force, which empties the cluster in
 * order: services to 0 → deleted → INACTIVE, standalone tasks stopped → STOPPED, then the cluster.
 */
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, cli, journalEvents, useCliEnv } from '../support/in-process.js';

const ecs = mockClient(ECSClient);
const sts = mockClient(STSClient);
useCliEnv();

const CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/c1`;
const cluster = (status = 'ACTIVE', tags = [{ key: 'ecsprimer:stack', value: 'ecsprimer' }]) => ({ clusterName: 'c1', clusterArn: CLUSTER_ARN, status, tags, registeredContainerInstancesCount: 0 });
const svc = (name: string, status = 'ACTIVE', desiredCount = 2): Service => ({
  serviceName: name,
  serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/c1/${name}`,
  status,
  desiredCount,
  runningCount: desiredCount,
  pendingCount: 0,
  deployments: [],
  events: [],
});
const task = (id: string, status = 'RUNNING', group = 'family:job'): Task => ({
  taskArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/c1/${id}`,
  clusterArn: CLUSTER_ARN,
  taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/job:1`,
  lastStatus: status,
  desiredStatus: status === 'STOPPED' ? 'STOPPED' : 'RUNNING',
  group,
  containers: [],
});

/** A cluster holding `services` and `tasks`; deletes and stops change what later reads see. */
function world(services: Service[], tasks: Task[]) {
  const svcs = new Map(services.map((s) => [s.serviceName!, { ...s }]));
  const tks = new Map(tasks.map((t) => [t.taskArn!, { ...t }]));
  ecs.on(DescribeClustersCommand).resolves({ clusters: [cluster()] });
  ecs.on(ListServicesCommand).callsFake(() => ({ serviceArns: [...svcs.values()].map((s) => s.serviceArn!) }));
  ecs.on(DescribeServicesCommand).callsFake((i: { services: string[] }) => ({ services: i.services.map((n) => svcs.get(n.slice(n.lastIndexOf('/') + 1))).filter(Boolean) }));
  ecs.on(ListTasksCommand).callsFake(() => ({ taskArns: [...tks.keys()] }));
  ecs.on(DescribeTasksCommand).callsFake((i: { tasks: string[] }) => ({ tasks: i.tasks.map((a) => tks.get(a)).filter(Boolean) }));
  ecs.on(UpdateServiceCommand).callsFake((i: { service: string; desiredCount: number }) => {
    const s = svcs.get(i.service)!;
    s.desiredCount = i.desiredCount;
    return { service: s };
  });
  ecs.on(DeleteServiceCommand).callsFake((i: { service: string }) => {
    const s = svcs.get(i.service)!;
    s.status = 'INACTIVE';
    return { service: s };
  });
  ecs.on(StopTaskCommand).callsFake((i: { task: string }) => {
    const t = tks.get(i.task)!;
    t.lastStatus = 'STOPPED';
    t.desiredStatus = 'STOPPED';
    return { task: t };
  });
  ecs.on(DeleteClusterCommand).resolves({ cluster: cluster('INACTIVE') });
}

beforeEach(() => {
  ecs.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
});

describe('cluster delete', () => {
  const table = [
    { case: 'empty, no TTY, --yes', tty: false, flags: ['--yes'], answers: [], services: 0, tasks: 0, exit: 0, deleted: true },
    { case: 'empty, TTY, yes', tty: true, flags: [], answers: [true], services: 0, tasks: 0, exit: 0, deleted: true },
    { case: 'empty, TTY, no', tty: true, flags: [], answers: [false], services: 0, tasks: 0, exit: 3, deleted: false },
    { case: 'empty, no TTY, no --yes', tty: false, flags: [], answers: [], services: 0, tasks: 0, exit: 2, deleted: false },
    { case: '2 services and 1 task, --yes: refused', tty: false, flags: ['--yes'], answers: [], services: 2, tasks: 1, exit: 1, deleted: false },
    { case: '2 services and 1 task, TTY: refused before asking', tty: true, flags: [], answers: [], services: 2, tasks: 1, exit: 1, deleted: false },
    { case: '1 task, --dry-run: refused too', tty: false, flags: ['--dry-run'], answers: [], services: 0, tasks: 1, exit: 1, deleted: false },
    { case: '2 services and 1 task, --force --yes', tty: false, flags: ['--force', '--yes'], answers: [], services: 2, tasks: 1, exit: 0, deleted: true },
    { case: '2 services and 1 task, --force, TTY, yes', tty: true, flags: ['--force'], answers: [true], services: 2, tasks: 1, exit: 0, deleted: true },
  ];
  it.each(table)('$case → exit $exit', async ({ tty, flags, answers, services, tasks, exit, deleted }) => {
    world(
      ['web', 'api'].slice(0, services).map((n) => svc(n)),
      ['t1'].slice(0, tasks).map((id) => task(id)),
    );
    const r = await cli(['cluster', 'delete', '--name', 'c1', ...flags], { tty, answers, env: { ECSPRIMER_POLL_MS: '1' } });
    expect(r.code).toBe(exit);
    expect(ecs.commandCalls(DeleteClusterCommand)).toHaveLength(deleted ? 1 : 0);
    if (exit === 1) {
      expect(r.stderr).toContain('Cluster c1 still has');
      if (services) expect(r.stderr).toContain('2 services (web ACTIVE, api ACTIVE)');
      expect(r.stderr).toContain('1 task not stopped (t1 RUNNING)');
      expect(r.stderr).toContain('--force');
      expect(r.prompts).toEqual([]);
      expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
      expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
    }
  });

  it('--force empties the cluster first and journals every step in order', async () => {
    world([svc('web'), svc('api', 'ACTIVE', 0)], [task('t1'), task('t2', 'STOPPED'), task('s1', 'RUNNING', 'service:web')]);
    const r = await cli(['cluster', 'delete', '--name', 'c1', '--force', '--yes'], { env: { ECSPRIMER_POLL_MS: '1' } });
    expect(r.code).toBe(0);
    // web runs tasks: deleted with force (ECS stops them); api runs none: a plain delete.
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(ecs.commandCalls(DeleteServiceCommand).map((c) => c.args[0].input).sort((a, b) => a.service!.localeCompare(b.service!))).toEqual([{ cluster: 'c1', service: 'api' }, { cluster: 'c1', service: 'web', force: true }]);
    // Only the standalone task that is not stopped; the service's task goes with its service.
    expect(ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual([task('t1').taskArn]);
    const events = journalEvents();
    expect(events).toEqual(expect.arrayContaining(['deleted ecs-service web', 'deleted ecs-service api', 'deleted ecs-task t1']));
    expect(events).not.toContain('updated ecs-service web');
    expect(events[events.length - 1]).toBe('deleted ecs-cluster c1');
  });

  it('an INACTIVE or missing cluster is already absent (exit 0, no prompt, no call)', async () => {
    ecs.on(DescribeClustersCommand).resolves({ clusters: [cluster('INACTIVE')] });
    ecs.on(ListServicesCommand).resolves({ serviceArns: [] });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const r = await cli(['cluster', 'delete', '--name', 'c1'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('= already absent ecs-cluster c1');
    expect(ecs.commandCalls(DeleteClusterCommand)).toHaveLength(0);
  });
});

describe('cluster create', () => {
  it('creates the cluster tagged with the stack and journals intent then created', async () => {
    ecs.on(DescribeClustersCommand).resolves({ clusters: [], failures: [{ arn: CLUSTER_ARN, reason: 'MISSING' }] });
    ecs.on(CreateClusterCommand).resolves({ cluster: cluster() });
    const r = await cli(['cluster', 'create', '--name', 'c1', '--tag', 'env=dev', '--yes', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(ecs.commandCalls(CreateClusterCommand)[0].args[0].input).toEqual({
      clusterName: 'c1',
      tags: [{ key: 'env', value: 'dev' }, { key: 'ecsprimer:stack', value: 'ecsprimer' }],
    });
    expect(r.json().changes[0]).toMatchObject({ action: 'create', type: 'ecs-cluster', name: 'c1', status: 'done', arn: CLUSTER_ARN });
    expect(journalEvents()).toEqual(['intent ecs-cluster c1', 'created ecs-cluster c1']);
  });

  it('an ACTIVE cluster (even another stack\'s) is unchanged: no CreateCluster, no prompt', async () => {
    ecs.on(DescribeClustersCommand).resolves({ clusters: [cluster('ACTIVE', [{ key: 'ecsprimer:stack', value: 'other' }])] });
    const r = await cli(['cluster', 'create', '--name', 'c1'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.prompts).toEqual([]);
    expect(r.stdout).toContain('= unchanged ecs-cluster c1');
    expect(ecs.commandCalls(CreateClusterCommand)).toHaveLength(0);
  });
});
