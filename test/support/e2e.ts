/**
 * Helpers for end-to-end test files: the shared moto server's URL (started by global-setup.ts),
 * and a `describe` that is skipped — and reported as skipped — when moto is not installed.
 *
 *   import { describeE2E, requireMotoUrl } from '../support/e2e.js';
 *   describeE2E('deploy', () => {
 *     const endpoint = requireMotoUrl();
 *     it('...', async () => { ... });
 *   });
 */
import { describe, inject } from 'vitest';

/** The shared moto server's URL, or null when moto is not installed (tests should then skip). */
export function motoUrlOrSkip(): string | null {
  let provided: string | null | undefined;
  try {
    provided = inject('motoUrl');
  } catch {
    // not inside a vitest worker (e.g. imported from a script): fall back to the environment
  }
  return provided ?? (process.env.ECSPRIMER_TEST_MOTO_URL || null);
}

/** The shared moto server's URL; throws when there is none. Use inside `describeE2E`. */
export function requireMotoUrl(): string {
  const url = motoUrlOrSkip();
  if (!url) throw new Error('no moto server for this run (describeE2E should have skipped this suite)');
  return url;
}

/** True when end-to-end tests can run. */
export function e2eAvailable(): boolean {
  return motoUrlOrSkip() !== null;
}

/** `describe`, skipped (visibly, as skipped tests in the report) when moto is not installed. */
export function describeE2E(name: string, fn: () => void): void {
  describe.skipIf(!e2eAvailable())(name, fn);
}
