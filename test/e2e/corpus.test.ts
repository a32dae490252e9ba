/**
 * The bad-input corpus (issue 6, item 3): every case of test/fixtures/bad-input/cases.json runs
 * through the BUILT binary, against a fault-injecting proxy in front of moto, and must
 *   - exit 2 (or the code the case names: a few positive cases prove what is accepted),
 *   - print exactly one short `error: ` message on stderr that names the source and the position
 *     (line, column) or the field, and nothing on stdout,
 *   - print no stack trace,
 *   - and send nothing: the proxy saw zero requests (positive --dry-run cases: reads only).
 * Cases marked `json` run a second time with `-o json`: stdout is then exactly one JSON object
 * with ok=false and the same message.
 */
import { chmodSync, closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { REPO_ROOT, runCli, type CliResult } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';
import { startProxy, type Proxy } from '../support/proxy.js';
import { changingOperations, uniqueStack } from '../support/stack-state.js';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'bad-input');

interface CorpusCase {
  id: string;
  about?: string;
  args: string[];
  /** Expected in the message: where the input came from (file, option, inline, stdin). */
  source?: string;
  /** Expected in the message: `line L, column C` and/or the JSON path of the field. */
  where?: string;
  /** Expected in the message: what is wrong. */
  text?: string;
  code?: number;
  json?: boolean;
  stdin?: string;
  /** false: do not append --stack (the case sets its own). */
  stack?: boolean;
  /** false: do not append --yes. */
  yes?: boolean;
  /** false: do not append --endpoint-url (the case gives its own, invalid one). */
  endpoint?: boolean;
  /** 'reads': Describe/List/Get requests are allowed (positive --dry-run cases). */
  requests?: 'none' | 'reads';
  maxLines?: number;
}

/** Every command of the program, as the words that name it ("iam policy create"). */
const COMMANDS = (() => {
  const names = new Set<string>();
  const walk = (cmd: Command, path: string[]) => {
    for (const c of cmd.commands) {
      names.add([...path, c.name()].join(' '));
      walk(c, [...path, c.name()]);
    }
  };
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  walk(buildProgram({ io: { stdout: sink, stderr: sink, stdinIsTTY: false, readStdin: async () => Buffer.alloc(0) }, env: {}, cwd: REPO_ROOT, onExit: () => {} }), []);
  return names;
})();

/** The command a case runs: the longest run of its leading words that names a command. */
function commandOf(args: string[]): string {
  const words = args.filter((a) => !a.startsWith('-'));
  for (let n = words.length; n > 0; n--) if (COMMANDS.has(words.slice(0, n).join(' '))) return words.slice(0, n).join(' ');
  return '';
}

const manifest = JSON.parse(readFileSync(path.join(FIXTURES, 'cases.json'), 'utf8')) as { cases: CorpusCase[] };
const CASES = manifest.cases;

/**
 * A file that cannot be read. chmod 000 does not stop root, and these tests often run as root:
 * then a write-only sysctl is used (procfs checks its mode even for root: open gives EACCES).
 */
function unreadableFile(): { path: string } | { skip: string } {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    const file = path.join(process.env.ECSPRIMER_TEST_TMPDIR ?? os.tmpdir(), `unreadable-${process.pid}.json`);
    writeFileSync(file, '{"Version": "2012-10-17", "Statement": []}');
    chmodSync(file, 0o000);
    return { path: file };
  }
  for (const candidate of ['/proc/sys/vm/drop_caches', '/proc/sys/vm/compact_memory']) {
    try {
      closeSync(openSync(candidate, 'r'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES') return { path: candidate };
    }
  }
  return { skip: 'running as root and no write-only procfs file exists here: no file is unreadable for root' };
}

/** A file that opens but whose read fails: /proc/self/mem at offset 0 (unmapped) gives EIO. */
function readErrorFile(): { path: string } | { skip: string } {
  if (process.platform !== 'linux') return { skip: '/proc/self/mem is Linux only' };
  return { path: '/proc/self/mem' };
}

const unreadable = unreadableFile();
const badproc = readErrorFile();

function substitute(s: string): string {
  return s
    .replaceAll('{cwd}', FIXTURES)
    .replaceAll('{unreadable}', 'path' in unreadable ? unreadable.path : '')
    .replaceAll('{badproc}', 'path' in badproc ? badproc.path : '');
}

function skipReason(c: CorpusCase): string | undefined {
  const all = JSON.stringify(c);
  if (all.includes('{unreadable}') && 'skip' in unreadable) return unreadable.skip;
  if (all.includes('{badproc}') && 'skip' in badproc) return badproc.skip;
  return undefined;
}

const STACK_TRACE = /^\s+at\s/m;

function expectOneShortMessage(c: CorpusCase, r: CliResult): string {
  const lines = r.stderr.trimEnd().split('\n');
  const errorLines = lines.filter((l) => l.startsWith('error: '));
  expect(errorLines, `one "error: " line in:\n${r.stderr}`).toHaveLength(1);
  expect(lines.length, `at most ${c.maxLines ?? 2} lines:\n${r.stderr}`).toBeLessThanOrEqual(c.maxLines ?? 2);
  expect(r.stderr.length, `a short message:\n${r.stderr}`).toBeLessThan(800);
  expect(r.stderr).not.toMatch(STACK_TRACE);
  expect(r.stderr).not.toMatch(/internal error|this is a bug/);
  const message = r.stderr.slice(r.stderr.indexOf('error: ') + 'error: '.length);
  for (const part of [c.source, c.where, c.text]) if (part) expect(message).toContain(substitute(part));
  return message;
}

describeE2E('bad-input corpus (built binary, fault proxy in front of moto)', () => {
  let motoUrl: string;
  const proxies: Proxy[] = [];
  beforeAll(() => {
    motoUrl = requireMotoUrl();
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
  });

  it('has at least 40 refusals, with unique ids', () => {
    expect(CASES.filter((c) => (c.code ?? 2) === 2).length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
  });

  async function run(c: CorpusCase, extra: string[] = []): Promise<{ r: CliResult; proxy: Proxy }> {
    // A proxy per case, so its counts are this case's alone (cases run concurrently).
    const proxy = await startProxy({ target: motoUrl });
    proxies.push(proxy);
    const args = c.args.map(substitute);
    if (c.stack !== false) args.push('--stack', uniqueStack('corpus'));
    if (c.endpoint !== false) args.push('--endpoint-url', proxy.url);
    if (c.yes !== false) args.push('--yes');
    const input = c.stdin ? readFileSync(path.join(FIXTURES, c.stdin), 'utf8') : undefined;
    const r = await runCli([...args, ...extra], { cwd: FIXTURES, input, timeoutMs: 30_000 });
    return { r, proxy };
  }

  function expectNothingSent(c: CorpusCase, proxy: Proxy): void {
    const counts = proxy.counts();
    expect(changingOperations(counts), 'no changing request reached the proxy').toEqual({});
    if ((c.requests ?? 'none') === 'none') expect(counts.byOperation, 'no request at all reached the proxy').toEqual({});
  }

  describe.concurrent('cases', () => {
    for (const c of CASES) {
      const reason = skipReason(c);
      const title = `${c.id}${c.about ? ` (${c.about})` : ''}`;
      // Only a case this machine cannot produce honestly is skipped, visibly, with its reason.
      it.skipIf(Boolean(reason))(reason ? `${title} — skipped: ${reason}` : title, async () => {
        const { r, proxy } = await run(c);
        expect(r.timedOut).toBe(false);
        expect(r.code, `exit code; stderr:\n${r.stderr}`).toBe(c.code ?? 2);
        expectNothingSent(c, proxy);
        expect(r.stdout + r.stderr).not.toMatch(STACK_TRACE);
        if ((c.code ?? 2) !== 2) return;
        expect(r.stdout).toBe('');
        const message = expectOneShortMessage(c, r);

        if (!c.json) return;
        const j = await run(c, ['-o', 'json']);
        expect(j.r.code).toBe(2);
        expectNothingSent(c, j.proxy);
        expect(j.r.stderr).not.toMatch(STACK_TRACE);
        const out = JSON.parse(j.r.stdout) as { ok: boolean; command: string; dryRun: boolean; changes: unknown[]; error: { code: string; message: string } };
        expect(out).toMatchObject({ ok: false, dryRun: false, changes: [] });
        expect(out.command).toBe(commandOf(c.args));
        expect(typeof out.error.code).toBe('string');
        for (const part of [c.source, c.where, c.text]) if (part) expect(out.error.message).toContain(substitute(part));
        // The same message as in text mode (Commander's own adds its hint line there).
        expect(message.split('\n')[0]).toContain(out.error.message.split('\n')[0]);
      });
    }
  });
});
