/**
 * Entry point: builds the program, routes signals, and is the only place that maps errors to
 * exit codes and prints them (one paragraph, no stack trace unless --verbose and a bug).
 *
 * A start first parses argv with the light tree of src/cli/light.ts (commander and the command
 * manifest only): help, version and usage errors end there, with no command module, AWS SDK or
 * prompt loaded. Only when a command is to run is the real program (cli/program.ts) loaded.
 */
import type { CommandManifest } from './cli/manifest.js';
import type { ProgramDeps } from './cli/program.js';
import type { Context, IoStreams } from './context.js';
import { EcsprimerError, ExitCode } from './errors.js';
import type { Prompter } from './io/prompter.js';
import type { Report } from './plan/types.js';

/** True in dist/main.js (esbuild `define`): dist/light.js and its code cache are next to it. */
declare const __ECSPRIMER_BUILT__: boolean | undefined;
/** In dist/main.js: the file name of the whole program as one script (dist/app-<hash>.js). */
declare const __ECSPRIMER_APP__: string | undefined;
/** True inside that script. */
declare const __ECSPRIMER_IN_APP__: boolean | undefined;

export interface MainDeps {
  io?: IoStreams;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  prompter?: Prompter;
  /** Install SIGINT/SIGTERM handlers (the binary does; tests calling main directly do not). */
  handleSignals?: boolean;
  /**
   * The command tree as data (src/cli/manifest.ts) for the light path. Default: the one built into
   * dist/light.js (none when running from the sources); `null`: always the real program.
   */
  manifest?: CommandManifest | null;
}

type LightModule = typeof import('./cli/light.js');

/**
 * dist/light.js, compiled with the V8 code cache made by the build (dist/light.cache): a plain
 * script, so that node:vm can use the cache (Node 20 has no code cache for ES modules). Any
 * trouble loading it (an incomplete dist/) just means no light path.
 */
function loadBuiltLight(): LightModule | undefined {
  try {
    const fs = process.getBuiltinModule('node:fs');
    const vm = process.getBuiltinModule('node:vm');
    const { createRequire } = process.getBuiltinModule('node:module');
    const { fileURLToPath } = process.getBuiltinModule('node:url');
    const file = fileURLToPath(new URL('./light.js', import.meta.url));
    const source = fs.readFileSync(file, 'utf8');
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(file.replace(/\.js$/, '.cache'));
    } catch {
      /* compiled without it */
    }
    const script = new vm.Script(source, { filename: file, cachedData });
    const module = { exports: {} as LightModule };
    (script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown) => void)(module.exports, createRequire(file), module);
    return module.exports;
  } catch {
    return undefined;
  }
}

/**
 * Whether argv may ask for help or the version: only then is the light path worth its cost (about
 * 15 ms: a second copy of commander and the tree). A command to run, or a usage error without a
 * help flag, goes straight to the real program, which answers the same and loads no AWS SDK
 * before an action runs. This only routes: a wrong guess costs time, never a different answer.
 */
export function mayAskForHelp(argv: string[]): boolean {
  if (argv.length === 0) return true;
  return argv.some((a) => a === '--help' || a === '--version' || a === 'help' || /^-[A-Za-z]*h/.test(a));
}

/** The light module: from dist/light.js when built, else (tests) from the sources. */
async function lightModule(deps: MainDeps, argv: string[]): Promise<LightModule | undefined> {
  if (deps.manifest === null) return undefined;
  if (deps.manifest === undefined && !mayAskForHelp(argv) && process.env.ECSPRIMER_LIGHT !== 'always') return undefined;
  if (deps.manifest === undefined && typeof __ECSPRIMER_BUILT__ === 'boolean' && typeof process.getBuiltinModule === 'function') return loadBuiltLight();
  if (deps.manifest === undefined) return undefined;
  return import('./cli/light.js');
}

interface LoadedApp {
  main: typeof main;
  /** Writes this command's code cache if the run lacked one (first run, or a new Node). */
  saveCache(): void;
}

/** At most this many code caches (one per command) next to the script. */
const MAX_CACHES = 40;

/**
 * dist/app-<hash>.js: the whole program (commands, AWS SDK clients, prompts) bundled as one plain
 * script, which node:vm compiles with a V8 code cache kept next to it. Node 20 has no code cache
 * for ES modules, and compiling is most of what a command costs before its first request: with
 * the cache a command starts about 100 ms sooner. Modules are still evaluated only when imported,
 * so a command runs only the SDK clients it uses.
 *
 * One cache per command (`iam create`, `teardown`, ...): each holds what that command compiled,
 * so `iam create` does not deserialize the EC2 client that `service create` needed. A cache is
 * written after a run that lacked it: the first run of a command, or after a Node upgrade (V8
 * rejects a cache it did not make). The script's file name carries a hash of its content, so a
 * cache never meets another script. ECSPRIMER_CODE_CACHE=0 uses the ES module chunks instead.
 */
function loadApp(command: string): LoadedApp | undefined {
  if (typeof __ECSPRIMER_APP__ !== 'string' || process.env.ECSPRIMER_CODE_CACHE === '0' || typeof process.getBuiltinModule !== 'function') return undefined;
  try {
    const fs = process.getBuiltinModule('node:fs');
    const vm = process.getBuiltinModule('node:vm');
    const { createRequire } = process.getBuiltinModule('node:module');
    const { fileURLToPath } = process.getBuiltinModule('node:url');
    const url = new URL(`./${__ECSPRIMER_APP__}`, import.meta.url);
    const file = fileURLToPath(url);
    const dir = fileURLToPath(new URL('.', url));
    const source = fs.readFileSync(file, 'utf8');
    const key = command.replace(/[^a-z0-9]+/gi, '-').toLowerCase() || 'default';
    const cacheFile = file.replace(/\.js$/, `.${key}.cache`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      /* first run of this command */
    }
    const script = new vm.Script(source, { filename: file, cachedData });
    const module = { exports: {} as { main: typeof main } };
    (script.runInThisContext() as (...a: unknown[]) => void)(module.exports, createRequire(file), module, file, dir, url.href);
    return {
      main: module.exports.main,
      saveCache() {
        if (cachedData && !script.cachedDataRejected) return;
        try {
          const prefix = `${file.replace(/\.js$/, '').split(/[\\/]/).pop()}.`;
          if (!cachedData && fs.readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.cache')).length >= MAX_CACHES) return;
          // Collect first: serialising on top of the command's garbage would add to its peak memory.
          const v8 = process.getBuiltinModule('node:v8');
          v8.setFlagsFromString('--expose-gc');
          (vm.runInNewContext('gc') as () => void)();
          const tmp = `${cacheFile}.${process.pid}.tmp`;
          fs.writeFileSync(tmp, script.createCachedData());
          fs.renameSync(tmp, cacheFile);
        } catch {
          /* a cache only (dist/ may be read-only) */
        }
      },
    };
  } catch {
    return undefined;
  }
}

/**
 * Commander's errors, from either copy of commander (dist/light.js has its own, so instanceof
 * does not do; minified class names neither): their codes are `commander.*`.
 */
function isCommanderError(e: unknown): e is Error & { code: string; exitCode: number } {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && code.startsWith('commander.') && typeof (e as { exitCode?: unknown }).exitCode === 'number';
}

function processIo(): IoStreams {
  return {
    // Getters: creating process.stdout/stderr/stdin loads stream, net or tty modules, which help,
    // version and usage errors do without (they write to the descriptors, see lightConfigure).
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    get stdinIsTTY() {
      return Boolean(process.stdin.isTTY);
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

function wantsJson(argv: string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if ((a === '-o' || a === '--output') && argv[i + 1] === 'json') return true;
    if (a === '--output=json' || a === '-ojson') return true;
  }
  return false;
}

function commandNameOf(argv: string[]): string {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
    if (words.length === 3) break;
  }
  return words.join(' ');
}

export async function main(argv: string[] = process.argv.slice(2), deps: MainDeps = {}): Promise<number> {
  // A command of the built CLI runs from the single script with its code cache (see loadApp).
  if (typeof __ECSPRIMER_IN_APP__ !== 'boolean' && !deps.io && deps.manifest === undefined && !mayAskForHelp(argv)) {
    const app = loadApp(commandNameOf(argv));
    if (app) {
      try {
        return await app.main(argv, deps);
      } finally {
        app.saveCache();
      }
    }
  }
  const io = deps.io ?? processIo();
  const env = deps.env ?? process.env;
  // Node 20 is supported by this release of the SDK; its deprecation notice is not actionable here.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const json = wantsJson(argv);
  let ctx: Context | undefined;
  let report: Report | undefined;
  const programDeps: ProgramDeps = {
    io,
    env,
    cwd: deps.cwd ?? process.cwd(),
    prompter: deps.prompter,
    onContext: (c) => (ctx = c),
    onReport: (r) => (report = r),
  };

  const handlers: Array<[NodeJS.Signals, () => void]> = [];
  // Installed once a command is to run (help has nothing in flight to finish).
  const installSignalHandlers = () => {
    if (!deps.handleSignals) return;
    let count = 0;
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const h = () => {
        count++;
        if (!ctx || count > 1) {
          // Nothing in flight that we could finish cleanly, or asked twice: stop now.
          process.exit(sig === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated);
        }
        io.stderr.write(`\n${sig === 'SIGINT' ? 'Interrupted' : 'Terminated'}: finishing the calls in flight and recording them (press Ctrl-C again to stop at once)...\n`);
        ctx.interrupt(sig);
      };
      process.on(sig, h);
      handlers.push([sig, h]);
    }
  };

  try {
    // Help, version and usage errors need only the command tree: answer them from the manifest,
    // before any command module (validators, AWS SDK, prompts) is loaded.
    const light = await lightModule(deps, argv);
    if (light && !(await light.reachesAction(argv, { manifest: deps.manifest ?? undefined, io, processStreams: !deps.io }))) return ExitCode.ok;
    installSignalHandlers();
    const { buildProgram } = await import('./cli/program.js');
    await buildProgram(programDeps).parseAsync(argv, { from: 'user' });
    if (report && !report.ok) return report.exitCode ?? ExitCode.failure;
    return report?.exitCode ?? ExitCode.ok;
  } catch (e) {
    return await reportError(e, { io, json, ctx, argv, verbose: argv.includes('-v') || argv.includes('--verbose') });
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}

async function reportError(e: unknown, o: { io: IoStreams; json: boolean; ctx?: Context; argv: string[]; verbose: boolean }): Promise<number> {
  if (isCommanderError(e)) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
    // Commander already printed its message on stderr.
    if (o.json) o.io.stdout.write(JSON.stringify({ ok: false, command: commandNameOf(o.argv), stack: null, dryRun: false, changes: [], error: { code: 'UsageError', message: e.message.replace(/^error: /, '') } }, null, 2) + '\n');
    return ExitCode.usage;
  }
  const known = e instanceof EcsprimerError;
  const err = known ? (e as EcsprimerError) : undefined;
  const message = err ? err.message : `internal error: ${(e as Error)?.message ?? String(e)}`;
  o.io.stderr.write(`error: ${message}\n`);
  if (!known && o.verbose && (e as Error)?.stack) o.io.stderr.write(`${(e as Error).stack}\n`);
  else if (!known) o.io.stderr.write('(this is a bug in ecsprimer; run with --verbose for details)\n');
  const code = err?.exitCode ?? ExitCode.failure;
  const report = (e as { report?: Report }).report;
  if (o.json) {
    const out = {
      ok: false,
      command: report?.command ?? o.ctx?.command ?? commandNameOf(o.argv),
      stack: report?.stack ?? o.ctx?.stack ?? null,
      dryRun: report?.dryRun ?? o.ctx?.opts.dryRun ?? false,
      changes: (report?.changes ?? []).map(({ reason: _r, ...c }) => c),
      ...(report?.data ?? {}),
      error: { code: err?.code ?? 'InternalError', message },
    };
    o.io.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else if (report && o.ctx && report.changes.length) {
    // Show what did happen before the failure, on stdout like any result.
    const { renderReportText } = await import('./output/render.js');
    o.io.stdout.write(renderReportText(o.ctx, report));
  }
  return code;
}
