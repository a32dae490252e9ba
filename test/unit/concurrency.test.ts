/** Bounded concurrency (src/aws/concurrency.ts): never more than the limit running, results in order, slots handed on. */
import { describe, expect, it } from 'vitest';
import { concurrencyLimit, mapLimit } from '../../src/aws/concurrency.js';

/** A task that records how many run at once and finishes after `ms` timer turns. */
function tracker() {
  let running = 0;
  let most = 0;
  const task = async <T>(value: T, ms: number): Promise<T> => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, ms));
    running--;
    return value;
  };
  return { task, most: () => most };
}

describe('mapLimit', () => {
  it('runs at most `limit` at a time and keeps the order of the items', async () => {
    const t = tracker();
    const items = Array.from({ length: 25 }, (_, i) => i);
    const out = await mapLimit(items, 4, (i) => t.task(i * 2, (i * 7) % 5));
    expect(out).toEqual(items.map((i) => i * 2));
    expect(t.most()).toBe(4);
  });

  it('a failure rejects, and the other items still finish', async () => {
    const done: number[] = [];
    const p = mapLimit([1, 2, 3], 2, async (i) => {
      await new Promise((r) => setTimeout(r, i));
      if (i === 1) throw new Error('one failed');
      done.push(i);
      return i;
    });
    await expect(p).rejects.toThrow('one failed');
    await new Promise((r) => setTimeout(r, 10));
    expect(done.sort()).toEqual([2, 3]);
  });
});

describe('concurrencyLimit', () => {
  it('is shared by every caller: two batches together stay under one limit', async () => {
    const t = tracker();
    const run = concurrencyLimit(3);
    const a = Promise.all(Array.from({ length: 10 }, (_, i) => run(() => t.task(i, 2))));
    const b = Promise.all(Array.from({ length: 10 }, (_, i) => run(() => t.task(-i, 1))));
    await Promise.all([a, b]);
    expect(t.most()).toBe(3);
  });

  it('a failed call frees its slot', async () => {
    const run = concurrencyLimit(1);
    await expect(run(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(run(async () => 'next')).resolves.toBe('next');
  });
});
