/**
 * `task deregister`: every ACTIVE revision of the family is deregistered, then all its revisions
 * are deleted with DeleteTaskDefinitions in batches of 10, so no INACTIVE revision is left;
 * --keep-inactive skips the delete; an endpoint without DeleteTaskDefinitions is a warning.
 */
import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ECSServiceException,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, cli, journalEvents, useCliEnv } from '../support/in-process.js';

const ecs = mockClient(ECSClient);
const sts = mockClient(STSClient);
useCliEnv();

const arn = (rev: number, family = 'web') => `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:${rev}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

beforeEach(() => {
  ecs.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  // 15 ACTIVE (6..20) and 8 INACTIVE (1..5, 21..23) revisions; a family "web-2" shares the prefix.
  ecs.on(ListTaskDefinitionsCommand, { status: 'ACTIVE' }).resolves({ taskDefinitionArns: [...range(6, 20).map((r) => arn(r)), arn(1, 'web-2')] });
  ecs.on(ListTaskDefinitionsCommand, { status: 'INACTIVE' }).resolves({ taskDefinitionArns: [...range(1, 5), ...range(21, 23)].map((r) => arn(r)) });
  ecs.on(DeregisterTaskDefinitionCommand).callsFake((i: { taskDefinition: string }) => ({ taskDefinition: { taskDefinitionArn: i.taskDefinition, status: 'INACTIVE' } }));
  ecs.on(DeleteTaskDefinitionsCommand).callsFake((i: { taskDefinitions: string[] }) => ({
    taskDefinitions: i.taskDefinitions.map((a) => ({ taskDefinitionArn: a, status: 'DELETE_IN_PROGRESS' })),
    failures: [],
  }));
});

describe('task deregister', () => {
  it('deregisters the ACTIVE revisions, then deletes all 23 in batches of at most 10', async () => {
    const r = await cli(['task', 'deregister', '--family', 'web', '--yes']);
    expect(r.code).toBe(0);
    const deregistered = ecs.commandCalls(DeregisterTaskDefinitionCommand).map((c) => c.args[0].input.taskDefinition);
    expect(deregistered.sort()).toEqual(range(6, 20).map((x) => arn(x)).sort());
    const batches = ecs.commandCalls(DeleteTaskDefinitionsCommand).map((c) => c.args[0].input.taskDefinitions!);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flat().sort()).toEqual(range(1, 23).map((x) => arn(x)).sort());
    expect(batches.flat()).not.toContain(arn(1, 'web-2'));
    const events = journalEvents();
    expect(events.filter((e) => e.startsWith('updated'))).toHaveLength(15);
    expect(events.filter((e) => e.startsWith('deleted'))).toHaveLength(23);
    // A revision is deleted only after it was deregistered.
    expect(events.indexOf('deleted ecs-task-definition web:6')).toBeGreaterThan(events.indexOf('updated ecs-task-definition web:6'));
  });

  it('--keep-inactive only deregisters', async () => {
    const r = await cli(['task', 'deregister', '--family', 'web', '--keep-inactive', '--yes']);
    expect(r.code).toBe(0);
    expect(ecs.commandCalls(DeregisterTaskDefinitionCommand)).toHaveLength(15);
    expect(ecs.commandCalls(DeleteTaskDefinitionsCommand)).toHaveLength(0);
  });

  it('--revision N handles that revision alone', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: arn(7), family: 'web', revision: 7, status: 'ACTIVE' } });
    const r = await cli(['task', 'deregister', '--family', 'web', '--revision', '7', '--yes']);
    expect(r.code).toBe(0);
    expect(ecs.commandCalls(DeregisterTaskDefinitionCommand).map((c) => c.args[0].input.taskDefinition)).toEqual([arn(7)]);
    expect(ecs.commandCalls(DeleteTaskDefinitionsCommand).map((c) => c.args[0].input.taskDefinitions)).toEqual([[arn(7)]]);
    expect(ecs.commandCalls(ListTaskDefinitionsCommand)).toHaveLength(0);
  });

  it('an endpoint without DeleteTaskDefinitions leaves the revisions INACTIVE with a warning (exit 0)', async () => {
    ecs.on(DeleteTaskDefinitionsCommand).rejects(new ECSServiceException({ name: 'UnknownOperationException', message: 'Unknown operation', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    const r = await cli(['task', 'deregister', '--family', 'web', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('does not implement DeleteTaskDefinitions');
    expect(journalEvents().filter((e) => e.startsWith('deleted'))).toHaveLength(0);
  });

  it('reports revisions ECS would not delete (exit 1) and journals the others', async () => {
    ecs.on(DeleteTaskDefinitionsCommand).callsFake((i: { taskDefinitions: string[] }) => ({
      taskDefinitions: i.taskDefinitions.filter((a) => a !== arn(8)).map((a) => ({ taskDefinitionArn: a })),
      failures: i.taskDefinitions.includes(arn(8)) ? [{ arn: arn(8), reason: 'TASK_DEFINITION_IN_USE', detail: 'used by service api' }] : [],
    }));
    const r = await cli(['task', 'deregister', '--family', 'web', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('web:8: TASK_DEFINITION_IN_USE: used by service api');
    expect(journalEvents().filter((e) => e.startsWith('deleted'))).toHaveLength(22);
  });

  it('a family with no revision is already absent', async () => {
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
    const r = await cli(['task', 'deregister', '--family', 'gone'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('= already absent ecs-task-definition gone');
  });

  it('refuses family:revision in --family (exit 2)', async () => {
    const r = await cli(['task', 'deregister', '--family', 'web:3', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--revision');
    expect(ecs.calls()).toHaveLength(0);
  });
});
