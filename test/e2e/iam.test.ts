/**
 * End to end: the built CLI against moto, asserting on the server's state.
 * Covers issue 2's "done when": create, re-run unchanged, update, delete, bad input, no TTY.
 */
import { readFileSync, readdirSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyVersionCommand,
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetPolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { beforeAll, expect, it } from 'vitest';
import { makeStateDir, runCli } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';

const ACCOUNT = '123456789012';
let n = 0;
const uniqueStack = (p: string) => `${p}${Date.now().toString(36)}${n++}`;

/** A trust policy of about `chars` characters without whitespace: one statement trusting many roles. */
function bigTrust(chars: number): string {
  const roles: string[] = [];
  const doc = () => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: roles }, Action: 'sts:AssumeRole' }] });
  while (JSON.stringify(doc()).length < chars) roles.push(`arn:aws:iam::${ACCOUNT}:role/trusted-${String(roles.length).padStart(4, '0')}`);
  return JSON.stringify(doc());
}

describeE2E('iam (e2e against moto)', () => {
  let endpoint: string;
  let iam: IAMClient;
  beforeAll(() => {
    endpoint = requireMotoUrl();
    iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });

  const cli = (args: string[], state: string, extra: { input?: string; env?: Record<string, string | undefined> } = {}) =>
    runCli([...args, '--endpoint-url', endpoint], { env: { ECSPRIMER_STATE_DIR: state, ...extra.env }, input: extra.input });

  const policyArn = (stack: string, name = `${stack}-policy`) => `arn:aws:iam::${ACCOUNT}:policy/ecsprimer/${stack}/${name}`;

  it('creates policy, role and attachment, tagged; a re-run is unchanged; delete removes all', async () => {
    const stack = uniqueStack('demo');
    const state = makeStateDir();
    const first = await cli(['iam', 'create', '--yes', '--stack', stack], state);
    expect(first.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(first.code).toBe(0);

    const pol = await iam.send(new GetPolicyCommand({ PolicyArn: policyArn(stack) }));
    expect(pol.Policy?.Tags).toContainEqual({ Key: 'ecsprimer:stack', Value: stack });
    const role = await iam.send(new GetRoleCommand({ RoleName: `${stack}-role` }));
    expect(role.Role?.Tags).toContainEqual({ Key: 'ecsprimer:stack', Value: stack });
    expect(role.Role?.Path).toBe(`/ecsprimer/${stack}/`);
    const trust = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!));
    expect(trust.Statement[0].Principal.Service).toBe('ecs-tasks.amazonaws.com');
    expect(JSON.stringify(trust)).toContain(ACCOUNT); // placeholders filled
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: `${stack}-role` }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([policyArn(stack)]);

    // The journal names every change, is private, and lives per account/region/stack.
    const jfile = join(state, ACCOUNT, 'us-east-1', `${stack}.jsonl`);
    expect(statSync(jfile).mode & 0o777).toBe(0o600);
    expect(statSync(join(state, ACCOUNT)).mode & 0o777).toBe(0o700);
    const events = readFileSync(jfile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.event === 'created').map((e) => e.type).sort()).toEqual(['iam-policy', 'iam-role']);
    expect(events.some((e) => e.event === 'attached' && e.arn === policyArn(stack))).toBe(true);

    const again = await cli(['iam', 'create', '--yes', '--stack', stack, '-o', 'json'], state);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report).toMatchObject({ ok: true, command: 'iam create', stack, dryRun: false });
    expect(report.changes.map((c: { status: string }) => c.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn(stack) }));
    expect(versions.Versions).toHaveLength(1);

    const del = await cli(['iam', 'delete', '--yes', '--stack', stack], state);
    expect(del.code).toBe(0);
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: policyArn(stack) }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
    await expect(iam.send(new GetRoleCommand({ RoleName: `${stack}-role` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });

    const delAgain = await cli(['iam', 'delete', '--yes', '--stack', stack, '-o', 'json'], state);
    expect(delAgain.code).toBe(0);
    expect(JSON.parse(delAgain.stdout).changes.map((c: { status: string }) => c.status)).toEqual(['absent', 'absent', 'absent']);
  });

  it('a re-run without the journal (another machine) still finds its tagged resources: no duplicates', async () => {
    const stack = uniqueStack('nojournal');
    expect((await cli(['iam', 'create', '--yes', '--stack', stack], makeStateDir())).code).toBe(0);
    const other = await cli(['iam', 'create', '--yes', '--stack', stack, '-o', 'json'], makeStateDir());
    expect(other.code).toBe(0);
    expect(JSON.parse(other.stdout).changes.map((c: { status: string }) => c.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn(stack) }));
    expect(versions.Versions).toHaveLength(1);
  });

  it('a changed document becomes a new default version, and the oldest non-default goes at the 5-version limit', async () => {
    const stack = uniqueStack('upd');
    const state = makeStateDir();
    const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
    expect((await cli(['iam', 'policy', 'create', '--name', 'p', '--document', doc('s3:GetObject'), '--yes', '--stack', stack], state)).code).toBe(0);
    const arn = policyArn(stack, 'p');
    for (let i = 2; i <= 5; i++) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(`s3:Get${i}`), SetAsDefault: false }));
    const r = await cli(['iam', 'policy', 'create', '--name', 'p', '--document', doc('s3:PutObject'), '--yes', '--stack', stack], state);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('CreatePolicyVersion');
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!;
    expect(versions).toHaveLength(5);
    expect(versions.map((v) => v.VersionId)).not.toContain('v2'); // the oldest non-default went
    const def = versions.find((v) => v.IsDefaultVersion)!;
    expect(def.VersionId).toBe('v6');
  });

  it('policy delete detaches it from every role, user and group and deletes its non-default versions', async () => {
    const stack = uniqueStack('pdel');
    const state = makeStateDir();
    expect((await cli(['iam', 'policy', 'create', '--name', 'shared', '--yes', '--stack', stack], state)).code).toBe(0);
    const arn = policyArn(stack, 'shared');
    const outside = `outside-${stack}`;
    await iam.send(new CreateRoleCommand({ RoleName: outside, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    await iam.send(new CreateUserCommand({ UserName: `u-${stack}` }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: outside, PolicyArn: arn }));
    await iam.send(new AttachUserPolicyCommand({ UserName: `u-${stack}`, PolicyArn: arn }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] }), SetAsDefault: false }));

    const dry = await cli(['iam', 'policy', 'delete', '--name', 'shared', '--dry-run', '--stack', stack], state);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/DetachRolePolicy[\s\S]*DetachUserPolicy[\s\S]*DeletePolicyVersion[\s\S]*DeletePolicy/);
    expect((await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }))).PolicyRoles).toHaveLength(1);

    const r = await cli(['iam', 'policy', 'delete', '--name', 'shared', '--yes', '--stack', stack, '-v'], state);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/iam:DetachRolePolicy/);
    expect(r.stderr).toMatch(/iam:DetachUserPolicy/);
    expect(r.stderr).toMatch(/iam:DeletePolicyVersion/);
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: outside }))).AttachedPolicies).toEqual([]);
    // The role outside the stack is still there.
    expect((await iam.send(new GetRoleCommand({ RoleName: outside }))).Role?.RoleName).toBe(outside);
  });

  it('role delete removes inline policies and instance profile links first', async () => {
    const stack = uniqueStack('rdel');
    const state = makeStateDir();
    expect((await cli(['iam', 'role', 'create', '--name', `${stack}-r`, '--trust-principal', 'ecs-tasks.amazonaws.com', '--yes', '--stack', stack], state)).code).toBe(0);
    await iam.send(new PutRolePolicyCommand({ RoleName: `${stack}-r`, PolicyName: 'inline', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }) }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: `${stack}-ip` }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: `${stack}-ip`, RoleName: `${stack}-r` }));
    const r = await cli(['iam', 'role', 'delete', '--name', `${stack}-r`, '--yes', '--stack', stack, '-v'], state);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/iam:DeleteRolePolicy/);
    expect(r.stderr).toMatch(/iam:RemoveRoleFromInstanceProfile/);
    await expect(iam.send(new GetRoleCommand({ RoleName: `${stack}-r` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
  });

  it('attach and detach by name and by ARN, recording what pre-existed as adopted', async () => {
    const stack = uniqueStack('att');
    const state = makeStateDir();
    const roleName = `pre-${stack}`;
    await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    expect((await cli(['iam', 'policy', 'create', '--name', 'p1', '--yes', '--stack', stack], state)).code).toBe(0);
    const a = await cli(['iam', 'attach', '--role', roleName, '--policy', 'p1', '--yes', '--stack', stack], state);
    expect(a.code).toBe(0);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([policyArn(stack, 'p1')]);
    const again = await cli(['iam', 'attach', '--role', roleName, '--policy', policyArn(stack, 'p1'), '--yes', '--stack', stack, '-o', 'json'], state);
    expect(JSON.parse(again.stdout).changes[0].status).toBe('unchanged');
    const journal = readFileSync(join(state, ACCOUNT, 'us-east-1', `${stack}.jsonl`), 'utf8');
    expect(journal).toContain('"event":"adopted","type":"iam-role"');
    const d = await cli(['iam', 'detach', '--role', roleName, '--policy', 'p1', '--yes', '--stack', stack], state);
    expect(d.code).toBe(0);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies).toEqual([]);
    const missing = await cli(['iam', 'attach', '--role', `nope-${stack}`, '--policy', 'p1', '--yes', '--stack', stack], state);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Role "nope-.*" does not exist/);
  });

  it('accepts what IAM accepts: a trust policy without Version, a trust policy above the default quota (warned, sent)', async () => {
    const stack = uniqueStack('lax');
    const state = makeStateDir();
    const noVersion = await cli(['iam', 'role', 'create', '--name', `${stack}-old`, '--trust-policy', '{"Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}', '--yes', '--stack', stack], state);
    expect(noVersion.code, noVersion.stderr).toBe(0);
    expect(noVersion.stderr).toContain('the trust policy has no Version: IAM then reads it as the 2008-10-17 policy language');
    await expect(iam.send(new GetRoleCommand({ RoleName: `${stack}-old` }))).resolves.toMatchObject({ Role: { RoleName: `${stack}-old` } });

    const trust = bigTrust(3000);
    const large = await cli(['iam', 'role', 'create', '--name', `${stack}-wide`, '--trust-policy', trust, '--yes', '--stack', stack], state);
    expect(large.code, large.stderr).toBe(0);
    expect(large.stderr).toMatch(/above IAM's default quota of 2,048 \("Role trust policy length", raisable to 4,096 in Service Quotas\)/);
    const role = await iam.send(new GetRoleCommand({ RoleName: `${stack}-wide` }));
    expect(JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(trust));
  });

  it("a task role's default trust is conditioned on this account's ECS; an execution role's (--trust-principal) is plain, as AWS documents", async () => {
    const stack = uniqueStack('trust');
    const state = makeStateDir();
    expect((await cli(['iam', 'create', '--yes', '--stack', stack], state)).code).toBe(0);
    const exec = await cli(['iam', 'role', 'create', '--name', `${stack}-exec`, '--trust-principal', 'ecs-tasks.amazonaws.com', '--yes', '--stack', stack], state);
    expect(exec.code, exec.stderr).toBe(0);
    const trustOf = async (name: string) => JSON.parse(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument!));
    const task = await trustOf(`${stack}-role`);
    expect(task.Statement[0].Condition).toEqual({
      ArnLike: { 'aws:SourceArn': `arn:aws:ecs:*:${ACCOUNT}:*` },
      StringEquals: { 'aws:SourceAccount': ACCOUNT },
    });
    expect(await trustOf(`${stack}-exec`)).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  });

  it('refuses to take over a same-named role it did not create', async () => {
    const stack = uniqueStack('clash');
    await iam.send(new CreateRoleCommand({ RoleName: `${stack}-role`, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    const r = await cli(['iam', 'create', '--yes', '--stack', stack, '-o', 'json'], makeStateDir());
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.error.message).toMatch(/was not created by ecsprimer/);
    // The untagged role was left alone.
    expect((await iam.send(new GetRoleCommand({ RoleName: `${stack}-role` }))).Role?.Tags ?? []).toEqual([]);
  });

  it('without a TTY and without --yes, exits 2 before any call and names --yes', async () => {
    const stack = uniqueStack('notty');
    const r = await cli(['iam', 'create', '--stack', stack], makeStateDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    await expect(iam.send(new GetRoleCommand({ RoleName: `${stack}-role` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
  });

  it('--dry-run prints the calls in order and works with no endpoint and no credentials', async () => {
    const r = await runCli(['iam', 'create', '--dry-run', '--stack', 'dry', '--endpoint-url', 'http://127.0.0.1:9'], {
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/CreatePolicy[\s\S]*CreateRole[\s\S]*AttachRolePolicy/);
    expect(r.stdout).toContain('<account-id>');
    const j = await runCli(['iam', 'create', '--dry-run', '--stack', 'dry', '-o', 'json', '--endpoint-url', 'http://127.0.0.1:9'], {
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    const report = JSON.parse(j.stdout);
    expect(report).toMatchObject({ ok: true, dryRun: true, command: 'iam create' });
    expect(report.changes.map((c: { status: string }) => c.status)).toEqual(['planned', 'planned', 'planned']);
    expect(report.plan.map((p: { operation: string }) => p.operation)).toEqual(['CreatePolicy', 'CreateRole', 'AttachRolePolicy']);
  });

  it('with no credentials at all, a real run exits 4 and says how to configure them', async () => {
    const r = await cli(['iam', 'create', '--yes', '--stack', uniqueStack('nocred')], makeStateDir(), {
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/credentials/i);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  const dir = mkdtempSync(join(tmpdir(), 'ecsprimer-bad-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  it.each([
    { name: 'malformed JSON names file, line and column', args: ['iam', 'policy', 'create', '--name', 'x', '--document', `file://${file('bad.json', '{\n  "Version": "2012-10-17",\n  "Statement": [,]\n}')}`], message: /bad\.json.*line 3, column/ },
    { name: 'inline malformed JSON', args: ['iam', 'policy', 'create', '--name', 'x', '--document', '{"Version": '], message: /inline --document/ },
    { name: 'empty file', args: ['iam', 'policy', 'create', '--name', 'x', '--document', file('empty.json', '')], message: /empty/ },
    { name: 'directory', args: ['iam', 'policy', 'create', '--name', 'x', '--document', dir], message: /directory/ },
    { name: 'missing file', args: ['iam', 'policy', 'create', '--name', 'x', '--document', 'file:///no/such/policy.json'], message: /no\/such\/policy\.json/ },
    { name: 'not an object', args: ['iam', 'policy', 'create', '--name', 'x', '--document', '[1, 2]'], message: /object/ },
    { name: 'managed policy without Version', args: ['iam', 'policy', 'create', '--name', 'x', '--document', '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'], message: /Version is missing: IAM refuses a managed policy/ },
    { name: 'a character IAM refuses', args: ['iam', 'policy', 'create', '--name', 'x', '--document', '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/\u2014/*"}]}'], message: /Statement\[0\]\.Resource.*U\+0020–U\+00FF/s },
    { name: 'trust policy above 4,096 characters', args: ['iam', 'role', 'create', '--name', 'x', '--trust-policy', bigTrust(4200)], message: /at most 4,096/ },
    { name: 'statement without Effect', args: ['iam', 'policy', 'create', '--name', 'x', '--document', '{"Version": "2012-10-17", "Statement": [{"Action": "s3:GetObject", "Resource": "*"}]}'], message: /Statement\[0\]\.Effect/ },
    { name: 'statement without Resource', args: ['iam', 'policy', 'create', '--name', 'x', '--document', '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}'], message: /Resource/ },
    { name: 'trust statement without Principal', args: ['iam', 'role', 'create', '--name', 'x', '--trust-policy', '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}'], message: /Principal/ },
    { name: 'invalid policy name', args: ['iam', 'policy', 'create', '--name', 'bad name!'], message: /--name/ },
    { name: 'role name too long', args: ['iam', 'role', 'create', '--name', 'r'.repeat(65), '--trust-principal', 'ecs-tasks.amazonaws.com'], message: /64/ },
    { name: 'unknown trust principal form', args: ['iam', 'role', 'create', '--name', 'x', '--trust-principal', 'somebody'], message: /--trust-principal/ },
    { name: 'public trust without --allow-public-trust', args: ['iam', 'role', 'create', '--name', 'x', '--trust-policy', '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}'], message: /--allow-public-trust/ },
    { name: 'admin policy without --allow-admin', args: ['iam', 'policy', 'create', '--name', 'x', '--document', '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'], message: /--allow-admin/ },
  ])('bad input: $name → exit 2, nothing created', async ({ args, message }) => {
    const stack = uniqueStack('bad');
    const state = makeStateDir();
    const r = await cli([...args, '--yes', '--stack', stack], state);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Refused before the first call: not even the account was looked up, so no journal exists.
    expect(readdirSync(state)).toEqual([]);
    await expect(iam.send(new GetRoleCommand({ RoleName: 'x' }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: policyArn(stack, 'x') }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
  });
});
