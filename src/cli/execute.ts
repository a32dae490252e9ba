/**
 * Runs one command: builds its Context from the global options, calls its function, renders the
 * report (text or JSON on stdout), and turns whatever it threw into one short message and the
 * exit code of errors.ts. The only place a command's failure becomes an exit code; usage errors
 * found by Commander are main.ts's.
 *
 * This is the first module an action loads (the start of the command's own code): the program
 * itself stays small, and help or a usage error never loads it.
 */
import { Context, validateStackName, type GlobalOptions, type IoStreams } from '../context.js';
import { EcsprimerError, ExitCode } from '../errors.js';
import { inquirerPrompter, type Prompter } from '../io/prompter.js';
import { renderJson, renderReportText } from '../plan/render.js';
import type { Report } from '../plan/types.js';
import type { CommandFn } from './act.js';

export interface ExecuteRequest {
  /** e.g. "iam policy create". */
  command: string;
  /** Commander's optsWithGlobals() of the command. */
  globals: Record<string, unknown>;
  options: Record<string, unknown>;
  run: CommandFn;
}

export interface ExecuteDeps {
  io: IoStreams;
  env: NodeJS.ProcessEnv;
  cwd: string;
  prompter?: Prompter;
  onContext?: (ctx: Context) => void;
}

export function globalOptions(o: Record<string, unknown>, env: NodeJS.ProcessEnv, io: IoStreams): GlobalOptions {
  const output = (o.output as 'text' | 'json') ?? 'text';
  const stack = (o.stack as string) ?? 'ecsprimer';
  validateStackName(stack);
  const colorWanted = o.color !== false && !('NO_COLOR' in env && env.NO_COLOR !== '') && output === 'text';
  return {
    region: o.region as string | undefined,
    profile: o.profile as string | undefined,
    endpointUrl: o.endpointUrl as string | undefined,
    stack,
    stackGiven: o.stack !== undefined,
    yes: Boolean(o.yes),
    dryRun: Boolean(o.dryRun),
    output,
    verbose: Boolean(o.verbose),
    color: colorWanted && Boolean(io.stderr.isTTY),
    allowInsecureEndpoint: Boolean(o.allowInsecureEndpoint),
    explain: Boolean(o.explain),
  };
}

export async function execute(req: ExecuteRequest, deps: ExecuteDeps): Promise<number> {
  let ctx: Context | undefined;
  try {
    const g = globalOptions(req.globals, deps.env, deps.io);
    ctx = new Context(g, deps.io, deps.prompter ?? inquirerPrompter(deps.io.stderr), deps.env, deps.cwd);
    ctx.command = req.command;
    deps.onContext?.(ctx);
    const report = await req.run(req.options, ctx);
    deps.io.stdout.write(g.output === 'json' ? renderJson(report) : renderReportText(ctx, report));
    if (!report.ok) return report.exitCode ?? ExitCode.failure;
    return report.exitCode ?? ExitCode.ok;
  } catch (e) {
    return reportFailure(e, req, deps.io, ctx);
  }
}

/** Prints a failure (one paragraph; a stack trace only for a bug, with --verbose) and gives its exit code. */
async function reportFailure(e: unknown, req: ExecuteRequest, io: IoStreams, ctx: Context | undefined): Promise<number> {
  const err = e instanceof EcsprimerError ? e : undefined;
  const message = err ? err.message : `internal error: ${(e as Error)?.message ?? String(e)}`;
  io.stderr.write(`error: ${message}\n`);
  if (!err) {
    if (req.globals.verbose && (e as Error)?.stack) io.stderr.write(`${(e as Error).stack}\n`);
    else io.stderr.write('(this is a bug in ecsprimer; run with --verbose for details)\n');
  }
  const report = (e as { report?: Report }).report;
  if (req.globals.output === 'json') {
    const out = {
      ok: false,
      command: report?.command ?? req.command,
      stack: report?.stack ?? ctx?.stack ?? null,
      dryRun: report?.dryRun ?? ctx?.opts.dryRun ?? false,
      changes: (report?.changes ?? []).map(({ reason: _r, ...c }) => c),
      ...(report?.data ?? {}),
      error: { code: err?.code ?? 'InternalError', message },
    };
    io.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else if (report && ctx && report.changes.length) {
    // What did happen before the failure, on stdout like any result.
    io.stdout.write(renderReportText(ctx, report));
  }
  return err?.exitCode ?? ExitCode.failure;
}
