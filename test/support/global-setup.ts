/**
 * vitest globalSetup: one moto server for the whole run, shared by every test file.
 *
 * Tests read its URL with `inject('motoUrl')` (see e2e.ts), or from
 * `process.env.ECSPRIMER_TEST_MOTO_URL` (workers are started after this runs and inherit it).
 * The URL is null when moto is not installed; e2e suites are then skipped, visibly — except in CI,
 * where a missing moto fails the run instead of silently skipping the end-to-end tests.
 *
 * It also creates one temp directory for the run, ECSPRIMER_TEST_TMPDIR, under which cli.ts puts
 * the HOME and state directories of each CLI run; teardown removes it.
 *
 * The server is shared by test files running in parallel: e2e tests use unique names and must not
 * call its /moto-api/reset (files that need a clean slate start their own with startMoto()).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { motoAvailable, startMoto, type MotoServer } from './moto.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the shared moto server, or null when moto is not installed. */
    motoUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // One temp root for the run (HOME and state dirs of runCli, see cli.ts), removed on teardown.
  const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'ecsprimer-test-run-'));
  process.env.ECSPRIMER_TEST_TMPDIR = tmpRoot;
  const removeTmpRoot = () => {
    delete process.env.ECSPRIMER_TEST_TMPDIR;
    rmSync(tmpRoot, { recursive: true, force: true });
  };

  if (!(await motoAvailable())) {
    if (process.env.CI) {
      removeTmpRoot();
      throw new Error(
        "moto not found, and CI is set: end-to-end tests must run in CI. pip install 'moto[server]'",
      );
    }
    process.stderr.write(
      "\n\u26a0 moto not found: end-to-end tests are skipped; pip install 'moto[server]'\n\n",
    );
    project.provide('motoUrl', null);
    delete process.env.ECSPRIMER_TEST_MOTO_URL;
    return async () => removeTmpRoot();
  }

  let moto: MotoServer;
  try {
    moto = await startMoto();
  } catch (err) {
    removeTmpRoot();
    throw err;
  }
  project.provide('motoUrl', moto.url);
  process.env.ECSPRIMER_TEST_MOTO_URL = moto.url;
  return async () => {
    delete process.env.ECSPRIMER_TEST_MOTO_URL;
    await moto.stop();
    removeTmpRoot();
  };
}
