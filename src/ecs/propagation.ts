/**
 * IAM is eventually consistent: for 10–30 s after a role is created (or a policy attached), ECS
 * may refuse it ("ECS was unable to assume the role ...", "Role is not valid"). RunTask,
 * CreateService and RegisterTaskDefinition go through retryWhileRolePropagates, which retries
 * exactly those answers with backoff for up to 60 s and says on stderr that it is waiting for IAM.
 *
 * Throttling and transient network errors are not handled here: the SDK retries those.
 */
import type { Context } from '../context.js';
import { AwsError, InterruptedError } from '../errors.js';
import { errorName } from '../aws/errors.js';
import { backoff, contextClock, pollOverride, type WaitClock } from './waiters.js';

/** Messages ECS gives while a new role is not usable yet. */
export const ROLE_PROPAGATION_MESSAGES: readonly RegExp[] = [
  /unable to assume (?:the )?role/i,
  /role is not valid/i,
  /invalid role/i,
  /not authorized to perform:? ?sts:AssumeRole/i,
  /cannot be assumed/i,
  /unable to assume role and validate/i,
  /does not have (?:the )?(?:proper|required|sufficient) (?:trust|permissions)[^.]*role/i,
];

const CODES = new Set(['InvalidParameterException', 'ClientException']);

/** True for an ECS refusal that means "the role is not visible to ECS yet" (raw SDK error or its AwsError translation). */
export function isRolePropagationError(e: unknown): boolean {
  const raw = e instanceof AwsError && e.cause ? e.cause : e;
  const code = e instanceof AwsError ? e.awsCode : errorName(raw);
  if (!CODES.has(code) && !CODES.has(errorName(raw))) return false;
  const message = `${(raw as Error)?.message ?? ''}`;
  return ROLE_PROPAGATION_MESSAGES.some((r) => r.test(message));
}

export interface PropagationOptions {
  /** Give up after this long (default 60 s). */
  maxWaitMs?: number;
  /** First retry delay (default 2 s, or ECSPRIMER_POLL_MS); then ×1.5, capped at 10 s. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  clock?: WaitClock;
}

export const ROLE_PROPAGATION_MAX_MS = 60_000;

/**
 * Runs `fn`; while it fails with a role-propagation error, waits and tries again, for up to
 * `maxWaitMs`. Other errors, and the last propagation error, are thrown as they are (the last one
 * with a hint). Ctrl-C while waiting throws InterruptedError (nothing was created).
 */
export async function retryWhileRolePropagates<T>(ctx: Context, operation: string, fn: () => Promise<T>, o: PropagationOptions = {}): Promise<T> {
  const clock = o.clock ?? contextClock(ctx);
  const fixed = pollOverride(ctx.env);
  const maxWait = o.maxWaitMs ?? ROLE_PROPAGATION_MAX_MS;
  const delays = backoff(o.firstDelayMs ?? fixed ?? 2_000, o.maxDelayMs ?? fixed ?? 10_000);
  const start = clock.now();
  let line: ReturnType<Context['ui']['status']> | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await fn();
        line?.done(`IAM role accepted by ECS after ${Math.round((clock.now() - start) / 1000)} s`);
        line = undefined;
        return out;
      } catch (e) {
        if (!isRolePropagationError(e)) throw e;
        const elapsed = clock.now() - start;
        const message = ((e instanceof AwsError && e.cause ? e.cause : e) as Error).message;
        if (elapsed >= maxWait) {
          const err = e instanceof AwsError ? e : new AwsError(`ecs:${operation}`, errorName(e), `${operation} failed: ${message}`, { cause: e });
          throw new AwsError(
            err.operation,
            err.awsCode,
            `${err.message} ECS still refused the role after ${Math.round(elapsed / 1000)} s of waiting for IAM to propagate it: check that the role exists, that its trust policy lets ecs-tasks.amazonaws.com assume it, and that you may pass it (iam:PassRole).`,
            { cause: err.cause ?? e },
          );
        }
        const text = `waiting for IAM to propagate the role (${operation}, attempt ${attempt}: ${message.replace(/\s+/g, ' ').slice(0, 160)}) …`;
        if (!line) line = ctx.ui.status(text);
        else line.update(text);
        const delay = Math.min(delays.next().value, maxWait - elapsed);
        const slept = ctx.interrupted ? false : await clock.sleep(Math.max(0, delay));
        if (!slept || ctx.interrupted) {
          throw new InterruptedError(`Stopped waiting for IAM to propagate the role: ${operation} was not done, so nothing was created by it.`, ctx.interrupted ?? 'SIGINT');
        }
      }
    }
  } finally {
    line?.done();
  }
}
