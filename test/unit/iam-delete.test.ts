/**
 * `iam delete`, `iam policy delete`, `iam role delete` against a mocked IAM: everything AWS
 * requires to be removed first is removed first (per resource), already-absent is success, and
 * a "no" changes nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  awsError,
  changingOperations,
  cli,
  type ConfirmRow,
  env,
  expectSentAfter,
  iam,
  iamOperations,
  inputsOf,
  journal,
  journalEvents,
  noSuchEntity,
  stackPath,
  stackPolicyArn,
  stackRoleArn,
  stackTags,
  sts,
  useIamMocks,
} from '../support/iam-fake.js';

useIamMocks();

const POLICY = 'ecsprimer-policy';
const ROLE = 'ecsprimer-role';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const doc = (n: number) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::bucket-${n}/*` }] });

/**
 * The stack's policy (3 versions; attached to the stack's role, another role, a user and a group)
 * and the stack's role (also holding an AWS managed policy, an inline policy and an instance profile).
 */
function stackWithEverything() {
  const a = env().account;
  a.addPolicy({ name: 'ReadOnlyAccess', arn: READ_ONLY, path: '/', doc: doc(0) });
  const policy = a.addPolicy({
    name: POLICY,
    path: stackPath(),
    tags: stackTags(),
    versions: [{ doc: doc(1) }, { doc: doc(2) }, { doc: doc(3) }],
    users: ['bob'],
    groups: ['devs'],
  });
  const role = a.addRole({ name: ROLE, path: stackPath(), tags: stackTags(), attached: [policy.arn, READ_ONLY], inline: ['inline-logs'], profiles: ['ecsprimer-profile'] });
  a.addRole({ name: 'other-role', attached: [policy.arn] });
  return { policy, role };
}

const statuses = (json: Record<string, any>) => (json.changes as Array<{ type: string; status: string }>).map((c) => `${c.type} ${c.status}`);

describe('iam delete', () => {
  it('detaches, removes every prerequisite, then deletes role and policy (in that order per resource)', async () => {
    const { policy, role } = stackWithEverything();

    const r = await cli(['iam', 'delete', '--yes']);

    expect(r.code).toBe(0);
    // Reads first: O(1) lookups, no scans of the account.
    expect(iamOperations().filter((op) => /^(List(Policies|Roles)$)/.test(op))).toEqual([]);
    expect(inputsOf('GetPolicy')).toEqual([{ PolicyArn: policy.arn }]);
    expect(inputsOf('GetRole')).toEqual([{ RoleName: ROLE }]);

    // The stack's attachment goes first; both deletes wait for it.
    const detachStack: [string, Record<string, unknown>] = ['DetachRolePolicy', { RoleName: ROLE, PolicyArn: policy.arn }];
    expectSentAfter([detachStack], ['DeleteRole', { RoleName: ROLE }]);
    expectSentAfter([detachStack], ['DeletePolicy', { PolicyArn: policy.arn }]);
    expectSentAfter(
      [
        ['DetachRolePolicy', { RoleName: ROLE, PolicyArn: READ_ONLY }],
        ['DeleteRolePolicy', { RoleName: ROLE, PolicyName: 'inline-logs' }],
        ['RemoveRoleFromInstanceProfile', { RoleName: ROLE, InstanceProfileName: 'ecsprimer-profile' }],
      ],
      ['DeleteRole', { RoleName: ROLE }],
    );
    expectSentAfter(
      [
        ['DetachRolePolicy', { RoleName: 'other-role', PolicyArn: policy.arn }],
        ['DetachUserPolicy', { UserName: 'bob', PolicyArn: policy.arn }],
        ['DetachGroupPolicy', { GroupName: 'devs', PolicyArn: policy.arn }],
        ['DeletePolicyVersion', { PolicyArn: policy.arn, VersionId: 'v1' }],
        ['DeletePolicyVersion', { PolicyArn: policy.arn, VersionId: 'v2' }],
      ],
      ['DeletePolicy', { PolicyArn: policy.arn }],
    );
    expect(inputsOf('DeletePolicyVersion').map((i) => i.VersionId).sort()).toEqual(['v1', 'v2']); // never the default
    expect(inputsOf('DetachRolePolicy')).toHaveLength(3); // the stack's detached once only

    // AWS's state: both gone; the other role and the AWS managed policy stay.
    expect([...env().account.roles.keys()]).toEqual(['other-role']);
    expect([...env().account.policies.keys()]).toEqual([READ_ONLY]);

    expect(r.stdout).toBe(
      [
        `✓ deleted iam-attachment ${ROLE} ← ${POLICY}  ${policy.arn}`,
        `✓ deleted iam-role ${ROLE}  ${role.arn}`,
        `✓ deleted iam-policy ${POLICY}  ${policy.arn}`,
        '',
      ].join('\n'),
    );
    expect(r.stderr).toMatch(/DetachRolePolicy[\s\S]*DeleteRole[\s\S]*DeletePolicy/);

    const events = journalEvents();
    expect(events[0]).toBe(`detached iam-attachment ${ROLE}|${policy.arn}`);
    expect(events).toEqual(
      expect.arrayContaining([
        `detached iam-attachment ${ROLE}|${READ_ONLY}`,
        `detached iam-attachment other-role|${policy.arn}`,
        `deleted iam-role ${ROLE}`,
        `deleted iam-policy ${POLICY}`,
      ]),
    );
    expect(events.indexOf(`deleted iam-role ${ROLE}`)).toBeGreaterThan(events.indexOf(`detached iam-attachment ${ROLE}|${READ_ONLY}`));
    expect(events.indexOf(`deleted iam-policy ${POLICY}`)).toBeGreaterThan(events.indexOf(`detached iam-attachment other-role|${policy.arn}`));
  });

  it.each<ConfirmRow & { deletes: boolean }>([
    { case: 'tty yes', tty: true, flags: [], answers: [true], exit: 0, deletes: true },
    { case: 'tty no', tty: true, flags: [], answers: [false], exit: 3, deletes: false },
    { case: 'no tty, no --yes', tty: false, flags: [], answers: [], exit: 2, deletes: false },
    { case: 'no tty, --yes', tty: false, flags: ['--yes'], answers: [], exit: 0, deletes: true },
    { case: 'no tty, --dry-run', tty: false, flags: ['--dry-run'], answers: [], exit: 0, deletes: false },
  ])('confirmation: $case → exit $exit', async ({ tty, flags, answers, exit, deletes }) => {
    stackWithEverything();

    const r = await cli(['iam', 'delete', '-o', 'json', ...flags], { tty, answers });

    expect(r.code).toBe(exit);
    expect(r.unusedAnswers).toEqual([]);
    expect(changingOperations().includes('DeleteRole')).toBe(deletes);
    if (!deletes) expect(changingOperations()).toEqual([]);
    if (exit === 2) {
      expect(iam.calls().length + sts.calls().length).toBe(0);
      expect(r.stderr).toContain('--yes');
    }
    const json = r.json();
    expect(json).toMatchObject({ ok: exit === 0, command: 'iam delete', stack: 'ecsprimer', dryRun: flags.includes('--dry-run') });
    if (deletes) expect(statuses(json)).toEqual(['iam-attachment done', 'iam-role done', 'iam-policy done']);
    if (exit === 3) expect(json.error.code).toBe('Declined');
    if (flags.includes('--dry-run')) {
      expect(json.plan.map((c: { operation: string }) => c.operation)).toEqual([
        'DetachRolePolicy',
        'DetachRolePolicy',
        'DeleteRolePolicy',
        'RemoveRoleFromInstanceProfile',
        'DeleteRole',
        'DetachRolePolicy',
        'DetachUserPolicy',
        'DetachGroupPolicy',
        'DeletePolicyVersion',
        'DeletePolicyVersion',
        'DeletePolicy',
      ]);
    }
  });

  it.each([
    { tty: true, output: 'text' },
    { tty: false, output: 'json' },
  ])('already absent (NoSuchEntity), tty $tty → exit 0, status absent, no question', async ({ tty, output }) => {
    const r = await cli(['iam', 'delete', '-o', output, ...(tty ? [] : ['--yes'])], { tty, answers: [] });

    expect(r.code).toBe(0);
    expect(r.prompts).toEqual([]);
    expect(changingOperations()).toEqual([]);
    if (output === 'json') {
      expect(r.json()).toMatchObject({ ok: true, command: 'iam delete' });
      expect(statuses(r.json())).toEqual(['iam-attachment absent', 'iam-role absent', 'iam-policy absent']);
    } else {
      expect(r.stdout).toBe(
        [`= already absent iam-attachment ${ROLE} ← ${POLICY}  ${stackPolicyArn(POLICY)}`, `= already absent iam-role ${ROLE}`, `= already absent iam-policy ${POLICY}`, ''].join('\n'),
      );
    }
  });

  it('--dry-run without credentials still shows the plan (state unknown), exit 0', async () => {
    const r = await cli(['iam', 'delete', '--dry-run'], { env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined } });

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DetachRolePolicy[\s\S]*DeleteRole[\s\S]*DeletePolicy/);
    expect(r.stdout).toContain('current state unknown');
    expect(iam.calls().length + sts.calls().length).toBe(0);
  });

  it('gone between the read and the delete (NoSuchEntity on DeleteRole / DeletePolicy) → absent, exit 0', async () => {
    const a = env().account;
    a.addPolicy({ name: POLICY, path: stackPath(), tags: stackTags() });
    a.addRole({ name: ROLE, path: stackPath(), tags: stackTags() });
    a.fail('DeleteRole', noSuchEntity(`role with name ${ROLE}`));
    a.fail('DeletePolicy', noSuchEntity(`policy ${POLICY}`));

    const r = await cli(['iam', 'delete', '--yes', '-o', 'json']);

    expect(r.code).toBe(0);
    expect(statuses(r.json())).toEqual(['iam-attachment absent', 'iam-role absent', 'iam-policy absent']);
  });
});

describe('iam policy delete', () => {
  it('detaches it from every role, user and group and deletes its non-default versions, then the policy', async () => {
    const { policy } = stackWithEverything();

    const r = await cli(['iam', 'policy', 'delete', '--name', POLICY, '--yes']);

    expect(r.code).toBe(0);
    expect(inputsOf('ListEntitiesForPolicy')).toEqual([{ PolicyArn: policy.arn }]);
    expectSentAfter(
      [
        ['DetachRolePolicy', { RoleName: ROLE, PolicyArn: policy.arn }],
        ['DetachRolePolicy', { RoleName: 'other-role', PolicyArn: policy.arn }],
        ['DetachUserPolicy', { UserName: 'bob', PolicyArn: policy.arn }],
        ['DetachGroupPolicy', { GroupName: 'devs', PolicyArn: policy.arn }],
        ['DeletePolicyVersion', { PolicyArn: policy.arn, VersionId: 'v1' }],
        ['DeletePolicyVersion', { PolicyArn: policy.arn, VersionId: 'v2' }],
      ],
      ['DeletePolicy', { PolicyArn: policy.arn }],
    );
    expect(changingOperations().filter((op) => op.startsWith('Delete') && op !== 'DeletePolicyVersion')).toEqual(['DeletePolicy']);
    expect(env().account.policies.has(policy.arn)).toBe(false);
    expect(journalEvents().at(-1)).toBe(`deleted iam-policy ${POLICY}`);
  });

  it('a policy at the account root (not the stack path) is found second, deleted, with a note that it is not ours', async () => {
    const p = env().account.addPolicy({ name: 'legacy-policy', path: '/' });

    const r = await cli(['iam', 'policy', 'delete', '--name', 'legacy-policy', '--yes']);

    expect(r.code).toBe(0);
    expect(inputsOf('GetPolicy')).toEqual([{ PolicyArn: stackPolicyArn('legacy-policy') }, { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/legacy-policy` }]);
    expect(inputsOf('DeletePolicy')).toEqual([{ PolicyArn: p.arn }]);
    expect(r.stderr).toContain('note: this policy was not created by stack "ecsprimer" (no ecsprimer tag)');
  });

  it.each<ConfirmRow>([
    { case: 'tty yes', tty: true, flags: [], answers: [true], exit: 0 },
    { case: 'tty no', tty: true, flags: [], answers: [false], exit: 3 },
    { case: 'no tty, no --yes', tty: false, flags: [], answers: [], exit: 2 },
    { case: 'no tty, --yes', tty: false, flags: ['--yes'], answers: [], exit: 0 },
  ])('confirmation: $case → exit $exit', async ({ tty, flags, answers, exit }) => {
    stackWithEverything();

    const r = await cli(['iam', 'policy', 'delete', '--name', POLICY, ...flags], { tty, answers });

    expect(r.code).toBe(exit);
    expect(changingOperations().includes('DeletePolicy')).toBe(exit === 0);
    if (exit !== 0) expect(changingOperations()).toEqual([]);
    if (exit === 2) expect(iam.calls().length + sts.calls().length).toBe(0);
  });

  it('absent → exit 0, status absent; looked where a policy of that name can be', async () => {
    const r = await cli(['iam', 'policy', 'delete', '--name', 'nope', '--yes', '-o', 'json']);

    expect(r.code).toBe(0);
    expect(r.json().changes).toEqual([{ action: 'none', type: 'iam-policy', name: 'nope', status: 'absent' }]);
    expect(inputsOf('GetPolicy')).toEqual([{ PolicyArn: stackPolicyArn('nope') }, { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/nope` }]);
    expect(changingOperations()).toEqual([]);
  });
});

describe('iam role delete', () => {
  it('detaches managed policies, deletes inline policies, leaves instance profiles, then deletes the role', async () => {
    const { policy, role } = stackWithEverything();

    const r = await cli(['iam', 'role', 'delete', '--name', ROLE, '--yes', '-o', 'json']);

    expect(r.code).toBe(0);
    expect(iamOperations().slice(0, 4).sort()).toEqual(['GetRole', 'ListAttachedRolePolicies', 'ListInstanceProfilesForRole', 'ListRolePolicies']);
    expectSentAfter(
      [
        ['DetachRolePolicy', { RoleName: ROLE, PolicyArn: policy.arn }],
        ['DetachRolePolicy', { RoleName: ROLE, PolicyArn: READ_ONLY }],
        ['DeleteRolePolicy', { RoleName: ROLE, PolicyName: 'inline-logs' }],
        ['RemoveRoleFromInstanceProfile', { RoleName: ROLE, InstanceProfileName: 'ecsprimer-profile' }],
      ],
      ['DeleteRole', { RoleName: ROLE }],
    );
    expect(env().account.roles.has(ROLE)).toBe(false);
    expect(env().account.policies.has(policy.arn)).toBe(true); // policies are only detached
    expect(r.json().changes).toEqual([{ action: 'delete', type: 'iam-role', name: ROLE, arn: role.arn, status: 'done' }]);
    expect(journal().at(-1)).toMatchObject({ event: 'deleted', type: 'iam-role', name: ROLE, arn: stackRoleArn(ROLE), command: 'iam role delete' });
  });

  it.each<ConfirmRow>([
    { case: 'tty yes', tty: true, flags: [], answers: [true], exit: 0 },
    { case: 'tty no', tty: true, flags: [], answers: [false], exit: 3 },
    { case: 'no tty, no --yes', tty: false, flags: [], answers: [], exit: 2 },
    { case: 'tty, --dry-run', tty: true, flags: ['--dry-run'], answers: [], exit: 0 },
  ])('confirmation: $case → exit $exit', async ({ tty, flags, answers, exit }) => {
    stackWithEverything();

    const r = await cli(['iam', 'role', 'delete', '--name', ROLE, ...flags], { tty, answers });

    expect(r.code).toBe(exit);
    const deleted = exit === 0 && !flags.includes('--dry-run');
    expect(changingOperations().includes('DeleteRole')).toBe(deleted);
    if (!deleted) expect(changingOperations()).toEqual([]);
    if (flags.includes('--dry-run')) expect(r.stdout).toMatch(/DetachRolePolicy[\s\S]*DeleteRolePolicy[\s\S]*RemoveRoleFromInstanceProfile[\s\S]*DeleteRole/);
  });

  it('absent → exit 0, "already absent" on stdout', async () => {
    const r = await cli(['iam', 'role', 'delete', '--name', 'nope', '--yes']);

    expect(r.code).toBe(0);
    expect(r.stdout).toBe('= already absent iam-role nope\n');
    expect(changingOperations()).toEqual([]);
  });
});

describe('iam create → iam delete → again', () => {
  it('deletes what create made, is then "absent", and a new create starts afresh', async () => {
    expect((await cli(['iam', 'create', '--yes'])).code).toBe(0);
    expect(env().account.roles.size + env().account.policies.size).toBe(2);

    const del = await cli(['iam', 'delete', '--yes', '-o', 'json']);
    expect(del.code).toBe(0);
    expect(statuses(del.json())).toEqual(['iam-attachment done', 'iam-role done', 'iam-policy done']);
    expect(env().account.roles.size + env().account.policies.size).toBe(0);

    const again = await cli(['iam', 'delete', '--yes', '-o', 'json']);
    expect(again.code).toBe(0);
    expect(statuses(again.json())).toEqual(['iam-attachment absent', 'iam-role absent', 'iam-policy absent']);

    iam.resetHistory();
    const create = await cli(['iam', 'create', '--yes', '-o', 'json']);
    expect(create.code).toBe(0);
    expect(statuses(create.json())).toEqual(['iam-policy done', 'iam-role done', 'iam-attachment done']);
    // The journal says they were deleted: no reads, straight to the creates.
    expect(iamOperations().sort()).toEqual(['AttachRolePolicy', 'CreatePolicy', 'CreateRole']);
    expect(sts.calls()).toHaveLength(1); // the identity cache holds since the first run
  });
});

describe('reads that fail before a delete', () => {
  it.each([
    { case: 'ListPolicyVersions', argv: ['iam', 'policy', 'delete', '--name', POLICY] },
    { case: 'ListEntitiesForPolicy', argv: ['iam', 'policy', 'delete', '--name', POLICY] },
    { case: 'ListRolePolicies', argv: ['iam', 'role', 'delete', '--name', ROLE] },
  ])('AccessDenied on $case → exit 1 naming it, nothing deleted', async ({ case: operation, argv }) => {
    stackWithEverything();
    env().account.fail(operation, awsError('AccessDenied', `not authorized to perform: iam:${operation}`, 403));

    const r = await cli([...argv, '--yes']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`iam:${operation} failed: AccessDenied`);
    expect(changingOperations()).toEqual([]);
  });
});
