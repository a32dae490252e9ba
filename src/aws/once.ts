/**
 * At-most-once creates. CreatePolicyVersion and RegisterTaskDefinition have no idempotency token:
 * if the SDK retried one whose answer was lost (connection dropped, 5xx, timeout), AWS could apply
 * it twice — a second policy version, a second task-definition revision. So these are sent with a
 * client that does not retry, and here, after an ambiguous failure, `applied()` first reads the
 * state to find the result of the lost attempt; only if there is none is the call sent again.
 * Throttling answers are retried directly: AWS did not process those requests.
 */
import { errorName } from './errors.js';

const THROTTLES = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled', 'SlowDown']);
const NETWORK = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|TimeoutError|timed? ?out/i;

interface SdkError {
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
  code?: string;
  message?: string;
}

export function isThrottle(e: unknown): boolean {
  return THROTTLES.has(errorName(e));
}

/** The request may or may not have been applied. */
export function isAmbiguous(e: unknown): boolean {
  const err = e as SdkError;
  const status = err?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (err?.$fault === 'server') return true;
  return NETWORK.test(`${err?.code ?? ''} ${errorName(e)} ${err?.message ?? ''}`);
}

export interface SendOnceOptions<T> {
  attempts: number;
  send: () => Promise<T>;
  /** After an ambiguous failure: the result of the lost attempt, if it was applied. */
  applied: () => Promise<T | undefined>;
  sleep?: (ms: number) => Promise<unknown>;
}

export async function sendOnce<T>(o: SendOnceOptions<T>): Promise<T> {
  const sleep = o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let last: unknown;
  for (let attempt = 1; attempt <= Math.max(1, o.attempts); attempt++) {
    try {
      return await o.send();
    } catch (e) {
      last = e;
      const throttled = isThrottle(e);
      if (!throttled && !isAmbiguous(e)) throw e;
      if (!throttled) {
        const found = await o.applied();
        if (found !== undefined) return found;
      }
      if (attempt < o.attempts) await sleep(Math.min(20_000, (throttled ? 500 : 100) * 2 ** (attempt - 1) * (0.5 + Math.random())));
    }
  }
  throw last;
}
