/**
 * Run the built CLI (bin/ecsprimer.cjs, produced by `npm run build`) as a child process, the way a
 * user or a shell script would, with an environment built from scratch so that nothing of the
 * developer's machine (credentials, ~/.aws, AWS_PROFILE, NO_COLOR, ...) leaks in, and nothing can
 * leave the machine (no instance-metadata lookups).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** Repository root: this file lives in <root>/test/support/. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_BIN = path.join(REPO_ROOT, 'bin', 'ecsprimer.cjs');

export interface CliOptions {
  /** Overrides of the clean environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. stdin is always a pipe, never a TTY. */
  input?: string;
  /** Kill the CLI (SIGKILL) after this long (default 60 s); the result then has `timedOut`. */
  timeoutMs?: number;
  cwd?: string;
}

export interface SpawnCliOptions extends CliOptions {
  /** Leave stdin open after `input` (write more with `child.stdin`); default false. */
  keepStdinOpen?: boolean;
}

export interface CliResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when runCli/spawnCli killed the process on `timeoutMs`. */
  timedOut: boolean;
}

const tempDirs: string[] = [];
let cleanupInstalled = false;

/**
 * Where temp dirs go. Under vitest, global-setup.ts creates a directory for the run, exports it as
 * ECSPRIMER_TEST_TMPDIR and removes it on teardown: vitest may end its workers without running
 * their 'exit' handlers, so the hook below alone would leak directories. Outside vitest (the
 * benchmark), the 'exit' hook cleans up.
 */
function tempRoot(): string {
  const root = process.env.ECSPRIMER_TEST_TMPDIR;
  return root && existsSync(root) ? root : os.tmpdir();
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tempRoot(), prefix));
  tempDirs.push(dir);
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.on('exit', () => {
      for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/** A fresh, empty directory for ECSPRIMER_STATE_DIR (removed when the test process exits). */
export function makeStateDir(): string {
  return tempDir('ecsprimer-state-');
}

/**
 * The environment the CLI runs with: only what is listed here, then `overrides`.
 * HOME is a fresh empty directory and the AWS config/credentials files point to files that do not
 * exist, so the SDK finds no profile; AWS_EC2_METADATA_DISABLED keeps it off the metadata service.
 */
export function cliEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const home = tempDir('ecsprimer-home-');
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(home, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-such-aws-credentials'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NO_COLOR: '1',
    ECSPRIMER_STATE_DIR: 'ECSPRIMER_STATE_DIR' in overrides ? undefined : makeStateDir(),
    // One compile cache for the whole run (src/cli/compile-cache.ts), as a machine has one: each
    // run's fresh HOME would otherwise make every CLI process compile everything and write it.
    ECSPRIMER_CACHE_DIR: path.join(tempRoot(), 'ecsprimer-compile-cache'),
    ...overrides,
  };
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) clean[key] = value;
  return clean;
}

export interface SpawnedCli {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** The environment the CLI was started with (its ECSPRIMER_STATE_DIR, HOME, ...). */
  env: Record<string, string>;
  /** Output so far (grows while the process runs). */
  stdoutSoFar(): string;
  stderrSoFar(): string;
  /** Resolves when `pattern` appears in the output (stdout and stderr by default); rejects if the process ends first. */
  waitForOutput(pattern: string | RegExp, opts?: { stream?: 'stdout' | 'stderr' | 'both'; timeoutMs?: number }): Promise<void>;
  /** Resolves once the process has exited and its output is complete. */
  result: Promise<CliResult>;
}

/**
 * Starts the CLI and returns at once: for tests that interact with it while it runs (signals
 * mid-operation: `spawned.child.kill('SIGINT')`, then `await spawned.result`).
 */
export function spawnCli(args: string[], opts: SpawnCliOptions = {}): SpawnedCli {
  if (!existsSync(CLI_BIN)) {
    throw new Error(`${CLI_BIN} does not exist: run \`npm run build\` first`);
  }
  const env = cliEnv(opts.env);
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });

  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    notify();
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    notify();
  });

  // The CLI may exit without reading stdin; writing to it then fails with EPIPE, which is fine.
  child.stdin.on('error', () => {});
  if (opts.input !== undefined) child.stdin.write(opts.input);
  if (!opts.keepStdinOpen) child.stdin.end();

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 60_000);

  let finished = false;
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      finished = true;
      notify();
      reject(err);
    });
    // 'close' (not 'exit'): fires once the process has exited AND its stdio streams are drained.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      finished = true;
      notify();
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  // Callers that only use waitForOutput must not get an unhandled rejection from `result`.
  result.catch(() => {});

  const waitForOutput: SpawnedCli['waitForOutput'] = (pattern, waitOpts = {}) => {
    const stream = waitOpts.stream ?? 'both';
    const text = () => (stream === 'stdout' ? stdout : stream === 'stderr' ? stderr : `${stdout}\n${stderr}`);
    const found = () => {
      if (typeof pattern === 'string') return text().includes(pattern);
      pattern.lastIndex = 0; // a /g or /y pattern keeps state between calls
      return pattern.test(text());
    };
    return new Promise<void>((resolve, reject) => {
      let waitTimer: NodeJS.Timeout | undefined;
      const check = () => {
        if (found()) {
          done();
          resolve();
        } else if (finished) {
          done();
          reject(new Error(`CLI ended before printing ${String(pattern)}.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }
      };
      const done = () => {
        listeners.delete(check);
        if (waitTimer) clearTimeout(waitTimer);
      };
      listeners.add(check);
      waitTimer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${String(pattern)}.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }, waitOpts.timeoutMs ?? 30_000);
      check();
    });
  };

  return {
    child,
    env,
    stdoutSoFar: () => stdout,
    stderrSoFar: () => stderr,
    waitForOutput,
    result,
  };
}

/** Runs the CLI to completion and returns its exit status and output. */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, opts).result;
}
