/**
 * `ecsprimer iam ...`: customer-managed policies, roles with trust policies, and attachments.
 *
 * Creation is optimistic where that saves a round trip (create, then handle EntityAlreadyExists),
 * and reads first where the journal says the stack already made the resource (so a re-run shows
 * "unchanged" or a confirmed update). Deletes remove what AWS requires first (attachments,
 * non-default versions, inline policies, instance profiles), so they never stop on DeleteConflict.
 */
import type { Command } from 'commander';
import type { CommandRunner } from '../cli/program.js';
import { collect } from '../cli/program.js';
import type { Context } from '../context.js';
import { UNKNOWN_ACCOUNT } from '../context.js';
import { AwsError, InputError, UsageError } from '../errors.js';
import type { IamOps, PolicyInfo, RoleInfo } from '../aws/iam-ops.js';
import type { JsonValue } from '../input/json.js';
import {
  documentsEqual,
  parsePolicyRef,
  parseTrustPrincipal,
  securityFindings,
  trustPolicyFor,
  validatePermissionsPolicy,
  validatePolicyName,
  validateRoleName,
  validateTrustPolicy,
} from '../input/iam-validate.js';
import { lineDiff } from '../output/diff.js';
import { executePlan } from '../plan/engine.js';
import type { Plan, Report, Step, StepRuntime } from '../plan/types.js';
import { defaultDocument } from '../paths.js';
import { resourceKey, type TrackedResource } from '../state/journal.js';
import { canonical, fillDocument, iamPath, parseTags, partitionOf, policyArn, readDocument, roleArn, stackTags, STACK_TAG, type RawDocument } from './common.js';

// ---------------------------------------------------------------------------------------------
// Options

export interface SecurityFlags {
  allowAdmin?: boolean;
  allowPublicTrust?: boolean;
}

export interface PolicyCreateOptions extends SecurityFlags {
  name: string;
  document?: string;
  description?: string;
  tag?: string[];
}

export interface RoleCreateOptions extends SecurityFlags {
  name: string;
  trustPolicy?: string;
  trustPrincipal?: string;
  description?: string;
  tag?: string[];
}

export interface IamCreateOptions extends SecurityFlags {
  policyName?: string;
  policyDocument?: string;
  roleName?: string;
  trustPolicy?: string;
  trustPrincipal?: string;
  tag?: string[];
}

export interface IamDeleteOptions {
  policyName?: string;
  roleName?: string;
}

export const defaultPolicyName = (stack: string) => `${stack}-policy`;
export const defaultRoleName = (stack: string) => `${stack}-role`;

// ---------------------------------------------------------------------------------------------
// Validate (offline)

/** A document validated offline; `fill(account)` gives the final one. */
interface CheckedDocument {
  raw: RawDocument;
  needsAccount: boolean;
  fill(account: string | undefined): JsonValue;
}

const PROBE_ACCOUNT = '000000000000';

function checkFindings(kind: 'permissions' | 'trust', value: JsonValue, source: string, flags: SecurityFlags, ctx: Context): string[] {
  const f = securityFindings(kind, value);
  for (const r of f.refusals) {
    const allowed = r.flag === '--allow-admin' ? flags.allowAdmin : flags.allowPublicTrust;
    if (!allowed) throw new InputError(source, { field: r.field, message: r.message, fix: `If you really mean it, pass ${r.flag}` }, 'SecurityRefusal');
    ctx.ui.warn(`${source}: ${r.message} (allowed by ${r.flag}).`);
  }
  return f.warnings;
}

async function checkDocument(
  ctx: Context,
  spec: string | undefined,
  fallback: string,
  option: string,
  kind: 'permissions' | 'trust',
  flags: SecurityFlags,
  warnings: string[],
): Promise<CheckedDocument> {
  const raw = await readDocument(ctx, spec ?? defaultDocument(fallback), option);
  // Validate with a stand-in account so that nothing is sent before the document is known good.
  const probe = fillDocument(ctx, raw, PROBE_ACCOUNT);
  const result = kind === 'permissions' ? validatePermissionsPolicy(probe, raw.source) : validateTrustPolicy(probe, raw.source);
  if (result.issues.length) throw new InputError(raw.source, result.issues);
  warnings.push(...result.warnings.map((w) => `${raw.source}: ${w}`));
  warnings.push(...checkFindings(kind, probe, raw.source, flags, ctx).map((w) => `${raw.source}: ${w}`));
  return { raw, needsAccount: raw.needsAccount, fill: (account) => fillDocument(ctx, raw, account) };
}

/** The trust policy from --trust-policy or --trust-principal (default: json/trust-policy.json). */
async function checkTrust(ctx: Context, o: { trustPolicy?: string; trustPrincipal?: string } & SecurityFlags, warnings: string[]): Promise<{ doc?: CheckedDocument; principalMe: boolean; principal?: JsonValue }> {
  if (o.trustPolicy && o.trustPrincipal) throw new UsageError('--trust-policy and --trust-principal cannot be used together: give the whole document, or just the principal.');
  if (o.trustPrincipal) {
    const p = parseTrustPrincipal(o.trustPrincipal, '--trust-principal');
    if (p.kind === 'me') return { principalMe: true };
    const doc = trustPolicyFor(p);
    return { principalMe: false, principal: doc };
  }
  return { principalMe: false, doc: await checkDocument(ctx, o.trustPolicy, 'trust-policy.json', '--trust-policy', 'trust', o, warnings) };
}

// ---------------------------------------------------------------------------------------------
// Resolve + plan building blocks (shared with teardown)

export async function iamOps(ctx: Context): Promise<IamOps> {
  const [{ IamOps }, client] = await Promise.all([import('../aws/iam-ops.js'), ctx.aws().get('iam')]);
  const once = await ctx.aws().get('iam', { retries: false });
  return new IamOps(client, ctx.settings().endpoint, once, ctx.settings().maxAttempts);
}

function tracked(resources: TrackedResource[], type: TrackedResource['type'], name: string, parent?: string): TrackedResource | undefined {
  const key = resourceKey({ type, name, parent });
  return resources.find((r) => resourceKey(r) === key && r.present);
}

function ownerOf(tags: Record<string, string>): string | undefined {
  return tags[STACK_TAG];
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

interface PolicyDesire {
  name: string;
  doc: JsonValue;
  description?: string;
  tags: Record<string, string>;
}

/** What exists of a policy the journal says we made (reads only then). */
interface PolicyNow {
  info?: PolicyInfo;
  doc?: unknown;
}

async function readPolicy(ops: IamOps, arn: string): Promise<PolicyNow> {
  const info = await ops.getPolicy(arn);
  if (!info) return {};
  return { info, doc: await ops.getPolicyDocument(arn, info.defaultVersionId) };
}

function docDiff(before: unknown, after: unknown): string[] {
  return lineDiff(canonical(before), canonical(after));
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

export function policyCreateStep(ctx: Context, ops: () => Promise<IamOps>, d: PolicyDesire, account: string, now: PolicyNow | undefined, id = 'policy'): Step {
  const arn = policyArn(ctx, account, d.name);
  const target = `policy ${d.name}`;
  if (now?.info) {
    if (documentsEqual(now.doc as JsonValue, d.doc)) {
      return { id, type: 'iam-policy', name: d.name, arn: now.info.arn, action: 'none', state: 'unchanged', calls: [], reason: 'exists with the same document' };
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
        const o = await ops();
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
      const o = await ops();
      rt.record('intent', { type: 'iam-policy', name: d.name, arn });
      const r = await o.createPolicy({ name: d.name, path: iamPath(ctx.stack), document: JSON.stringify(d.doc), description: d.description, tags: stackTags(ctx, d.tags) });
      if ('arn' in r) {
        rt.record('created', { type: 'iam-policy', name: d.name, arn: r.arn });
        return { arn: r.arn };
      }
      // It exists: ours (tagged with this stack) is compared; anything else is refused.
      const found = await readPolicy(o, arn);
      if (!found.info || ownerOf(found.info.tags) !== ctx.stack) {
        throw notOursError('policy', d.name, ctx.stack, found.info ? ownerOf(found.info.tags) : null, 'Choose another name (--policy-name / --name), or use the existing policy with `ecsprimer iam attach`.');
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

interface RoleDesire {
  name: string;
  trust: JsonValue;
  description?: string;
  tags: Record<string, string>;
}

export function roleCreateStep(ctx: Context, ops: () => Promise<IamOps>, d: RoleDesire, account: string, now: RoleInfo | undefined | null, id = 'role'): Step {
  const target = `role ${d.name}`;
  const arn = roleArn(ctx, account, d.name);
  if (now) {
    if (documentsEqual(now.trust as JsonValue, d.trust)) {
      return { id, type: 'iam-role', name: d.name, arn: now.arn, action: 'none', state: 'unchanged', calls: [], reason: 'exists with the same trust policy' };
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
        await (await ops()).updateAssumeRolePolicy(d.name, JSON.stringify(d.trust));
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
      const o = await ops();
      rt.record('intent', { type: 'iam-role', name: d.name });
      const r = await o.createRole({ name: d.name, path: iamPath(ctx.stack), trust: JSON.stringify(d.trust), description: d.description, tags: stackTags(ctx, d.tags) });
      if ('arn' in r) {
        rt.record('created', { type: 'iam-role', name: d.name, arn: r.arn });
        return { arn: r.arn };
      }
      const found = await o.getRole(d.name);
      if (!found || ownerOf(found.tags) !== ctx.stack) {
        throw notOursError('role', d.name, ctx.stack, found ? ownerOf(found.tags) : undefined, 'Choose another name (--role-name / --name), or attach policies to the existing role with `ecsprimer iam attach`.');
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
  ops: () => Promise<IamOps>,
  a: { role: string; policyName: string; policyArn?: string; policyStep?: string; roleStep?: string; attached?: boolean; adopt?: { role?: string; policy?: string } },
  id = 'attach',
): Step {
  const name = `${a.role} ← ${a.policyName}`;
  if (a.attached === true) {
    return { id, type: 'iam-attachment', name, arn: a.policyArn, action: 'none', state: 'unchanged', calls: [], reason: 'already attached' };
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
      const o = await ops();
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
      await o.attachRolePolicy(a.role, arn);
      rt.record('attached', { type: 'iam-attachment', name: key, parent: a.role, arn });
      return { arn };
    },
  };
}

export function detachStep(ctx: Context, ops: () => Promise<IamOps>, a: { role: string; policyArn: string; policyName: string; attached: boolean }, id = 'detach'): Step {
  const name = `${a.role} ← ${a.policyName}`;
  if (!a.attached) return { id, type: 'iam-attachment', name, arn: a.policyArn, action: 'none', state: 'absent', calls: [], reason: 'not attached' };
  return {
    id,
    type: 'iam-attachment',
    name,
    arn: a.policyArn,
    action: 'delete',
    calls: [{ operation: 'DetachRolePolicy', target: `role ${a.role}, policy ${a.policyName}`, reason: 'remove the policy from the role' }],
    reason: 'attached',
    run: async (rt) => {
      const done = await (await ops()).detachRolePolicy(a.role, a.policyArn);
      rt.record('detached', { type: 'iam-attachment', name: `${a.role}|${a.policyArn}`, parent: a.role, arn: a.policyArn });
      return done ? {} : { status: 'absent', action: 'none' };
    },
  };
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

export function policyDeleteStep(ctx: Context, ops: () => Promise<IamOps>, name: string, state: PolicyDeleteState | undefined, opts: { id?: string; dependsOn?: string[]; skipRoles?: string[]; warnNotOurs?: boolean } = {}): Step {
  const id = opts.id ?? 'policy';
  if (!state) return { id, type: 'iam-policy', name, action: 'none', state: 'absent', calls: [], reason: 'does not exist', dependsOn: opts.dependsOn };
  const arn = state.info.arn;
  const roles = state.entities.roles.filter((r) => !(opts.skipRoles ?? []).includes(r));
  const calls = [
    ...roles.map((r) => ({ operation: 'DetachRolePolicy', target: `role ${r}`, reason: `detach ${name} (AWS refuses to delete an attached policy)` })),
    ...state.entities.users.map((u) => ({ operation: 'DetachUserPolicy', target: `user ${u}`, reason: `detach ${name}` })),
    ...state.entities.groups.map((g) => ({ operation: 'DetachGroupPolicy', target: `group ${g}`, reason: `detach ${name}` })),
    ...state.versions.map((v) => ({ operation: 'DeletePolicyVersion', target: `policy ${name} ${v}`, reason: 'non-default versions must go before the policy' })),
    { operation: 'DeletePolicy', target: `policy ${name}`, reason: 'delete the policy' },
  ];
  const owner = ownerOf(state.info.tags);
  const detail = owner === ctx.stack || !opts.warnNotOurs ? undefined : [ctx.paint.yellow(`note: this policy was not created by stack "${ctx.stack}" (${owner ? `stack "${owner}"` : 'no ecsprimer tag'})`)];
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
      const o = await ops();
      // Detach everywhere and drop old versions concurrently, then the policy.
      await Promise.all([
        ...roles.map(async (r) => {
          await o.detachRolePolicy(r, arn);
          rt.record('detached', { type: 'iam-attachment', name: `${r}|${arn}`, parent: r, arn });
        }),
        ...state.entities.users.map((u) => o.detachUserPolicy(u, arn)),
        ...state.entities.groups.map((g) => o.detachGroupPolicy(g, arn)),
        ...state.versions.map((v) => o.deletePolicyVersion(arn, v)),
      ]);
      const deleted = await o.deletePolicy(arn);
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

export function roleDeleteStep(ctx: Context, ops: () => Promise<IamOps>, name: string, state: RoleDeleteState | undefined, opts: { id?: string; dependsOn?: string[]; skipPolicies?: string[]; warnNotOurs?: boolean } = {}): Step {
  const id = opts.id ?? 'role';
  if (!state) return { id, type: 'iam-role', name, action: 'none', state: 'absent', calls: [], reason: 'does not exist', dependsOn: opts.dependsOn };
  const attached = state.attached.filter((a) => !(opts.skipPolicies ?? []).includes(a));
  const calls = [
    ...attached.map((a) => ({ operation: 'DetachRolePolicy', target: `policy ${a.split('/').pop()}`, reason: 'AWS refuses to delete a role with attached policies' })),
    ...state.inline.map((p) => ({ operation: 'DeleteRolePolicy', target: `inline policy ${p}`, reason: 'inline policies go with the role' })),
    ...state.profiles.map((p) => ({ operation: 'RemoveRoleFromInstanceProfile', target: `instance profile ${p}`, reason: 'the role must leave its instance profiles first' })),
    { operation: 'DeleteRole', target: `role ${name}`, reason: 'delete the role' },
  ];
  const owner = ownerOf(state.info.tags);
  const detail = owner === ctx.stack || !opts.warnNotOurs ? undefined : [ctx.paint.yellow(`note: this role was not created by stack "${ctx.stack}" (${owner ? `stack "${owner}"` : 'no ecsprimer tag'})`)];
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
      const o = await ops();
      await Promise.all([
        ...attached.map(async (a) => {
          await o.detachRolePolicy(name, a);
          rt.record('detached', { type: 'iam-attachment', name: `${name}|${a}`, parent: name, arn: a });
        }),
        ...state.inline.map((p) => o.deleteRolePolicy(name, p)),
        ...state.profiles.map((p) => o.removeRoleFromInstanceProfile(name, p)),
      ]);
      const deleted = await o.deleteRole(name);
      rt.record('deleted', { type: 'iam-role', name, arn: state.info.arn });
      return deleted ? { arn: state.info.arn } : { arn: state.info.arn, status: 'absent', action: 'none' };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Commands

/** Lazily built IamOps shared by the steps of one run. */
function opsOnce(ctx: Context): () => Promise<IamOps> {
  let p: Promise<IamOps> | undefined;
  return () => (p ??= iamOps(ctx));
}

/** Account and journal for a run; in a dry run without credentials, `<account-id>` and no journal. */
async function accountAndJournal(ctx: Context): Promise<{ account: string; resources: TrackedResource[]; canRead: boolean }> {
  const account = await ctx.accountOrPlaceholder();
  if (account === UNKNOWN_ACCOUNT) return { account, resources: [], canRead: false };
  return { account, resources: (await ctx.journal()).resources(), canRead: true };
}

/** Runs resolve reads; in a dry run a failure to read becomes a warning and a plan from nothing. */
async function readOrAssume<T>(ctx: Context, canRead: boolean, read: () => Promise<T>, assume: T): Promise<T> {
  if (!canRead) return assume;
  try {
    return await read();
  } catch (e) {
    if (!ctx.opts.dryRun) throw e;
    ctx.ui.warn(`dry run: could not read the current state (${(e as Error).message.split('. ')[0]}); planning as if nothing exists.`);
    return assume;
  }
}

export async function runPolicyCreate(ctx: Context, o: PolicyCreateOptions): Promise<Report> {
  validatePolicyName(o.name, '--name');
  const tags = parseTags(o.tag);
  const warnings: string[] = [];
  const doc = await checkDocument(ctx, o.document, 'policy.json', '--document', 'permissions', o, warnings);
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
  const ops = opsOnce(ctx);
  const desired: PolicyDesire = { name: o.name, doc: doc.fill(account), description: o.description, tags };
  const mine = tracked(resources, 'iam-policy', o.name);
  const now = mine ? await readOrAssume(ctx, canRead, async () => readPolicy(await ops(), mine.arn ?? policyArn(ctx, account, o.name)), undefined) : undefined;
  const plan: Plan = { command: ctx.command, account, warnings, steps: [policyCreateStep(ctx, ops, desired, account, now)] };
  return executePlan(ctx, plan);
}

export async function runRoleCreate(ctx: Context, o: RoleCreateOptions): Promise<Report> {
  validateRoleName(o.name, '--name');
  const tags = parseTags(o.tag);
  const warnings: string[] = [];
  const trust = await checkTrust(ctx, o, warnings);
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
  const ops = opsOnce(ctx);
  const trustDoc = await trustDocument(ctx, trust, account);
  const mine = tracked(resources, 'iam-role', o.name);
  const now = mine ? await readOrAssume(ctx, canRead, async () => (await ops()).getRole(o.name), undefined) : undefined;
  const plan: Plan = { command: ctx.command, account, warnings, steps: [roleCreateStep(ctx, ops, { name: o.name, trust: trustDoc, description: o.description, tags }, account, now)] };
  return executePlan(ctx, plan);
}

/** The caller as a principal for `--trust-principal me` (an assumed role becomes its role ARN). */
async function callerPrincipal(ctx: Context): Promise<string> {
  if (ctx.opts.dryRun) {
    try {
      return await callerArn(ctx);
    } catch {
      return `arn:aws:iam::${UNKNOWN_ACCOUNT}:user/<you>`;
    }
  }
  return callerArn(ctx);
}

async function callerArn(ctx: Context): Promise<string> {
  const { GetCallerIdentityCommand } = await import('../aws/sdk/sts.js');
  const sts = await ctx.aws().get('sts');
  let arn: string;
  try {
    arn = (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? '';
  } catch (e) {
    const { translateAwsError } = await import('../aws/errors.js');
    throw translateAwsError('sts:GetCallerIdentity', e, ctx.settings().endpoint);
  }
  const assumed = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  if (assumed) {
    const role = await (await iamOps(ctx)).getRole(assumed[3]);
    return role?.arn ?? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
  }
  // IAM users (and emulators that answer with an sts-style user ARN) trust as iam user ARNs.
  return arn.replace(/^arn:([^:]+):sts::/, 'arn:$1:iam::');
}

async function trustDocument(ctx: Context, t: { doc?: CheckedDocument; principalMe: boolean; principal?: JsonValue }, account: string): Promise<JsonValue> {
  if (t.doc) return t.doc.fill(account);
  if (t.principal) return t.principal;
  return trustPolicyFor({ kind: 'arn', arn: await callerPrincipal(ctx) });
}

export async function runIamCreate(ctx: Context, o: IamCreateOptions): Promise<Report> {
  const policyName = o.policyName ?? defaultPolicyName(ctx.stack);
  const roleName = o.roleName ?? defaultRoleName(ctx.stack);
  validatePolicyName(policyName, o.policyName ? '--policy-name' : '--stack (policy name)');
  validateRoleName(roleName, o.roleName ? '--role-name' : '--stack (role name)');
  const tags = parseTags(o.tag);
  const warnings: string[] = [];
  const [doc, trust] = await Promise.all([
    checkDocument(ctx, o.policyDocument, 'policy.json', '--policy-document', 'permissions', o, warnings),
    checkTrust(ctx, o, warnings),
  ]);
  ctx.requireConfirmable();

  const { account, resources, canRead } = await accountAndJournal(ctx);
  const ops = opsOnce(ctx);
  const [trustDoc] = await Promise.all([trustDocument(ctx, trust, account)]);
  const desiredPolicy: PolicyDesire = { name: policyName, doc: doc.fill(account), tags };
  const desiredRole: RoleDesire = { name: roleName, trust: trustDoc, tags };

  // Read only what the journal says this stack already made; the rest is created optimistically.
  const pTracked = tracked(resources, 'iam-policy', policyName);
  const rTracked = tracked(resources, 'iam-role', roleName);
  const expectedArn = pTracked?.arn ?? policyArn(ctx, account, policyName);
  const [pNow, rNow, attachedNow] = await Promise.all([
    pTracked ? readOrAssume(ctx, canRead, async () => readPolicy(await ops(), expectedArn), undefined) : undefined,
    rTracked ? readOrAssume(ctx, canRead, async () => (await ops()).getRole(roleName), undefined) : undefined,
    pTracked && rTracked ? readOrAssume(ctx, canRead, async () => (await ops()).listAttachedRolePolicies(roleName), undefined) : undefined,
  ]);

  const policyStep = policyCreateStep(ctx, ops, desiredPolicy, account, pNow);
  const roleStep = roleCreateStep(ctx, ops, desiredRole, account, rNow);
  const attached = attachedNow ? attachedNow.includes(pNow?.info?.arn ?? expectedArn) : pNow?.info && rNow ? false : undefined;
  const attach = attachStep(ctx, ops, {
    role: roleName,
    policyName,
    policyArn: pNow?.info?.arn ?? expectedArn,
    policyStep: policyStep.action === 'none' ? undefined : 'policy',
    roleStep: roleStep.action === 'none' ? undefined : 'role',
    attached,
  });
  if (policyStep.action !== 'none' || roleStep.action !== 'none') attach.dependsOn = ['policy', 'role'];
  const plan: Plan = { command: ctx.command, account, warnings, steps: [policyStep, roleStep, attach] };
  return executePlan(ctx, plan);
}

/** Finds a policy by NAME or ARN: the journal, the stack's path, the account root, then AWS managed. */
async function findPolicy(ctx: Context, ops: IamOps, ref: ReturnType<typeof parsePolicyRef>, account: string, resources: TrackedResource[]): Promise<PolicyInfo | undefined> {
  if (ref.kind === 'arn') return ops.getPolicy(ref.arn);
  const mine = tracked(resources, 'iam-policy', ref.name);
  const p = `arn:${partitionOf(ctx.region)}:iam::`;
  const candidates = [
    ...(mine?.arn ? [mine.arn] : []),
    policyArn(ctx, account, ref.name),
    `${p}${account}:policy/${ref.name}`,
    `${p}aws:policy/${ref.name}`,
    `${p}aws:policy/service-role/${ref.name}`,
  ];
  const found = await Promise.all([...new Set(candidates)].map((a) => ops.getPolicy(a)));
  return found.find(Boolean);
}

export async function runAttach(ctx: Context, o: { role: string; policy: string }): Promise<Report> {
  validateRoleName(o.role, '--role');
  const ref = parsePolicyRef(o.policy, '--policy');
  if (ref.kind === 'name') validatePolicyName(ref.name, '--policy');
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
  const opsF = opsOnce(ctx);
  const [role, policy, attachedList] = await readOrAssume(
    ctx,
    canRead,
    async () => {
      const ops = await opsF();
      return Promise.all([ops.getRole(o.role), findPolicy(ctx, ops, ref, account, resources), ops.listAttachedRolePolicies(o.role)]);
    },
    [undefined, undefined, undefined] as [RoleInfo | undefined, PolicyInfo | undefined, string[] | undefined],
  );
  if (canRead && !ctx.opts.dryRun) {
    if (!role) throw new AwsError('iam:GetRole', 'NoSuchEntity', `Role "${o.role}" does not exist. Create it first (ecsprimer iam role create --name ${o.role}) or check the name.`);
    if (!policy) throw new AwsError('iam:GetPolicy', 'NoSuchEntity', `Policy "${o.policy}" was not found (looked in this stack's path, the account and AWS managed policies). Create it first or pass its ARN.`);
  }
  const arn = policy?.arn ?? (ref.kind === 'arn' ? ref.arn : policyArn(ctx, account, ref.name));
  const step = attachStep(ctx, opsF, {
    role: o.role,
    policyName: ref.name,
    policyArn: arn,
    attached: attachedList ? attachedList.includes(arn) : false,
    adopt: {
      role: role && ownerOf(role.tags) !== ctx.stack ? o.role : undefined,
      policy: policy && ownerOf(policy.tags) !== ctx.stack && !tracked(resources, 'iam-policy', ref.name) ? ref.name : undefined,
    },
  });
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [step] });
}

export async function runDetach(ctx: Context, o: { role: string; policy: string }): Promise<Report> {
  validateRoleName(o.role, '--role');
  const ref = parsePolicyRef(o.policy, '--policy');
  if (ref.kind === 'name') validatePolicyName(ref.name, '--policy');
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
  const opsF = opsOnce(ctx);
  const [policy, attachedList] = await readOrAssume(
    ctx,
    canRead,
    async () => {
      const ops = await opsF();
      return Promise.all([findPolicy(ctx, ops, ref, account, resources), ops.listAttachedRolePolicies(o.role)]);
    },
    [undefined, undefined] as [PolicyInfo | undefined, string[] | undefined],
  );
  const arn = policy?.arn ?? (ref.kind === 'arn' ? ref.arn : policyArn(ctx, account, ref.name));
  const attached = attachedList ? attachedList.includes(arn) : !canRead || ctx.opts.dryRun;
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [detachStep(ctx, opsF, { role: o.role, policyArn: arn, policyName: ref.name, attached })] });
}

async function policyArnCandidates(ctx: Context, name: string, account: string, resources: TrackedResource[]): Promise<string[]> {
  const mine = tracked(resources, 'iam-policy', name);
  return [...new Set([...(mine?.arn ? [mine.arn] : []), policyArn(ctx, account, name), policyArn(ctx, account, name, '/')])];
}

async function readPolicyByName(ctx: Context, ops: IamOps, name: string, account: string, resources: TrackedResource[]): Promise<PolicyDeleteState | undefined> {
  for (const arn of await policyArnCandidates(ctx, name, account, resources)) {
    const s = await readPolicyForDelete(ops, arn);
    if (s) return s;
  }
  return undefined;
}

export async function runPolicyDelete(ctx: Context, o: { name: string }): Promise<Report> {
  validatePolicyName(o.name, '--name');
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
  const opsF = opsOnce(ctx);
  const state = await readOrAssume(ctx, canRead, async () => readPolicyByName(ctx, await opsF(), o.name, account, resources), undefined);
  const step = canRead || !ctx.opts.dryRun
    ? policyDeleteStep(ctx, opsF, o.name, state, { warnNotOurs: true })
    : unknownDeleteStep('iam-policy', o.name, 'DeletePolicy', `policy ${o.name}`, 'detach it everywhere, delete its non-default versions, then the policy');
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [step] });
}

export async function runRoleDelete(ctx: Context, o: { name: string }): Promise<Report> {
  validateRoleName(o.name, '--name');
  ctx.requireConfirmable();
  const { account, canRead } = await accountAndJournal(ctx);
  const opsF = opsOnce(ctx);
  const state = await readOrAssume(ctx, canRead, async () => readRoleForDelete(await opsF(), o.name), undefined);
  const step = canRead || !ctx.opts.dryRun
    ? roleDeleteStep(ctx, opsF, o.name, state, { warnNotOurs: true })
    : unknownDeleteStep('iam-role', o.name, 'DeleteRole', `role ${o.name}`, 'detach its policies, delete inline policies, leave instance profiles, then delete it');
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [step] });
}

/** A dry-run step for a delete whose current state could not be read. */
function unknownDeleteStep(type: string, name: string, operation: string, target: string, reason: string): Step {
  return { id: type, type, name, action: 'delete', calls: [{ operation, target, reason: `${reason} (current state unknown)` }], reason: 'state unknown (dry run without AWS access)' };
}

export async function runIamDelete(ctx: Context, o: IamDeleteOptions): Promise<Report> {
  const policyName = o.policyName ?? defaultPolicyName(ctx.stack);
  const roleName = o.roleName ?? defaultRoleName(ctx.stack);
  validatePolicyName(policyName, o.policyName ? '--policy-name' : '--stack (policy name)');
  validateRoleName(roleName, o.roleName ? '--role-name' : '--stack (role name)');
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
  const opsF = opsOnce(ctx);
  const [pState, rState] = await readOrAssume(
    ctx,
    canRead,
    async () => {
      const ops = await opsF();
      return Promise.all([readPolicyByName(ctx, ops, policyName, account, resources), readRoleForDelete(ops, roleName)]);
    },
    [undefined, undefined] as [PolicyDeleteState | undefined, RoleDeleteState | undefined],
  );
  if (!canRead && ctx.opts.dryRun) {
    const steps = [
      unknownDeleteStep('iam-attachment', `${roleName} ← ${policyName}`, 'DetachRolePolicy', `role ${roleName}`, 'remove the policy from the role'),
      unknownDeleteStep('iam-role', roleName, 'DeleteRole', `role ${roleName}`, 'delete the role'),
      unknownDeleteStep('iam-policy', policyName, 'DeletePolicy', `policy ${policyName}`, 'delete the policy'),
    ];
    return executePlan(ctx, { command: ctx.command, account, warnings: [], steps });
  }
  const pArn = pState?.info.arn;
  const attached = Boolean(pArn && rState?.attached.includes(pArn));
  const detach = detachStep(ctx, opsF, { role: roleName, policyArn: pArn ?? policyArn(ctx, account, policyName), policyName, attached });
  const deps = attached ? ['detach'] : [];
  const role = roleDeleteStep(ctx, opsF, roleName, rState, { dependsOn: deps, skipPolicies: pArn ? [pArn] : [], warnNotOurs: true });
  const policy = policyDeleteStep(ctx, opsF, policyName, pState, { dependsOn: deps, skipRoles: [roleName], warnNotOurs: true });
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [detach, role, policy] });
}

// ---------------------------------------------------------------------------------------------
// Registration

const SECURITY_HELP = {
  admin: 'allow a policy that grants "Action": "*" on "Resource": "*"',
  publicTrust: 'allow a trust policy that lets anyone ("*") assume the role',
};

export function registerIam(program: Command, run: CommandRunner): void {
  const iam = program.command('iam').description('IAM policies, roles and attachments');

  iam
    .command('create')
    .description('create the stack\'s policy and role and attach one to the other, in one confirmed step')
    .option('--policy-name <name>', 'policy name (default: <stack>-policy)')
    .option('--policy-document <src>', 'permissions policy: inline JSON, file://PATH, PATH or - (default: json/policy.json)')
    .option('--role-name <name>', 'role name (default: <stack>-role)')
    .option('--trust-policy <src>', 'trust policy document (default: json/trust-policy.json, ECS tasks)')
    .option('--trust-principal <principal>', 'trust a service (ecs-tasks.amazonaws.com), an ARN, an account id, or "me"')
    .option('--tag <key=value>', 'extra tag (repeatable)', collect)
    .option('--allow-admin', SECURITY_HELP.admin)
    .option('--allow-public-trust', SECURITY_HELP.publicTrust)
    .action((o, cmd) => run(cmd, (ctx) => runIamCreate(ctx, o)));

  iam
    .command('delete')
    .description('detach, then delete the stack\'s role and policy (the reverse of iam create)')
    .option('--policy-name <name>', 'policy name (default: <stack>-policy)')
    .option('--role-name <name>', 'role name (default: <stack>-role)')
    .action((o, cmd) => run(cmd, (ctx) => runIamDelete(ctx, o)));

  iam
    .command('attach')
    .description('attach a managed policy to a role')
    .requiredOption('--role <name>', 'role name')
    .requiredOption('--policy <name|arn>', 'policy name (this stack, the account, or AWS managed) or ARN')
    .action((o, cmd) => run(cmd, (ctx) => runAttach(ctx, o)));

  iam
    .command('detach')
    .description('detach a managed policy from a role')
    .requiredOption('--role <name>', 'role name')
    .requiredOption('--policy <name|arn>', 'policy name or ARN')
    .action((o, cmd) => run(cmd, (ctx) => runDetach(ctx, o)));

  const policy = iam.command('policy').description('customer-managed policies');
  policy
    .command('create')
    .description('create a policy, or give it a new default version when its document changed')
    .requiredOption('--name <name>', 'policy name')
    .option('--document <src>', 'inline JSON, file://PATH, PATH or - for stdin (default: json/policy.json)')
    .option('--description <text>', 'description')
    .option('--tag <key=value>', 'extra tag (repeatable)', collect)
    .option('--allow-admin', SECURITY_HELP.admin)
    .action((o, cmd) => run(cmd, (ctx) => runPolicyCreate(ctx, o)));
  policy
    .command('delete')
    .description('detach a policy from every role, user and group, delete its old versions, then delete it')
    .requiredOption('--name <name>', 'policy name')
    .action((o, cmd) => run(cmd, (ctx) => runPolicyDelete(ctx, o)));

  const role = iam.command('role').description('roles and their trust policies');
  role
    .command('create')
    .description('create a role with a trust policy')
    .requiredOption('--name <name>', 'role name')
    .option('--trust-policy <src>', 'trust policy: inline JSON, file://PATH, PATH or - (default: json/trust-policy.json)')
    .option('--trust-principal <principal>', 'trust a service (ecs-tasks.amazonaws.com), an ARN, an account id, or "me"')
    .option('--description <text>', 'description')
    .option('--tag <key=value>', 'extra tag (repeatable)', collect)
    .option('--allow-public-trust', SECURITY_HELP.publicTrust)
    .action((o, cmd) => run(cmd, (ctx) => runRoleCreate(ctx, o)));
  role
    .command('delete')
    .description('detach its policies, delete inline policies and instance-profile links, then the role')
    .requiredOption('--name <name>', 'role name')
    .action((o, cmd) => run(cmd, (ctx) => runRoleDelete(ctx, o)));
}
