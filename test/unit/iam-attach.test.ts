/**
 * `iam attach` and `iam detach` against a mocked IAM: how a policy NAME is looked up, ARNs,
 * idempotence, a missing role, and the journal of what was attached or adopted.
 */
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  changingOperations,
  cli,
  type ConfirmRow,
  env,
  iam,
  inputsOf,
  journal,
  journalEvents,
  seedJournal,
  stackPath,
  stackPolicyArn,
  stackTags,
  sts,
  useIamMocks,
} from '../support/iam-fake.js';

useIamMocks();

const ROLE = 'app-role';
const NAME = 'app-policy';
const JOURNAL_ARN = `arn:aws:iam::${ACCOUNT}:policy/custom/path/${NAME}`;
const STACK_ARN = stackPolicyArn(NAME);
const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:policy/${NAME}`;
const MANAGED_ARN = `arn:aws:iam::aws:policy/${NAME}`;
const SERVICE_ROLE_ARN = `arn:aws:iam::aws:policy/service-role/${NAME}`;
/** Where a policy NAME is looked for, in order of preference. */
const LOOKUP = [STACK_ARN, ROOT_ARN, MANAGED_ARN, SERVICE_ROLE_ARN];

type Place = 'journal' | 'stack' | 'root' | 'managed' | 'service-role';
const ARN_OF: Record<Place, string> = { journal: JOURNAL_ARN, stack: STACK_ARN, root: ROOT_ARN, managed: MANAGED_ARN, 'service-role': SERVICE_ROLE_ARN };

/** Puts a policy called NAME at each place (the journal one is also recorded in the journal). */
function policiesAt(...places: Place[]): void {
  for (const place of places) {
    const arn = ARN_OF[place];
    env().account.addPolicy({ name: NAME, arn, path: arn.replace(/^.*:policy(\/.*\/|\/)[^/]+$/, '$1'), tags: place === 'journal' || place === 'stack' ? stackTags() : {} });
    if (place === 'journal') seedJournal([{ event: 'created', type: 'iam-policy', name: NAME, arn }]);
  }
}

const role = (o: { attached?: string[]; tags?: Record<string, string> } = {}) => env().account.addRole({ name: ROLE, path: stackPath(), tags: o.tags ?? stackTags(), attached: o.attached });

describe('iam attach --policy NAME: lookup order journal → stack path → account root → AWS managed', () => {
  it.each([
    { case: 'only in the journal (any path)', places: ['journal'], uses: 'journal' },
    { case: 'under the stack path', places: ['stack'], uses: 'stack' },
    { case: 'at the account root', places: ['root'], uses: 'root' },
    { case: 'AWS managed', places: ['managed'], uses: 'managed' },
    { case: 'AWS managed, service-role/', places: ['service-role'], uses: 'service-role' },
    { case: 'journal and stack path and root', places: ['journal', 'stack', 'root'], uses: 'journal' },
    { case: 'stack path and root', places: ['stack', 'root'], uses: 'stack' },
    { case: 'root and AWS managed', places: ['root', 'managed'], uses: 'root' },
  ] as Array<{ case: string; places: Place[]; uses: Place }>)('$case → attaches the $uses one', async ({ places, uses }) => {
    role();
    policiesAt(...places);

    const r = await cli(['iam', 'attach', '--role', ROLE, '--policy', NAME, '--yes']);

    expect(r.code).toBe(0);
    const looked = places.includes('journal') ? [JOURNAL_ARN, ...LOOKUP] : LOOKUP;
    expect(inputsOf('GetPolicy').map((i) => i.PolicyArn)).toEqual(looked);
    expect(inputsOf('AttachRolePolicy')).toEqual([{ RoleName: ROLE, PolicyArn: ARN_OF[uses] }]);
    expect(env().account.roles.get(ROLE)!.attached).toEqual([ARN_OF[uses]]);
    expect(journal().at(-1)).toMatchObject({ event: 'attached', type: 'iam-attachment', name: `${ROLE}|${ARN_OF[uses]}`, parent: ROLE, arn: ARN_OF[uses] });
  });

  it('by ARN: one GetPolicy for that ARN', async () => {
    role();
    policiesAt('root');

    const r = await cli(['iam', 'attach', '--role', ROLE, '--policy', ROOT_ARN, '--yes']);

    expect(r.code).toBe(0);
    expect(inputsOf('GetPolicy')).toEqual([{ PolicyArn: ROOT_ARN }]);
    expect(inputsOf('AttachRolePolicy')).toEqual([{ RoleName: ROLE, PolicyArn: ROOT_ARN }]);
  });

  it('a role and a policy the stack did not create are recorded as adopted, then the attachment', async () => {
    role({ tags: {} });
    policiesAt('managed');

    const r = await cli(['iam', 'attach', '--role', ROLE, '--policy', NAME, '--yes']);

    expect(r.code).toBe(0);
    expect(journalEvents()).toEqual([
      `adopted iam-role ${ROLE}`,
      `adopted iam-policy ${NAME}`,
      `intent iam-attachment ${ROLE}|${MANAGED_ARN}`,
      `attached iam-attachment ${ROLE}|${MANAGED_ARN}`,
    ]);
  });

  it.each([
    { case: 'tty', tty: true, flags: [] },
    { case: 'no tty, --yes', tty: false, flags: ['--yes'] },
  ])('already attached ($case) → unchanged, nothing asked or sent', async ({ tty, flags }) => {
    role({ attached: [STACK_ARN] });
    policiesAt('stack');

    const r = await cli(['iam', 'attach', '--role', ROLE, '--policy', NAME, '-o', 'json', ...flags], { tty, answers: [] });

    expect(r.code).toBe(0);
    expect(r.prompts).toEqual([]);
    expect(changingOperations()).toEqual([]);
    expect(r.json()).toMatchObject({ ok: true, command: 'iam attach', changes: [{ action: 'none', type: 'iam-attachment', status: 'unchanged', arn: STACK_ARN }] });
  });

  it.each([
    { case: 'the role is missing', setup: () => policiesAt('stack'), says: `Role "${ROLE}" does not exist`, code: 'NoSuchEntity' },
    { case: 'the policy is nowhere', setup: () => role(), says: `Policy "${NAME}" was not found`, code: 'NoSuchEntity' },
  ])('$case → exit 1, nothing attached', async ({ setup, says, code }) => {
    setup();

    const r = await cli(['iam', 'attach', '--role', ROLE, '--policy', NAME, '--yes', '-o', 'json']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain(says);
    expect(r.json()).toMatchObject({ ok: false, command: 'iam attach', error: { code, message: expect.stringContaining(says) } });
    expect(inputsOf('AttachRolePolicy')).toEqual([]);
    expect(journal()).toEqual([]);
  });

  it.each<ConfirmRow>([
    { case: 'tty yes', tty: true, flags: [], answers: [true], exit: 0 },
    { case: 'tty no', tty: true, flags: [], answers: [false], exit: 3 },
    { case: 'no tty, no --yes', tty: false, flags: [], answers: [], exit: 2 },
    { case: 'no tty, --dry-run', tty: false, flags: ['--dry-run'], answers: [], exit: 0 },
  ])('confirmation: $case → exit $exit', async ({ tty, flags, answers, exit }) => {
    role();
    policiesAt('stack');

    const r = await cli(['iam', 'attach', '--role', ROLE, '--policy', NAME, ...flags], { tty, answers });

    expect(r.code).toBe(exit);
    const attaches = exit === 0 && !flags.includes('--dry-run');
    expect(changingOperations()).toEqual(attaches ? ['AttachRolePolicy'] : []);
    if (exit === 2) expect(iam.calls().length + sts.calls().length).toBe(0);
    if (flags.includes('--dry-run')) expect(r.stdout).toContain(`AttachRolePolicy           role ${ROLE}, policy ${NAME}`);
  });
});

describe('iam detach', () => {
  it.each([
    { case: 'by name', policy: NAME },
    { case: 'by ARN', policy: STACK_ARN },
  ])('$case → DetachRolePolicy, journalled', async ({ policy }) => {
    role({ attached: [STACK_ARN, MANAGED_ARN] });
    policiesAt('stack', 'managed');

    const r = await cli(['iam', 'detach', '--role', ROLE, '--policy', policy, '--yes']);

    expect(r.code).toBe(0);
    expect(inputsOf('DetachRolePolicy')).toEqual([{ RoleName: ROLE, PolicyArn: STACK_ARN }]);
    expect(env().account.roles.get(ROLE)!.attached).toEqual([MANAGED_ARN]);
    expect(r.stdout).toBe(`✓ deleted iam-attachment ${ROLE} ← ${NAME}  ${STACK_ARN}\n`);
    expect(journalEvents()).toEqual([`detached iam-attachment ${ROLE}|${STACK_ARN}`]);
  });

  it.each([
    { case: 'not attached', setup: () => (role(), policiesAt('stack')) },
    { case: 'the role is missing', setup: () => policiesAt('stack') },
  ])('$case → exit 0, absent, nothing sent that changes', async ({ setup }) => {
    setup();

    const r = await cli(['iam', 'detach', '--role', ROLE, '--policy', NAME, '--yes', '-o', 'json']);

    expect(r.code).toBe(0);
    expect(r.json().changes).toEqual([{ action: 'none', type: 'iam-attachment', name: `${ROLE} ← ${NAME}`, arn: STACK_ARN, status: 'absent' }]);
    expect(changingOperations()).toEqual([]);
  });

  it.each<ConfirmRow>([
    { case: 'tty yes', tty: true, flags: [], answers: [true], exit: 0 },
    { case: 'tty no', tty: true, flags: [], answers: [false], exit: 3 },
    { case: 'no tty, no --yes', tty: false, flags: [], answers: [], exit: 2 },
  ])('confirmation: $case → exit $exit', async ({ tty, flags, answers, exit }) => {
    role({ attached: [STACK_ARN] });
    policiesAt('stack');

    const r = await cli(['iam', 'detach', '--role', ROLE, '--policy', NAME, ...flags], { tty, answers });

    expect(r.code).toBe(exit);
    expect(changingOperations()).toEqual(exit === 0 ? ['DetachRolePolicy'] : []);
    if (exit === 2) expect(iam.calls().length + sts.calls().length).toBe(0);
  });
});
