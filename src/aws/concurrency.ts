/**
 * Bounded concurrency for AWS calls: a stack of hundreds of resources read all at once would be
 * throttled by its own requests (ECS and IAM rate-limit per account and region), so per-resource
 * reads and writes run a few at a time.
 */

/** Per-resource reads (DescribeTaskDefinition, GetRole and the like) at most this many at a time. */
export const DESCRIBE_CONCURRENCY = 10;

/** Runs `fn` over `items`, at most `limit` at a time; results in the order of `items`. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const run = concurrencyLimit(limit);
  return Promise.all(items.map((item) => run(() => fn(item))));
}

/**
 * A limiter shared by several callers: `run(fn)` starts `fn` once fewer than `limit` are running
 * (a finished call hands its slot to the next one waiting, first come first served).
 */
export function concurrencyLimit(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active < limit) active++;
    else await new Promise<void>((resume) => waiting.push(resume));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
