/**
 * Runs ecsprimer in-process for unit tests: `cli(argv)` drives `main(argv, { io, env, prompter })`
 * with in-memory stdout/stderr, a `tty` flag for stdin, a fake prompter with scripted answers,
 * and fresh HOME and state directories per test (`useCliEnv()`). Knows nothing of how AWS is
 * faked: see iam-fake.ts (aws-sdk-client-mock) and iam-verbose.test.ts (an HTTP handler stub).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, vi } from 'vitest';
import { fillPlaceholders } from '../../src/input/placeholders.js';
import type { JsonValue } from '../../src/input/json.js';
import { Context, type GlobalOptions } from '../../src/context.js';
import { fakePrompter, type Prompter } from '../../src/io/prompter.js';
import { main } from '../../src/main.js';
import { Journal, journalPath, type JournalEvent, type JournalRecord, type ResourceType } from '../../src/state/journal.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const STACK_TAG = 'ecsprimer:stack';
/** The secret parts of the test credentials: no output may ever contain them. */
export const SECRET_ACCESS_KEY = 'tEsT-sEcReT-kEy-do-not-print';
export const SESSION_TOKEN = 'tEsT-sEsSiOn-ToKeN-do-not-print';

const REPO = new URL('../../', import.meta.url).pathname;

export interface TestDirs {
  stateDir: string;
  home: string;
}

let dirs: TestDirs | undefined;

/** HOME and ECSPRIMER_STATE_DIR of the running test. */
export function testDirs(): TestDirs {
  if (!dirs) throw new Error('useCliEnv() (or useIamMocks()) was not called in this file');
  return dirs;
}

/**
 * Registers a beforeEach that gives each test fresh HOME and state directories and the test
 * credentials. The SDK reads credentials from process.env, not from the env main() is given, so
 * they are stubbed there too, and anything of the developer's (profile, session token, endpoint,
 * web identity, container credentials) is removed: nothing can leave the machine or pick up real keys.
 */
export function useCliEnv(): void {
  beforeEach(() => {
    dirs = { home: mkdtempSync(join(tmpdir(), 'ecsprimer-unit-home-')), stateDir: mkdtempSync(join(tmpdir(), 'ecsprimer-unit-state-')) };
    for (const [k, v] of Object.entries(baseEnv())) vi.stubEnv(k, v);
    for (const k of DEVELOPER_VARS) vi.stubEnv(k, undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    if (dirs) {
      rmSync(dirs.home, { recursive: true, force: true });
      rmSync(dirs.stateDir, { recursive: true, force: true });
    }
    dirs = undefined;
  });
}

const DEVELOPER_VARS = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_IAM',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'XDG_STATE_HOME',
  'NO_COLOR',
];

function baseEnv(): Record<string, string> {
  const { home, stateDir } = testDirs();
  return {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ECSPRIMER_STATE_DIR: stateDir,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-such-aws-credentials'),
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The questions the fake prompter was asked, in order. */
  prompts: string[];
  /** Answers given to cli() that no question used. */
  unusedAnswers: boolean[];
  /** stdout parsed as exactly one JSON document (throws otherwise). */
  json(): Record<string, any>;
}

/** A row of a confirmation table: stdin a TTY or not, the flags, the answers, the exit code. */
export interface ConfirmRow {
  case: string;
  tty: boolean;
  flags: string[];
  answers: boolean[];
  exit: number;
}

export interface CliOptions {
  /** Is stdin a terminal? (the `tty` column of the tables) */
  tty?: boolean;
  /** Answers of the fake prompter, in order; an unexpected question fails the run. */
  answers?: boolean[];
  /** Extra or overriding environment variables (also stubbed into process.env for the SDK); undefined removes one. */
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** A prompter of the test's own (instead of the fake one answering `answers`). */
  prompter?: Prompter;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        cb();
      },
    }),
    text: () => chunks.join(''),
  };
}

/** Runs `ecsprimer <argv>` in-process through main(), as the binary would. */
export async function cli(argv: string[], o: CliOptions = {}): Promise<CliRun> {
  const out = collector();
  const err = collector();
  const answers = [...(o.answers ?? [])];
  const fake = fakePrompter(answers);
  const runEnv: NodeJS.ProcessEnv = { ...baseEnv(), ...(o.env ?? {}) };
  for (const [k, v] of Object.entries(o.env ?? {})) {
    vi.stubEnv(k, v);
    if (v === undefined) delete runEnv[k];
  }
  const code = await main(argv, {
    io: { stdout: out.stream, stderr: err.stream, stdinIsTTY: o.tty ?? false, readStdin: async () => Buffer.from(o.stdin ?? '') },
    env: runEnv,
    cwd: REPO,
    prompter: o.prompter ?? fake,
  });
  const stdout = out.text();
  return {
    code,
    stdout,
    stderr: err.text(),
    prompts: fake.asked,
    unusedAnswers: answers,
    json: () => JSON.parse(stdout) as Record<string, any>,
  };
}

/**
 * A Context as main() would build it, for calling a `runX(ctx, options)` directly
 * (e.g. to interrupt it mid-apply, which main() only does on a real signal).
 */
export function testContext(opts: Partial<GlobalOptions> = {}, o: { tty?: boolean; answers?: boolean[] } = {}): { ctx: Context; stdout: () => string; stderr: () => string } {
  const out = collector();
  const err = collector();
  const global: GlobalOptions = { stack: 'ecsprimer', yes: false, dryRun: false, output: 'text', verbose: false, color: false, allowInsecureEndpoint: false, ...opts };
  const io = { stdout: out.stream, stderr: err.stream, stdinIsTTY: o.tty ?? false, readStdin: async () => Buffer.from('') };
  const ctx = new Context(global, io, fakePrompter([...(o.answers ?? [])]), baseEnv(), REPO);
  return { ctx, stdout: out.text, stderr: err.text };
}

// ---------------------------------------------------------------------------------------------
// Names, documents and the journal

export const stackPath = (stack = 'ecsprimer') => `/ecsprimer/${stack}/`;
export const stackPolicyArn = (name: string, stack = 'ecsprimer') => `arn:aws:iam::${ACCOUNT}:policy${stackPath(stack)}${name}`;
export const stackRoleArn = (name: string, stack = 'ecsprimer') => `arn:aws:iam::${ACCOUNT}:role${stackPath(stack)}${name}`;
/** The tags of a role or policy the stack made in the test region. */
export const stackTags = (stack = 'ecsprimer') => ({ [STACK_TAG]: stack, 'ecsprimer:regions': REGION });

/** A shipped default document (json/NAME) with its placeholders filled as the CLI fills them. */
export function defaultDocument(file: 'policy.json' | 'trust-policy.json', stack = 'ecsprimer'): JsonValue {
  const raw = JSON.parse(readFileSync(join(REPO, 'json', file), 'utf8')) as JsonValue;
  return fillPlaceholders(raw, { accountId: ACCOUNT, region: REGION, stack });
}

export function journalFile(stack = 'ecsprimer'): string {
  return journalPath(testDirs().stateDir, ACCOUNT, REGION, stack);
}

/** The journal's records ([] when there is no journal). */
export function journal(stack = 'ecsprimer'): JournalRecord[] {
  return new Journal(journalFile(stack), 'test').read();
}

/** `event type name` of each journal record, for compact assertions. */
export function journalEvents(stack = 'ecsprimer'): string[] {
  return journal(stack).map((r) => `${r.event} ${r.type} ${r.name}`);
}

export function journalMode(stack = 'ecsprimer'): number {
  return statSync(journalFile(stack)).mode & 0o777;
}

/** Writes journal lines as an earlier run would have. */
export function seedJournal(records: Array<{ event: JournalEvent; type: ResourceType; name: string; arn?: string; parent?: string }>, stack = 'ecsprimer'): void {
  const j = new Journal(journalFile(stack), 'earlier run');
  for (const r of records) j.append(r);
}
