/**
 * `ecsprimer iam ...`: customer-managed policies, roles with trust policies, and attachments.
 * Each command validates its inputs offline, reads only what the journal says the stack already
 * made (the rest is created optimistically), plans with ./steps.ts and hands the plan to the engine.
 */
import type { Context } from '../context.js';
import { UNKNOWN_ACCOUNT } from '../context.js';
import { AwsError, InputError, UsageError } from '../errors.js';
import type { IamOps, PolicyInfo, RoleInfo } from '../aws/iam-ops.js';
import { fillDocument, PROBE_ACCOUNT, readDocument, type RawDocument } from '../input/documents.js';
import type { JsonValue } from '../input/json.js';
import { parseTags, stackOf } from '../input/tags.js';
import { executePlan } from '../plan/engine.js';
import { accountAndJournal, readOrAssume } from '../plan/resolve.js';
import { type Plan, type Report, type Step, unchangedStep, unknownStateStep } from '../plan/types.js';
import { defaultDocument } from '../paths.js';
import type { TrackedResource } from '../state/journal.js';
import { defaultPolicyName, defaultRoleName, policyArn } from './arn.js';
import {
  attachStep,
  detachStep,
  otherRegions,
  policyCreateStep,
  policyDeleteStep,
  readPolicy,
  readPolicyForDelete,
  readRoleForDelete,
  releaseStep,
  roleCreateStep,
  roleDeleteStep,
  tracked,
  type PolicyDeleteState,
  type PolicyDesire,
  type RoleDeleteState,
  type RoleDesire,
} from './steps.js';
import {
  parsePolicyRef,
  parseTrustPrincipal,
  securityFindings,
  trustPolicyFor,
  validatePermissionsPolicy,
  validatePolicyName,
  validateRoleName,
  validateTrustPolicy,
} from './validate.js';

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


// ---------------------------------------------------------------------------------------------
// Validate (offline)

/** A document validated offline; `fill(account)` gives the final one. */
interface CheckedDocument {
  raw: RawDocument;
  needsAccount: boolean;
  fill(account: string | undefined): JsonValue;
}

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
  const probe = fillDocument(raw, ctx.placeholders(PROBE_ACCOUNT));
  const result = kind === 'permissions' ? validatePermissionsPolicy(probe, raw.source) : validateTrustPolicy(probe, raw.source);
  const issues = [...result.issues, ...ctx.wrongPartition(probe)];
  if (issues.length) throw new InputError(raw.source, issues);
  warnings.push(...result.warnings.map((w) => `${raw.source}: ${w}`));
  if (JSON.stringify(raw.value).includes('${AWS::Region}')) {
    warnings.push(
      `${raw.source}: uses \${AWS::Region}, but IAM is global: with this stack in a second region, iam create there would rewrite it for that region and break the first. Write the region as * (e.g. arn:\${AWS::Partition}:logs:*:\${AWS::AccountId}:*) to keep one document for every region.`,
    );
  }
  warnings.push(...checkFindings(kind, probe, raw.source, flags, ctx).map((w) => `${raw.source}: ${w}`));
  return { raw, needsAccount: raw.needsAccount, fill: (account) => fillDocument(raw, ctx.placeholders(account)) };
}

/** The trust policy from --trust-policy or --trust-principal (default: json/trust-policy.json). */
async function checkTrust(ctx: Context, o: { trustPolicy?: string; trustPrincipal?: string } & SecurityFlags, warnings: string[]): Promise<{ doc?: CheckedDocument; principalMe: boolean; principal?: JsonValue }> {
  if (o.trustPolicy && o.trustPrincipal) throw new UsageError('--trust-policy and --trust-principal cannot be used together: give the whole document, or just the principal.');
  if (o.trustPrincipal) {
    const p = parseTrustPrincipal(o.trustPrincipal, '--trust-principal');
    if (p.kind === 'me') return { principalMe: true };
    const doc = trustPolicyFor(p, { partition: ctx.partition });
    return { principalMe: false, principal: doc };
  }
  return { principalMe: false, doc: await checkDocument(ctx, o.trustPolicy, 'trust-policy.json', '--trust-policy', 'trust', o, warnings) };
}

export async function runPolicyCreate(o: PolicyCreateOptions, ctx: Context): Promise<Report> {
  validatePolicyName(o.name, '--name');
  const tags = parseTags(o.tag);
  const warnings: string[] = [];
  const doc = await checkDocument(ctx, o.document, 'policy.json', '--document', 'permissions', o, warnings);
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
    const desired: PolicyDesire = { name: o.name, doc: doc.fill(account), description: o.description, tags };
  const mine = tracked(resources, 'iam-policy', o.name);
  const now = mine ? await readIam(ctx, canRead, (ops) => readPolicy(ops, mine.arn ?? policyArn(ctx, account, o.name)), undefined) : undefined;
  const plan: Plan = { command: ctx.command, account, warnings, steps: [policyCreateStep(ctx, desired, account, now)] };
  return executePlan(ctx, plan);
}

export async function runRoleCreate(o: RoleCreateOptions, ctx: Context): Promise<Report> {
  validateRoleName(o.name, '--name');
  const tags = parseTags(o.tag);
  const warnings: string[] = [];
  const trust = await checkTrust(ctx, o, warnings);
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
    const trustDoc = await trustDocument(ctx, trust, account);
  const mine = tracked(resources, 'iam-role', o.name);
  const now = mine ? await readIam(ctx, canRead, (ops) => ops.getRole(o.name), undefined) : undefined;
  const plan: Plan = { command: ctx.command, account, warnings, steps: [roleCreateStep(ctx, { name: o.name, trust: trustDoc, description: o.description, tags }, account, now)] };
  return executePlan(ctx, plan);
}

/** The caller as a principal for `--trust-principal me` (an assumed role becomes its role ARN). */
async function callerPrincipal(ctx: Context): Promise<string> {
  if (ctx.opts.dryRun) {
    try {
      return await callerArn(ctx);
    } catch {
      return `arn:${ctx.partition}:iam::${UNKNOWN_ACCOUNT}:user/<you>`;
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
    throw translateAwsError('sts:GetCallerIdentity', e, await ctx.aws().endpoint('sts'));
  }
  const assumed = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  if (assumed) {
    const role = await (await ctx.iam()).getRole(assumed[3]);
    return role?.arn ?? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
  }
  // IAM users (and emulators that answer with an sts-style user ARN) trust as iam user ARNs.
  return arn.replace(/^arn:([^:]+):sts::/, 'arn:$1:iam::');
}

async function trustDocument(ctx: Context, t: { doc?: CheckedDocument; principalMe: boolean; principal?: JsonValue }, account: string): Promise<JsonValue> {
  if (t.doc) return t.doc.fill(account);
  if (t.principal) return t.principal;
  return trustPolicyFor({ kind: 'arn', arn: await callerPrincipal(ctx) }, { partition: ctx.partition });
}

export async function runIamCreate(o: IamCreateOptions, ctx: Context): Promise<Report> {
  const { policyName, roleName } = stackNames(ctx, o);
  const tags = parseTags(o.tag);
  const warnings: string[] = [];
  const [doc, trust] = await Promise.all([
    checkDocument(ctx, o.policyDocument, 'policy.json', '--policy-document', 'permissions', o, warnings),
    checkTrust(ctx, o, warnings),
  ]);
  ctx.requireConfirmable();

  const { account, resources, canRead } = await accountAndJournal(ctx);
    const [trustDoc] = await Promise.all([trustDocument(ctx, trust, account)]);
  const desiredPolicy: PolicyDesire = { name: policyName, doc: doc.fill(account), tags };
  const desiredRole: RoleDesire = { name: roleName, trust: trustDoc, tags };

  // Read only what the journal says this stack already made; the rest is created optimistically.
  const pTracked = tracked(resources, 'iam-policy', policyName);
  const rTracked = tracked(resources, 'iam-role', roleName);
  const expectedArn = pTracked?.arn ?? policyArn(ctx, account, policyName);
  const [pNow, rNow, attachedNow] = await Promise.all([
    pTracked ? readIam(ctx, canRead, (ops) => readPolicy(ops, expectedArn), undefined) : undefined,
    rTracked ? readIam(ctx, canRead, (ops) => ops.getRole(roleName), undefined) : undefined,
    pTracked && rTracked ? readIam(ctx, canRead, (ops) => ops.listAttachedRolePolicies(roleName), undefined) : undefined,
  ]);

  const policyStep = policyCreateStep(ctx, desiredPolicy, account, pNow);
  const roleStep = roleCreateStep(ctx, desiredRole, account, rNow);
  const attached = attachedNow ? attachedNow.includes(pNow?.info?.arn ?? expectedArn) : pNow?.info && rNow ? false : undefined;
  const attach = attachStep(ctx, {
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

/** Reads with the IAM operations; in a dry run a failure becomes a warning and `assume` (see readOrAssume). */
function readIam<T>(ctx: Context, canRead: boolean, read: (ops: IamOps) => Promise<T>, assume: T): Promise<T> {
  return readOrAssume(ctx, canRead, async () => read(await ctx.iam()), assume);
}

/** The stack's policy and role names (--policy-name, --role-name, or from --stack), checked. */
function stackNames(ctx: Context, o: { policyName?: string; roleName?: string }): { policyName: string; roleName: string } {
  const policyName = o.policyName ?? defaultPolicyName(ctx.stack);
  const roleName = o.roleName ?? defaultRoleName(ctx.stack);
  validatePolicyName(policyName, o.policyName ? '--policy-name' : '--stack (policy name)');
  validateRoleName(roleName, o.roleName ? '--role-name' : '--stack (role name)');
  return { policyName, roleName };
}

/** --role and --policy of attach and detach, checked. */
function attachmentRefs(o: { role: string; policy: string }): ReturnType<typeof parsePolicyRef> {
  validateRoleName(o.role, '--role');
  const ref = parsePolicyRef(o.policy, '--policy');
  if (ref.kind === 'name') validatePolicyName(ref.name, '--policy');
  return ref;
}

/** Finds a policy by NAME or ARN: the journal, the stack's path, the account root, then AWS managed. */
async function findPolicy(ctx: Context, ops: IamOps, ref: ReturnType<typeof parsePolicyRef>, account: string, resources: TrackedResource[]): Promise<PolicyInfo | undefined> {
  if (ref.kind === 'arn') return ops.getPolicy(ref.arn);
  const mine = tracked(resources, 'iam-policy', ref.name);
  const p = `arn:${ctx.partition}:iam::`;
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

export async function runAttach(o: { role: string; policy: string }, ctx: Context): Promise<Report> {
  const ref = attachmentRefs(o);
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
  const [role, policy, attachedList] = await readIam(ctx, canRead, (ops) => Promise.all([ops.getRole(o.role), findPolicy(ctx, ops, ref, account, resources), ops.listAttachedRolePolicies(o.role)]), [undefined, undefined, undefined] as [RoleInfo | undefined, PolicyInfo | undefined, string[] | undefined]);
  if (canRead && !ctx.opts.dryRun) {
    if (!role) throw new AwsError('iam:GetRole', 'NoSuchEntity', `Role "${o.role}" does not exist. Create it first (ecsprimer iam role create --name ${o.role}) or check the name.`);
    if (!policy) throw new AwsError('iam:GetPolicy', 'NoSuchEntity', `Policy "${o.policy}" was not found (looked in this stack's path, the account and AWS managed policies). Create it first or pass its ARN.`);
  }
  const arn = policy?.arn ?? (ref.kind === 'arn' ? ref.arn : policyArn(ctx, account, ref.name));
  const step = attachStep(ctx, {
    role: o.role,
    policyName: ref.name,
    policyArn: arn,
    attached: attachedList ? attachedList.includes(arn) : false,
    adopt: {
      role: role && stackOf(role.tags) !== ctx.stack ? o.role : undefined,
      policy: policy && stackOf(policy.tags) !== ctx.stack && !tracked(resources, 'iam-policy', ref.name) ? ref.name : undefined,
    },
  });
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [step] });
}

export async function runDetach(o: { role: string; policy: string }, ctx: Context): Promise<Report> {
  const ref = attachmentRefs(o);
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
  const [policy, attachedList] = await readIam(ctx, canRead, (ops) => Promise.all([findPolicy(ctx, ops, ref, account, resources), ops.listAttachedRolePolicies(o.role)]), [undefined, undefined] as [PolicyInfo | undefined, string[] | undefined]);
  const arn = policy?.arn ?? (ref.kind === 'arn' ? ref.arn : policyArn(ctx, account, ref.name));
  const attached = attachedList ? attachedList.includes(arn) : !canRead || ctx.opts.dryRun;
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [detachStep(ctx, { role: o.role, policyArn: arn, policyName: ref.name, attached })] });
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

export async function runPolicyDelete(o: { name: string }, ctx: Context): Promise<Report> {
  validatePolicyName(o.name, '--name');
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
  const state = await readIam(ctx, canRead, (ops) => readPolicyByName(ctx, ops, o.name, account, resources), undefined);
  const step = canRead || !ctx.opts.dryRun
    ? policyDeleteStep(ctx, o.name, state, { warnNotOurs: true })
    : unknownDeleteStep('iam-policy', o.name, 'DeletePolicy', `policy ${o.name}`, 'detach it everywhere, delete its non-default versions, then the policy');
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [step] });
}

export async function runRoleDelete(o: { name: string }, ctx: Context): Promise<Report> {
  validateRoleName(o.name, '--name');
  ctx.requireConfirmable();
  const { account, canRead } = await accountAndJournal(ctx);
  const state = await readIam(ctx, canRead, (ops) => readRoleForDelete(ops, o.name), undefined);
  const step = canRead || !ctx.opts.dryRun
    ? roleDeleteStep(ctx, o.name, state, { warnNotOurs: true })
    : unknownDeleteStep('iam-role', o.name, 'DeleteRole', `role ${o.name}`, 'detach its policies, delete inline policies, leave instance profiles, then delete it');
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [step] });
}

/** A dry-run step for a delete whose current state could not be read. */
function unknownDeleteStep(type: string, name: string, operation: string, target: string, reason: string): Step {
  return unknownStateStep({ id: type, type, name, action: 'delete', calls: [{ operation, target, reason }] });
}

export async function runIamDelete(o: IamDeleteOptions, ctx: Context): Promise<Report> {
  const { policyName, roleName } = stackNames(ctx, o);
  ctx.requireConfirmable();
  const { account, resources, canRead } = await accountAndJournal(ctx);
  const [pState, rState] = await readIam(ctx, canRead, (ops) => Promise.all([readPolicyByName(ctx, ops, policyName, account, resources), readRoleForDelete(ops, roleName)]), [undefined, undefined] as [PolicyDeleteState | undefined, RoleDeleteState | undefined]);
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
  // IAM is global: while the stack uses its role and policy in another region, this region only
  // releases them (see teardown).
  const ours = [rState?.info, pState?.info].filter((i) => i && stackOf(i.tags) === ctx.stack);
  const elsewhere = [...new Set(ours.flatMap((i) => otherRegions(ctx, i!.tags)))].sort();
  if (elsewhere.length > 0) {
    const steps = [
      unchangedStep({ id: 'detach', type: 'iam-attachment', name: `${roleName} ← ${policyName}`, arn: pArn, reason: `kept with the role: stack ${ctx.stack} still uses it in ${elsewhere.join(', ')}` }),
      ...(rState && stackOf(rState.info.tags) === ctx.stack ? [releaseStep(ctx, { type: 'iam-role', name: roleName, arn: rState.info.arn, tags: rState.info.tags }, elsewhere, { id: 'role' })] : []),
      ...(pState && stackOf(pState.info.tags) === ctx.stack ? [releaseStep(ctx, { type: 'iam-policy', name: policyName, arn: pState.info.arn, tags: pState.info.tags }, elsewhere, { id: 'policy' })] : []),
    ];
    return executePlan(ctx, { command: ctx.command, account, warnings: [], steps });
  }
  const detach = detachStep(ctx, { role: roleName, policyArn: pArn ?? policyArn(ctx, account, policyName), policyName, attached });
  const deps = attached ? ['detach'] : [];
  const role = roleDeleteStep(ctx, roleName, rState, { dependsOn: deps, skipPolicies: pArn ? [pArn] : [], warnNotOurs: true });
  const policy = policyDeleteStep(ctx, policyName, pState, { dependsOn: deps, skipRoles: [roleName], warnNotOurs: true });
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [detach, role, policy] });
}
