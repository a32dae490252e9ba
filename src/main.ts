/**
 * Entry point: builds the program, parses argv, routes SIGINT/SIGTERM to the command that runs,
 * and gives the exit code. Usage errors (Commander's) are answered here; a command's own outcome
 * comes from cli/execute.ts. `run()` is what bin/ecsprimer.cjs calls: the only place that sets
 * process.exitCode.
 */
import { fstatSync, writeSync } from 'node:fs';
import { buildProgram, type ProgramDeps } from './cli/program.js';
import { isCommanderError, isHelpOrVersion, usageErrorJson, wantsJson } from './cli/usage.js';
import type { Context, IoStreams } from './context.js';
import { ExitCode } from './errors.js';
import type { Prompter } from './io/prompter.js';

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
    // Getters: creating process.stdout or process.stderr loads stream modules that help and usage
    // errors do without (they are written with writeFd).
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

/** Writes all of `text` to a file descriptor, synchronously (as process.stdout does on Linux). */
function writeFd(fd: number, text: string): void {
  const buf = Buffer.from(text);
  try {
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e; // a reader that went away is not an error
  }
}

/**
 * Commander's output on the process's descriptors. Asking process.stdout whether it has colours
 * or how wide it is would create the stream (a few milliseconds of every help): a terminal's width
 * is asked of the terminal only when there is one; help has no colours of its own to strip.
 */
function fdOutput(): NonNullable<ProgramDeps['output']> {
  const width = (fd: 1 | 2) => () => {
    if (!fstatSync(fd).isCharacterDevice()) return 80; // a pipe or a file: Commander's default
    const stream = fd === 1 ? process.stdout : process.stderr;
    return stream.isTTY ? stream.columns : 80;
  };
  return { writeOut: (s) => writeFd(1, s), writeErr: (s) => writeFd(2, s), getOutHelpWidth: width(1), getErrHelpWidth: width(2), getOutHasColors: () => false, getErrHasColors: () => false };
}

/**
 * Ctrl-C or SIGTERM while a command runs: its context stops starting new steps, and the calls in
 * flight finish and are journalled. A second signal stops at once.
 */
function installSignalHandlers(io: IoStreams, current: () => Context | undefined): () => void {
  let count = 0;
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((sig) => {
    const h = () => {
      count++;
      const ctx = current();
      // Asked twice: stop now, without waiting for the calls in flight.
      if (!ctx || count > 1) process.exit(sig === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated);
      io.stderr.write(`\n${sig === 'SIGINT' ? 'Interrupted' : 'Terminated'}: finishing the calls in flight and recording them (press Ctrl-C again to stop at once)...\n`);
      ctx.interrupt(sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => handlers.forEach(([sig, h]) => process.off(sig, h));
}

export async function main(argv: string[] = process.argv.slice(2), deps: MainDeps = {}): Promise<number> {
  const io = deps.io ?? processIo();
  const env = deps.env ?? process.env;
  // Node 20 is supported by this release of the SDK; its deprecation notice is not actionable here.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let ctx: Context | undefined;
  let exitCode: number = ExitCode.ok;
  let uninstall = () => {};
  const output = deps.io ? undefined : fdOutput();
  const program = buildProgram(
    {
      io,
      env,
      cwd: deps.cwd ?? process.cwd(),
      prompter: deps.prompter,
      onContext: (c) => {
        // Installed once a command is to run: help and usage errors have nothing in flight.
        if (deps.handleSignals && !ctx) uninstall = installSignalHandlers(io, () => ctx);
        ctx = c;
      },
      onExit: (code) => (exitCode = code),
      output,
    },
    argv,
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (!isCommanderError(e)) {
      // Only a bug gets here: a command's failures are reported by cli/execute.ts.
      io.stderr.write(`error: internal error: ${(e as Error)?.message ?? String(e)}\n`);
      return ExitCode.failure;
    }
    if (isHelpOrVersion(e)) return ExitCode.ok;
    // Commander printed its message on stderr; with -o json, stdout gets the JSON result too.
    if (wantsJson(argv)) (output?.writeOut ?? ((s: string) => io.stdout.write(s)))(usageErrorJson(argv, e.message));
    return ExitCode.usage;
  } finally {
    uninstall();
  }
}

/** The binary's entry: runs main and sets the process's exit code. */
export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await main(argv, { handleSignals: true });
}
