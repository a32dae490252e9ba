/**
 * `iam create`, `iam policy create`, `iam role create` against a mocked IAM/STS: what is sent,
 * in which order, what is printed where, the exit codes and the journal.
 */
import { existsSync } from 'node:fs';
import { GetPolicyVersionCommand, type GetPolicyVersionCommandOutput } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  awsError,
  changingOperations,
  cli,
  type ConfirmRow,
  defaultDocument,
  encodeDocument,
  env,
  expectSentAfter,
  iam,
  iamOperations,
  inputsOf,
  journal,
  journalEvents,
  journalFile,
  journalMode,
  seedJournal,
  stackPath,
  stackPolicyArn,
  stackRoleArn,
  stackTags,
  STACK_TAG,
  sts,
  testContext,
  useIamMocks,
} from '../support/iam-fake.js';
import { runIamCreate } from '../../src/iam/commands.js';
import { InterruptedError } from '../../src/errors.js';

useIamMocks();

const POLICY = 'ecsprimer-policy';
const ROLE = 'ecsprimer-role';
const CREATE_ALL = ['CreatePolicy', 'CreateRole', 'AttachRolePolicy'];
const OTHER_DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::old-bucket' }] };

/** The stack's policy as a previous run left it (tagged, under the stack path). */
function existingPolicy(o: { doc?: unknown; tags?: Record<string, string>; path?: string; versions?: Array<{ id: string; doc: unknown; isDefault?: boolean; created?: Date }> } = {}) {
  return env().account.addPolicy({ name: POLICY, path: o.path ?? stackPath(), tags: o.tags ?? stackTags(), doc: o.doc ?? defaultDocument('policy.json'), versions: o.versions });
}

function existingRole(o: { trust?: unknown; tags?: Record<string, string>; attached?: string[] } = {}) {
  return env().account.addRole({ name: ROLE, path: stackPath(), tags: o.tags ?? stackTags(), trust: o.trust ?? defaultDocument('trust-policy.json'), attached: o.attached });
}

/** The journal lines a successful earlier `iam create` leaves. */
function journalOfEarlierCreate(): void {
  seedJournal([
    { event: 'created', type: 'iam-policy', name: POLICY, arn: stackPolicyArn(POLICY) },
    { event: 'created', type: 'iam-role', name: ROLE, arn: stackRoleArn(ROLE) },
    { event: 'attached', type: 'iam-attachment', name: `${ROLE}|${stackPolicyArn(POLICY)}`, parent: ROLE, arn: stackPolicyArn(POLICY) },
  ]);
}

const byStatus = (json: Record<string, any>) => (json.changes as Array<{ type: string; status: string }>).map((c) => `${c.type} ${c.status}`);

describe('iam create on a fresh account', () => {
  it('sends CreatePolicy and CreateRole, then AttachRolePolicy; tags and paths by stack; no reads', async () => {
    const r = await cli(['iam', 'create', '--yes', '--stack', 'demo', '--tag', 'team=payments']);

    expect(r.code).toBe(0);
    expect(iamOperations().slice(0, 2).sort()).toEqual(['CreatePolicy', 'CreateRole']);
    expect(iamOperations()).toHaveLength(3);
    expectSentAfter([['CreatePolicy', {}], ['CreateRole', {}]], ['AttachRolePolicy', {}]);
    expect(iamOperations().filter((op) => /^(Get|List)/.test(op))).toEqual([]);
    // The default documents use ${AWS::AccountId}: one STS call to learn it.
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);

    const tags = [{ Key: 'team', Value: 'payments' }, { Key: STACK_TAG, Value: 'demo' }, { Key: 'ecsprimer:regions', Value: 'us-east-1' }];
    expect(inputsOf('CreatePolicy')).toEqual([
      { PolicyName: 'demo-policy', Path: '/ecsprimer/demo/', PolicyDocument: JSON.stringify(defaultDocument('policy.json', 'demo')), Tags: tags },
    ]);
    expect(inputsOf('CreateRole')).toEqual([
      { RoleName: 'demo-role', Path: '/ecsprimer/demo/', AssumeRolePolicyDocument: JSON.stringify(defaultDocument('trust-policy.json', 'demo')), Tags: tags },
    ]);
    expect(inputsOf('AttachRolePolicy')).toEqual([{ RoleName: 'demo-role', PolicyArn: stackPolicyArn('demo-policy', 'demo') }]);
    expect(JSON.stringify(inputsOf('CreatePolicy'))).toContain(`:${ACCOUNT}:log-group:/ecs/demo*`);

    // Results on stdout, the plan on stderr.
    expect(r.stdout).toBe(
      [
        `✓ created iam-policy demo-policy  ${stackPolicyArn('demo-policy', 'demo')}`,
        `✓ created iam-role demo-role  ${stackRoleArn('demo-role', 'demo')}`,
        `✓ created iam-attachment demo-role ← demo-policy  ${stackPolicyArn('demo-policy', 'demo')}`,
        '',
      ].join('\n'),
    );
    expect(r.stderr).toContain(`iam create (stack demo, account ${ACCOUNT}, us-east-1)`);
    for (const op of CREATE_ALL) expect(r.stderr).toContain(op);
    expect(r.stderr).not.toContain('✓');

    // The journal: an intent before each create, then what AWS confirmed, attach last.
    expect(journalMode('demo')).toBe(0o600);
    const events = journalEvents('demo');
    expect(events.filter((e) => e.startsWith('intent')).sort()).toEqual([
      `intent iam-attachment demo-role|${stackPolicyArn('demo-policy', 'demo')}`,
      'intent iam-policy demo-policy',
      'intent iam-role demo-role',
    ]);
    expect(events.filter((e) => !e.startsWith('intent'))).toEqual(
      expect.arrayContaining(['created iam-policy demo-policy', 'created iam-role demo-role']),
    );
    expect(events.at(-1)).toBe(`attached iam-attachment demo-role|${stackPolicyArn('demo-policy', 'demo')}`);
    const created = journal('demo').filter((j) => j.event !== 'intent');
    expect(created.map((j) => j.arn)).toEqual(
      expect.arrayContaining([stackPolicyArn('demo-policy', 'demo'), stackRoleArn('demo-role', 'demo')]),
    );
    expect(created.every((j) => j.command === 'iam create')).toBe(true);
  });

  it('a second run reads what the journal names, changes nothing, and asks STS nothing (identity cache)', async () => {
    expect((await cli(['iam', 'create', '--yes'])).code).toBe(0);
    sts.resetHistory();
    const before = iamOperations().length;
    const linesBefore = journal().length;

    const r = await cli(['iam', 'create', '--yes', '-o', 'json']);

    expect(r.code).toBe(0);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
    expect(iamOperations().slice(before).sort()).toEqual(['GetPolicy', 'GetPolicyVersion', 'GetRole', 'ListAttachedRolePolicies']);
    expect(r.json()).toMatchObject({ ok: true, command: 'iam create', stack: 'ecsprimer', dryRun: false });
    expect(byStatus(r.json())).toEqual(['iam-policy unchanged', 'iam-role unchanged', 'iam-attachment unchanged']);
    expect(journal()).toHaveLength(linesBefore);
  });
});

describe.each(['text', 'json'] as const)('iam create confirmation (-o %s)', (output) => {
  const o = output === 'json' ? ['-o', 'json'] : [];
  it.each<ConfirmRow & { creates: boolean; asked: number; code?: string }>([
    { case: 'tty, answered yes', tty: true, flags: [], answers: [true], exit: 0, creates: true, asked: 1 },
    { case: 'tty, answered no', tty: true, flags: [], answers: [false], exit: 3, creates: false, asked: 1, code: 'Declined' },
    { case: 'no tty, no --yes', tty: false, flags: [], answers: [], exit: 2, creates: false, asked: 0, code: 'ConfirmationRequired' },
    { case: 'no tty, --yes', tty: false, flags: ['--yes'], answers: [], exit: 0, creates: true, asked: 0 },
    { case: 'tty, --yes', tty: true, flags: ['--yes'], answers: [], exit: 0, creates: true, asked: 0 },
    { case: 'no tty, --dry-run', tty: false, flags: ['--dry-run'], answers: [], exit: 0, creates: false, asked: 0 },
    { case: 'tty, --dry-run', tty: true, flags: ['--dry-run'], answers: [], exit: 0, creates: false, asked: 0 },
  ])('$case → exit $exit', async ({ tty, flags, answers, exit, creates, asked, code }) => {
    const r = await cli(['iam', 'create', ...flags, ...o], { tty, answers });

    expect(r.code).toBe(exit);
    expect(r.prompts).toHaveLength(asked);
    expect(r.unusedAnswers).toEqual([]);
    expect(changingOperations()).toEqual(creates ? expect.arrayContaining(CREATE_ALL) : []);
    expect(journal().filter((j) => j.event !== 'intent')).toHaveLength(creates ? 3 : 0);
    const dryRun = flags.includes('--dry-run');
    if (exit === 2) {
      expect(r.stderr).toMatch(/stdin is not a terminal.*--yes/);
      expect(iam.calls()).toHaveLength(0);
      expect(sts.calls()).toHaveLength(0);
    }
    if (exit === 3) expect(r.stderr).toContain('Declined at the confirmation; nothing was changed.');
    if (asked) expect(r.stderr).toContain('AttachRolePolicy'); // the plan is shown before the question

    if (output === 'json') {
      const json = r.json();
      expect(json).toMatchObject({ ok: exit === 0, command: 'iam create', stack: 'ecsprimer', dryRun });
      expect(Array.isArray(json.changes)).toBe(true);
      if (code) expect(json.error).toMatchObject({ code, message: expect.any(String) });
      else expect(json).not.toHaveProperty('error');
      if (creates) expect(byStatus(json)).toEqual(['iam-policy done', 'iam-role done', 'iam-attachment done']);
      if (dryRun) {
        expect(byStatus(json)).toEqual(['iam-policy planned', 'iam-role planned', 'iam-attachment planned']);
        expect(json.plan.map((c: { operation: string }) => c.operation)).toEqual(CREATE_ALL);
      }
    } else if (dryRun) {
      // The plan is the result of a dry run: on stdout, in order.
      const at = CREATE_ALL.map((op) => r.stdout.indexOf(op));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(r.stdout).toContain('nothing was changed (dry run)');
    } else if (creates) {
      expect(r.stdout.trim().split('\n')).toHaveLength(3);
      expect(r.stdout).not.toContain('CreatePolicy');
    } else {
      expect(r.stdout).toBe('');
    }
  });
});

describe('iam create when a resource already exists (EntityAlreadyExists)', () => {
  it.each<ConfirmRow & { doc?: unknown; newVersion: boolean; policy: string }>([
    { case: 'ours, same document', tty: false, flags: ['--yes'], answers: [], doc: undefined, exit: 0, newVersion: false, policy: 'unchanged' },
    { case: 'ours, different document, tty yes', tty: true, flags: [], answers: [true, true], doc: OTHER_DOC, exit: 0, newVersion: true, policy: 'done' },
    { case: 'ours, different document, tty no', tty: true, flags: [], answers: [true, false], doc: OTHER_DOC, exit: 0, newVersion: false, policy: 'unchanged' },
    { case: 'ours, different document, --yes', tty: false, flags: ['--yes'], answers: [], doc: OTHER_DOC, exit: 0, newVersion: true, policy: 'done' },
  ])('policy $case → $policy', async ({ tty, flags, answers, doc, newVersion, exit, policy }) => {
    const p = existingPolicy({ doc });

    const r = await cli(['iam', 'create', '-o', 'json', ...flags], { tty, answers });

    expect(r.code).toBe(exit);
    expect(r.unusedAnswers).toEqual([]);
    expect(inputsOf('CreatePolicy')).toHaveLength(1);
    expect(inputsOf('GetPolicy')).toEqual([{ PolicyArn: p.arn }]);
    expect(inputsOf('CreatePolicyVersion')).toEqual(
      newVersion ? [{ PolicyArn: p.arn, PolicyDocument: JSON.stringify(defaultDocument('policy.json')), SetAsDefault: true }] : [],
    );
    expect(byStatus(r.json())).toEqual([`iam-policy ${policy}`, 'iam-role done', 'iam-attachment done']);
    if (doc && !flags.includes('--yes')) {
      expect(r.prompts[1]).toMatch(/Policy ecsprimer-policy exists with a different document/);
      expect(r.stderr).toContain('old-bucket'); // the diff is shown before the question
    }
    expect(journal().find((j) => j.type === 'iam-policy' && j.event === 'created')?.data).toEqual({ recovered: true });
    expect(journal().some((j) => j.type === 'iam-policy' && j.event === 'updated')).toBe(newVersion);
  });

  it("another region's stack made them: documents unchanged, this region added to their ecsprimer:regions tag", async () => {
    const elsewhere = { [STACK_TAG]: 'ecsprimer', 'ecsprimer:regions': 'eu-west-1' };
    const p = existingPolicy({ tags: elsewhere });
    existingRole({ attached: [p.arn], tags: elsewhere });

    const r = await cli(['iam', 'create', '--yes']);

    expect(r.code, r.stderr).toBe(0);
    expect(inputsOf('TagRole')).toEqual([{ RoleName: ROLE, Tags: [{ Key: 'ecsprimer:regions', Value: 'eu-west-1 us-east-1' }] }]);
    expect(inputsOf('TagPolicy')).toEqual([{ PolicyArn: p.arn, Tags: [{ Key: 'ecsprimer:regions', Value: 'eu-west-1 us-east-1' }] }]);
    expect(inputsOf('UpdateAssumeRolePolicy')).toEqual([]);
    expect(inputsOf('CreatePolicyVersion')).toEqual([]);
  });

  it('made before the regions tag existed (journal): the plan adds this region with TagRole/TagPolicy, nothing else', async () => {
    const p = existingPolicy({ tags: { [STACK_TAG]: 'ecsprimer' } });
    existingRole({ attached: [p.arn], tags: { [STACK_TAG]: 'ecsprimer' } });
    expect((await cli(['iam', 'create', '--yes'])).code).toBe(0);
    const again = await cli(['iam', 'create', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/= unchanged iam-policy ecsprimer-policy[\s\S]*= unchanged iam-role ecsprimer-role/);
    expect(env().account.roles.get(ROLE)?.tags['ecsprimer:regions']).toBe('us-east-1');
  });

  it('a lost journal: everything exists and is attached → all unchanged, nothing changed', async () => {
    const p = existingPolicy();
    existingRole({ attached: [p.arn] });

    const r = await cli(['iam', 'create', '--yes']);

    expect(r.code).toBe(0);
    expect(changingOperations()).toEqual(['CreatePolicy', 'CreateRole']); // both refused by IAM
    expect(inputsOf('ListAttachedRolePolicies')).toEqual([{ RoleName: ROLE }]);
    expect(r.stdout).toMatch(/= unchanged iam-policy ecsprimer-policy[\s\S]*= unchanged iam-role ecsprimer-role[\s\S]*= unchanged iam-attachment/);
    expect(journalEvents().filter((e) => !e.startsWith('intent'))).toEqual(
      expect.arrayContaining([`created iam-policy ${POLICY}`, `created iam-role ${ROLE}`, `attached iam-attachment ${ROLE}|${p.arn}`]),
    );
  });

  it.each<Omit<ConfirmRow, 'exit'> & { update: boolean }>([
    { case: 'tty yes', tty: true, flags: [], answers: [true, true], update: true },
    { case: 'tty no', tty: true, flags: [], answers: [true, false], update: false },
    { case: '--yes', tty: false, flags: ['--yes'], answers: [], update: true },
  ])('role with a different trust policy, $case', async ({ tty, flags, answers, update }) => {
    existingRole({ trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] } });

    const r = await cli(['iam', 'create', ...flags], { tty, answers });

    expect(r.code).toBe(0);
    expect(inputsOf('UpdateAssumeRolePolicy')).toEqual(update ? [{ RoleName: ROLE, PolicyDocument: JSON.stringify(defaultDocument('trust-policy.json')) }] : []);
    expect(r.stdout).toContain(update ? '✓ updated iam-role ecsprimer-role' : '= unchanged iam-role ecsprimer-role');
  });

  it.each([
    { case: 'untagged, under the stack path', tags: {}, path: stackPath(), says: 'it was not created by ecsprimer' },
    { case: 'tagged by another stack, under the stack path', tags: stackTags('other'), path: stackPath(), says: 'it belongs to ecsprimer stack "other"' },
    { case: 'of another stack (under its own path)', tags: stackTags('other'), path: stackPath('other'), says: 'it is not under this stack\'s path /ecsprimer/ecsprimer/' },
    { case: 'made by hand (at the account root)', tags: {}, path: '/', says: 'it is not under this stack\'s path /ecsprimer/ecsprimer/' },
  ])('a policy $case → exit 1 naming it; no update calls; the role is still created', async ({ tags, path, says }) => {
    existingPolicy({ tags, path, doc: OTHER_DOC });

    const r = await cli(['iam', 'create', '--yes', '-o', 'json']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`A policy named "${POLICY}" already exists and ${says}`);
    expect(r.json().error).toMatchObject({ code: 'EntityAlreadyExists', message: expect.stringContaining(POLICY) });
    expect(changingOperations()).toEqual(['CreatePolicy', 'CreateRole']);
    expect(byStatus(r.json())).toEqual(['iam-policy failed', 'iam-role done', 'iam-attachment skipped']);
    expect(journalEvents().filter((e) => !e.startsWith('intent'))).toEqual([`created iam-role ${ROLE}`]);
  });

  it('an untagged role → exit 1 naming it; no UpdateAssumeRolePolicy', async () => {
    env().account.addRole({ name: ROLE, trust: OTHER_DOC });

    const r = await cli(['iam', 'create', '--yes']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`A role named "${ROLE}" already exists and it was not created by ecsprimer`);
    expect(inputsOf('UpdateAssumeRolePolicy')).toEqual([]);
    expect(r.stdout).toMatch(/✓ created iam-policy[\s\S]*✗ failed iam-role[\s\S]*… skipped iam-attachment/);
  });
});

describe('iam create when AWS refuses', () => {
  const denied = awsError('AccessDenied', `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: iam:CreatePolicy`, 403);
  it.each([
    { case: 'AccessDenied on CreatePolicy', iamFails: { CreatePolicy: denied }, exit: 1, code: 'AccessDenied', says: /iam:CreatePolicy failed: AccessDenied/ },
    { case: 'ExpiredToken from STS', stsFails: awsError('ExpiredToken', 'The security token included in the request is expired', 403), exit: 4, code: 'ExpiredToken', says: /sts:GetCallerIdentity: ExpiredToken.*refresh your credentials/ },
    { case: 'InvalidClientTokenId from STS', stsFails: awsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403), exit: 4, code: 'InvalidClientTokenId', says: /AWS did not accept your credentials/ },
    { case: 'ExpiredToken on every IAM call', iamFails: { '*': awsError('ExpiredToken', 'The security token included in the request is expired', 403) }, exit: 4, code: 'ExpiredToken', says: /ExpiredToken.*refresh your credentials/ },
    { case: 'InvalidClientTokenId on every IAM call', iamFails: { '*': awsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403) }, exit: 4, code: 'InvalidClientTokenId', says: /AWS did not accept your credentials/ },
    { case: 'Throttling on every call, after retries', iamFails: { '*': awsError('Throttling', 'Rate exceeded') }, exit: 1, code: 'Throttling', says: /iam:CreatePolicy failed: Throttling: Rate exceeded\.? AWS kept throttling the requests after retries/ },
    { case: 'LimitExceeded on CreateRole', iamFails: { CreateRole: awsError('LimitExceeded', 'Cannot exceed quota for RolesPerAccount: 1000', 409) }, exit: 1, code: 'LimitExceeded', says: /iam:CreateRole failed: LimitExceeded.*quota/ },
  ])('$case → exit $exit', async ({ iamFails, stsFails, exit, code, says }) => {
    for (const [op, error] of Object.entries(iamFails ?? {})) env().account.fail(op, error);
    if (stsFails) sts.on(GetCallerIdentityCommand).rejects(stsFails);

    const r = await cli(['iam', 'create', '--yes', '-o', 'json'], { env: { AWS_MAX_ATTEMPTS: '1' } });

    expect(r.code).toBe(exit);
    expect(r.stderr).toMatch(says);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const json = r.json();
    expect(json).toMatchObject({ ok: false, command: 'iam create', stack: 'ecsprimer', dryRun: false, error: { code } });
    expect(json.error.message).toMatch(says);
    if (stsFails) expect(iam.calls()).toHaveLength(0);
  });

  it('CreateRole fails: CreatePolicy still finishes and is journalled; the attach is skipped', async () => {
    env().account.fail('CreateRole', awsError('AccessDenied', 'not authorized to perform: iam:CreateRole', 403));

    const r = await cli(['iam', 'create', '--yes', '-o', 'json']);

    expect(r.code).toBe(1);
    expect(inputsOf('AttachRolePolicy')).toEqual([]);
    expect(r.json().changes).toEqual([
      { action: 'create', type: 'iam-policy', name: POLICY, arn: stackPolicyArn(POLICY), status: 'done' },
      expect.objectContaining({ type: 'iam-role', status: 'failed', error: expect.objectContaining({ code: 'AccessDenied', message: expect.stringContaining('iam:CreateRole') }) }),
      expect.objectContaining({ type: 'iam-attachment', status: 'skipped', error: { code: 'Skipped', message: 'not run: a step it depends on failed' } }),
    ]);
    expect(journalEvents().sort()).toEqual([`created iam-policy ${POLICY}`, `intent iam-policy ${POLICY}`, `intent iam-role ${ROLE}`]);
    expect(journal().find((j) => j.event === 'created')?.arn).toBe(stackPolicyArn(POLICY));
    expect(existsSync(journalFile().replace(/\.jsonl$/, '.lock'))).toBe(false); // the stack lock is released
  });
});

describe('bad input: exit 2 before any AWS call', () => {
  const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const publicTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }] };

  it.each([
    { case: 'malformed inline policy', tty: true, argv: ['iam', 'policy', 'create', '--name', 'p', '--document', '{"Version": '], says: /line 1, column/ },
    { case: 'admin policy without --allow-admin', tty: false, argv: ['iam', 'policy', 'create', '--name', 'p', '--document', JSON.stringify(admin)], says: /--allow-admin/ },
    { case: 'public trust without --allow-public-trust', tty: true, argv: ['iam', 'role', 'create', '--name', 'r', '--trust-policy', JSON.stringify(publicTrust)], says: /--allow-public-trust/ },
    { case: 'invalid role name', tty: false, argv: ['iam', 'role', 'create', '--name', 'bad name!'], says: /--name/ },
    { case: 'unknown principal form', tty: true, argv: ['iam', 'role', 'create', '--name', 'r', '--trust-principal', 'ecs-tasks'], says: /ecs-tasks\.amazonaws\.com/ },
    { case: '--trust-policy with --trust-principal', tty: false, argv: ['iam', 'create', '--trust-policy', JSON.stringify(publicTrust), '--trust-principal', 'me'], says: /cannot be used together/ },
    { case: 'reserved tag key', tty: true, argv: ['iam', 'create', '--tag', 'ecsprimer:stack=x'], says: /reserved/ },
    { case: 'invalid stack name', tty: false, argv: ['iam', 'create', '--stack', '1bad'], says: /--stack/ },
    { case: 'invalid policy ARN', tty: true, argv: ['iam', 'attach', '--role', 'r', '--policy', 'arn:aws:iam::12:policy/x'], says: /--policy/ },
    { case: 'missing --name', tty: false, argv: ['iam', 'role', 'delete'], says: /--name/ },
  ])('$case (tty $tty)', async ({ tty, argv, says }) => {
    const r = await cli([...argv, '--yes'], { tty, answers: [] });

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(says);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(iam.calls().length + sts.calls().length).toBe(0);
  });

  it('--allow-admin lets the admin policy through, with a warning on stderr', async () => {
    const r = await cli(['iam', 'policy', 'create', '--name', 'p', '--document', JSON.stringify(admin), '--allow-admin', '--yes']);

    expect(r.code).toBe(0);
    expect(inputsOf('CreatePolicy')[0].PolicyDocument).toBe(JSON.stringify(admin));
    expect(r.stderr).toMatch(/warning: .*allowed by --allow-admin/);
    expect(r.stdout).not.toContain('warning');
  });
});

describe('iam create interrupted', () => {
  it('Ctrl-C at the confirmation → exit 130, nothing created', async () => {
    const prompter = {
      confirm: async () => {
        throw new InterruptedError('Interrupted at the confirmation; nothing was changed.');
      },
    };

    const r = await cli(['iam', 'create'], { tty: true, prompter });

    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Interrupted at the confirmation; nothing was changed.');
    expect(changingOperations()).toEqual([]);
  });

  it('SIGINT while CreatePolicy is in flight: the creates finish and are journalled, the attach never starts', async () => {
    const { ctx } = testContext({ yes: true });
    ctx.command = 'iam create';
    env().account.onCall('CreatePolicy', () => ctx.interrupt('SIGINT'));

    const err = (await runIamCreate({}, ctx).catch((e: unknown) => e)) as InterruptedError & { report: { changes: Array<{ status: string }> } };

    expect(err).toBeInstanceOf(InterruptedError);
    expect(err.exitCode).toBe(130);
    expect(err.message).toContain(journalFile());
    expect(err.report.changes.map((c) => c.status)).toEqual(['done', 'done', 'skipped']);
    expect(changingOperations().sort()).toEqual(['CreatePolicy', 'CreateRole']);
    expect(journalEvents().filter((e) => e.startsWith('created')).sort()).toEqual([`created iam-policy ${POLICY}`, `created iam-role ${ROLE}`]);
  });

  it('two follow-up questions (policy and role both differ) are asked one at a time', async () => {
    existingPolicy({ doc: OTHER_DOC });
    existingRole({ trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] } });
    let open = 0;
    let overlapped = false;
    const asked: string[] = [];
    const prompter = {
      confirm: async (question: string) => {
        asked.push(question);
        overlapped ||= ++open > 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        open--;
        return true;
      },
    };

    const r = await cli(['iam', 'create'], { tty: true, prompter });

    expect(r.code).toBe(0);
    expect(asked).toHaveLength(3);
    expect(overlapped).toBe(false);
    expect(changingOperations()).toEqual(expect.arrayContaining(['CreatePolicyVersion', 'UpdateAssumeRolePolicy', 'AttachRolePolicy']));
  });
});

describe('iam create without credentials', () => {
  const noCredentials = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };

  it('→ exit 4 with how to configure them; nothing sent', async () => {
    const r = await cli(['iam', 'create', '--yes', '-o', 'json'], { env: noCredentials });

    expect(r.code).toBe(4);
    expect(r.json().error).toMatchObject({ code: 'CredentialsProviderError', message: expect.stringContaining('No AWS credentials found. ecsprimer reads the same configuration as the AWS CLI: run `aws configure`') });
    expect(iam.calls().length + sts.calls().length).toBe(0);
  });

  it('--dry-run still shows the plan, with <account-id> and a warning on stderr', async () => {
    const r = await cli(['iam', 'create', '--dry-run'], { env: noCredentials });

    expect(r.code).toBe(0);
    expect(r.stdout).toContain('arn:aws:iam::<account-id>:policy/ecsprimer/ecsprimer/ecsprimer-policy');
    expect(r.stdout).toMatch(/CreatePolicy[\s\S]*CreateRole[\s\S]*AttachRolePolicy/);
    expect(r.stderr).toMatch(/warning: dry run: could not learn the account/);
    expect(iam.calls().length + sts.calls().length).toBe(0);
    expect(existsSync(journalFile())).toBe(false);
  });
});

describe('iam create re-run driven by the journal', () => {
  it('journal says created → reads policy, its document (URL-encoded), role and attachments; plan unchanged', async () => {
    const p = existingPolicy();
    existingRole({ attached: [p.arn] });
    journalOfEarlierCreate();

    const r = await cli(['iam', 'create'], { tty: true, answers: [] });

    expect(r.code).toBe(0);
    expect(r.prompts).toEqual([]); // nothing to change: nothing to confirm
    expect(iamOperations().sort()).toEqual(['GetPolicy', 'GetPolicyVersion', 'GetRole', 'ListAttachedRolePolicies']);
    expect(inputsOf('GetPolicyVersion')).toEqual([{ PolicyArn: p.arn, VersionId: 'v1' }]);
    // IAM answers with the document URL-encoded; it was compared decoded.
    const answered = (await iam.commandCalls(GetPolicyVersionCommand)[0].returnValue) as GetPolicyVersionCommandOutput;
    expect(answered.PolicyVersion?.Document).toBe(encodeDocument(defaultDocument('policy.json')));
    expect(answered.PolicyVersion?.Document).toMatch(/^%7B%22/);
    expect(r.stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      '= unchanged iam-policy',
      '= unchanged iam-role',
      '= unchanged iam-attachment',
    ]);
  });

  it.each<ConfirmRow>([
    { case: 'tty yes', tty: true, flags: [], answers: [true], exit: 0 },
    { case: '--yes', tty: false, flags: ['--yes'], answers: [], exit: 0 },
    { case: 'tty no', tty: true, flags: [], answers: [false], exit: 3 },
  ])('5 versions and a new document, $case → exit $exit (yes: delete the oldest non-default version, then CreatePolicyVersion)', async ({ tty, flags, answers, exit }) => {
    const day = (d: number) => new Date(Date.UTC(2024, 0, d));
    // Listed out of order; v2 is the oldest non-default (v1 is the default, restored long ago).
    const p = existingPolicy({
      versions: [
        { id: 'v4', doc: OTHER_DOC, created: day(4) },
        { id: 'v1', doc: OTHER_DOC, created: day(1), isDefault: true },
        { id: 'v3', doc: OTHER_DOC, created: day(3) },
        { id: 'v2', doc: OTHER_DOC, created: day(2) },
        { id: 'v5', doc: OTHER_DOC, created: day(5) },
      ].map((v) => ({ isDefault: false, ...v })),
    });
    existingRole({ attached: [p.arn] });
    journalOfEarlierCreate();

    const r = await cli(['iam', 'create', ...flags], { tty, answers });

    expect(r.code).toBe(exit);
    expect(r.stderr).toContain('CreatePolicyVersion');
    expect(r.stderr).toContain('old-bucket'); // the document diff, before the question
    if (exit !== 0) {
      expect(changingOperations()).toEqual([]);
      return;
    }
    expect(changingOperations()).toEqual(['DeletePolicyVersion', 'CreatePolicyVersion']);
    expect(inputsOf('DeletePolicyVersion')).toEqual([{ PolicyArn: p.arn, VersionId: 'v2' }]);
    expectSentAfter([['DeletePolicyVersion', { VersionId: 'v2' }]], ['CreatePolicyVersion', {}]);
    expect(inputsOf('CreatePolicyVersion')).toEqual([{ PolicyArn: p.arn, PolicyDocument: JSON.stringify(defaultDocument('policy.json')), SetAsDefault: true }]);
    expect(env().account.defaultDocument(p.arn)).toEqual(defaultDocument('policy.json'));
    expect(r.stdout).toMatch(/✓ updated iam-policy ecsprimer-policy/);
    const updates = journal().filter((j) => j.event === 'updated');
    expect(updates.map((j) => j.data)).toEqual([{ deletedVersion: 'v2' }, { versionId: 'v6' }]);
  });

  it('fewer than 5 versions → CreatePolicyVersion only', async () => {
    const p = existingPolicy({ doc: OTHER_DOC });
    existingRole({ attached: [p.arn] });
    journalOfEarlierCreate();

    const r = await cli(['iam', 'create', '--yes']);

    expect(r.code).toBe(0);
    expect(changingOperations()).toEqual(['CreatePolicyVersion']);
  });

  it('journal says created but the policy was deleted by hand → created again', async () => {
    existingRole({});
    journalOfEarlierCreate();

    const r = await cli(['iam', 'create', '--yes']);

    expect(r.code).toBe(0);
    expect(changingOperations()).toEqual(['CreatePolicy', 'AttachRolePolicy']);
    expectSentAfter([['CreatePolicy', {}]], ['AttachRolePolicy', {}]);
  });
});

describe('iam policy create', () => {
  const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:123456789012:jobs' }] };

  it.each<ConfirmRow>([
    { case: 'tty yes', tty: true, flags: [], answers: [true], exit: 0 },
    { case: 'tty no', tty: true, flags: [], answers: [false], exit: 3 },
    { case: 'no tty, no --yes', tty: false, flags: [], answers: [], exit: 2 },
    { case: 'no tty, --yes', tty: false, flags: ['--yes'], answers: [], exit: 0 },
  ])('$case → exit $exit', async ({ tty, flags, answers, exit }) => {
    const r = await cli(['iam', 'policy', 'create', '--name', 'app-policy', '--document', JSON.stringify(doc), '--description', 'app', '--tag', 'team=a', ...flags], { tty, answers });

    expect(r.code).toBe(exit);
    expect(inputsOf('CreatePolicy')).toEqual(
      exit === 0
        ? [{ PolicyName: 'app-policy', Path: stackPath(), PolicyDocument: JSON.stringify(doc), Description: 'app', Tags: [{ Key: 'team', Value: 'a' }, { Key: STACK_TAG, Value: 'ecsprimer' }, { Key: 'ecsprimer:regions', Value: 'us-east-1' }] }]
        : [],
    );
    if (exit === 2) expect(iam.calls().length + sts.calls().length).toBe(0);
    expect(existsSync(journalFile())).toBe(exit === 0);
  });

  it('reads the document from stdin (-)', async () => {
    const r = await cli(['iam', 'policy', 'create', '--name', 'app-policy', '--document', '-', '--yes'], { stdin: JSON.stringify(doc) });

    expect(r.code).toBe(0);
    expect(inputsOf('CreatePolicy')[0].PolicyDocument).toBe(JSON.stringify(doc));
  });

  it('an existing untagged policy → exit 1, nothing changed', async () => {
    env().account.addPolicy({ name: 'app-policy', path: stackPath(), doc: OTHER_DOC });

    const r = await cli(['iam', 'policy', 'create', '--name', 'app-policy', '--document', JSON.stringify(doc), '--yes']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('A policy named "app-policy" already exists and it was not created by ecsprimer');
    expect(changingOperations()).toEqual(['CreatePolicy']);
  });
});

describe('iam role create: trust principal forms', () => {
  const trusting = (principal: Record<string, string>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });
  interface PrincipalRow {
    case: string;
    principal: string;
    /** The ARN STS GetCallerIdentity reports (default: an IAM user). */
    caller?: string;
    /** A role of the account GetRole finds. */
    callerRole?: { name: string; path: string };
    trusts: Record<string, string>;
    getRole: Array<{ RoleName: string }>;
  }

  it.each<PrincipalRow>([
    { case: 'a service', principal: 'ecs-tasks.amazonaws.com', trusts: { Service: 'ecs-tasks.amazonaws.com' }, getRole: [] },
    { case: 'a role ARN', principal: 'arn:aws:iam::210987654321:role/deployer', trusts: { AWS: 'arn:aws:iam::210987654321:role/deployer' }, getRole: [] },
    { case: 'an account id', principal: '210987654321', trusts: { AWS: 'arn:aws:iam::210987654321:root' }, getRole: [] },
    { case: 'me, an IAM user', principal: 'me', caller: `arn:aws:iam::${ACCOUNT}:user/alice`, trusts: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, getRole: [] },
    {
      case: 'me, an assumed role (its role ARN, with path, from GetRole)',
      principal: 'me',
      caller: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice@example.com`,
      callerRole: { name: 'Admin', path: '/team/' },
      trusts: { AWS: `arn:aws:iam::${ACCOUNT}:role/team/Admin` },
      getRole: [{ RoleName: 'Admin' }],
    },
    {
      case: 'me, an assumed role GetRole cannot find',
      principal: 'me',
      caller: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`,
      trusts: { AWS: `arn:aws:iam::${ACCOUNT}:role/Admin` },
      getRole: [{ RoleName: 'Admin' }],
    },
  ])('$case', async ({ principal, caller, callerRole, trusts, getRole }) => {
    if (caller) sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: caller, UserId: 'AIDA:alice' });
    if (callerRole) env().account.addRole(callerRole);

    const r = await cli(['iam', 'role', 'create', '--name', 'app-role', '--trust-principal', principal, '--description', 'app', '--yes']);

    expect(r.code).toBe(0);
    expect(inputsOf('GetRole')).toEqual(getRole);
    expect(inputsOf('CreateRole')).toEqual([
      { RoleName: 'app-role', Path: stackPath(), AssumeRolePolicyDocument: JSON.stringify(trusting(trusts)), Description: 'app', Tags: [{ Key: STACK_TAG, Value: 'ecsprimer' }, { Key: 'ecsprimer:regions', Value: 'us-east-1' }] },
    ]);
    expect(journalEvents().filter((e) => e.startsWith('created'))).toEqual(['created iam-role app-role']);
  });

  it('iam create --trust-principal me uses the caller for the stack role', async () => {
    const r = await cli(['iam', 'create', '--trust-principal', 'me', '--yes']);

    expect(r.code).toBe(0);
    expect(JSON.parse(inputsOf('CreateRole')[0].AssumeRolePolicyDocument)).toEqual(trusting({ AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }));
  });

  it.each<ConfirmRow>([
    { case: 'tty no', tty: true, flags: [], answers: [false], exit: 3 },
    { case: 'no tty, no --yes', tty: false, flags: [], answers: [], exit: 2 },
    { case: 'tty yes', tty: true, flags: [], answers: [true], exit: 0 },
  ])('confirmation: $case → exit $exit', async ({ tty, flags, answers, exit }) => {
    const r = await cli(['iam', 'role', 'create', '--name', 'app-role', '--trust-principal', 'ecs-tasks.amazonaws.com', ...flags], { tty, answers });

    expect(r.code).toBe(exit);
    expect(changingOperations()).toEqual(exit === 0 ? ['CreateRole'] : []);
    if (exit === 2) expect(r.stderr).toContain('--yes');
  });
});
