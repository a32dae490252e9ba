/**
 * The Commander program: global options (accepted before or after the command words, as with the
 * AWS CLI) and the command groups. Registering commands loads no AWS SDK module.
 */
import { Command, Option } from 'commander';
import { Context, validateStackName, type GlobalOptions, type IoStreams } from '../context.js';
import { inquirerPrompter, type Prompter } from '../io/prompter.js';
import { renderJson, renderReportText } from '../output/render.js';
import type { Report } from '../plan/types.js';
import { registerIam } from '../commands/iam.js';
import { registerCluster } from '../commands/cluster.js';
import { registerTask } from '../commands/task.js';
import { registerService } from '../commands/service.js';
import { registerStack } from '../commands/stack.js';

export const VERSION = '0.1.0';

export interface ProgramDeps {
  io: IoStreams;
  env: NodeJS.ProcessEnv;
  cwd: string;
  prompter?: Prompter;
  /** Called with each context built, so main can route signals to it. */
  onContext?: (ctx: Context) => void;
  /** Receives the report of the command that ran. */
  onReport?: (report: Report, ctx: Context) => void;
}

export type CommandRunner = (cmd: Command, fn: (ctx: Context) => Promise<Report>, opts?: { changes?: boolean }) => Promise<void>;

export function globalOptionsOf(cmd: Command, env: NodeJS.ProcessEnv, io: IoStreams): GlobalOptions {
  const o = cmd.optsWithGlobals() as Record<string, unknown>;
  const output = (o.output as 'text' | 'json') ?? 'text';
  const stack = (o.stack as string) ?? 'ecsprimer';
  validateStackName(stack);
  const colorWanted = o.color !== false && !('NO_COLOR' in env && env.NO_COLOR !== '') && output === 'text';
  return {
    region: o.region as string | undefined,
    profile: o.profile as string | undefined,
    endpointUrl: o.endpointUrl as string | undefined,
    stack,
    yes: Boolean(o.yes),
    dryRun: Boolean(o.dryRun),
    output,
    verbose: Boolean(o.verbose),
    color: colorWanted && Boolean(io.stderr.isTTY),
    allowInsecureEndpoint: Boolean(o.allowInsecureEndpoint),
  };
}

/** The full name of a command, e.g. "iam policy create". */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function buildProgram(deps: ProgramDeps): Command {
  const program = new Command('ecsprimer')
    .description('Provision AWS IAM and ECS from the command line: confirmed, journalled, torn down cleanly.')
    .version(VERSION, '--version', 'print the version')
    .addOption(new Option('--region <region>', 'AWS region (default: AWS_REGION or your profile)'))
    .addOption(new Option('--profile <name>', 'AWS profile from ~/.aws/config (default: AWS_PROFILE or default chain)'))
    .addOption(new Option('--endpoint-url <url>', 'send requests to this endpoint (LocalStack, moto); default: AWS_ENDPOINT_URL'))
    .addOption(new Option('--stack <name>', 'the stack this run belongs to (tags, journal, teardown)').default('ecsprimer'))
    .addOption(new Option('-y, --yes', 'answer yes to every confirmation (for scripts)'))
    .addOption(new Option('--dry-run', 'validate inputs and print the planned AWS calls; change nothing'))
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .addOption(new Option('-v, --verbose', 'print each AWS call and its duration on stderr'))
    .addOption(new Option('--no-color', 'plain output (also NO_COLOR)'))
    .addOption(new Option('--allow-insecure-endpoint', 'allow a plain-http --endpoint-url that is not loopback'))
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.io.stdout.write(s),
      writeErr: (s) => deps.io.stderr.write(s),
    });

  const run: CommandRunner = async (cmd, fn, opts = { changes: true }) => {
    const g = globalOptionsOf(cmd, deps.env, deps.io);
    const ctx = new Context(g, deps.io, deps.prompter ?? inquirerPrompter(deps.io.stderr), deps.env, deps.cwd);
    ctx.command = commandPath(cmd);
    deps.onContext?.(ctx);
    const report = await fn(ctx);
    if (g.output === 'json') deps.io.stdout.write(renderJson(report));
    else deps.io.stdout.write(renderReportText(ctx, report));
    deps.onReport?.(report, ctx);
    void opts;
  };

  registerIam(program, run);
  registerCluster(program, run);
  registerTask(program, run);
  registerService(program, run);
  registerStack(program, run);

  // Every subcommand reports usage errors the same way.
  const configure = (c: Command) => {
    c.exitOverride().showHelpAfterError('(run with --help for usage)').configureOutput({
      writeOut: (s) => deps.io.stdout.write(s),
      writeErr: (s) => deps.io.stderr.write(s),
    });
    c.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

/** Parses a repeatable option into a list (`--tag a=b --tag c=d`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses comma-separated lists (`--subnets a,b`), repeatable. */
export function commaList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}
