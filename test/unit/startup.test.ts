/**
 * Start-up of the built CLI: help, version and usage errors are answered by dist/ecsprimer.cjs
 * (Commander and the command registrations, after dist/boot.cjs, the compile cache) without
 * loading any command module (dist/lib/), AWS
 * SDK, prompt or colour code; the built CLI answers exactly as the program run from the sources;
 * and a command loads only the SDK clients it needs. No timing here (see bench/).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import type { IoStreams } from '../../src/context.js';
import { main } from '../../src/main.js';
import { CLI_BIN, REPO_ROOT, cliEnv } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';

function memoryIo(): { io: IoStreams; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        add(String(chunk));
        cb();
      },
    });
  const io: IoStreams = {
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    stdinIsTTY: false,
    readStdin: async () => Buffer.alloc(0),
  };
  return { io, out: () => out, err: () => err };
}

/** Every command path of the tree, e.g. [], ['iam'], ['iam', 'policy', 'create']. */
function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return [prefix, ...cmd.commands.flatMap((c) => commandPaths(c, [...prefix, c.name()]))];
}

const PATHS = commandPaths(buildProgram({ io: memoryIo().io, env: {}, cwd: REPO_ROOT, onExit: () => {} })).filter((p) => p.length > 0);

interface Loaded {
  /** Files loaded, as ES modules or CommonJS. */
  files: string[];
  /** Node built-in modules loaded (from process.moduleLoadList). */
  builtins: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

let hookDir: string;
let preload: string;

beforeAll(() => {
  hookDir = mkdtempSync(path.join(os.tmpdir(), 'ecsprimer-load-hook-'));
  // Loader hooks (their own thread) append every ES module URL they load; the preload records
  // CommonJS requires and the built-ins, and writes them at exit.
  writeFileSync(
    path.join(hookDir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function load(url, context, next) { appendFileSync(out, 'esm ' + url + '\\n'); return next(url, context); }
`,
  );
  preload = path.join(hookDir, 'preload.mjs');
  writeFileSync(
    preload,
    `import { register, default as Module } from 'node:module';
import { appendFileSync } from 'node:fs';
const out = process.env.ECSPRIMER_LOAD_LOG;
register(${JSON.stringify(pathToFileURL(path.join(hookDir, 'hooks.mjs')).href)}, import.meta.url, { data: { out } });
const base = new Set(process.moduleLoadList);
const load = Module._load;
Module._load = function (request, parent) { appendFileSync(out, 'cjs ' + Module._resolveFilename(request, parent) + '\\n'); return load.apply(this, arguments); };
process.on('exit', () => appendFileSync(out, process.moduleLoadList.filter((m) => !base.has(m)).map((m) => 'builtin ' + m + '\\n').join('')));
`,
  );
});

afterAll(() => {
  rmSync(hookDir, { recursive: true, force: true });
});

function runLogged(args: string[], env: Record<string, string> = {}): Loaded {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'ecsprimer.cjs'))) throw new Error('dist/ is missing: run `npm run build` first');
  const log = path.join(hookDir, `log-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, CLI_BIN, ...args], {
    env: cliEnv({ ECSPRIMER_LOAD_LOG: log, ...env }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const files = lines
    .filter((l) => l.startsWith('esm file:') || (l.startsWith('cjs ') && path.isAbsolute(l.slice(4))))
    .map((l) => (l.startsWith('esm ') ? new URL(l.slice(4)).pathname : l.slice(4)));
  const builtins = lines.filter((l) => l.startsWith('builtin ')).map((l) => l.slice(8));
  return { files: [...new Set(files)], builtins, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The npm packages in the loaded files: dist files by dist/bundle-contents.json (written by the build). */
function packagesIn(files: string[]): string[] {
  const contents = JSON.parse(readFileSync(path.join(REPO_ROOT, 'dist', 'bundle-contents.json'), 'utf8')) as Record<string, string[]>;
  const dist = path.join(REPO_ROOT, 'dist') + path.sep;
  const out = new Set<string>();
  for (const f of files) {
    if (f.startsWith(dist)) for (const p of contents[f.slice(dist.length).split(path.sep).join('/')] ?? ['?']) out.add(p);
    else if (f.includes('node_modules')) out.add(f);
  }
  return [...out].sort();
}

const distFiles = (r: Loaded) => r.files.filter((f) => f.startsWith(path.join(REPO_ROOT, 'dist')));
const HEAVY_BUILTINS = /^NativeModule (crypto|child_process|readline|http|https|http2|zlib)$/;

describe('start-up of the built CLI', () => {
  // Help, version and usage errors: dist/ecsprimer.cjs (Commander and the tree), nothing else.
  const noCommand: Array<{ args: string[]; code: number }> = [
    { args: ['--help'], code: 0 },
    { args: ['--version'], code: 0 },
    { args: ['iam', 'create', '--help'], code: 0 },
    { args: ['help', 'cluster'], code: 0 },
    { args: ['-o', 'json', 'service', 'create', '-h'], code: 0 },
    { args: ['iam', 'create', '--bogus'], code: 2 },
    { args: ['service', 'create', '--cluster', 'c'], code: 2 },
    { args: ['nosuch'], code: 2 },
    { args: ['-o', 'json', 'task', 'run', '--bogus'], code: 2 },
  ];
  for (const { args, code } of noCommand) {
    it(`\`ecsprimer ${args.join(' ')}\` loads only dist/boot.cjs and dist/ecsprimer.cjs: no command module, AWS SDK, prompt or colour code`, () => {
      const r = runLogged(args);
      expect(r.code, r.stderr).toBe(code);
      expect(distFiles(r)).toEqual([path.join(REPO_ROOT, 'dist', 'boot.cjs'), path.join(REPO_ROOT, 'dist', 'ecsprimer.cjs')]);
      expect(packagesIn(r.files)).toEqual(['commander']);
      expect(r.builtins.filter((b) => HEAVY_BUILTINS.test(b))).toEqual([]);
    });
  }

  it('answers every help, version and usage error as the program run from the sources does', async () => {
    const argvs: string[][] = [[], ['--version'], ['--help'], ['help'], ['nosuch'], ['tsk'], ['--bogus'], ['-o', 'xml', 'status'], ['--output=json', 'nosuch']];
    for (const p of PATHS) argvs.push([...p, '--help'], [...p, '--bogus'], ['-o', 'json', ...p, '--bogus']);
    for (const args of argvs) {
      const built = runLogged(args);
      const real = memoryIo();
      const code = await main(args, { io: real.io, env: { ...process.env, NO_COLOR: '1' } });
      expect({ code: built.code, stdout: built.stdout, stderr: built.stderr }, args.join(' ')).toEqual({ code, stdout: real.out(), stderr: real.err() });
    }
  });

  it('a command line defines only the subcommand it names, and every help reads as in the whole tree', async () => {
    const whole = memoryIo();
    const full = buildProgram({ io: whole.io, env: {}, cwd: REPO_ROOT, onExit: () => {} });
    const find = (root: Command, p: string[]) => p.reduce<Command | undefined>((c, name) => c?.commands.find((x) => x.name() === name), root);
    for (const p of PATHS) {
      const real = memoryIo();
      await main([...p, '--help'], { io: real.io, env: { ...process.env, NO_COLOR: '1' } });
      const before = whole.out().length;
      find(full, p)!.outputHelp();
      expect(real.out(), p.join(' ')).toBe(whole.out().slice(before));
    }
    const names = (argv: string[]) => find(buildProgram({ io: memoryIo().io, env: {}, cwd: REPO_ROOT, onExit: () => {} }, argv), ['iam'])!.commands.map((c) => c.name());
    expect(names(['iam', 'create', '--help'])).toEqual(['create']);
    expect(names(['--stack', 'x', 'iam', 'policy', 'create'])).toEqual(['policy']);
    expect(names(['iam', 'creat'])).toEqual(find(full, ['iam'])!.commands.map((c) => c.name()));
    expect(names(['iam'])).toEqual(find(full, ['iam'])!.commands.map((c) => c.name()));
  });

  it('prints the version of package.json', () => {
    const r = runLogged(['--version']);
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });
});

describeE2E('SDK clients loaded by a command', () => {
  it('iam create loads the IAM client only (STS is not needed with keys in the environment); cluster create the ECS client only', () => {
    const endpoint = requireMotoUrl();
    const stack = `st${Date.now().toString(36)}`;
    const clients = (r: Loaded) => packagesIn(r.files).filter((p) => p.startsWith('@aws-sdk/client-'));
    const iam = runLogged(['iam', 'create', '--yes', '--stack', stack, '--endpoint-url', endpoint]);
    expect(iam.code, iam.stderr).toBe(0);
    expect(clients(iam).filter((p) => p !== '@aws-sdk/client-sts')).toEqual(['@aws-sdk/client-iam']);
    expect(packagesIn(iam.files).filter((p) => p.startsWith('@inquirer/'))).toEqual([]);

    const cluster = runLogged(['cluster', 'create', '--name', `${stack}-c`, '--yes', '--stack', stack, '--endpoint-url', endpoint]);
    expect(cluster.code, cluster.stderr).toBe(0);
    expect(clients(cluster).filter((p) => p !== '@aws-sdk/client-sts')).toEqual(['@aws-sdk/client-ecs']);
  });
});
