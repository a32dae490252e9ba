/**
 * `task register`: a document identical to the latest ACTIVE revision (as AWS describes it, with
 * its defaults and rewrites) is "unchanged"; any real difference registers a new revision, tagged
 * with the stack, with the roles resolved by one GetRole each.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ClientException,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { comparableTaskDefinition, taskDefinitionDifferences } from '../../src/ecs/compare.js';
import { ACCOUNT, cli, journalEvents, useCliEnv } from '../support/in-process.js';

const ecs = mockClient(ECSClient);
const iam = mockClient(IAMClient);
const sts = mockClient(STSClient);
const logs = mockClient(CloudWatchLogsClient);

/** The stack's execution role (the default document logs with awslogs, so it needs one). */
const EXEC_ARN = `arn:aws:iam::${ACCOUNT}:role/ecsprimer/ecsprimer/ecsprimer-exec`;
const MANAGED = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

useCliEnv();
beforeEach(() => {
  ecs.reset();
  iam.reset();
  sts.reset();
  logs.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/test` });
  // What the stack already has, unless a test says otherwise: its log group and its execution role.
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/ecs/ecsprimer-web', arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/ecsprimer-web:*`, retentionInDays: 7 }] });
  logs.on(ListTagsForResourceCommand).resolves({ tags: { 'ecsprimer:stack': 'ecsprimer' } });
  iam.on(GetRoleCommand, { RoleName: 'ecsprimer-exec' }).resolves({
    Role: {
      RoleName: 'ecsprimer-exec',
      Arn: EXEC_ARN,
      Path: '/ecsprimer/ecsprimer/',
      RoleId: 'AROAEXEC',
      CreateDate: new Date(),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] })),
      Tags: [{ Key: 'ecsprimer:stack', Value: 'ecsprimer' }, { Key: 'ecsprimer:regions', Value: 'us-east-1' }],
    },
  });
  iam.on(ListAttachedRolePoliciesCommand, { RoleName: 'ecsprimer-exec' }).resolves({ AttachedPolicies: [{ PolicyArn: MANAGED, PolicyName: 'AmazonECSTaskExecutionRolePolicy' }], IsTruncated: false });
});

const REPO = new URL('../../', import.meta.url).pathname;
const notFound = () => new ClientException({ message: 'Unable to describe task definition.', $metadata: { httpStatusCode: 400 } });

/** The shipped default document, as sent for stack "ecsprimer" in us-east-1 (with the stack's execution role). */
function shipped(): RegisterTaskDefinitionCommandInput {
  const raw = readFileSync(join(REPO, 'json', 'task-definition.json'), 'utf8').replaceAll('${ecsprimer:stack}', 'ecsprimer').replaceAll('${AWS::Region}', 'us-east-1');
  return { ...(JSON.parse(raw) as RegisterTaskDefinitionCommandInput), executionRoleArn: EXEC_ARN };
}

/** What DescribeTaskDefinition answers on AWS for a document: defaults filled in, read-only fields added. */
function asAwsDescribes(doc: RegisterTaskDefinitionCommandInput, revision = 3): TaskDefinition {
  const awsvpc = doc.networkMode === 'awsvpc';
  return {
    taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${doc.family}:${revision}`,
    family: doc.family,
    revision,
    status: 'ACTIVE',
    networkMode: doc.networkMode ?? 'bridge',
    requiresCompatibilities: doc.requiresCompatibilities,
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'ecs.capability.task-eni' }],
    placementConstraints: [],
    volumes: [],
    registeredAt: new Date('2026-01-01T00:00:00Z'),
    registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/me`,
    ...(doc.cpu !== undefined ? { cpu: String(doc.cpu) } : {}),
    ...(doc.memory !== undefined ? { memory: String(doc.memory) } : {}),
    ...(doc.executionRoleArn ? { executionRoleArn: doc.executionRoleArn } : {}),
    containerDefinitions: (doc.containerDefinitions ?? []).map((c) => ({
      cpu: 0,
      essential: true,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      ...c,
      portMappings: (c.portMappings ?? []).map((p) => ({ protocol: 'tcp', ...p, hostPort: p.hostPort ?? (awsvpc ? p.containerPort : 0) })),
      ...(c.healthCheck ? { healthCheck: { interval: 30, timeout: 5, retries: 3, ...c.healthCheck } } : {}),
    })),
  };
}

describe('comparableTaskDefinition / taskDefinitionDifferences', () => {
  const base = shipped();
  const table: Array<{ case: string; desired: RegisterTaskDefinitionCommandInput; current: TaskDefinition; differs: string[] }> = [
    { case: 'the same document, as AWS describes it', desired: base, current: asAwsDescribes(base), differs: [] },
    { case: 'cpu in vCPU and memory in GB, AWS answers units and MiB', desired: { ...base, cpu: '0.25 vCPU', memory: '0.5 GB' }, current: asAwsDescribes(base), differs: [] },
    {
      case: 'explicit defaults in the document (essential, protocol, hostPort = containerPort on awsvpc, empty lists)',
      desired: { ...base, containerDefinitions: [{ ...base.containerDefinitions![0], essential: true, environment: [], portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }] }] },
      current: asAwsDescribes(base),
      differs: [],
    },
    {
      case: 'environment in another order',
      desired: { ...base, containerDefinitions: [{ ...base.containerDefinitions![0], environment: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }] }] },
      current: asAwsDescribes({ ...base, containerDefinitions: [{ ...base.containerDefinitions![0], environment: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] }),
      differs: [],
    },
    { case: 'requiresCompatibilities in another order', desired: { ...base, requiresCompatibilities: ['FARGATE', 'EC2'] }, current: asAwsDescribes({ ...base, requiresCompatibilities: ['EC2', 'FARGATE'] }), differs: [] },
    {
      case: 'a health check with only its command: AWS fills in interval 30, timeout 5, retries 3',
      desired: { ...base, containerDefinitions: [{ ...base.containerDefinitions![0], healthCheck: { command: ['CMD-SHELL', 'wget -q -O- localhost || exit 1'] } }] },
      current: asAwsDescribes({ ...base, containerDefinitions: [{ ...base.containerDefinitions![0], healthCheck: { command: ['CMD-SHELL', 'wget -q -O- localhost || exit 1'] } }] }),
      differs: [],
    },
    {
      case: 'a health check whose retries changed from the default',
      desired: { ...base, containerDefinitions: [{ ...base.containerDefinitions![0], healthCheck: { command: ['CMD-SHELL', 'true'], retries: 5 } }] },
      current: asAwsDescribes({ ...base, containerDefinitions: [{ ...base.containerDefinitions![0], healthCheck: { command: ['CMD-SHELL', 'true'] } }] }),
      differs: ['containerDefinitions'],
    },
    { case: 'task memory changed', desired: { ...base, memory: '1024' }, current: asAwsDescribes(base), differs: ['memory'] },
    {
      case: 'image changed',
      desired: { ...base, containerDefinitions: [{ ...base.containerDefinitions![0], image: 'public.ecr.aws/nginx/nginx:mainline' }] },
      current: asAwsDescribes(base),
      differs: ['containerDefinitions'],
    },
    {
      case: 'essential false is not the default',
      desired: { ...base, containerDefinitions: [{ ...base.containerDefinitions![0], essential: false }] },
      current: asAwsDescribes(base),
      differs: ['containerDefinitions'],
    },
    {
      case: 'execution role added',
      desired: { ...base, executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsprimer/ecsprimer/ecsprimer-role` },
      current: asAwsDescribes(base),
      differs: ['executionRoleArn'],
    },
    { case: 'execution role removed', desired: base, current: asAwsDescribes({ ...base, executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/x` }), differs: ['executionRoleArn'] },
    { case: 'tags are not part of a revision', desired: { ...base, tags: [{ key: 'team', value: 'a' }] }, current: asAwsDescribes(base), differs: [] },
  ];
  it.each(table)('$case', ({ desired, current, differs }) => {
    expect(taskDefinitionDifferences(desired, current)).toEqual(differs);
  });

  it('keeps only RegisterTaskDefinition fields', () => {
    const c = comparableTaskDefinition(asAwsDescribes(base));
    expect(Object.keys(c).sort()).toEqual(['containerDefinitions', 'cpu', 'executionRoleArn', 'family', 'memory', 'networkMode', 'requiresCompatibilities']);
  });
});

describe('task register', () => {
  it('registers the first revision, tagged with the stack, and journals it', async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(notFound());
    ecs.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => ({ taskDefinition: asAwsDescribes(input, 1), tags: input.tags }));
    const r = await cli(['task', 'register', '--yes', '--tag', 'team=web', '-o', 'json']);
    expect(r.code).toBe(0);
    const sent = ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(sent.family).toBe('ecsprimer-web');
    expect(sent.tags).toEqual([
      { key: 'ecsprimer:stack', value: 'ecsprimer' },
      { key: 'team', value: 'web' },
    ]);
    expect(r.json().taskDefinition).toMatchObject({ family: 'ecsprimer-web', revision: 1, status: 'registered' });
    expect(journalEvents()).toEqual([
      'intent ecs-task-definition ecsprimer-web',
      'created ecs-task-definition ecsprimer-web:1',
      'deleted ecs-task-definition ecsprimer-web',
    ]);
  });

  it('is unchanged when the latest ACTIVE revision is the same document (no RegisterTaskDefinition, no prompt)', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: asAwsDescribes(shipped(), 7), tags: [{ key: 'ecsprimer:stack', value: 'ecsprimer' }] });
    const r = await cli(['task', 'register'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.prompts).toEqual([]);
    expect(r.stdout).toContain('= unchanged ecs-task-definition ecsprimer-web:7');
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(journalEvents()).toEqual([]);
  });

  it('registers a new revision when the document differs, showing the diff at the confirmation', async () => {
    const old = { ...shipped(), memory: '1024' };
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: asAwsDescribes(old, 2) });
    ecs.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => ({ taskDefinition: asAwsDescribes(input, 3) }));
    const r = await cli(['task', 'register'], { tty: true, answers: [true] });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('differs from revision 2 in memory');
    expect(r.stderr).toMatch(/-\s+"memory": "1024"/);
    expect(r.stderr).toMatch(/\+\s+"memory": "512"/);
    expect(r.stdout).toContain('✓ created ecs-task-definition ecsprimer-web:3');
  });

  it('treats an INACTIVE latest revision (moto answers it for a bare family) as no ACTIVE revision', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { ...asAwsDescribes(shipped(), 4), status: 'INACTIVE' } });
    ecs.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => ({ taskDefinition: asAwsDescribes(input, 5) }));
    const r = await cli(['task', 'register', '--yes']);
    expect(r.code).toBe(0);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
  });

  it("a definition that logs with awslogs and names no execution role gets the stack's: the role, its managed policy and the log group are made first", async () => {
    iam.on(GetRoleCommand, { RoleName: 'ecsprimer-exec' }).rejects(new NoSuchEntityException({ message: 'The role with name ecsprimer-exec cannot be found.', $metadata: { httpStatusCode: 404 } }));
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    ecs.on(DescribeTaskDefinitionCommand).rejects(notFound());
    ecs.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => ({ taskDefinition: asAwsDescribes(input, 1) }));
    const r = await cli(['task', 'register', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const plan = r.stderr + r.stdout;
    expect(plan).toMatch(/create logs-log-group \/ecs\/ecsprimer-web[\s\S]*CreateLogGroup[\s\S]*PutRetentionPolicy[\s\S]*keep events 7 days/);
    expect(plan).toMatch(/create iam-role ecsprimer-exec[\s\S]*create iam-attachment ecsprimer-exec ← AmazonECSTaskExecutionRolePolicy[\s\S]*create ecs-task-definition ecsprimer-web/);
    expect(plan).toContain("the stack's execution role ecsprimer-exec is used");
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('resolves --execution-role NAME with one GetRole, concurrently with DescribeTaskDefinition, and sends its ARN', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/ecsprimer/ecsprimer/ecsprimer-role`;
    let roleAsked!: () => void;
    const gotRole = new Promise<void>((resolve) => (roleAsked = resolve));
    iam.on(GetRoleCommand, { RoleName: 'ecsprimer-role' }).callsFake(() => {
      roleAsked();
      return { Role: { Arn: arn, RoleName: 'ecsprimer-role', Path: '/ecsprimer/ecsprimer/', RoleId: 'AROA', CreateDate: new Date() } };
    });
    // DescribeTaskDefinition answers only once GetRole was sent: the two must run concurrently.
    ecs.on(DescribeTaskDefinitionCommand).callsFake(async () => {
      await gotRole;
      throw notFound();
    });
    ecs.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => ({ taskDefinition: asAwsDescribes(input, 1) }));
    const r = await cli(['task', 'register', '--execution-role', 'ecsprimer-role', '--yes']);
    expect(r.code).toBe(0);
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(1);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input.executionRoleArn).toBe(arn);
  });

  it('refuses an unknown --execution-role before any change (exit 1, names the option)', async () => {
    iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'The role with name nope cannot be found.', $metadata: { httpStatusCode: 404 } }));
    ecs.on(DescribeTaskDefinitionCommand).rejects(notFound());
    const r = await cli(['task', 'register', '--execution-role', 'nope', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--execution-role nope: no IAM role of that name exists');
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  const confirmations = [
    { case: 'no TTY, no --yes', tty: false, flags: [], answers: [], exit: 2, registered: 0 },
    { case: 'TTY, answered yes', tty: true, flags: [], answers: [true], exit: 0, registered: 1 },
    { case: 'TTY, answered no', tty: true, flags: [], answers: [false], exit: 3, registered: 0 },
    { case: 'no TTY, --yes', tty: false, flags: ['--yes'], answers: [], exit: 0, registered: 1 },
    { case: 'no TTY, --dry-run', tty: false, flags: ['--dry-run'], answers: [], exit: 0, registered: 0 },
  ];
  it.each(confirmations)('confirmation: $case → exit $exit', async ({ tty, flags, answers, exit, registered }) => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(notFound());
    ecs.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => ({ taskDefinition: asAwsDescribes(input, 1) }));
    const r = await cli(['task', 'register', ...flags], { tty, answers });
    expect(r.code).toBe(exit);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(registered);
    if (exit === 2) expect(ecs.calls()).toHaveLength(0);
  });

  it('refuses an invalid document with exit 2 before any request', async () => {
    const doc = JSON.stringify({ family: 'x', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '4096', containerDefinitions: [{ name: 'a', image: 'nginx' }] });
    const r = await cli(['task', 'register', '--document', doc, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('memory');
    expect(r.stderr).toContain('512, 1024 or 2048 MiB');
    expect(ecs.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });
});
