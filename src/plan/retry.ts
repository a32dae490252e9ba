/**
 * Waiting out AWS's eventual consistency: a call refused with an answer that means "not yet" (a
 * role IAM has not propagated, ECS's service-linked role being created, a cluster whose last
 * tasks are still stopping, a detach IAM has not settled) is sent again with backoff, for a
 * bounded time, while a status line on stderr says what is being waited for. Any other answer, and
 * the last "not yet" one, is thrown (the last with what to check). Ctrl-C stops the waiting.
 *
 * Time is injectable (`clock`) so tests run without real sleeps; ECSPRIMER_POLL_MS sets a fixed
 * interval and ECSPRIMER_RETRY_MAX_MS the bound (end-to-end tests against a local server).
 */
import type { Context } from '../context.js';
import { errorName } from '../aws/errors.js';
import { AwsError, InterruptedError } from '../errors.js';

export interface WaitClock {
  now(): number;
  /** Resolves false when interrupted (Ctrl-C) before the time is up. */
  sleep(ms: number): Promise<boolean>;
}

/** The clock of a context: real time, sleeps that end early on Ctrl-C. */
export function contextClock(ctx: Context): WaitClock {
  return { now: () => Date.now(), sleep: (ms) => ctx.sleep(ms) };
}

/** ECSPRIMER_POLL_MS, when set to a positive number of milliseconds. */
export function pollOverride(env: NodeJS.ProcessEnv): number | undefined {
  const n = Number(env.ECSPRIMER_POLL_MS);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined;
}

/** Intervals: first, ×1.5 each time, capped at max. */
export function* backoff(firstMs: number, maxMs: number): Generator<number, never> {
  let d = firstMs;
  for (;;) {
    yield Math.min(d, maxMs);
    d = Math.min(maxMs, Math.ceil(d * 1.5));
  }
}

export const RETRY_MAX_MS = 60_000;

export interface RetrySpec {
  /** The call, as shown: `RunTask`, `iam:DeleteRole`. */
  operation: string;
  /** True for an answer that means "not yet". */
  transient(e: unknown): boolean;
  /** What is waited for, in the status line: "IAM to propagate the role" (or, from the answer, what it says is not ready). */
  waitingFor: string | ((e: unknown) => string);
  /** The line printed once the call went through after retries: "IAM role accepted by ECS". */
  accepted: string;
  /** Added to the last refusal, after the time waited: what to check. */
  giveUp: string;
  maxWaitMs?: number;
  /** First interval (default 2 s, or ECSPRIMER_POLL_MS); then ×1.5, capped at maxDelayMs (10 s). */
  firstDelayMs?: number;
  maxDelayMs?: number;
  clock?: WaitClock;
}

function messageOf(e: unknown): string {
  const raw = e instanceof AwsError && e.cause ? e.cause : e;
  return String((raw as Error)?.message ?? raw).replace(/\s+/g, ' ');
}

/**
 * Runs `fn`; while it fails with a transient answer, waits and runs it again, for up to
 * `maxWaitMs` (default 60 s). Ctrl-C while waiting throws InterruptedError: the call was not made.
 */
export async function retryWhile<T>(ctx: Context, spec: RetrySpec, fn: () => Promise<T>): Promise<T> {
  const clock = spec.clock ?? contextClock(ctx);
  const fixed = pollOverride(ctx.env);
  const maxWait = spec.maxWaitMs ?? (Number(ctx.env.ECSPRIMER_RETRY_MAX_MS) > 0 ? Number(ctx.env.ECSPRIMER_RETRY_MAX_MS) : RETRY_MAX_MS);
  const delays = backoff(spec.firstDelayMs ?? fixed ?? 2_000, spec.maxDelayMs ?? fixed ?? 10_000);
  const start = clock.now();
  let line: ReturnType<Context['ui']['status']> | undefined;
  let waitingFor = typeof spec.waitingFor === 'string' ? spec.waitingFor : 'AWS';
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await fn();
        line?.done(`${spec.accepted} after ${Math.round((clock.now() - start) / 1000)} s`);
        line = undefined;
        return out;
      } catch (e) {
        if (!spec.transient(e)) throw e;
        const elapsed = clock.now() - start;
        if (elapsed >= maxWait) {
          const base = e instanceof AwsError ? e : new AwsError(spec.operation, errorName(e), `${spec.operation} failed: ${messageOf(e)}`, { cause: e });
          throw new AwsError(base.operation, base.awsCode, `${base.message} ${spec.giveUp.replace('{waited}', `${Math.round(elapsed / 1000)} s`)}`, { cause: base.cause ?? e });
        }
        waitingFor = typeof spec.waitingFor === 'string' ? spec.waitingFor : spec.waitingFor(e);
        const text = `waiting for ${waitingFor} (${spec.operation}, attempt ${attempt}: ${messageOf(e).slice(0, 160)}) …`;
        if (!line) line = ctx.ui.status(text);
        else line.update(text);
        const delay = Math.min(delays.next().value, maxWait - elapsed);
        const slept = ctx.interrupted ? false : await clock.sleep(Math.max(0, delay));
        if (!slept || ctx.interrupted) {
          throw new InterruptedError(`Stopped waiting for ${waitingFor}: ${spec.operation} was not done.`, ctx.interrupted ?? 'SIGINT');
        }
      }
    }
  } finally {
    line?.done();
  }
}
