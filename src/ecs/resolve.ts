/**
 * The resolve phase of the ECS commands: the account (for the journal and ARNs) and the reads a
 * plan needs, concurrently, so the critical path is one round trip. In a dry run without AWS
 * access (no credentials, endpoint down) a failed read becomes one warning and the plan is built
 * from `assume`, as for the IAM commands.
 */
import type { Context } from '../context.js';
import { UNKNOWN_ACCOUNT } from '../context.js';
import { InputError } from '../errors.js';
import { partitionOf } from '../commands/common.js';
import { validateLaunchOptions } from '../input/ecs-validate.js';

export interface Resolved<T> {
  account: string;
  value: T;
  /** False in a dry run whose reads failed: `value` is the assumption. */
  known: boolean;
}

export async function resolveState<T>(ctx: Context, read: () => Promise<T>, assume: T): Promise<Resolved<T>> {
  const [account, r] = await Promise.all([
    ctx.accountOrPlaceholder(),
    read().then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e }),
    ),
  ]);
  if (r.ok) return { account, value: r.v, known: true };
  if (!ctx.opts.dryRun || r.e instanceof InputError) throw r.e;
  ctx.ui.warn(`dry run: could not read the current state (${String((r.e as Error)?.message ?? r.e).split('. ')[0]}); planning without it.`);
  return { account, value: assume, known: false };
}

/** An ECS ARN for plans (the real one replaces it once AWS answers). */
export function ecsArn(ctx: Context, account: string, resource: string): string {
  return `arn:${partitionOf(ctx.region)}:ecs:${ctx.region}:${account === UNKNOWN_ACCOUNT ? UNKNOWN_ACCOUNT : account}:${resource}`;
}

/** --wait-timeout SECONDS (1–86400) in milliseconds; undefined when not given. */
export function parseWaitTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const r = validateLaunchOptions({ command: 'run', waitTimeout: value });
  return r.waitTimeoutSeconds === undefined ? undefined : r.waitTimeoutSeconds * 1000;
}
