/**
 * The steps of IAM plans, shared by the `iam` commands and the teardown: create a policy (or give
 * it a new default version), create a role (or replace its trust policy), attach and detach, and
 * the deletes with what AWS requires first (attachments everywhere, non-default versions, inline
 * policies, instance profiles), so that they never stop on DeleteConflict.
 *
 * Creates are optimistic where that saves a round trip (create, then handle EntityAlreadyExists);
 * a same-named resource that is not the stack's is never taken over. Every step journals its
 * change right after IAM confirms it, with an `intent` line before each creating call.
 */
import type { Context } from '../context.js';
import { UNKNOWN_ACCOUNT } from '../context.js';
import { AwsError } from '../errors.js';
import type { IamOps, PolicyInfo, RoleInfo } from '../aws/iam-ops.js';
import { canonicalJson, type JsonValue } from '../input/json.js';
import { stackOf, stackTags, STACK_TAG } from '../input/tags.js';
import { lineDiff } from '../output/diff.js';
import { errorName } from '../aws/errors.js';
import { notOursNote } from '../plan/render.js';
import { retryWhile, type RetrySpec } from '../plan/retry.js';
import { absentStep, type Step, type StepRuntime, unchangedStep } from '../plan/types.js';
import { resourceKey, type TrackedResource } from '../state/journal.js';
import { iamPath, policyArn, roleArn } from './arn.js';
import { documentsEqual } from './validate.js';

export function tracked(resources: TrackedResource[], type: TrackedResource['type'], name: string, parent?: string): TrackedResource | undefined {
  const key = resourceKey({ type, name, parent });
  return resources.find((r) => resourceKey(r) === key && r.present);
}

/** `owner` null: the name is taken but not under this stack's path (policy names are account-wide), so its owner is unknown. */
function notOursError(kind: 'policy' | 'role', name: string, stack: string, owner: string | undefined | null, hint: string): AwsError {
  const who =
    owner === null
      ? `it is not under this stack's path ${iamPath(stack)} (another stack's, or made outside ecsprimer)`
      : owner
        ? `it belongs to ecsprimer stack "${owner}"`
        : 'it was not created by ecsprimer';
  return new AwsError(`iam:Create${kind === 'policy' ? 'Policy' : 'Role'}`, 'EntityAlreadyExists', `A ${kind} named "${name}" already exists and ${who}, so stack "${stack}" will not change it. ${hint}`);
}

export interface PolicyDesire {
  name: string;
  doc: JsonValue;
  description?: string;
  tags: Record<string, string>;
}

/** What exists of a policy the journal says we made (reads only then). */
export interface PolicyNow {
  info?: PolicyInfo;
  doc?: unknown;
}

export async function readPolicy(ops: IamOps, arn: string): Promise<PolicyNow> {
  const info = await ops.getPolicy(arn);
  if (!info) return {};
  return { info, doc: await ops.getPolicyDocument(arn, info.defaultVersionId) };
}

function docDiff(before: unknown, after: unknown): string[] {
  return lineDiff(canonicalJson(before, 2), canonicalJson(after, 2));
}

/** Replaces the default version; makes room first when the 5-version limit is reached. */
async function newPolicyVersion(rt: StepRuntime, ops: IamOps, arn: string, name: string, doc: JsonValue): Promise<string> {
  const versions = await ops.listPolicyVersions(arn);
  if (versions.length >= 5) {
    const oldest = versions.filter((v) => !v.isDefault).sort((a, b) => a.created - b.created)[0];
    if (oldest) {
      await ops.deletePolicyVersion(arn, oldest.versionId);
      rt.record('updated', { type: 'iam-policy', name, arn, data: { deletedVersion: oldest.versionId } });
    }
  }
  // Version ids only grow (a deleted one is never reused), so "not listed before" means "ours".
  const versionId = await ops.createPolicyVersion(arn, JSON.stringify(doc), versions.map((v) => v.versionId));
  rt.record('updated', { type: 'iam-policy', name, arn, data: { versionId } });
  return versionId;
}

export function policyCreateStep(ctx: Context, d: PolicyDesire, account: string, now: PolicyNow | undefined, id = 'policy'): Step {
  const arn = policyArn(ctx, account, d.name);
  const target = `policy ${d.name}`;
  if (now?.info) {
    if (documentsEqual(now.doc as JsonValue, d.doc)) {
      return unchangedStep({ id, type: 'iam-policy', name: d.name, arn: now.info.arn, reason: 'exists with the same document' });
    }
    return {
      id,
      type: 'iam-policy',
      name: d.name,
      arn: now.info.arn,
      action: 'update',
      calls: [{ operation: 'CreatePolicyVersion', target, reason: 'the document differs: add it as the new default version (the oldest non-default version is deleted if 5 exist)' }],
      reason: 'the document differs',
      detail: docDiff(now.doc, d.doc),
      run: async (rt) => {
        const o = await ctx.iam();
        const versionId = await newPolicyVersion(rt, o, now.info!.arn, d.name, d.doc);
        return { arn: now.info!.arn, note: `new default version ${versionId}` };
      },
    };
  }
  return {
    id,
    type: 'iam-policy',
    name: d.name,
    arn,
    action: 'create',
    calls: [{ operation: 'CreatePolicy', target, reason: `create the permissions policy, tagged ${STACK_TAG}=${ctx.stack}` }],
    reason: 'does not exist yet',
    run: async (rt) => {
      const o = await ctx.iam();
      rt.record('intent', { type: 'iam-policy', name: d.name, arn });
      const r = await o.createPolicy({ name: d.name, path: iamPath(ctx.stack), document: JSON.stringify(d.doc), description: d.description, tags: stackTags(ctx.stack, d.tags) });
      if ('arn' in r) {
        rt.record('created', { type: 'iam-policy', name: d.name, arn: r.arn });
        return { arn: r.arn };
      }
      // It exists: ours (tagged with this stack) is compared; anything else is refused.
      const found = await readPolicy(o, arn);
      if (!found.info || stackOf(found.info.tags) !== ctx.stack) {
        throw notOursError('policy', d.name, ctx.stack, found.info ? stackOf(found.info.tags) : null, 'Choose another name (--policy-name / --name), or use the existing policy with `ecsprimer iam attach`.');
      }
      rt.record('created', { type: 'iam-policy', name: d.name, arn: found.info.arn, data: { recovered: true } });
      if (documentsEqual(found.doc as JsonValue, d.doc)) return { arn: found.info.arn, status: 'unchanged', action: 'none', note: 'exists with the same document' };
      const ok = await rt.confirm(`Policy ${d.name} exists with a different document. Replace its default version?`, docDiff(found.doc, d.doc));
      if (!ok) return { arn: found.info.arn, status: 'unchanged', action: 'none', note: 'exists with a different document; update declined' };
      const versionId = await newPolicyVersion(rt, o, found.info.arn, d.name, d.doc);
      return { arn: found.info.arn, action: 'update', note: `new default version ${versionId}` };
    },
  };
}

export interface RoleDesire {
  name: string;
  trust: JsonValue;
  description?: string;
  tags: Record<string, string>;
}

export function roleCreateStep(ctx: Context, d: RoleDesire, account: string, now: RoleInfo | undefined | null, id = 'role'): Step {
  const target = `role ${d.name}`;
  const arn = roleArn(ctx, account, d.name);
  if (now) {
    if (documentsEqual(now.trust as JsonValue, d.trust)) {
      return unchangedStep({ id, type: 'iam-role', name: d.name, arn: now.arn, reason: 'exists with the same trust policy' });
    }
    return {
      id,
      type: 'iam-role',
      name: d.name,
      arn: now.arn,
      action: 'update',
      calls: [{ operation: 'UpdateAssumeRolePolicy', target, reason: 'the trust policy differs: replace it' }],
      reason: 'the trust policy differs',
      detail: docDiff(now.trust, d.trust),
      run: async (rt) => {
        await (await ctx.iam()).updateAssumeRolePolicy(d.name, JSON.stringify(d.trust));
        rt.record('updated', { type: 'iam-role', name: d.name, arn: now.arn, data: { trust: 'replaced' } });
        return { arn: now.arn };
      },
    };
  }
  return {
    id,
    type: 'iam-role',
    name: d.name,
    arn,
    action: 'create',
    calls: [{ operation: 'CreateRole', target, reason: `create the role with its trust policy, tagged ${STACK_TAG}=${ctx.stack}` }],
    reason: 'does not exist yet',
    run: async (rt) => {
      const o = await ctx.iam();
      rt.record('intent', { type: 'iam-role', name: d.name });
      const r = await o.createRole({ name: d.name, path: iamPath(ctx.stack), trust: JSON.stringify(d.trust), description: d.description, tags: stackTags(ctx.stack, d.tags) });
      if ('arn' in r) {
        rt.record('created', { type: 'iam-role', name: d.name, arn: r.arn });
        return { arn: r.arn };
      }
      const found = await o.getRole(d.name);
      if (!found || stackOf(found.tags) !== ctx.stack) {
        throw notOursError('role', d.name, ctx.stack, found ? stackOf(found.tags) : undefined, 'Choose another name (--role-name / --name), or attach policies to the existing role with `ecsprimer iam attach`.');
      }
      rt.record('created', { type: 'iam-role', name: d.name, arn: found.arn, data: { recovered: true } });
      if (documentsEqual(found.trust as JsonValue, d.trust)) return { arn: found.arn, status: 'unchanged', action: 'none', note: 'exists with the same trust policy' };
      const ok = await rt.confirm(`Role ${d.name} exists with a different trust policy. Replace it?`, docDiff(found.trust, d.trust));
      if (!ok) return { arn: found.arn, status: 'unchanged', action: 'none', note: 'exists with a different trust policy; update declined' };
      await o.updateAssumeRolePolicy(d.name, JSON.stringify(d.trust));
      rt.record('updated', { type: 'iam-role', name: d.name, arn: found.arn });
      return { arn: found.arn, action: 'update' };
    },
  };
}

/**
 * Attaches a policy to a role. `attached` is what resolve learned: true/false, or undefined when
 * it did not look (both were about to be created): then the attach runs, and if either turned out
 * to exist already, the role's attachments are read first so a re-run reports "unchanged".
 */
export function attachStep(
  ctx: Context,
  a: { role: string; policyName: string; policyArn?: string; policyStep?: string; roleStep?: string; attached?: boolean; adopt?: { role?: string; policy?: string } },
  id = 'attach',
): Step {
  const name = `${a.role} ← ${a.policyName}`;
  if (a.attached === true) {
    return unchangedStep({ id, type: 'iam-attachment', name, arn: a.policyArn, reason: 'already attached' });
  }
  return {
    id,
    type: 'iam-attachment',
    name,
    arn: a.policyArn,
    action: 'create',
    dependsOn: [a.policyStep, a.roleStep].filter((x): x is string => Boolean(x)),
    calls: [{ operation: 'AttachRolePolicy', target: `role ${a.role}, policy ${a.policyName}`, reason: 'give the role the policy\'s permissions' }],
    reason: 'not attached yet',
    run: async (rt) => {
      const o = await ctx.iam();
      const arn = a.policyArn && !a.policyArn.includes(UNKNOWN_ACCOUNT) && !a.policyStep ? a.policyArn : (rt.result(a.policyStep ?? '')?.arn ?? a.policyArn)!;
      const key = `${a.role}|${arn}`;
      const maybeThere = a.attached === undefined && [a.policyStep, a.roleStep].some((s) => s && rt.result(s)?.status === 'unchanged');
      if (maybeThere) {
        const current = await o.listAttachedRolePolicies(a.role);
        if (current?.includes(arn)) {
          rt.record('attached', { type: 'iam-attachment', name: key, parent: a.role, arn, data: { recovered: true } });
          return { arn, status: 'unchanged', action: 'none', note: 'already attached' };
        }
      }
      if (a.adopt?.role) rt.record('adopted', { type: 'iam-role', name: a.adopt.role });
      if (a.adopt?.policy) rt.record('adopted', { type: 'iam-policy', name: a.adopt.policy, arn });
      // An intent first: a kill between IAM's answer and the next line still leaves the attachment named.
      rt.record('intent', { type: 'iam-attachment', name: key, parent: a.role, arn });
      await retryWhile(ctx, iamSettling('AttachRolePolicy', 'NoSuchEntity', `IAM to know role ${a.role} and the policy (just created)`), () => o.attachRolePolicy(a.role, arn));
      rt.record('attached', { type: 'iam-attachment', name: key, parent: a.role, arn });
      return { arn };
    },
  };
}

export function detachStep(ctx: Context, a: { role: string; policyArn: string; policyName: string; attached: boolean }, id = 'detach'): Step {
  const name = `${a.role} ← ${a.policyName}`;
  if (!a.attached) return absentStep({ id, type: 'iam-attachment', name, arn: a.policyArn, reason: 'not attached' });
  return {
    id,
    type: 'iam-attachment',
    name,
    arn: a.policyArn,
    action: 'delete',
    calls: [{ operation: 'DetachRolePolicy', target: `role ${a.role}, policy ${a.policyName}`, reason: 'remove the policy from the role' }],
    reason: 'attached',
    run: async (rt) => {
      const done = await (await ctx.iam()).detachRolePolicy(a.role, a.policyArn);
      rt.record('detached', { type: 'iam-attachment', name: `${a.role}|${a.policyArn}`, parent: a.role, arn: a.policyArn });
      return done ? {} : { status: 'absent', action: 'none' };
    },
  };
}

/**
 * IAM is eventually consistent: right after a create, AttachRolePolicy may answer NoSuchEntity;
 * right after the detaches, DeleteRole and DeletePolicy may answer DeleteConflict. Those answers
 * are waited out (visibly, for up to a minute), so a delete never stops on DeleteConflict.
 */
function iamSettling(operation: string, code: 'NoSuchEntity' | 'DeleteConflict', waitingFor: string): RetrySpec {
  return {
    operation: `iam:${operation}`,
    transient: (e) => errorName(e) === code || errorName(e) === `${code}Exception`,
    waitingFor,
    accepted: `iam:${operation} accepted`,
    giveUp:
      code === 'DeleteConflict'
        ? 'IAM still refused it after {waited}: something else holds it (a policy attached outside the stack, an instance profile): see aws iam list-entities-for-policy / list-instance-profiles-for-role.'
        : 'IAM still does not know the role or the policy after {waited}: check that both exist (aws iam get-role, aws iam get-policy).',
  };
}

/** Detaches a policy from a role, and journals it. */
async function detachRecorded(rt: StepRuntime, ops: IamOps, role: string, arn: string): Promise<void> {
  await ops.detachRolePolicy(role, arn);
  rt.record('detached', { type: 'iam-attachment', name: `${role}|${arn}`, parent: role, arn });
}

/** Everything a policy delete must remove first, read in one round trip. */
export interface PolicyDeleteState {
  info: PolicyInfo;
  entities: { roles: string[]; users: string[]; groups: string[] };
  versions: string[];
}

/** A policy that vanished while being read reads as absent; any other failure (AccessDenied...) stops the delete before it changes anything. */
function policyGone(e: unknown): undefined {
  if (e instanceof AwsError && /^NoSuchEntity/.test(e.awsCode)) return undefined;
  throw e;
}

export async function readPolicyForDelete(ops: IamOps, arn: string): Promise<PolicyDeleteState | undefined> {
  const [info, entities, versions] = await Promise.all([ops.getPolicy(arn), ops.listEntitiesForPolicy(arn), ops.listPolicyVersions(arn).catch(policyGone)]);
  if (!info) return undefined;
  return { info, entities: entities ?? { roles: [], users: [], groups: [] }, versions: (versions ?? []).filter((v) => !v.isDefault).map((v) => v.versionId) };
}

export function policyDeleteStep(ctx: Context, name: string, state: PolicyDeleteState | undefined, opts: { id?: string; dependsOn?: string[]; skipRoles?: string[]; warnNotOurs?: boolean } = {}): Step {
  const id = opts.id ?? 'policy';
  if (!state) return absentStep({ id, type: 'iam-policy', name, reason: 'does not exist', dependsOn: opts.dependsOn });
  const arn = state.info.arn;
  const roles = state.entities.roles.filter((r) => !(opts.skipRoles ?? []).includes(r));
  const calls = [
    ...roles.map((r) => ({ operation: 'DetachRolePolicy', target: `role ${r}`, reason: `detach ${name} (AWS refuses to delete an attached policy)` })),
    ...state.entities.users.map((u) => ({ operation: 'DetachUserPolicy', target: `user ${u}`, reason: `detach ${name}` })),
    ...state.entities.groups.map((g) => ({ operation: 'DetachGroupPolicy', target: `group ${g}`, reason: `detach ${name}` })),
    ...state.versions.map((v) => ({ operation: 'DeletePolicyVersion', target: `policy ${name} ${v}`, reason: 'non-default versions must go before the policy' })),
    { operation: 'DeletePolicy', target: `policy ${name}`, reason: 'delete the policy' },
  ];
  const detail = opts.warnNotOurs ? notOursNote(ctx, 'policy', state.info.tags) : undefined;
  return {
    id,
    type: 'iam-policy',
    name,
    arn,
    action: 'delete',
    calls,
    reason: 'exists',
    detail,
    dependsOn: opts.dependsOn,
    run: async (rt) => {
      const o = await ctx.iam();
      // Detach everywhere and drop old versions concurrently, then the policy.
      await Promise.all([
        ...roles.map((r) => detachRecorded(rt, o, r, arn)),
        ...state.entities.users.map((u) => o.detachUserPolicy(u, arn)),
        ...state.entities.groups.map((g) => o.detachGroupPolicy(g, arn)),
        ...state.versions.map((v) => o.deletePolicyVersion(arn, v)),
      ]);
      const deleted = await retryWhile(ctx, iamSettling('DeletePolicy', 'DeleteConflict', `IAM to settle the detaches of policy ${name}`), () => o.deletePolicy(arn));
      rt.record('deleted', { type: 'iam-policy', name, arn });
      return deleted ? { arn } : { arn, status: 'absent', action: 'none' };
    },
  };
}

export interface RoleDeleteState {
  info: RoleInfo;
  attached: string[];
  inline: string[];
  profiles: string[];
}

export async function readRoleForDelete(ops: IamOps, name: string): Promise<RoleDeleteState | undefined> {
  const [info, attached, inline, profiles] = await Promise.all([ops.getRole(name), ops.listAttachedRolePolicies(name), ops.listRolePolicies(name), ops.listInstanceProfilesForRole(name)]);
  if (!info) return undefined;
  return { info, attached: attached ?? [], inline, profiles };
}

export function roleDeleteStep(ctx: Context, name: string, state: RoleDeleteState | undefined, opts: { id?: string; dependsOn?: string[]; skipPolicies?: string[]; warnNotOurs?: boolean } = {}): Step {
  const id = opts.id ?? 'role';
  if (!state) return absentStep({ id, type: 'iam-role', name, reason: 'does not exist', dependsOn: opts.dependsOn });
  const attached = state.attached.filter((a) => !(opts.skipPolicies ?? []).includes(a));
  const calls = [
    ...attached.map((a) => ({ operation: 'DetachRolePolicy', target: `policy ${a.split('/').pop()}`, reason: 'AWS refuses to delete a role with attached policies' })),
    ...state.inline.map((p) => ({ operation: 'DeleteRolePolicy', target: `inline policy ${p}`, reason: 'inline policies go with the role' })),
    ...state.profiles.map((p) => ({ operation: 'RemoveRoleFromInstanceProfile', target: `instance profile ${p}`, reason: 'the role must leave its instance profiles first' })),
    { operation: 'DeleteRole', target: `role ${name}`, reason: 'delete the role' },
  ];
  const detail = opts.warnNotOurs ? notOursNote(ctx, 'role', state.info.tags) : undefined;
  return {
    id,
    type: 'iam-role',
    name,
    arn: state.info.arn,
    action: 'delete',
    calls,
    reason: 'exists',
    detail,
    dependsOn: opts.dependsOn,
    run: async (rt) => {
      const o = await ctx.iam();
      await Promise.all([
        ...attached.map((a) => detachRecorded(rt, o, name, a)),
        ...state.inline.map((p) => o.deleteRolePolicy(name, p)),
        ...state.profiles.map((p) => o.removeRoleFromInstanceProfile(name, p)),
      ]);
      const deleted = await retryWhile(ctx, iamSettling('DeleteRole', 'DeleteConflict', `IAM to settle the detaches of role ${name}`), () => o.deleteRole(name));
      rt.record('deleted', { type: 'iam-role', name, arn: state.info.arn });
      return deleted ? { arn: state.info.arn } : { arn: state.info.arn, status: 'absent', action: 'none' };
    },
  };
}
