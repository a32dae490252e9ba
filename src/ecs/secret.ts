/**
 * `ecsprimer secret create|delete`: Secrets Manager secrets of the stack, for tasks to read
 * through `task register --secret`.
 *
 * The value comes from a file (--from-file) or standard input (piped; on a terminal, asked for
 * without echo), never from an argument (arguments end up in shell history and `ps`). One trailing
 * newline is dropped, as `docker login --password-stdin` does, so `echo s3cret | ...` stores
 * "s3cret". The value is held in memory only: no plan line, journal line, verbose line or error
 * ever holds it; "unchanged" is decided by comparing it with the stored one (GetSecretValue).
 *
 * A re-run with the same value is unchanged; a new value is an update (PutSecretValue); a secret
 * of the stack that a teardown scheduled for deletion is restored and given the value. A secret
 * of that name the stack did not make is left as it is.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import type { SecretInfo } from '../aws/secrets-ops.js';
import { parseTags, stackOf, stackTags, STACK_TAG } from '../input/tags.js';
import { executePlan } from '../plan/engine.js';
import { notOursNote } from '../plan/render.js';
import { resolveState } from '../plan/resolve.js';
import { absentStep, unknownStateStep, type Report, type Step } from '../plan/types.js';

/** Secrets Manager's rule for names: 1–512 of letters, digits and / _ + = . @ - */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const MAX_VALUE_BYTES = 65536;
export const DEFAULT_RECOVERY_DAYS = 7;

export function validateSecretName(name: string, source: string): string[] {
  if (!SECRET_NAME.test(name)) {
    throw new InputError(source, {
      message: name.length === 0 || name.length > 512 ? `a secret name has 1 to 512 characters (this one ${name.length})` : `"${name}" has characters Secrets Manager does not take in a name`,
      fix: 'use letters, digits and / _ + = . @ - (e.g. prod/db-password)',
    });
  }
  // AWS's advice: a name ending in -XXXXXX is mistaken for an ARN's random suffix by partial-ARN lookups.
  return /-[A-Za-z0-9]{6}$/.test(name) ? [`${source}: "${name}" ends with a hyphen and six characters, which Secrets Manager confuses with the random suffix of its ARNs when a secret is found by a partial ARN; a name without it is safer.`] : [];
}

export function parseRecoveryDays(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RECOVERY_DAYS;
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < 7 || n > 30) {
    throw new InputError('--recovery-days', { message: `"${value}" is not a recovery window Secrets Manager offers`, fix: 'give a whole number of days from 7 to 30 (default 7), or --force-delete to delete at once' });
  }
  return n;
}

/** Drops one trailing newline (\n or \r\n). */
function chompOnce(s: string): string {
  return s.endsWith('\r\n') ? s.slice(0, -2) : s.endsWith('\n') ? s.slice(0, -1) : s;
}

function checkValue(value: string, source: string): string {
  if (value.length === 0) throw new InputError(source, { message: 'the secret value is empty', fix: 'give a value of 1 to 65536 bytes' });
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_VALUE_BYTES) throw new InputError(source, { message: `the secret value is ${bytes} bytes; Secrets Manager takes at most ${MAX_VALUE_BYTES}`, fix: 'store a smaller value (or a reference to where the data is)' });
  return value;
}

/** A secret value from a file (one trailing newline dropped), checked; `source` names it in errors. */
export async function secretValueFromFile(full: string, source: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(source, { message: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? 'error'})`, fix: 'give the path of a file that holds the value' });
  }
  return checkValue(chompOnce(bytes.toString('utf8')), source);
}

/** A secret value from an environment variable, checked. */
export function secretValueFromEnv(env: NodeJS.ProcessEnv, variable: string, source: string): string {
  const v = env[variable];
  if (v === undefined) throw new InputError(source, { message: `the environment variable ${variable} is not set`, fix: `set it to the secret's value (e.g. read -rs ${variable} && export ${variable}), or use "fromFile"` });
  return checkValue(v, source);
}

/** The secret value, from --from-file or standard input; never echoed. */
export async function readSecretValue(ctx: Context, fromFile: string | undefined): Promise<string> {
  if (fromFile !== undefined) {
    const path = fromFile.startsWith('file://') ? fromFile.slice(7) : fromFile;
    return secretValueFromFile(isAbsolute(path) ? path : resolve(ctx.cwd, path), `--from-file ${fromFile}`);
  }
  if (ctx.io.stdinIsTTY) {
    if (!ctx.prompter.password) throw new InputError('stdin', { message: 'is a terminal and no value was given', fix: 'pipe the value in (e.g. ... < value.txt), or pass --from-file PATH' });
    return checkValue(await ctx.prompter.password('Secret value (not shown):'), 'the value typed');
  }
  const bytes = await ctx.readStdin();
  if (bytes.length > MAX_VALUE_BYTES + 2) throw new InputError('stdin', { message: `the secret value is over ${MAX_VALUE_BYTES} bytes`, fix: 'store a smaller value' });
  return checkValue(chompOnce(bytes.toString('utf8')), 'stdin');
}

export interface SecretNow {
  info?: SecretInfo;
  /** The stored value equals the new one. */
  same?: boolean;
}

/**
 * The secret, and whether its value is `value`. The value is read only for a secret of this stack
 * (the only kind ecsprimer may change): another's is never read, nor needs to be readable.
 */
export async function readSecret(ctx: Context, name: string, value: string | undefined): Promise<SecretNow> {
  const sm = await ctx.secrets();
  const info = await sm.describeSecret(name);
  const ours = info && !info.deletedDate && stackOf(info.tags) === ctx.stack;
  return { info, same: ours && value !== undefined ? await sm.sameValue(info.arn, value) : false };
}

const secretArnGuess = (ctx: Context, account: string, name: string) => `arn:${ctx.partition}:secretsmanager:${ctx.region}:${account}:secret:${name}-??????`;

/** Creates the secret with `value`, or gives the stack's own the value when it differs. */
export function secretStep(ctx: Context, o: { name: string; description?: string; value: string; tags?: Record<string, string> }, now: SecretNow, account: string, id = `secret:${o.name}`): Step {
  const info = now.info;
  if (!info) {
    const tags = stackTags(ctx.stack, o.tags ?? {});
    return {
      id,
      type: 'secretsmanager-secret',
      name: o.name,
      arn: secretArnGuess(ctx, account, o.name),
      action: 'create',
      calls: [{ operation: 'CreateSecret', target: `secret ${o.name}`, reason: `create it with the value given (not shown), tagged ${STACK_TAG}=${ctx.stack}`, cli: `aws secretsmanager create-secret --name ${o.name} --secret-string file://value.txt --tags Key=${STACK_TAG},Value=${ctx.stack}` }],
      reason: 'does not exist yet',
      run: async (rt) => {
        rt.record('intent', { type: 'secretsmanager-secret', name: o.name });
        const { arn } = await (await ctx.secrets()).createSecret({ name: o.name, description: o.description, value: o.value, tags });
        rt.record('created', { type: 'secretsmanager-secret', name: o.name, arn });
        return { arn };
      },
    };
  }
  const owner = stackOf(info.tags);
  if (owner !== ctx.stack) {
    return { id, type: 'secretsmanager-secret', name: o.name, arn: info.arn, action: 'none', state: 'unchanged', calls: [], reason: `exists, ${owner ? `made by stack "${owner}"` : 'not made by ecsprimer'}: left as it is (its value is not changed)` };
  }
  if (now.same && !info.deletedDate) return { id, type: 'secretsmanager-secret', name: o.name, arn: info.arn, action: 'none', state: 'unchanged', calls: [], reason: 'exists with this value' };
  // A secret of the stack a teardown scheduled for deletion is restored first (its ARN stays).
  const restore = info.deletedDate;
  return {
    id,
    type: 'secretsmanager-secret',
    name: o.name,
    arn: info.arn,
    action: 'update',
    calls: [
      ...(restore ? [{ operation: 'RestoreSecret', target: `secret ${o.name}`, reason: `cancel its deletion (scheduled by a teardown for ${restore.toISOString().slice(0, 10)})`, cli: `aws secretsmanager restore-secret --secret-id ${o.name}` }] : []),
      { operation: 'PutSecretValue', target: `secret ${o.name}`, reason: `store the ${restore ? '' : 'new '}value (not shown) as its current version`, cli: `aws secretsmanager put-secret-value --secret-id ${o.name} --secret-string file://value.txt` },
    ],
    reason: restore ? 'scheduled for deletion' : 'exists with another value',
    run: async (rt) => {
      const sm = await ctx.secrets();
      if (restore) await sm.restoreSecret(info.arn);
      await sm.putSecretValue(info.arn, o.value);
      rt.record('updated', { type: 'secretsmanager-secret', name: o.name, arn: info.arn, ...(restore ? { data: { restored: true } } : {}) });
      return { arn: info.arn, note: restore ? 'restored; new value stored' : 'new value stored' };
    },
  };
}

/** Deletes a secret: with a recovery window (it can be restored meanwhile) or at once. */
export function secretDeleteStep(ctx: Context, name: string, info: SecretInfo | undefined, how: { recoveryDays: number } | { force: true }, opts: { id?: string; dependsOn?: string[]; warnNotOurs?: boolean } = {}): Step {
  const id = opts.id ?? `secret:${name}`;
  if (!info) return absentStep({ id, type: 'secretsmanager-secret', name, reason: 'does not exist', dependsOn: opts.dependsOn });
  const force = 'force' in how;
  if (info.deletedDate && !force) return absentStep({ id, type: 'secretsmanager-secret', name, arn: info.arn, reason: `already scheduled for deletion (${info.deletedDate.toISOString().slice(0, 10)})`, dependsOn: opts.dependsOn });
  return {
    id,
    type: 'secretsmanager-secret',
    name,
    arn: info.arn,
    action: 'delete',
    calls: [
      {
        operation: 'DeleteSecret',
        target: `secret ${name}`,
        reason: force ? 'delete it at once, without a recovery window (it cannot be restored)' : `schedule its deletion in ${how.recoveryDays} days (restore-secret brings it back until then)`,
        cli: `aws secretsmanager delete-secret --secret-id ${name} ${force ? '--force-delete-without-recovery' : `--recovery-window-in-days ${how.recoveryDays}`}`,
      },
    ],
    reason: info.deletedDate ? 'scheduled for deletion' : 'exists',
    dependsOn: opts.dependsOn,
    ...(opts.warnNotOurs ? { detail: notOursNote(ctx, 'secret', info.tags) } : {}),
    run: async (rt) => {
      const deleted = await (await ctx.secrets()).deleteSecret(info.arn, how);
      rt.record('deleted', { type: 'secretsmanager-secret', name, arn: info.arn, data: force ? { forced: true } : { recoveryDays: how.recoveryDays } });
      return deleted ? { arn: info.arn, note: force ? 'deleted' : `deletion scheduled in ${how.recoveryDays} days` } : { arn: info.arn, status: 'absent', action: 'none', note: 'already gone' };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Commands

export interface SecretCreateOptions {
  name: string;
  description?: string;
  fromFile?: string;
  tag?: string[];
}

export async function runSecretCreate(o: SecretCreateOptions, ctx: Context): Promise<Report> {
  const warnings = validateSecretName(o.name, '--name');
  if (o.description !== undefined && o.description.length > 2048) throw new InputError('--description', { message: `is ${o.description.length} characters; Secrets Manager takes at most 2048`, fix: 'shorten it' });
  const tags = parseTags(o.tag);
  ctx.requireConfirmable();
  const value = await readSecretValue(ctx, o.fromFile);
  const { account, value: now, known } = await resolveState(ctx, () => readSecret(ctx, o.name, value), {} as SecretNow);
  const step = secretStep(ctx, { name: o.name, description: o.description, value, tags }, now, account);
  return executePlan(ctx, { command: ctx.command, account, warnings, steps: [known ? step : { ...step, reason: `${step.reason} (current state unknown)` }] });
}

export interface SecretDeleteOptions {
  name: string;
  recoveryDays?: string;
  forceDelete?: boolean;
}

export async function runSecretDelete(o: SecretDeleteOptions, ctx: Context): Promise<Report> {
  validateSecretName(o.name, '--name');
  if (o.forceDelete && o.recoveryDays !== undefined) throw new InputError('--force-delete', { message: 'and --recovery-days contradict each other', fix: 'give one: --recovery-days N (7–30) to keep it restorable, or --force-delete to delete it at once' });
  const how = o.forceDelete ? ({ force: true } as const) : { recoveryDays: parseRecoveryDays(o.recoveryDays) };
  ctx.requireConfirmable();
  const { account, value: info, known } = await resolveState(ctx, async () => (await ctx.secrets()).describeSecret(o.name), undefined as SecretInfo | undefined);
  if (!known) {
    return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [unknownStateStep({ id: `secret:${o.name}`, type: 'secretsmanager-secret', name: o.name, action: 'delete', calls: [{ operation: 'DeleteSecret', target: `secret ${o.name}`, reason: o.forceDelete ? 'delete it at once' : 'schedule its deletion' }] })] });
  }
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [secretDeleteStep(ctx, o.name, info, how, { warnNotOurs: true })] });
}

