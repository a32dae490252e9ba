/**
 * Entry point: builds the program, routes signals, and is the only place that maps errors to
 * exit codes and prints them (one paragraph, no stack trace unless --verbose and a bug).
 *
 * bin/ecsprimer.js routes a start of the built CLI (each step keeps a start short; see bench/):
 * `--version` alone, help (dist/light.js: commander and the command tree as data, src/cli/light.ts),
 * then commands from dist/app-<hash>.js (this module and the whole program bundled as one script,
 * compiled with a V8 code cache made by the build). This module's own dist/main.js, with the
 * program as ES module chunks imported on demand, runs what those cannot. From the sources (tests)
 * main() runs the real program, or the light path first when given a manifest.
 */
import type { CommandManifest } from './cli/manifest.js';
import type { ProgramDeps } from './cli/program.js';
import type { Context, IoStreams } from './context.js';
import { EcsprimerError, ExitCode } from './errors.js';
import type { Prompter } from './io/prompter.js';
import type { Report } from './plan/types.js';
import { commandNameOf, isCommanderError, isHelpOrVersion, usageErrorJson, wantsJson } from './cli/usage.js';

/** True in dist/main.js (esbuild `define`): dist/light.js and its code cache are next to it. */
declare const __ECSPRIMER_BUILT__: boolean | undefined;

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
 * 10 ms: a second copy of commander and the tree). bin/ecsprimer.js has a copy of this rule. A command to run, or a usage error without a
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
  if (deps.manifest === undefined && !mayAskForHelp(argv)) return undefined;
  if (deps.manifest === undefined && typeof __ECSPRIMER_BUILT__ === 'boolean' && typeof process.getBuiltinModule === 'function') return loadBuiltLight();
  if (deps.manifest === undefined) return undefined;
  return import('./cli/light.js');
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

export async function main(argv: string[] = process.argv.slice(2), deps: MainDeps = {}): Promise<number> {
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
    if (isHelpOrVersion(e)) return ExitCode.ok;
    // Commander already printed its message on stderr.
    if (o.json) o.io.stdout.write(usageErrorJson(o.argv, e.message));
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
