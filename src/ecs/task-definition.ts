/**
 * `ecsprimer task register|deregister`: task definitions.
 *
 * register: a document identical to the latest ACTIVE revision (compared field by field after
 * normalising what AWS adds, see compare.ts) is "unchanged"; roles given by name are resolved with
 * one GetRole each, concurrently with the DescribeTaskDefinition. deregister: every ACTIVE
 * revision (or one), then DeleteTaskDefinitions in batches of 10.
 */
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { Context } from '../context.js';
import { AwsError, InputError } from '../errors.js';
import { roleArn } from '../iam/arn.js';
import { parseRoleRef, type RoleRef } from '../iam/validate.js';
import { fillDocument, PROBE_ACCOUNT, readDocument } from '../input/documents.js';
import { canonicalJson, type JsonValue } from '../input/json.js';
import { parseTags, stackOf, stackTags, STACK_TAG } from '../input/tags.js';
import { lineDiff } from '../output/diff.js';
import { executePlan } from '../plan/engine.js';
import { type Report, type Step, unknownStateStep } from '../plan/types.js';
import { defaultDocument } from '../paths.js';
import type { TaskDefinitionInfo, TaskDefinitionSummary } from '../aws/ecs-types.js';
import { comparableTaskDefinition, taskDefinitionDifferences } from './compare.js';
import { toEcsTags } from './inputs.js';
import { retryWhileRolePropagates } from './propagation.js';
import { readTaskDefinitionRevisions, resolveEcs, taskDefinitionDeleteStep } from './steps.js';
import { parseTaskDefinitionRef } from './names.js';
import { redactLiteralSecretsForDiff } from './secrets.js';
import { validateTaskDefinition, type JsonValue as EcsJson } from './validate.js';
import type { LogGroupInfo } from '../aws/logs-ops.js';
import { EXECUTION_POLICY_NAME, executionRoleName, executionRoleNeeds, executionRoleSteps, readExecutionRole, type ExecutionRoleNow } from './execution-role.js';
import { awslogsTargets, groupsToProvide, logGroupCreateStep, parseRetention } from './log-groups.js';
import { grantDocument, grantLines, grantPolicyName, grantStep, parseSecretOptions, resolveTaskReads, secretRefKey, valueFromOf, withSecretEntries, type SecretRef, type TaskReads } from './task-secrets.js';

// ---------------------------------------------------------------------------------------------
// task register

export interface TaskRegisterOptions {
  document?: string;
  executionRole?: string;
  taskRole?: string;
  tag?: string[];
  logRetention?: string;
  secret?: string[];
}

type Obj = { [k: string]: JsonValue };

function withRoles(doc: JsonValue, roles: { executionRoleArn?: string; taskRoleArn?: string }): JsonValue {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return doc;
  const out: Obj = { ...(doc as Obj) };
  if (roles.executionRoleArn !== undefined) out.executionRoleArn = roles.executionRoleArn;
  if (roles.taskRoleArn !== undefined) out.taskRoleArn = roles.taskRoleArn;
  return out;
}

/** Tags of the document, then --tag, then the stack tag (the document may not set the stack tag). */
function mergedTags(ctx: Context, doc: JsonValue, source: string, extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const tags = (doc as Obj)?.tags;
  if (Array.isArray(tags)) {
    tags.forEach((t, i) => {
      const key = (t as Obj)?.key;
      const value = (t as Obj)?.value;
      if (typeof key !== 'string') return;
      if (key === STACK_TAG) {
        throw new InputError(source, { field: `tags[${i}].key`, message: `the tag key "${STACK_TAG}" is reserved`, fix: 'remove it: ecsprimer sets it from --stack' });
      }
      out[key] = typeof value === 'string' ? value : '';
    });
  }
  return stackTags(ctx.stack, { ...out, ...extra });
}

/** Looks a role up by name (one GetRole); an ARN needs no call. undefined: no such role. */
async function lookupRole(ctx: Context, ref: RoleRef | undefined): Promise<string | undefined> {
  if (!ref) return undefined;
  if (ref.kind === 'arn') return ref.arn;
  return (await (await ctx.iam()).getRole(ref.name))?.arn;
}

/**
 * The ARN to send for a role option: the one GetRole found (roles made by `iam create` live
 * under /ecsprimer/<stack>/, so it cannot be guessed); none is an error, except in a dry run,
 * which shows the stack-path ARN it would most likely be.
 */
function roleArnFor(ctx: Context, ref: RoleRef | undefined, found: string | undefined, option: string, account: string, warnings: string[]): string | undefined {
  if (!ref) return undefined;
  if (found) return found;
  if (ref.kind === 'arn') return ref.arn;
  if (!ctx.opts.dryRun) {
    throw new AwsError(
      'iam:GetRole',
      'NoSuchEntity',
      `${option} ${ref.name}: no IAM role of that name exists in this account. Create it first (ecsprimer iam create --stack ${ctx.stack} makes the role ${ctx.stack}-role), or pass the role's ARN.`,
    );
  }
  const guess = roleArn(ctx, account, ref.name);
  warnings.push(`dry run: ${option} ${ref.name} was not looked up; showing ${guess}.`);
  return guess;
}

export async function runTaskRegister(o: TaskRegisterOptions, ctx: Context): Promise<Report> {
  const tags = parseTags(o.tag);
  const retention = parseRetention(o.logRetention);
  const execRef = o.executionRole !== undefined ? parseRoleRef(o.executionRole, '--execution-role') : undefined;
  const taskRef = o.taskRole !== undefined ? parseRoleRef(o.taskRole, '--task-role') : undefined;
  const secretOpts = parseSecretOptions(o.secret);
  const raw = await readDocument(ctx, o.document ?? defaultDocument('task-definition.json'), '--document');
  const warnings: string[] = [];
  // Validate everything offline, with stand-ins for what AWS will tell (account, role ARNs, secret ARNs).
  const probeRole = (r: RoleRef | undefined) => (r ? (r.kind === 'arn' ? r.arn : roleArn(ctx, PROBE_ACCOUNT, r.name, '/')) : undefined);
  const probeValueFrom = () => `arn:${ctx.partition}:secretsmanager:${ctx.region ?? 'us-east-1'}:${PROBE_ACCOUNT}:secret:probe-AAAAAA`;
  const filled = withSecretEntries(fillDocument(raw, ctx.placeholders(PROBE_ACCOUNT)), secretOpts, raw.source, probeValueFrom);
  // A definition that needs an execution role and names none gets the stack's (see execution-role.ts).
  const namesExec = Boolean(execRef) || (typeof raw.value === 'object' && raw.value !== null && !Array.isArray(raw.value) && 'executionRoleArn' in raw.value);
  const execNeeds = namesExec ? [] : executionRoleNeeds(filled);
  const probeExec = execRef ? probeRole(execRef) : execNeeds.length ? roleArn(ctx, PROBE_ACCOUNT, executionRoleName(ctx.stack)) : undefined;
  const probeDoc = withRoles(filled, { executionRoleArn: probeExec, taskRoleArn: probeRole(taskRef) });
  const probe = validateTaskDefinition(probeDoc as EcsJson, raw.source);
  const issues = [...probe.issues, ...ctx.wrongPartition(probeDoc)];
  if (issues.length) throw new InputError(raw.source, issues);
  warnings.push(...probe.warnings);
  const original = raw.value as Obj;
  if (execRef && typeof original === 'object' && original && 'executionRoleArn' in original) warnings.push(`--execution-role replaces the document's executionRoleArn.`);
  if (taskRef && typeof original === 'object' && original && 'taskRoleArn' in original) warnings.push(`--task-role replaces the document's taskRoleArn.`);
  const family = (probeDoc as Obj).family as string;
  const allTags = mergedTags(ctx, probeDoc, raw.source, tags);
  // What the containers need around them: their log groups, and an execution role when none is named.
  const logGroups = groupsToProvide(ctx, awslogsTargets(probeDoc), warnings);
  ctx.requireConfirmable();

  // One round trip: the latest revision, the roles given by name, the log groups and the stack's
  // execution role (when it is needed), concurrently.
  const { account, value, known } = await resolveEcs(
    ctx,
    async (ops) => {
      const [current, execFound, taskFound, groups, execRole, reads] = await Promise.all([
        ops.describeTaskDefinition(family),
        lookupRole(ctx, execRef),
        lookupRole(ctx, taskRef),
        logGroups.length ? ctx.logs().then((l) => Promise.all(logGroups.map((g) => l.describeLogGroup(g)))) : [],
        execNeeds.length ? readExecutionRole(ctx, grantPolicyName(family)) : undefined,
        ctx.accountOrPlaceholder().then((a) => resolveTaskReads(ctx, filled, secretOpts, a)),
      ]);
      return { current, execFound, taskFound, groups, execRole, reads };
    },
    {
      current: undefined as TaskDefinitionInfo | undefined,
      execFound: undefined as string | undefined,
      taskFound: undefined as string | undefined,
      groups: [] as Array<LogGroupInfo | undefined>,
      execRole: execNeeds.length ? ({} as ExecutionRoleNow) : undefined,
      reads: { secrets: [], repositories: [] } as TaskReads,
    },
  );
  const current = value.current;
  const before: Step[] = logGroups.map((g, i) => logGroupCreateStep(ctx, g, value.groups[i], retention, known));
  let stackExecArn: string | undefined;
  const notes: string[] = [];
  // What the execution role must read (secrets, parameters, their keys, ECR repositories): granted
  // exactly on the stack's own execution role; named in a warning for a role the user chose.
  const reads = value.reads;
  const grant = grantDocument(reads);
  let grantS: Step | undefined;
  if (value.execRole) {
    const exec = executionRoleSteps(ctx, account, value.execRole, warnings);
    before.push(...exec.steps);
    stackExecArn = exec.arn;
    notes.push(`no execution role is named and ${execNeeds.join(', ')}: the stack's execution role ${executionRoleName(ctx.stack)} is used (--execution-role to choose another).`);
    const ours = exec.steps[0].action !== 'none' || (value.execRole.role && stackOf(value.execRole.role.tags) === ctx.stack);
    if (ours) grantS = grantStep(ctx, { role: executionRoleName(ctx.stack), family, document: grant, current: value.execRole.grant, roleStep: exec.steps[0].action !== 'none' ? exec.steps[0].id : undefined });
    else if (grant) warnings.push(`role ${executionRoleName(ctx.stack)} was not made by stack ${ctx.stack}: ecsprimer does not change it; it needs ${grantLines(grant).join('; ')}.`);
  } else if (grant && reads.secrets.length) {
    warnings.push(`ecsprimer does not change the execution role you named; for these secrets it needs ${grantLines(grant).join('; ')} (never on "*"). ${EXECUTION_POLICY_NAME} grants none of it.`);
  }
  const execArn = stackExecArn ?? roleArnFor(ctx, execRef, value.execFound, '--execution-role', account, warnings);
  const taskArn = roleArnFor(ctx, taskRef, value.taskFound, '--task-role', account, warnings);
  const resolvedFor = (ref: SecretRef) => reads.secrets.find((r) => secretRefKey(r.ref) === secretRefKey(ref));
  const withSecrets = withSecretEntries(fillDocument(raw, ctx.placeholders(account)), secretOpts, raw.source, (s) => {
    const r = resolvedFor(s.ref);
    return r ? valueFromOf(r) : probeValueFrom();
  });
  const finalDoc = withRoles(withSecrets, { executionRoleArn: execArn, taskRoleArn: taskArn });
  const final = validateTaskDefinition(finalDoc as EcsJson, raw.source);
  if (final.issues.length) throw new InputError(raw.source, final.issues);
  const input: RegisterTaskDefinitionCommandInput = { ...final.normalized, tags: toEcsTags(allTags) };

  const { step, data } = taskDefinitionStep(ctx, family, input, current);
  if (step.action !== 'none') step.dependsOn = before.filter((b) => b.action !== 'none').map((b) => b.id);
  // The grant goes with the registration, not before it: registering needs no permission of the role.
  const report = await executePlan(ctx, { command: ctx.command, account, warnings, notes, steps: [...before, ...(grantS ? [grantS] : []), step] });
  if (!report.dryRun && Object.keys(data).length) report.data = { ...report.data, ...data };
  return report;
}


/**
 * The step that registers `input` as a new revision of `family`, or keeps the latest ACTIVE one
 * when identical (compared field by field after normalising what AWS adds). `data` gets the
 * revision for --output json once known.
 */
export function taskDefinitionStep(ctx: Context, family: string, input: RegisterTaskDefinitionCommandInput, current: TaskDefinitionInfo | undefined, id = 'task-definition'): { step: Step; data: Record<string, unknown> } {
  const latest = current && current.status === 'ACTIVE' ? current : undefined;
  const diffs = latest ? taskDefinitionDifferences(input, latest.definition) : [];
  const data: Record<string, unknown> = {};
  let step: Step;
  if (latest && diffs.length === 0) {
    const owner = stackOf(latest.tags);
    step = {
      id,
      type: 'ecs-task-definition',
      name: `${family}:${latest.revision}`,
      arn: latest.arn,
      action: 'none',
      state: 'unchanged',
      calls: [],
      reason: `identical to revision ${latest.revision}, the latest ACTIVE one${owner && owner !== ctx.stack ? ` (registered by stack "${owner}")` : ''}`,
    };
    data.taskDefinition = { family, revision: latest.revision, arn: latest.arn, status: 'unchanged' };
  } else {
    step = {
      id,
      type: 'ecs-task-definition',
      name: family,
      action: 'create',
      calls: [
        {
          operation: 'RegisterTaskDefinition',
          target: `family ${family}`,
          passRoles: [input.executionRoleArn, input.taskRoleArn].filter((r): r is string => Boolean(r)),
          reason: latest
            ? `register a new revision (differs from revision ${latest.revision} in ${diffs.join(', ')}), tagged ${STACK_TAG}=${ctx.stack}`
            : `register ${current ? 'a revision (the family has no ACTIVE one)' : 'the first revision of the family'}, tagged ${STACK_TAG}=${ctx.stack}`,
        },
      ],
      reason: latest ? `differs from revision ${latest.revision}: ${diffs.join(', ')}` : current ? 'no ACTIVE revision' : 'new family',
      // Literal secrets in the environment are warned about, and never shown (not even in the diff).
      detail: latest ? lineDiff(...(redactLiteralSecretsForDiff(comparableTaskDefinition(latest.definition), comparableTaskDefinition(input)).map((d) => canonicalJson(d, 2)) as [string, string])) : undefined,
      run: async (rt) => {
        const ops = await ctx.ecs();
        rt.record('intent', { type: 'ecs-task-definition', name: family, data: { operation: 'RegisterTaskDefinition' } });
        const td = await retryWhileRolePropagates(ctx, 'RegisterTaskDefinition', () => ops.registerTaskDefinition(input, current?.revision ?? 0));
        const name = `${td.family}:${td.revision}`;
        rt.record('created', { type: 'ecs-task-definition', name, arn: td.arn });
        // The intent named only the family: it is resolved by the record above.
        rt.record('deleted', { type: 'ecs-task-definition', name: family, data: { resolvedIntent: name } });
        data.taskDefinition = { family: td.family, revision: td.revision, arn: td.arn, status: 'registered' };
        return { arn: td.arn, name };
      },
    };
  }
  return { step, data };
}

// ---------------------------------------------------------------------------------------------
// task deregister

export interface TaskDeregisterOptions {
  family: string;
  revision?: string;
  keepInactive?: boolean;
}

/**
 * The revisions of `family` this stack registered, from its journal and the stack tag (the
 * tagging API; when it is denied or fails, the journal alone).
 */
async function stackRevisions(ctx: Context, family: string): Promise<string[]> {
  const ofFamily = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1).startsWith(`${family}:`);
  const [journal, tagged] = await Promise.all([
    ctx.journalIfKnown().then((j) => (j?.resources() ?? []).filter((r) => r.type === 'ecs-task-definition' && r.present).map((r) => r.arn ?? r.name)),
    ctx
      .discovery()
      .then((d) => d.taggedEcsArns(STACK_TAG, ctx.stack))
      .catch(() => [] as string[]),
  ]);
  return [...journal, ...tagged.filter((a) => a.includes(':task-definition/'))].filter(ofFamily);
}

export async function runTaskDeregister(o: TaskDeregisterOptions, ctx: Context): Promise<Report> {
  const ref = parseTaskDefinitionRef(o.family, '--family');
  if (ref.revision !== undefined || ref.arn) {
    throw new InputError('--family', { message: `"${o.family}" is not a family name`, fix: `give the family alone and the revision with --revision (e.g. --family ${ref.family} --revision ${ref.revision ?? 1})` });
  }
  let revision: number | undefined;
  if (o.revision !== undefined) {
    if (!/^[1-9]\d{0,9}$/.test(o.revision.trim())) throw new InputError('--revision', { message: `"${o.revision}" is not a revision; a revision is a whole number of 1 or more` });
    revision = Number(o.revision.trim());
  }
  const family = ref.family;
  ctx.requireConfirmable();
  const { account, value: revisions, known } = await resolveEcs(
    ctx,
    async (ops) => {
      if (revision === undefined) return readTaskDefinitionRevisions(ops, family, stackRevisions(ctx, family));
      const td = await ops.describeTaskDefinition(`${family}:${revision}`);
      return td && (td.status === 'ACTIVE' || td.status === 'INACTIVE') ? [{ arn: td.arn, family, revision, status: td.status } as TaskDefinitionSummary] : [];
    },
    [] as TaskDefinitionSummary[],
  );
  let step: Step;
  if (!known) {
    step = unknownStateStep({
      id: `taskdef:${family}`,
      type: 'ecs-task-definition',
      name: revision ? `${family}:${revision}` : family,
      action: 'delete',
      calls: [
        { operation: 'DeregisterTaskDefinition', target: revision ? `${family}:${revision}` : `every ACTIVE revision of ${family}`, reason: 'deregister' },
        ...(o.keepInactive ? [] : [{ operation: 'DeleteTaskDefinitions', target: revision ? `${family}:${revision}` : `every revision of ${family}`, reason: 'delete them, in batches of 10' }]),
      ],
    });
  } else {
    step = taskDefinitionDeleteStep(ctx, family, revisions, { keepInactive: o.keepInactive });
  }
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [step] });
}
