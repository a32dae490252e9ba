/**
 * What keeps a cluster from being deleted (readClusterContents): its services that are not
 * INACTIVE and its tasks in every state but STOPPED — also the ones already asked to stop
 * (desiredStatus STOPPED, lastStatus DEACTIVATING/STOPPING/DEPROVISIONING), which AWS still counts.
 */
import { describe, expect, it } from 'vitest';
import type { EcsOps } from '../../src/aws/ecs-ops.js';
import type { ServiceInfo, TaskInfo } from '../../src/aws/ecs-types.js';
import { readClusterContents } from '../../src/ecs/steps.js';

const task = (id: string, lastStatus: string, desiredStatus: string): TaskInfo => ({
  arn: `arn:aws:ecs:us-east-1:123456789012:task/c/${id}`,
  id,
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
  lastStatus,
  desiredStatus,
  tags: {},
  containers: [],
});

function ops(tasks: TaskInfo[], services: Array<Pick<ServiceInfo, 'name' | 'status'>> = []) {
  const listed: string[] = [];
  const o = {
    listServices: async () => services.map((s) => s.name),
    describeServices: async (_c: string, names: string[]) => services.filter((s) => names.includes(s.name)) as ServiceInfo[],
    listTasks: async (_c: string, f: { desiredStatus?: string } = {}) => {
      listed.push(f.desiredStatus ?? 'any');
      return tasks.filter((t) => t.desiredStatus === f.desiredStatus).map((t) => t.arn);
    },
    describeTasks: async (_c: string, arns: string[]) => tasks.filter((t) => arns.includes(t.arn)),
  };
  return { ops: o as unknown as EcsOps, listed };
}

describe('readClusterContents', () => {
  it('counts running, pending and stopping tasks, not stopped ones', async () => {
    const { ops: o, listed } = ops([
      task('run', 'RUNNING', 'RUNNING'),
      task('pend', 'PROVISIONING', 'RUNNING'),
      task('stopping', 'DEPROVISIONING', 'STOPPED'),
      task('deact', 'DEACTIVATING', 'STOPPED'),
      task('done', 'STOPPED', 'STOPPED'),
    ]);
    const c = await readClusterContents(o, 'c');
    expect(c.tasks.map((t) => t.id).sort()).toEqual(['deact', 'pend', 'run', 'stopping']);
    expect(listed.sort()).toEqual(['RUNNING', 'STOPPED']);
  });

  it('counts services until they are INACTIVE', async () => {
    const { ops: o } = ops([], [{ name: 'a', status: 'ACTIVE' }, { name: 'b', status: 'DRAINING' }, { name: 'c', status: 'INACTIVE' }]);
    expect((await readClusterContents(o, 'c')).services.map((s) => s.name)).toEqual(['a', 'b']);
  });
});
