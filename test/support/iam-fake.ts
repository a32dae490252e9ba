/**
 * Unit-test harness for the IAM commands: aws-sdk-client-mock stubs for IAMClient and STSClient
 * backed by a tiny in-memory IAM account, plus everything of in-process.ts (`cli()`, the journal).
 *
 * Why an in-memory account rather than one canned answer per call: the commands read, then
 * change, then (on a re-run) read again; an account that enforces IAM's own rules (names are
 * unique, a policy with attachments or old versions cannot be deleted, at most 5 versions...)
 * makes a wrong call order fail the way AWS would, while the tests still assert on the exact
 * commands sent (`inputsOf('CreatePolicy')`, `iam.commandCalls(...)`). Nothing leaves the
 * process: the clients' `send` itself is stubbed (which also means the SDK's middleware, retries
 * included, does not run: iam-verbose.test.ts covers that layer).
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteConflictException,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  EntityAlreadyExistsException,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  IAMServiceException,
  LimitExceededException,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListInstanceProfilesForRoleCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  RemoveRoleFromInstanceProfileCommand,
  TagPolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, expect } from 'vitest';
import { ACCOUNT, testDirs, useCliEnv, type TestDirs } from './in-process.js';

export * from './in-process.js';

// ---------------------------------------------------------------------------------------------
// Errors as the SDK raises them

const meta = (status: number) => ({ httpStatusCode: status, requestId: 'test-request' });

export const noSuchEntity = (what: string) => new NoSuchEntityException({ message: `The ${what} cannot be found.`, $metadata: meta(404) });
export const alreadyExists = (what: string) => new EntityAlreadyExistsException({ message: `${what} already exists.`, $metadata: meta(409) });
const deleteConflict = (message: string) => new DeleteConflictException({ message, $metadata: meta(409) });
const limitExceeded = (message: string) => new LimitExceededException({ message, $metadata: meta(409) });

/** An unmodelled AWS error (AccessDenied, Throttling, ExpiredToken...), as the SDK builds it. */
export function awsError(name: string, message = `${name} (test)`, status = 400): IAMServiceException {
  return new IAMServiceException({ name, message, $fault: 'client', $metadata: meta(status) });
}

// ---------------------------------------------------------------------------------------------
// The in-memory account

export interface FakeVersion {
  id: string;
  doc: unknown;
  isDefault: boolean;
  created: Date;
}

export interface FakePolicy {
  arn: string;
  name: string;
  path: string;
  tags: Record<string, string>;
  versions: FakeVersion[];
  users: string[];
  groups: string[];
}

export interface FakeRole {
  arn: string;
  name: string;
  path: string;
  tags: Record<string, string>;
  trust: unknown;
  attached: string[];
  inline: string[];
  profiles: string[];
}

/** IAM returns documents URL-encoded. */
export const encodeDocument = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));
const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const tagMap = (tags: Array<{ Key?: string; Value?: string }> | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

export class FakeIam {
  readonly policies = new Map<string, FakePolicy>();
  readonly roles = new Map<string, FakeRole>();
  private readonly failures = new Map<string, { error: unknown; when?: (input: Record<string, unknown>) => boolean }>();
  private clock = Date.UTC(2024, 0, 1);

  private now(): Date {
    this.clock += 60_000;
    return new Date(this.clock);
  }

  private readonly hooks = new Map<string, () => void>();
  /** Each call when sent and when answered, in order (calls are answered a moment later, not at once). */
  readonly log: Array<{ phase: 'sent' | 'answered'; operation: string; input: Record<string, unknown> }> = [];

  /** Runs `fn` when `operation` is called, before IAM answers (e.g. to interrupt the run then). */
  onCall(operation: string, fn: () => void): void {
    this.hooks.set(operation, fn);
  }

  /** Every call of `operation` (e.g. "CreateRole", or "*" for all) matching `when` rejects with `error`. */
  fail(operation: string, error: unknown, when?: (input: Record<string, unknown>) => boolean): void {
    this.failures.set(operation, { error, when });
  }

  addPolicy(p: { name: string; path?: string; arn?: string; tags?: Record<string, string>; doc?: unknown; versions?: Array<Partial<FakeVersion> & { doc: unknown }>; users?: string[]; groups?: string[] }): FakePolicy {
    const path = p.path ?? '/';
    const arn = p.arn ?? `arn:aws:iam::${ACCOUNT}:policy${path}${p.name}`;
    const versions: FakeVersion[] = (p.versions ?? [{ doc: p.doc ?? { Version: '2012-10-17', Statement: [] } }]).map((v, i, all) => ({
      id: v.id ?? `v${i + 1}`,
      doc: v.doc,
      isDefault: v.isDefault ?? i === all.length - 1,
      created: v.created ?? this.now(),
    }));
    const policy: FakePolicy = { arn, name: p.name, path, tags: p.tags ?? {}, versions, users: p.users ?? [], groups: p.groups ?? [] };
    this.policies.set(arn, policy);
    return policy;
  }

  addRole(r: { name: string; path?: string; tags?: Record<string, string>; trust?: unknown; attached?: string[]; inline?: string[]; profiles?: string[] }): FakeRole {
    const path = r.path ?? '/';
    const role: FakeRole = {
      arn: `arn:aws:iam::${ACCOUNT}:role${path}${r.name}`,
      name: r.name,
      path,
      tags: r.tags ?? {},
      trust: r.trust ?? { Version: '2012-10-17', Statement: [] },
      attached: r.attached ?? [],
      inline: r.inline ?? [],
      profiles: r.profiles ?? [],
    };
    this.roles.set(r.name, role);
    return role;
  }

  defaultDocument(arn: string): unknown {
    return this.policies.get(arn)?.versions.find((v) => v.isDefault)?.doc;
  }

  private policy(arn: unknown): FakePolicy {
    const p = this.policies.get(String(arn));
    if (!p) throw noSuchEntity(`policy ${String(arn)}`);
    return p;
  }

  private role(name: unknown): FakeRole {
    const r = this.roles.get(String(name));
    if (!r) throw noSuchEntity(`role with name ${String(name)}`);
    return r;
  }

  private rolesWith(arn: string): FakeRole[] {
    return [...this.roles.values()].filter((r) => r.attached.includes(arn));
  }

  /** The IAM API, one handler per command the commands use. Unhandled commands answer undefined. */
  private readonly handlers: Record<string, (i: Record<string, any>) => unknown> = {
    CreatePolicy: (i) => {
      if ([...this.policies.values()].some((p) => p.name === i.PolicyName)) throw alreadyExists(`A policy called ${i.PolicyName}`);
      const p = this.addPolicy({ name: i.PolicyName, path: i.Path ?? '/', tags: tagMap(i.Tags), doc: JSON.parse(i.PolicyDocument) });
      return { Policy: { Arn: p.arn, PolicyName: p.name, Path: p.path, DefaultVersionId: 'v1', Tags: i.Tags } };
    },
    GetPolicy: (i) => {
      const p = this.policy(i.PolicyArn);
      const def = p.versions.find((v) => v.isDefault)!;
      return { Policy: { Arn: p.arn, PolicyName: p.name, Path: p.path, DefaultVersionId: def.id, AttachmentCount: this.rolesWith(p.arn).length + p.users.length + p.groups.length, Tags: tagList(p.tags) } };
    },
    GetPolicyVersion: (i) => {
      const v = this.policy(i.PolicyArn).versions.find((x) => x.id === i.VersionId);
      if (!v) throw noSuchEntity(`policy version ${i.VersionId}`);
      return { PolicyVersion: { VersionId: v.id, IsDefaultVersion: v.isDefault, Document: encodeDocument(v.doc), CreateDate: v.created } };
    },
    ListPolicyVersions: (i) => ({
      Versions: this.policy(i.PolicyArn).versions.map((v) => ({ VersionId: v.id, IsDefaultVersion: v.isDefault, CreateDate: v.created })),
      IsTruncated: false,
    }),
    CreatePolicyVersion: (i) => {
      const p = this.policy(i.PolicyArn);
      if (p.versions.length >= 5) throw limitExceeded('A managed policy can have up to 5 versions.');
      const id = `v${Math.max(...p.versions.map((v) => Number(v.id.slice(1)))) + 1}`;
      if (i.SetAsDefault) for (const v of p.versions) v.isDefault = false;
      p.versions.push({ id, doc: JSON.parse(i.PolicyDocument), isDefault: Boolean(i.SetAsDefault), created: this.now() });
      return { PolicyVersion: { VersionId: id, IsDefaultVersion: Boolean(i.SetAsDefault) } };
    },
    DeletePolicyVersion: (i) => {
      const p = this.policy(i.PolicyArn);
      const v = p.versions.find((x) => x.id === i.VersionId);
      if (!v) throw noSuchEntity(`policy version ${i.VersionId}`);
      if (v.isDefault) throw deleteConflict('Cannot delete the default version of a policy.');
      p.versions = p.versions.filter((x) => x !== v);
      return {};
    },
    DeletePolicy: (i) => {
      const p = this.policy(i.PolicyArn);
      if (this.rolesWith(p.arn).length || p.users.length || p.groups.length) throw deleteConflict('Cannot delete a policy attached to entities.');
      if (p.versions.length > 1) throw deleteConflict('This policy has more than one version. Before you delete a policy, you must delete the policy\'s versions.');
      this.policies.delete(p.arn);
      return {};
    },
    ListEntitiesForPolicy: (i) => {
      const p = this.policy(i.PolicyArn);
      return {
        PolicyRoles: this.rolesWith(p.arn).map((r) => ({ RoleName: r.name })),
        PolicyUsers: p.users.map((UserName) => ({ UserName })),
        PolicyGroups: p.groups.map((GroupName) => ({ GroupName })),
        IsTruncated: false,
      };
    },
    DetachUserPolicy: (i) => {
      const p = this.policy(i.PolicyArn);
      if (!p.users.includes(i.UserName)) throw noSuchEntity(`attachment to user ${i.UserName}`);
      p.users = p.users.filter((u) => u !== i.UserName);
      return {};
    },
    DetachGroupPolicy: (i) => {
      const p = this.policy(i.PolicyArn);
      if (!p.groups.includes(i.GroupName)) throw noSuchEntity(`attachment to group ${i.GroupName}`);
      p.groups = p.groups.filter((g) => g !== i.GroupName);
      return {};
    },
    CreateRole: (i) => {
      if (this.roles.has(i.RoleName)) throw alreadyExists(`Role with name ${i.RoleName}`);
      const r = this.addRole({ name: i.RoleName, path: i.Path ?? '/', tags: tagMap(i.Tags), trust: JSON.parse(i.AssumeRolePolicyDocument) });
      return { Role: { Arn: r.arn, RoleName: r.name, Path: r.path, Tags: i.Tags, AssumeRolePolicyDocument: encodeDocument(r.trust) } };
    },
    GetRole: (i) => {
      const r = this.role(i.RoleName);
      return { Role: { Arn: r.arn, RoleName: r.name, Path: r.path, Tags: tagList(r.tags), AssumeRolePolicyDocument: encodeDocument(r.trust) } };
    },
    UpdateAssumeRolePolicy: (i) => {
      this.role(i.RoleName).trust = JSON.parse(i.PolicyDocument);
      return {};
    },
    TagRole: (i) => {
      const r = this.role(i.RoleName);
      r.tags = { ...r.tags, ...tagMap(i.Tags) };
      return {};
    },
    TagPolicy: (i) => {
      const p = this.policy(i.PolicyArn);
      p.tags = { ...p.tags, ...tagMap(i.Tags) };
      return {};
    },
    ListAttachedRolePolicies: (i) => ({
      AttachedPolicies: this.role(i.RoleName).attached.map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split('/').pop() })),
      IsTruncated: false,
    }),
    ListRolePolicies: (i) => ({ PolicyNames: [...this.role(i.RoleName).inline], IsTruncated: false }),
    ListInstanceProfilesForRole: (i) => ({
      InstanceProfiles: this.role(i.RoleName).profiles.map((InstanceProfileName) => ({ InstanceProfileName })),
      IsTruncated: false,
    }),
    AttachRolePolicy: (i) => {
      const r = this.role(i.RoleName);
      this.policy(i.PolicyArn);
      if (!r.attached.includes(i.PolicyArn)) r.attached.push(i.PolicyArn);
      return {};
    },
    DetachRolePolicy: (i) => {
      const r = this.role(i.RoleName);
      if (!r.attached.includes(i.PolicyArn)) throw noSuchEntity(`policy ${i.PolicyArn} attached to role ${i.RoleName}`);
      r.attached = r.attached.filter((a) => a !== i.PolicyArn);
      return {};
    },
    DeleteRolePolicy: (i) => {
      const r = this.role(i.RoleName);
      if (!r.inline.includes(i.PolicyName)) throw noSuchEntity(`role policy ${i.PolicyName}`);
      r.inline = r.inline.filter((p) => p !== i.PolicyName);
      return {};
    },
    RemoveRoleFromInstanceProfile: (i) => {
      const r = this.role(i.RoleName);
      if (!r.profiles.includes(i.InstanceProfileName)) throw noSuchEntity(`instance profile ${i.InstanceProfileName}`);
      r.profiles = r.profiles.filter((p) => p !== i.InstanceProfileName);
      return {};
    },
    DeleteRole: (i) => {
      const r = this.role(i.RoleName);
      if (r.attached.length) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      if (r.inline.length) throw deleteConflict('Cannot delete entity, must delete policies first.');
      if (r.profiles.length) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
      this.roles.delete(r.name);
      return {};
    },
  };

  /** Routes the mocked client's commands to the handlers (and the injected failures). */
  install(mock: AwsClientStub<IAMClient>): void {
    const commands = {
      AttachRolePolicy: AttachRolePolicyCommand,
      CreatePolicy: CreatePolicyCommand,
      CreatePolicyVersion: CreatePolicyVersionCommand,
      CreateRole: CreateRoleCommand,
      DeletePolicy: DeletePolicyCommand,
      DeletePolicyVersion: DeletePolicyVersionCommand,
      DeleteRole: DeleteRoleCommand,
      DeleteRolePolicy: DeleteRolePolicyCommand,
      DetachGroupPolicy: DetachGroupPolicyCommand,
      DetachRolePolicy: DetachRolePolicyCommand,
      DetachUserPolicy: DetachUserPolicyCommand,
      GetPolicy: GetPolicyCommand,
      GetPolicyVersion: GetPolicyVersionCommand,
      GetRole: GetRoleCommand,
      ListAttachedRolePolicies: ListAttachedRolePoliciesCommand,
      ListEntitiesForPolicy: ListEntitiesForPolicyCommand,
      ListInstanceProfilesForRole: ListInstanceProfilesForRoleCommand,
      ListPolicyVersions: ListPolicyVersionsCommand,
      ListRolePolicies: ListRolePoliciesCommand,
      RemoveRoleFromInstanceProfile: RemoveRoleFromInstanceProfileCommand,
      TagPolicy: TagPolicyCommand,
      TagRole: TagRoleCommand,
      UpdateAssumeRolePolicy: UpdateAssumeRolePolicyCommand,
    } as const;
    for (const [operation, command] of Object.entries(commands)) {
      (mock.on(command as never) as unknown as { callsFake(fn: (input: Record<string, unknown>) => Promise<unknown>): void }).callsFake(async (input) => {
        this.log.push({ phase: 'sent', operation, input });
        this.hooks.get(operation)?.();
        // Like AWS, answer later: a call sent before an earlier one was answered shows in the log.
        await new Promise((resolve) => setImmediate(resolve));
        try {
          const failure = this.failures.get(operation) ?? this.failures.get('*');
          if (failure && (!failure.when || failure.when(input))) throw failure.error;
          return this.handlers[operation](input);
        } finally {
          this.log.push({ phase: 'answered', operation, input });
        }
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The per-test environment

export const iam = mockClient(IAMClient);
export const sts = mockClient(STSClient);

/** The caller STS reports by default: an IAM user of ACCOUNT. */
export const CALLER_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`;

let account: FakeIam | undefined;

/** The running test's directories and the in-memory IAM account behind the mocked IAMClient. */
export function env(): TestDirs & { account: FakeIam } {
  if (!account) throw new Error('useIamMocks() was not called in this file');
  return { ...testDirs(), account };
}

/**
 * Registers the beforeEach hooks of a test file: both mocks reset, an empty account installed,
 * GetCallerIdentity answering CALLER_ARN, and the fresh directories and env of useCliEnv().
 */
export function useIamMocks(): void {
  useCliEnv();
  beforeEach(() => {
    iam.reset();
    sts.reset();
    account = new FakeIam();
    account.install(iam);
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: CALLER_ARN, UserId: 'AIDATESTALICE' });
  });
}

// ---------------------------------------------------------------------------------------------
// What was sent

/** The IAM operations sent, in order ("CreatePolicy", ...). */
export function iamOperations(): string[] {
  return iam.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''));
}

/** The inputs of every call of one IAM operation, in order. */
export function inputsOf(operation: string): Array<Record<string, any>> {
  return iam
    .calls()
    .filter((c) => (c.args[0] as { constructor: { name: string } }).constructor.name === `${operation}Command`)
    .map((c) => (c.args[0] as { input: Record<string, any> }).input);
}

/**
 * Asserts that `last` was sent only after every call in `before` had been answered
 * (each named by operation and a part of its input); all of them must have been sent.
 */
export function expectSentAfter(before: Array<[string, Record<string, unknown>]>, last: [string, Record<string, unknown>]): void {
  const log = env().account.log;
  const at = (phase: 'sent' | 'answered', [op, match]: [string, Record<string, unknown>]) =>
    log.findIndex((e) => e.phase === phase && e.operation === op && Object.entries(match).every(([k, v]) => e.input[k] === v));
  const sent = at('sent', last);
  expect(sent, `${last[0]} ${JSON.stringify(last[1])} was not sent`).toBeGreaterThanOrEqual(0);
  for (const b of before) {
    const answered = at('answered', b);
    expect(answered, `${b[0]} ${JSON.stringify(b[1])} was not sent`).toBeGreaterThanOrEqual(0);
    expect(answered, `${last[0]} was sent before ${b[0]} ${JSON.stringify(b[1])} was answered`).toBeLessThan(sent);
  }
}

/** Index in the call order of the first call matching operation (and input), -1 if none. */
export function callIndex(operation: string, match: Record<string, unknown> = {}): number {
  return iam.calls().findIndex((c) => {
    const cmd = c.args[0] as unknown as { constructor: { name: string }; input: Record<string, unknown> };
    return cmd.constructor.name === `${operation}Command` && Object.entries(match).every(([k, v]) => cmd.input[k] === v);
  });
}

export const CHANGING = /^(Create|Delete|Attach|Detach|Update|Remove|Put|Tag)/;

/** The IAM operations that change something. */
export function changingOperations(): string[] {
  return iamOperations().filter((op) => CHANGING.test(op));
}

