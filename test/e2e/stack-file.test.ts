/**
 * The stack file through the built CLI against moto: init, up, up again (all unchanged, no
 * changing call), a changed file through diff and up, a resource dropped from the file, export to
 * CloudFormation (created on a second moto server with its own default VPC as Parameters) with the
 * import list, and down to nothing. Services are waited for through the proxy's
 * deploymentsComplete scenario (moto's deployments never complete by themselves).
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListPolicyVersionsCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { circuitBreakerRollback, deploymentsComplete } from '../support/aws-behaviours.js';
import { makeStateDir, runCli, spawnCli, type CliResult } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { startProxy, type Proxy } from '../support/proxy.js';
import { TEST_ACCOUNT, uniqueStack } from '../support/stack-state.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const READ = /^(Describe|List|Get)/;

describeE2E('stack file: init, up, diff, down, export (built CLI → moto)', () => {
  let proxy: Proxy;
  let copy: MotoServer;
  let iam: IAMClient;
  let ecs: ECSClient;
  let logs: CloudWatchLogsClient;
  const stack = uniqueStack('sf');
  const dir = mkdtempSync(join(tmpdir(), 'ecsprimer-sf-'));
  const file = join(dir, 'ecsprimer.json');
  const state = makeStateDir();

  beforeAll(async () => {
    const moto = requireMotoUrl();
    proxy = await startProxy({ target: moto, faults: deploymentsComplete({ tasksStart: true }) });
    const cfg = { endpoint: moto, region: 'us-east-1', credentials: creds };
    iam = new IAMClient(cfg);
    ecs = new ECSClient(cfg);
    logs = new CloudWatchLogsClient(cfg);
  });
  afterAll(async () => {
    for (const c of [iam, ecs, logs]) c?.destroy();
    await proxy?.stop();
    await copy?.stop();
  });

  const cli = (args: string[], extra: string[] = ['--yes']) =>
    runCli([...args, ...extra, '--endpoint-url', proxy.url], { cwd: dir, env: { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '50' }, timeoutMs: 120_000 });
  const ok = (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);
  const edit = (change: (f: Json) => void) => {
    const f = JSON.parse(readFileSync(file, 'utf8')) as Json;
    change(f);
    writeFileSync(file, JSON.stringify(f, null, 2));
  };
  const changingCalls = () => proxy.log().filter((e) => !READ.test(e.operation)).map((e) => `${e.service}:${e.operation}`);

  it('init writes the starter file with a $schema that exists; a second init exits 2 unless --force', async () => {
    ok(await runCli(['init', '--stack', stack], { cwd: dir }), 'init');
    const f = JSON.parse(readFileSync(file, 'utf8')) as Json;
    expect(existsSync(resolve(dirname(file), f.$schema))).toBe(true);
    expect(f.stack).toBe(stack);
    expect(Object.keys(f.roles).sort()).toEqual([`${stack}-exec`, `${stack}-role`]);
    expect(f.services[`${stack}-web`]).toMatchObject({ cluster: `${stack}-cluster`, taskDefinition: `${stack}-web`, desiredCount: 1, launchType: 'FARGATE' });
    for (const kind of ['policies', 'roles', 'logGroups', 'clusters', 'taskDefinitions', 'services']) {
      for (const r of Object.values(f[kind]) as Json[]) expect(r.description, `${kind} has a description`).toMatch(/\w{3}/);
    }
    const again = await runCli(['init', '--stack', stack], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists already.*--force/);
    ok(await runCli(['init', '--stack', stack, '--force'], { cwd: dir }), 'init --force');
  });

  it('up creates every resource, waits for the service; up again changes nothing', async () => {
    const r = await cli(['up']);
    ok(r, 'up');
    const role = (await iam.send(new GetRoleCommand({ RoleName: `${stack}-role` }))).Role!;
    expect(role.Path).toBe(`/ecsprimer/${stack}/`);
    const attached = (n: string) => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: n })).then((x) => (x.AttachedPolicies ?? []).map((p) => p.PolicyName).sort());
    expect(await attached(`${stack}-role`)).toEqual([`${stack}-policy`]);
    expect(await attached(`${stack}-exec`)).toEqual(['AmazonECSTaskExecutionRolePolicy']);
    const group = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/ecs/${stack}-web` }))).logGroups?.[0];
    expect(group?.retentionInDays).toBe(7);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: `${stack}-cluster`, services: [`${stack}-web`] }))).services![0];
    expect(svc).toMatchObject({ status: 'ACTIVE', desiredCount: 1, launchType: 'FARGATE' });
    expect(svc.taskDefinition).toMatch(new RegExp(`task-definition/${stack}-web:1$`));
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${stack}-web` }))).taskDefinition!;
    expect(td.taskRoleArn).toBe(role.Arn);
    expect(r.stderr).toMatch(/waiting for service .* to be stable/);

    proxy.resetCounts();
    const again = await cli(['up', '--output', 'json']);
    ok(again, 'up again');
    const report = JSON.parse(again.stdout) as Json;
    expect(report.changes.length).toBe(9);
    expect(report.changes.filter((c: Json) => c.status !== 'unchanged')).toEqual([]);
    expect(changingCalls()).toEqual([]);
  });

  it('a changed file: diff shows it (exit 5) and changes nothing; up applies it as updates', async () => {
    edit((f) => {
      f.policies[`${stack}-policy`].document.Statement[1].Action = ['s3:GetObject', 's3:ListBucket'];
      f.taskDefinitions[`${stack}-web`].document.memory = '1024';
      f.services[`${stack}-web`].desiredCount = 2;
    });
    proxy.resetCounts();
    const d = await cli(['diff', '--output', 'json'], []);
    expect(d.code, d.stderr).toBe(5);
    expect(changingCalls()).toEqual([]);
    const diff = (JSON.parse(d.stdout) as Json).differences as Json[];
    expect(diff.map((x) => `${x.action} ${x.type}`).sort()).toEqual(['create ecs-task-definition', 'update ecs-service', 'update iam-policy']);
    expect(diff.find((x) => x.type === 'iam-policy')!.diff.join('\n')).toMatch(/\+\s+"s3:ListBucket"/);
    expect(diff.find((x) => x.type === 'ecs-task-definition')!.diff.join('\n')).toMatch(/-\s+"memory": "512",[\s\S]*\+\s+"memory": "1024"/);
    const text = await cli(['diff'], []);
    expect(text.code).toBe(5);
    expect(text.stdout).toMatch(/desiredCount 1 → 2/);

    ok(await cli(['up']), 'up with changes');
    const policyArn = `arn:aws:iam::${TEST_ACCOUNT}:policy/ecsprimer/${stack}/${stack}-policy`;
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }))).Versions ?? [];
    expect(versions.length).toBe(2);
    const def = (await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!.DefaultVersionId!;
    const doc = JSON.parse(decodeURIComponent((await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: def }))).PolicyVersion!.Document!));
    expect(doc.Statement[1].Action).toEqual(['s3:GetObject', 's3:ListBucket']);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: `${stack}-cluster`, services: [`${stack}-web`] }))).services![0];
    expect(svc.desiredCount).toBe(2);
    expect(svc.taskDefinition).toMatch(new RegExp(`task-definition/${stack}-web:2$`));
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${stack}-web` }))).taskDefinition!.memory).toBe('1024');
    const clean = await cli(['diff'], []);
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toMatch(/Nothing to change/);
  });

  it('export: a template CloudFormation creates on another server (same resources), and the import list of every live resource', async () => {
    const r = await cli(['export', '--import-file', 'import.json'], []);
    ok(r, 'export');
    const template = JSON.parse(r.stdout) as Json;
    const resources = template.Resources as Json;
    for (const res of Object.values(resources) as Json[]) expect([res.DeletionPolicy, res.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    expect(JSON.stringify(template)).not.toContain(TEST_ACCOUNT);
    expect(JSON.stringify(template)).not.toContain('ecsprimer:stack');
    expect(Object.keys(template.Parameters).sort()).toEqual(['SecurityGroups', 'Subnets']);
    const service = (Object.values(resources) as Json[]).find((x) => x.Type === 'AWS::ECS::Service')!;
    expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration).toMatchObject({ Subnets: { Ref: 'Subnets' }, SecurityGroups: { Ref: 'SecurityGroups' } });
    expect(service.Properties.TaskDefinition).toEqual({ Ref: `TaskDefinition${pascal(`${stack}-web`)}` });
    const role = resources[`Role${pascal(`${stack}-role`)}`];
    expect(role.Properties.ManagedPolicyArns).toEqual([{ Ref: `Policy${pascal(`${stack}-policy`)}` }]);

    // The import list names every live resource by its CloudFormation identifier.
    const imports = JSON.parse(readFileSync(join(dir, 'import.json'), 'utf8')) as Json[];
    const svcArn = (await ecs.send(new DescribeServicesCommand({ cluster: `${stack}-cluster`, services: [`${stack}-web`] }))).services![0].serviceArn;
    const tdArn = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${stack}-web` }))).taskDefinition!.taskDefinitionArn;
    const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect(imports.map((i) => [i.ResourceType, i.ResourceIdentifier]).sort(byJson)).toEqual(
      [
        ['AWS::ECS::Cluster', { ClusterName: `${stack}-cluster` }],
        ['AWS::ECS::Service', { ServiceArn: svcArn, Cluster: `${stack}-cluster` }],
        ['AWS::ECS::TaskDefinition', { TaskDefinitionArn: tdArn }],
        ['AWS::IAM::ManagedPolicy', { PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/ecsprimer/${stack}/${stack}-policy` }],
        ['AWS::IAM::Role', { RoleName: `${stack}-exec` }],
        ['AWS::IAM::Role', { RoleName: `${stack}-role` }],
        ['AWS::Logs::LogGroup', { LogGroupName: `/ecs/${stack}-web` }],
      ].sort(byJson),
    );
    expect(imports.map((i) => i.LogicalResourceId).sort()).toEqual(Object.keys(resources).sort());

    // A copy: the template on a second server, its Parameters set to that server's default VPC.
    copy = await startMoto();
    const cfg = { endpoint: copy.url, region: 'us-east-1', credentials: creds };
    const ec2 = new EC2Client(cfg);
    const cfn = new CloudFormationClient(cfg);
    const ecs2 = new ECSClient(cfg);
    const iam2 = new IAMClient(cfg);
    const logs2 = new CloudWatchLogsClient(cfg);
    try {
      const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0].VpcId!;
      const subnets = ((await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Subnets ?? []).map((s) => s.SubnetId!);
      const groups = ((await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }, { Name: 'group-name', Values: ['default'] }] }))).SecurityGroups ?? []).map((g) => g.GroupId!);
      await cfn.send(new CreateStackCommand({ StackName: 'copy', TemplateBody: r.stdout, Capabilities: ['CAPABILITY_NAMED_IAM'], Parameters: [{ ParameterKey: 'Subnets', ParameterValue: subnets.join(',') }, { ParameterKey: 'SecurityGroups', ParameterValue: groups.join(',') }] }));
      expect((await cfn.send(new DescribeStacksCommand({ StackName: 'copy' }))).Stacks![0].StackStatus).toBe('CREATE_COMPLETE');
      const made = ((await cfn.send(new ListStackResourcesCommand({ StackName: 'copy' }))).StackResourceSummaries ?? []).map((x) => x.LogicalResourceId).sort();
      expect(made).toEqual(Object.keys(resources).sort());
      // The same resources: names, documents, the task definition's containers, the service.
      const liveRole = (await iam.send(new GetRoleCommand({ RoleName: `${stack}-role` }))).Role!;
      const copiedRole = (await iam2.send(new GetRoleCommand({ RoleName: `${stack}-role` }))).Role!;
      expect(copiedRole.Path).toBe(liveRole.Path);
      expect(JSON.parse(decodeURIComponent(copiedRole.AssumeRolePolicyDocument!))).toEqual(JSON.parse(decodeURIComponent(liveRole.AssumeRolePolicyDocument!)));
      const copiedTd = (await ecs2.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${stack}-web` }))).taskDefinition!;
      const liveTd = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${stack}-web` }))).taskDefinition!;
      expect(copiedTd.containerDefinitions![0]).toMatchObject({ name: 'web', image: liveTd.containerDefinitions![0].image, logConfiguration: liveTd.containerDefinitions![0].logConfiguration });
      expect(copiedTd.memory).toBe('1024');
      expect((await ecs2.send(new DescribeClustersCommand({ clusters: [`${stack}-cluster`] }))).clusters?.[0]?.status).toBe('ACTIVE');
      const copiedSvc = (await ecs2.send(new DescribeServicesCommand({ cluster: `${stack}-cluster`, services: [`${stack}-web`] }))).services![0];
      expect(copiedSvc.desiredCount).toBe(2);
      expect(((await logs2.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/ecs/${stack}-web` }))).logGroups ?? []).map((g) => g.logGroupName)).toEqual([`/ecs/${stack}-web`]);
    } finally {
      for (const c of [ec2, cfn, ecs2, iam2, logs2]) c.destroy();
    }
  });

  it("export never writes a literal secret of a container's environment: it becomes a NoEcho parameter", async () => {
    const other = uniqueStack('sfs');
    const otherDir = mkdtempSync(join(tmpdir(), 'ecsprimer-sfs-'));
    const run = (args: string[]) => runCli([...args, '--endpoint-url', proxy.url], { cwd: otherDir, env: { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '50' }, timeoutMs: 120_000 });
    ok(await run(['init', '--stack', other]), 'init');
    const f = JSON.parse(readFileSync(join(otherDir, 'ecsprimer.json'), 'utf8')) as Json;
    delete f.services;
    f.taskDefinitions[`${other}-web`].document.containerDefinitions[0].environment = [{ name: 'DB_PASSWORD', value: 'hunter2-not-for-output' }, { name: 'MODE', value: 'demo' }];
    writeFileSync(join(otherDir, 'ecsprimer.json'), JSON.stringify(f));
    const up = await run(['up', '--yes']);
    ok(up, 'up');
    expect(up.stdout + up.stderr).not.toContain('hunter2-not-for-output');
    const r = await run(['export']);
    ok(r, 'export');
    expect(r.stdout + r.stderr).not.toContain('hunter2-not-for-output');
    const template = JSON.parse(r.stdout) as Json;
    const param = `Secret${pascal(`${other}-web web DB_PASSWORD`)}`;
    expect(template.Parameters[param]).toMatchObject({ Type: 'String', NoEcho: true });
    const env = (Object.values(template.Resources) as Json[]).find((x) => x.Type === 'AWS::ECS::TaskDefinition')!.Properties.ContainerDefinitions[0].Environment;
    expect(env).toEqual(expect.arrayContaining([{ Name: 'DB_PASSWORD', Value: { Ref: param } }, { Name: 'MODE', Value: 'demo' }]));
    ok(await run(['down', '--yes']), 'down');
  });

  it('up killed mid-way (SIGKILL while the task definition is registered): up again completes without duplicates, down leaves nothing', async () => {
    const other = uniqueStack('sfk');
    const otherDir = mkdtempSync(join(tmpdir(), 'ecsprimer-sfk-'));
    const otherState = makeStateDir();
    const env = { ECSPRIMER_STATE_DIR: otherState, ECSPRIMER_POLL_MS: '50' };
    const held = await startProxy({ target: requireMotoUrl(), faults: [{ kind: 'stall', match: { operation: 'RegisterTaskDefinition' }, limit: 1, stallMs: 30_000 }] });
    try {
      ok(await runCli(['init', '--stack', other], { cwd: otherDir }), 'init');
      const child = spawnCli(['up', '--yes', '--no-wait', '-v', '--endpoint-url', held.url], { cwd: otherDir, env });
      await child.waitForOutput(/→ ecs:RegisterTaskDefinition/, { stream: 'stderr', timeoutMs: 60_000 });
      child.child.kill('SIGKILL');
      expect((await child.result).signal).toBe('SIGKILL');
      // What was made before the kill is in the journal.
      const journal = readFileSync(join(otherState, TEST_ACCOUNT, 'us-east-1', `${other}.jsonl`), 'utf8');
      for (const name of [`${other}-policy`, `${other}-role`, `${other}-exec`, `${other}-cluster`, `/ecs/${other}-web`]) expect(journal).toContain(`"name":"${name}"`);

      held.setFaults([]);
      const again = await runCli(['up', '--yes', '--no-wait', '--endpoint-url', held.url], { cwd: otherDir, env, timeoutMs: 120_000 });
      ok(again, 'up again');
      const revisions = (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: `${other}-web` }))).taskDefinitionArns ?? [];
      expect(revisions).toEqual([expect.stringMatching(new RegExp(`/${other}-web:1$`))]);
      const policyArn = `arn:aws:iam::${TEST_ACCOUNT}:policy/ecsprimer/${other}/${other}-policy`;
      expect(((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }))).Versions ?? []).length).toBe(1);
      expect((await ecs.send(new DescribeServicesCommand({ cluster: `${other}-cluster`, services: [`${other}-web`] }))).services?.[0]?.status).toBe('ACTIVE');

      ok(await runCli(['down', '--yes', '--endpoint-url', held.url], { cwd: otherDir, env, timeoutMs: 120_000 }), 'down');
      await expect(iam.send(new GetRoleCommand({ RoleName: `${other}-role` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
      expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/ecs/${other}-web` }))).logGroups ?? []).toEqual([]);
      expect((await ecs.send(new DescribeClustersCommand({ clusters: [`${other}-cluster`] }))).clusters?.[0]?.status ?? 'INACTIVE').toBe('INACTIVE');
    } finally {
      await held.stop();
    }
  });

  it('a policy ARN that names nothing is found before any change: exit 1 naming the file and path, nothing created', async () => {
    const other = uniqueStack('sfa');
    const otherDir = mkdtempSync(join(tmpdir(), 'ecsprimer-sfa-'));
    ok(await runCli(['init', '--stack', other], { cwd: otherDir }), 'init');
    const f = JSON.parse(readFileSync(join(otherDir, 'ecsprimer.json'), 'utf8')) as Json;
    f.roles[`${other}-exec`].policies = ['arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicyy'];
    writeFileSync(join(otherDir, 'ecsprimer.json'), JSON.stringify(f, null, 2));
    const counting = await startProxy({ target: requireMotoUrl() });
    try {
      const r = await runCli(['up', '--yes', '--endpoint-url', counting.url], { cwd: otherDir, env: { ECSPRIMER_STATE_DIR: makeStateDir() } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`file ecsprimer.json: roles["${other}-exec"].policies[0]: no policy arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicyy exists`);
      expect(counting.log().filter((e) => !READ.test(e.operation))).toEqual([]);
    } finally {
      await counting.stop();
    }
    await expect(iam.send(new GetRoleCommand({ RoleName: `${other}-role` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
  });

  it('up that moves a service to a revision the circuit breaker rolls back: exit 1, the rollback and the failed tasks named, not success', async () => {
    const other = uniqueStack('sfr');
    const otherDir = mkdtempSync(join(tmpdir(), 'ecsprimer-sfr-'));
    const env = { ECSPRIMER_STATE_DIR: makeStateDir(), ECSPRIMER_POLL_MS: '50' };
    ok(await runCli(['init', '--stack', other], { cwd: otherDir }), 'init');
    ok(await runCli(['up', '--yes', '--no-wait', '--endpoint-url', requireMotoUrl()], { cwd: otherDir, env }), 'up');
    const f = JSON.parse(readFileSync(join(otherDir, 'ecsprimer.json'), 'utf8')) as Json;
    f.taskDefinitions[`${other}-web`].document.containerDefinitions[0].image = 'public.ecr.aws/nginx/nginx:broken';
    writeFileSync(join(otherDir, 'ecsprimer.json'), JSON.stringify(f, null, 2));
    const rolling = await startProxy({
      target: requireMotoUrl(),
      faults: circuitBreakerRollback({ cluster: `${other}-cluster`, service: `${other}-web`, failed: [{ stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found', stopCode: 'TaskFailedToStart' }] }),
    });
    try {
      const r = await runCli(['up', '--yes', '--endpoint-url', rolling.url], { cwd: otherDir, env, timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`ECS rolled back to ${other}-web:1`);
      expect(r.stderr).toContain('CannotPullContainerError');
      expect(r.stdout).toContain(`updated ecs-service ${other}-web`);
    } finally {
      await rolling.stop();
    }
    ok(await runCli(['down', '--yes', '--endpoint-url', requireMotoUrl()], { cwd: otherDir, env, timeoutMs: 120_000 }), 'down');
  });

  it('a resource dropped from the file is deleted by up; down removes the rest', async () => {
    edit((f) => {
      delete f.services[`${stack}-web`];
    });
    const r = await cli(['up']);
    ok(r, 'up without the service');
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: `${stack}-cluster`, services: [`${stack}-web`] }))).services?.[0];
    expect(svc?.status ?? 'INACTIVE').toBe('INACTIVE');
    expect((await ecs.send(new DescribeClustersCommand({ clusters: [`${stack}-cluster`] }))).clusters?.[0]?.status).toBe('ACTIVE');

    ok(await cli(['down']), 'down');
    await expect(iam.send(new GetRoleCommand({ RoleName: `${stack}-role` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
    await expect(iam.send(new GetRoleCommand({ RoleName: `${stack}-exec` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: `${stack}-web`, status: 'ACTIVE' }))).taskDefinitionArns).toEqual([]);
    expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/ecs/${stack}-web` }))).logGroups ?? []).toEqual([]);
    const cl = (await ecs.send(new DescribeClustersCommand({ clusters: [`${stack}-cluster`] }))).clusters?.[0];
    expect(cl?.status ?? 'INACTIVE').toBe('INACTIVE');
  });
});

function pascal(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
