/**
 * Entry point: builds the program, routes signals, and is the only place that maps errors to
 * exit codes and prints them (one paragraph, no stack trace unless --verbose and a bug).
 */
import { CommanderError } from 'commander';
import { buildProgram } from './cli/program.js';
import type { Context, IoStreams } from './context.js';
import { EcsprimerError, ExitCode } from './errors.js';
import type { Prompter } from './io/prompter.js';
import { renderReportText } from './output/render.js';
import type { Report } from './plan/types.js';

export interface MainDeps {
  io?: IoStreams;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  prompter?: Prompter;
  /** Install SIGINT/SIGTERM handlers (the binary does; tests calling main directly do not). */
  handleSignals?: boolean;
}

function processIo(): IoStreams {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: touching process.stdin loads tty/net, which --help and --version do not need.
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
  const io = deps.io ?? processIo();
  const env = deps.env ?? process.env;
  // Node 20 is supported by this release of the SDK; its deprecation notice is not actionable here.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const json = wantsJson(argv);
  let ctx: Context | undefined;
  let report: Report | undefined;
  const program = buildProgram({
    io,
    env,
    cwd: deps.cwd ?? process.cwd(),
    prompter: deps.prompter,
    onContext: (c) => (ctx = c),
    onReport: (r) => (report = r),
  });

  const handlers: Array<[NodeJS.Signals, () => void]> = [];
  if (deps.handleSignals) {
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
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    if (report && !report.ok) return report.exitCode ?? ExitCode.failure;
    return report?.exitCode ?? ExitCode.ok;
  } catch (e) {
    return reportError(e, { io, json, ctx, argv, verbose: argv.includes('-v') || argv.includes('--verbose') });
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}

function reportError(e: unknown, o: { io: IoStreams; json: boolean; ctx?: Context; argv: string[]; verbose: boolean }): number {
  if (e instanceof CommanderError) {
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
    o.io.stdout.write(renderReportText(o.ctx, report));
  }
  return code;
}
