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
import { regionsOf, regionsTag, REGIONS_TAG, stackOf, stackTags, STACK_TAG } from '../input/tags.js';
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

// ---------------------------------------------------------------------------------------------
// Regions (IAM is global; a stack may use its role and policy from several regions)

/** The tags of a role or policy this run creates: the stack's, and this region as its only user. */
function createTags(ctx: Context, extra: Record<string, string>): Record<string, string> {
  return { ...stackTags(ctx.stack, extra), [REGIONS_TAG]: ctx.region };
}

/** True when the role or policy is not yet tagged as used in this run's region. */
function regionMissing(ctx: Context, tags: Record<string, string> | undefined): boolean {
  return !regionsOf(tags).includes(ctx.region);
}

/** Adds this run's region to the tag of a role or policy (TagRole/TagPolicy), journalled. */
async function addRegion(ctx: Context, rt: StepRuntime, ops: IamOps, r: { type: 'iam-role' | 'iam-policy'; name: string; arn: string; tags: Record<string, string> }): Promise<void> {
  if (!regionMissing(ctx, r.tags)) return;
  const value = regionsTag([...regionsOf(r.tags), ctx.region]);
  if (r.type === 'iam-role') await ops.tagRole(r.name, { [REGIONS_TAG]: value });
  else await ops.tagPolicy(r.arn, { [REGIONS_TAG]: value });
  rt.record('updated', { type: r.type, name: r.name, arn: r.arn, data: { regions: value } });
}

/** The call that records this run's region on an existing role or policy, for the plan. */
function regionCall(ctx: Context, type: 'iam-role' | 'iam-policy', target: string) {
  return { operation: type === 'iam-role' ? 'TagRole' : 'TagPolicy', target, reason: `record in ${REGIONS_TAG} that stack ${ctx.stack} uses it in ${ctx.region} too (IAM is global: teardown keeps it while another region uses it)` };
}

/** The regions other than this run's that the stack uses a role or policy in (from its tag). */
export function otherRegions(ctx: Context, tags: Record<string, string> | undefined): string[] {
  return regionsOf(tags).filter((r) => r !== ctx.region);
}

/**
 * Instead of deleting a role or policy the stack still uses in another region: this region is
 * removed from its tag (TagRole/TagPolicy) and it is kept; the teardown of the last region deletes
 * it. This region's journal stops tracking it.
 */
export function releaseStep(ctx: Context, r: { type: 'iam-role' | 'iam-policy'; name: string; arn: string; tags: Record<string, string> }, others: string[], opts: { id: string; dependsOn?: string[] }): Step {
  const where = others.join(', ');
  const keptReason = `kept: stack ${ctx.stack} still uses it in ${where} (IAM is global; the teardown there deletes it)`;
  if (regionMissing(ctx, r.tags)) return unchangedStep({ id: opts.id, type: r.type, name: r.name, arn: r.arn, reason: keptReason, dependsOn: opts.dependsOn });
  const target = `${r.type === 'iam-role' ? 'role' : 'policy'} ${r.name}`;
  return {
    id: opts.id,
    type: r.type,
    name: r.name,
    arn: r.arn,
    action: 'update',
    calls: [{ operation: r.type === 'iam-role' ? 'TagRole' : 'TagPolicy', target, reason: `remove ${ctx.region} from ${REGIONS_TAG}; ${keptReason}` }],
    reason: keptReason,
    dependsOn: opts.dependsOn,
    run: async (rt) => {
      const o = await ctx.iam();
      const value = regionsTag(others);
      if (r.type === 'iam-role') await o.tagRole(r.name, { [REGIONS_TAG]: value });
      else await o.tagPolicy(r.arn, { [REGIONS_TAG]: value });
      rt.record('deleted', { type: r.type, name: r.name, arn: r.arn, data: { releasedRegion: ctx.region, keptFor: value } });
      return { arn: r.arn, note: `kept for ${where}` };
    },
  };
}

export function policyCreateStep(ctx: Context, d: PolicyDesire, account: string, now: PolicyNow | undefined, id = 'policy'): Step {
  const arn = policyArn(ctx, account, d.name);
  const target = `policy ${d.name}`;
  if (now?.info) {
    const info = now.info;
    const same = documentsEqual(now.doc as JsonValue, d.doc);
    const tagRegion = regionMissing(ctx, info.tags);
    if (same && !tagRegion) return unchangedStep({ id, type: 'iam-policy', name: d.name, arn: info.arn, reason: 'exists with the same document' });
    return {
      id,
      type: 'iam-policy',
      name: d.name,
      arn: info.arn,
      action: 'update',
      calls: [
        ...(same ? [] : [{ operation: 'CreatePolicyVersion', target, reason: 'the document differs: add it as the new default version (the oldest non-default version is deleted if 5 exist)' }]),
        ...(tagRegion ? [regionCall(ctx, 'iam-policy', target)] : []),
      ],
      reason: same ? `exists with the same document; not yet tagged as used in ${ctx.region}` : 'the document differs',
      ...(same ? {} : { detail: docDiff(now.doc, d.doc) }),
      run: async (rt) => {
        const o = await ctx.iam();
        const versionId = same ? undefined : await newPolicyVersion(rt, o, info.arn, d.name, d.doc);
        await addRegion(ctx, rt, o, { type: 'iam-policy', name: d.name, arn: info.arn, tags: info.tags });
        return { arn: info.arn, ...(versionId ? { note: `new default version ${versionId}` } : {}) };
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
      const r = await o.createPolicy({ name: d.name, path: iamPath(ctx.stack), document: JSON.stringify(d.doc), description: d.description, tags: createTags(ctx, d.tags) });
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
      // Another region of the stack (or a run that lost its journal) made it: this region uses it too.
      await addRegion(ctx, rt, o, { type: 'iam-policy', name: d.name, arn: found.info.arn, tags: found.info.tags });
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
    const same = documentsEqual(now.trust as JsonValue, d.trust);
    const tagRegion = regionMissing(ctx, now.tags);
    if (same && !tagRegion) return unchangedStep({ id, type: 'iam-role', name: d.name, arn: now.arn, reason: 'exists with the same trust policy' });
    return {
      id,
      type: 'iam-role',
      name: d.name,
      arn: now.arn,
      action: 'update',
      calls: [...(same ? [] : [{ operation: 'UpdateAssumeRolePolicy', target, reason: 'the trust policy differs: replace it' }]), ...(tagRegion ? [regionCall(ctx, 'iam-role', target)] : [])],
      reason: same ? `exists with the same trust policy; not yet tagged as used in ${ctx.region}` : 'the trust policy differs',
      ...(same ? {} : { detail: docDiff(now.trust, d.trust) }),
      run: async (rt) => {
        const o = await ctx.iam();
        if (!same) {
          await o.updateAssumeRolePolicy(d.name, JSON.stringify(d.trust));
          rt.record('updated', { type: 'iam-role', name: d.name, arn: now.arn, data: { trust: 'replaced' } });
        }
        await addRegion(ctx, rt, o, { type: 'iam-role', name: d.name, arn: now.arn, tags: now.tags });
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
      const r = await o.createRole({ name: d.name, path: iamPath(ctx.stack), trust: JSON.stringify(d.trust), description: d.description, tags: createTags(ctx, d.tags) });
      if ('arn' in r) {
        rt.record('created', { type: 'iam-role', name: d.name, arn: r.arn });
        return { arn: r.arn };
      }
      const found = await o.getRole(d.name);
      if (!found || stackOf(found.tags) !== ctx.stack) {
        throw notOursError('role', d.name, ctx.stack, found ? stackOf(found.tags) : undefined, 'Choose another name (--role-name / --name), or attach policies to the existing role with `ecsprimer iam attach`.');
      }
      rt.record('created', { type: 'iam-role', name: d.name, arn: found.arn, data: { recovered: true } });
      await addRegion(ctx, rt, o, { type: 'iam-role', name: d.name, arn: found.arn, tags: found.tags });
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
