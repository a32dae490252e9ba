/**
 * Start-up: help, version and usage errors are answered from the command manifest built into
 * dist/main.js (src/cli/manifest.ts), without loading the commands, the AWS SDK or the prompts —
 * and answered exactly as the real program answers them. No timing here (see bench/).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { commandFromManifest, describeCommand, type CommandManifest } from '../../src/cli/manifest.js';
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

function realProgram(): Command {
  return buildProgram({ io: memoryIo().io, env: {}, cwd: REPO_ROOT });
}

/** Every command path of the tree, e.g. [], ['iam'], ['iam', 'policy', 'create']. */
function commandPaths(cmd: Command, prefix: string[] = []): Array<{ path: string[]; cmd: Command }> {
  return [{ path: prefix, cmd }, ...cmd.commands.flatMap((c) => commandPaths(c, [...prefix, c.name()]))];
}

/** Runs main() once with the real program and once from the manifest; both answers must be the same. */
async function bothWays(argv: string[], manifest: CommandManifest) {
  const real = memoryIo();
  const light = memoryIo();
  const env = { ...process.env, NO_COLOR: '1' };
  const realCode = await main(argv, { io: real.io, env, manifest: null });
  const lightCode = await main(argv, { io: light.io, env, manifest });
  return { real: { code: realCode, out: real.out(), err: real.err() }, light: { code: lightCode, out: light.out(), err: light.err() } };
}

describe('command manifest', () => {
  const manifest = describeCommand(realProgram());
  const paths = commandPaths(realProgram());

  it('survives JSON (it is embedded in dist/main.js as JSON)', () => {
    expect(JSON.parse(JSON.stringify(manifest))).toEqual(manifest);
  });

  it('rebuilds a tree whose help is the real help, for every command', () => {
    const light = commandFromManifest(manifest, { configure: () => {}, onAction: () => {} });
    // The light tree adds subcommands when a parse or a help reaches them.
    for (const { path: p, cmd } of paths) {
      let node: Command = light;
      for (const name of p) {
        (node as unknown as NodeJS.EventEmitter).emit('beforeHelp', { error: false, command: node, write: () => {} });
        node = node.commands.find((c) => c.name() === name)!;
        expect(node, p.join(' ')).toBeDefined();
      }
      (node as unknown as NodeJS.EventEmitter).emit('beforeHelp', { error: false, command: node, write: () => {} });
      expect(node.helpInformation(), p.join(' ')).toBe(cmd.helpInformation());
    }
  });

  it('answers help, version and usage errors through main() exactly as the real program', async () => {
    const argvs: string[][] = [[], ['--version'], ['--help'], ['-h'], ['help'], ['nosuch'], ['tsk'], ['--bogus'], ['-o', 'xml', 'status'], ['--output=json', 'nosuch']];
    for (const { path: p, cmd } of paths) {
      if (p.length === 0) continue;
      argvs.push([...p, '--help'], ['help', ...p], [...p, '--bogus'], ['-o', 'json', ...p, '--bogus']);
      if (cmd.commands.length) argvs.push([...p], [...p, 'nosuch']);
    }
    for (const argv of argvs) {
      const r = await bothWays(argv, manifest);
      expect(r.light, argv.join(' ')).toEqual(r.real);
    }
  });

  it('hands over to the real program when a command is to run (no usage error)', async () => {
    const light = memoryIo();
    vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
    // A dry run with no endpoint reachable: it must get past the manifest into the command itself.
    const code = await main(['iam', 'create', '--dry-run', '--endpoint-url', 'http://127.0.0.1:9', '--region', 'us-east-1'], {
      io: light.io,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true', ECSPRIMER_STATE_DIR: os.tmpdir() },
      manifest,
    });
    vi.unstubAllEnvs();
    expect(light.out()).toMatch(/CreatePolicy/);
    expect(light.out()).toMatch(/CreateRole/);
    expect(code).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// What the built CLI loads

interface Loaded {
  /** ES modules and CommonJS files loaded (file paths). */
  files: string[];
  /** Node built-in modules loaded (from process.moduleLoadList). */
  builtins: string[];
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
const req = Module.prototype.require;
Module.prototype.require = function (id) { appendFileSync(out, 'cjs ' + id + '\\n'); return req.apply(this, arguments); };
process.on('exit', () => appendFileSync(out, process.moduleLoadList.filter((m) => !base.has(m)).map((m) => 'builtin ' + m + '\\n').join('')));
`,
  );
});

afterAll(() => {
  rmSync(hookDir, { recursive: true, force: true });
});

function runLogged(args: string[], env: Record<string, string> = {}): Loaded & { code: number | null; stdout: string; stderr: string } {
  if (!existsSync(CLI_BIN) || !existsSync(path.join(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const log = path.join(hookDir, `log-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, CLI_BIN, ...args], {
    env: cliEnv({ ECSPRIMER_LOAD_LOG: log, ...env }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const files = lines.filter((l) => l.startsWith('esm file:') || l.startsWith('cjs ')).map((l) => (l.startsWith('esm ') ? new URL(l.slice(4)).pathname : l.slice(4)));
  const builtins = lines.filter((l) => l.startsWith('builtin ')).map((l) => l.slice(8));
  return { files, builtins, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Packages bundled into each dist file, from dist/bundle-contents.json (written by the build). */
function packagesIn(files: string[]): string[] {
  const contents = JSON.parse(readFileSync(path.join(REPO_ROOT, 'dist', 'bundle-contents.json'), 'utf8')) as Record<string, string[]>;
  const dist = path.join(REPO_ROOT, 'dist') + path.sep;
  const out = new Set<string>();
  for (const f of files) {
    if (f.startsWith(dist)) for (const p of contents[f.slice(dist.length).split(path.sep).join('/')] ?? []) out.add(p);
    else if (/node_modules/.test(f)) out.add(f);
    else if (!f.startsWith('node:') && !f.startsWith(REPO_ROOT)) out.add(f);
  }
  return [...out].sort();
}

const HEAVY = /^(@aws-sdk|@smithy|@inquirer)\/|^chalk$/;

describe('start-up of the built CLI', () => {
  it('prints from dist/help.json exactly the help the real program prints (stdout not a terminal)', async () => {
    const help = JSON.parse(readFileSync(path.join(REPO_ROOT, 'dist', 'help.json'), 'utf8')) as { texts: string[]; keys: Record<string, number> };
    const programPaths = commandPaths(realProgram()).filter((p) => p.path.length > 0);
    // Every command has its --help there.
    for (const { path: p } of programPaths) expect(help.keys[[...p, '--help'].join(' ')], p.join(' ')).toBeDefined();
    for (const [key, i] of Object.entries(help.keys)) {
      const real = memoryIo();
      const code = await main(key.split(' '), { io: real.io, env: { ...process.env, NO_COLOR: '1' }, manifest: null });
      expect({ code, out: real.out(), err: real.err() }, key).toEqual({ code: 0, out: help.texts[i], err: '' });
    }
  });

  // Help and version: the fast paths of bin/ecsprimer.js (dist/help.json with stdout a pipe, or
  // dist/light.js), nothing else.
  const help: string[][] = [['--help'], ['--version'], ['iam', '--help'], ['task', '--help'], ['service', 'create', '--help'], ['help', 'cluster'], ['-o', 'json', 'cluster', 'create', '-h']];
  for (const args of help) {
    it(`\`ecsprimer ${args.join(' ')}\` loads no command, AWS SDK, prompt or colour code (help.json and light path)`, () => {
      for (const env of [{}, { ECSPRIMER_HELP_CACHE: '0' }] as Array<Record<string, string>>) {
        const r = runLogged(args, env);
        expect(r.code, r.stderr).toBe(0);
        expect(packagesIn(r.files).filter((p) => HEAVY.test(p))).toEqual([]);
        expect(r.files.filter((f) => /[\\/](program-[^\\/]+|app-[0-9a-f]+)\.js$/.test(f))).toEqual([]);
        expect(r.builtins.filter((b) => /^NativeModule (crypto|child_process|readline|http|https|zlib|stream)$/.test(b))).toEqual([]);
      }
    });
  }

  // Usage errors without a help flag go to the real program (main.ts, mayAskForHelp), which stops
  // before any action: no AWS SDK, no prompts. Checked on the ES module chunks, where each module
  // is a file (the single script of the code-cache path evaluates the same modules, lazily alike).
  const usage: string[][] = [['iam', 'create', '--bogus'], ['service', 'create', '--cluster', 'c'], ['nosuch'], ['-o', 'json', 'task', 'run', '--bogus']];
  for (const args of usage) {
    it(`\`ecsprimer ${args.join(' ')}\` (a usage error) loads no AWS SDK or prompt code`, () => {
      const r = runLogged(args, { ECSPRIMER_CODE_CACHE: '0' });
      expect(r.code, r.stderr).toBe(2);
      expect(packagesIn(r.files).filter((p) => /^(@aws-sdk|@smithy|@inquirer)\//.test(p))).toEqual([]);
    });
  }

  it('answers help and usage errors from bin/ecsprimer.js (light path) as the real program does', async () => {
    const argvs = [...help, ['-o', 'json', 'iam', 'create', '--bogus', '-h'], ['--help', '--bogus'], ['help', 'nosuch'], ['-o', 'json', 'help', 'nosuch'], []];
    for (const args of argvs) {
      const built = runLogged(args, { ECSPRIMER_HELP_CACHE: '0' });
      const real = memoryIo();
      const code = await main(args, { io: real.io, env: { ...process.env, NO_COLOR: '1' }, manifest: null });
      expect({ code: built.code, stdout: built.stdout, stderr: built.stderr }, args.join(' ')).toEqual({ code, stdout: real.out(), stderr: real.err() });
    }
  });

  it('answers usage errors alike from the code-cache script and from the module chunks', () => {
    for (const args of usage) {
      const a = runLogged(args);
      const b = runLogged(args, { ECSPRIMER_CODE_CACHE: '0' });
      expect({ code: a.code, stdout: a.stdout, stderr: a.stderr }).toEqual({ code: b.code, stdout: b.stdout, stderr: b.stderr });
    }
  });

  it('prints the version from the fast path of bin/ecsprimer.js and from the program alike', () => {
    const fast = runLogged(['--version']);
    const full = runLogged(['--no-color', '--version']);
    expect(fast.stdout).toBe(full.stdout);
    expect(fast.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(fast.files.filter((f) => f.endsWith(`${path.sep}main.js`))).toEqual([]);
  });
});

describeE2E('SDK clients loaded by a command', () => {
  it('iam create loads the IAM and STS clients only; cluster create the ECS (and STS) client only', () => {
    const endpoint = requireMotoUrl();
    const stack = `st${Date.now().toString(36)}`;
    // On the module chunks, where each SDK client is a file of its own.
    const iam = runLogged(['iam', 'create', '--yes', '--stack', stack, '--endpoint-url', endpoint], { ECSPRIMER_CODE_CACHE: '0' });
    expect(iam.code, iam.stderr).toBe(0);
    const iamPkgs = packagesIn(iam.files).filter((p) => p.startsWith('@aws-sdk/client-'));
    expect(iamPkgs).toContain('@aws-sdk/client-iam');
    expect(iamPkgs.filter((p) => !['@aws-sdk/client-iam', '@aws-sdk/client-sts'].includes(p))).toEqual([]);
    expect(packagesIn(iam.files).filter((p) => p.startsWith('@inquirer/'))).toEqual([]);

    const cluster = runLogged(['cluster', 'create', '--name', `${stack}-c`, '--yes', '--stack', stack, '--endpoint-url', endpoint], { ECSPRIMER_CODE_CACHE: '0' });
    expect(cluster.code, cluster.stderr).toBe(0);
    const clusterPkgs = packagesIn(cluster.files).filter((p) => p.startsWith('@aws-sdk/client-'));
    expect(clusterPkgs).toContain('@aws-sdk/client-ecs');
    expect(clusterPkgs.filter((p) => !['@aws-sdk/client-ecs', '@aws-sdk/client-sts'].includes(p))).toEqual([]);
  });
});
