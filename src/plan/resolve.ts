/**
 * The resolve phase: the account (for the journal and ARNs) and the reads a plan needs. In a dry
 * run without AWS access (no credentials, no region, endpoint down) a failed read becomes one
 * warning and the plan is built from an assumption, so --dry-run always shows a plan.
 */
import type { Context } from '../context.js';
import { UNKNOWN_ACCOUNT } from '../context.js';
import { InputError } from '../errors.js';
import type { TrackedResource } from '../state/journal.js';

export interface Resolved<T> {
  account: string;
  value: T;
  /** False in a dry run whose reads failed: `value` is the assumption. */
  known: boolean;
}

function dryRunWarning(ctx: Context, e: unknown, then: string): void {
  ctx.ui.warn(`dry run: could not read the current state (${String((e as Error)?.message ?? e).split('. ')[0]}); ${then}.`);
}

/** The account and `read()`, concurrently (the read must not need the account): one round trip. */
export async function resolveState<T>(ctx: Context, read: () => Promise<T>, assume: T): Promise<Resolved<T>> {
  if (ctx.offline) return { account: UNKNOWN_ACCOUNT, value: assume, known: false };
  const [account, r] = await Promise.all([
    ctx.accountOrPlaceholder(),
    read().then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e }),
    ),
  ]);
  if (r.ok) return { account, value: r.v, known: true };
  if (!ctx.opts.dryRun || r.e instanceof InputError) throw r.e;
  dryRunWarning(ctx, r.e, 'planning without it');
  return { account, value: assume, known: false };
}

/** The account and what the journal tracks; in a dry run without credentials, `<account-id>` and nothing. */
export async function accountAndJournal(ctx: Context): Promise<{ account: string; resources: TrackedResource[]; canRead: boolean }> {
  const account = await ctx.accountOrPlaceholder();
  if (account === UNKNOWN_ACCOUNT) return { account, resources: [], canRead: false };
  return { account, resources: (await ctx.journal()).resources(), canRead: true };
}

/** A read that needs the account; in a dry run a failure becomes a warning and `assume`. */
export async function readOrAssume<T>(ctx: Context, canRead: boolean, read: () => Promise<T>, assume: T): Promise<T> {
  if (!canRead) return assume;
  try {
    return await read();
  } catch (e) {
    if (!ctx.opts.dryRun) throw e;
    dryRunWarning(ctx, e, 'planning as if nothing exists');
    return assume;
  }
}
