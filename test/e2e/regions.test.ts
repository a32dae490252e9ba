/**
 * One stack in two regions, and a region of another partition, through the built CLI against moto.
 *
 * IAM is global and journals are per region: the stack's role and policy carry the regions that
 * use them (tag ecsprimer:regions); `iam create` in a second region leaves the documents as they
 * are (they are region-independent) and adds its region; teardown in one region removes only that
 * region from the tag while another still uses them, and the last region's teardown deletes them.
 */
import { DescribeClustersCommand, ECSClient, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeStateDir, runCli, type CliResult } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';
import { TEST_ACCOUNT, uniqueStack } from '../support/stack-state.js';

describeE2E('regions and partitions (built CLI → moto)', () => {
  let motoUrl: string;
  let iam: IAMClient;
  const ecsIn = (region: string) => new ECSClient({ endpoint: motoUrl, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  beforeAll(() => {
    motoUrl = requireMotoUrl();
    iam = new IAMClient({ endpoint: motoUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(() => iam.destroy());

  const run = (stack: string, state: string, region: string, args: string[]): Promise<CliResult> =>
    runCli([...args, '--stack', stack, '--region', region, '--endpoint-url', motoUrl, '--yes'], { env: { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '20' } });
  const ok = (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stderr}`).toBe(0);
  const regionsTag = async (role: string) => ((await iam.send(new ListRoleTagsCommand({ RoleName: role }))).Tags ?? []).find((t) => t.Key === 'ecsprimer:regions')?.Value;
  const roleExists = (role: string) => iam.send(new GetRoleCommand({ RoleName: role })).then(() => true, () => false);
  const clusterStatus = async (region: string, name: string) => {
    const ecs = ecsIn(region);
    const c = (await ecs.send(new DescribeClustersCommand({ clusters: [name] }))).clusters?.[0];
    ecs.destroy();
    return c?.status;
  };

  it("a second region's iam create keeps the documents and adds its region; teardown in one region keeps what the other uses", async () => {
    const stack = uniqueStack('two');
    const state = makeStateDir();
    const role = `${stack}-role`;
    ok(await run(stack, state, 'us-east-1', ['iam', 'create']), 'iam create (us-east-1)');
    ok(await run(stack, state, 'us-east-1', ['cluster', 'create', '--name', `${stack}-c`]), 'cluster create (us-east-1)');
    const trustBefore = (await iam.send(new GetRoleCommand({ RoleName: role }))).Role?.AssumeRolePolicyDocument;
    expect(await regionsTag(role)).toBe('us-east-1');

    const second = await run(stack, state, 'eu-west-1', ['iam', 'create']);
    ok(second, 'iam create (eu-west-1)');
    expect((await iam.send(new GetRoleCommand({ RoleName: role }))).Role?.AssumeRolePolicyDocument).toBe(trustBefore);
    expect(await regionsTag(role)).toBe('eu-west-1 us-east-1');
    ok(await run(stack, state, 'eu-west-1', ['cluster', 'create', '--name', `${stack}-c`]), 'cluster create (eu-west-1)');

    const first = await run(stack, state, 'us-east-1', ['teardown']);
    ok(first, 'teardown (us-east-1)');
    expect(first.stderr).toContain('still uses it in eu-west-1');
    expect(await clusterStatus('us-east-1', `${stack}-c`)).toBe('INACTIVE');
    expect(await clusterStatus('eu-west-1', `${stack}-c`)).toBe('ACTIVE');
    expect(await roleExists(role)).toBe(true);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies?.map((a) => a.PolicyName)).toEqual([`${stack}-policy`]);
    expect(await regionsTag(role)).toBe('eu-west-1');

    // Again in us-east-1: nothing to do, the IAM is kept for eu-west-1.
    const again = await run(stack, state, 'us-east-1', ['teardown']);
    ok(again, 'teardown again (us-east-1)');
    expect(await roleExists(role)).toBe(true);

    ok(await run(stack, state, 'eu-west-1', ['teardown']), 'teardown (eu-west-1)');
    expect(await clusterStatus('eu-west-1', `${stack}-c`)).toBe('INACTIVE');
    expect(await roleExists(role)).toBe(false);
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/ecsprimer/${stack}/${stack}-policy` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
  });

  it('an IAM document with ${AWS::Region} is warned about: it would differ per region', async () => {
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*' }] });
    const r = await run(uniqueStack('rgn'), makeStateDir(), 'us-east-1', ['iam', 'policy', 'create', '--name', 'p', '--document', doc, '--dry-run']);
    ok(r, 'dry run');
    expect(r.stderr).toContain('uses ${AWS::Region}, but IAM is global');
  });

  it('iam delete follows the same rule: the first region releases, the last deletes', async () => {
    const stack = uniqueStack('twod');
    const state = makeStateDir();
    ok(await run(stack, state, 'us-east-1', ['iam', 'create']), 'iam create (us-east-1)');
    ok(await run(stack, state, 'ap-southeast-2', ['iam', 'create']), 'iam create (ap-southeast-2)');
    ok(await run(stack, state, 'ap-southeast-2', ['iam', 'delete']), 'iam delete (ap-southeast-2)');
    expect(await roleExists(`${stack}-role`)).toBe(true);
    expect(await regionsTag(`${stack}-role`)).toBe('us-east-1');
    ok(await run(stack, state, 'us-east-1', ['iam', 'delete']), 'iam delete (us-east-1)');
    expect(await roleExists(`${stack}-role`)).toBe(false);
  });

  it('in cn-north-1 (partition aws-cn) every stored document is in its partition: none contains arn:aws:', async () => {
    const stack = uniqueStack('cn');
    const state = makeStateDir();
    ok(await run(stack, state, 'cn-north-1', ['iam', 'create']), 'iam create');
    ok(await run(stack, state, 'cn-north-1', ['task', 'register', '--execution-role', `${stack}-role`]), 'task register');
    // moto keeps the IAM of each partition apart, as AWS does.
    const iam = new IAMClient({ endpoint: motoUrl, region: 'cn-north-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const roleExists = (name: string) => iam.send(new GetRoleCommand({ RoleName: name })).then(() => true, () => false);
    const role = (await iam.send(new GetRoleCommand({ RoleName: `${stack}-role` }))).Role!;
    const trust = decodeURIComponent(role.AssumeRolePolicyDocument!);
    const policyArn = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.RoleName }))).AttachedPolicies![0].PolicyArn!;
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }));
    const doc = decodeURIComponent((await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: policy.Policy!.DefaultVersionId! }))).PolicyVersion!.Document!);
    const ecs = ecsIn('cn-north-1');
    const td = JSON.stringify((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${stack}-web` }))).taskDefinition);
    ecs.destroy();
    expect(trust).toContain('arn:aws-cn:ecs:*');
    expect(doc).toContain('arn:aws-cn:logs:*');
    expect(td).toContain(':role/');
    for (const text of [trust, doc, td]) expect(text).not.toContain('arn:aws:');
    ok(await run(stack, state, 'cn-north-1', ['teardown']), 'teardown');
    expect(await roleExists(`${stack}-role`)).toBe(false);
    iam.destroy();
  });
});
