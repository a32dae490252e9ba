/**
 * vitest globalSetup: one moto server for the whole run, shared by every test file.
 *
 * Tests read its URL with `inject('motoUrl')` (see e2e.ts), or from
 * `process.env.ECSPRIMER_TEST_MOTO_URL` (workers are started after this runs and inherit it).
 * The URL is null when moto is not installed; e2e suites are then skipped, visibly — except in CI,
 * where a missing moto fails the run instead of silently skipping the end-to-end tests.
 *
 * The server is shared by test files running in parallel: e2e tests use unique names and must not
 * call its /moto-api/reset (files that need a clean slate start their own with startMoto()).
 */
import type { TestProject } from 'vitest/node';
import { motoAvailable, startMoto } from './moto.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the shared moto server, or null when moto is not installed. */
    motoUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!(await motoAvailable())) {
    if (process.env.CI) {
      throw new Error(
        "moto not found, and CI is set: end-to-end tests must run in CI. pip install 'moto[server]'",
      );
    }
    process.stderr.write(
      "\n\u26a0 moto not found: end-to-end tests are skipped; pip install 'moto[server]'\n\n",
    );
    project.provide('motoUrl', null);
    delete process.env.ECSPRIMER_TEST_MOTO_URL;
    return undefined;
  }

  const moto = await startMoto();
  project.provide('motoUrl', moto.url);
  process.env.ECSPRIMER_TEST_MOTO_URL = moto.url;
  return async () => {
    delete process.env.ECSPRIMER_TEST_MOTO_URL;
    await moto.stop();
  };
}
