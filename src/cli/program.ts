/**
 * The Commander program: the one description of the command tree. Global options are accepted
 * before or after the command words, as with the AWS CLI. Building it loads no command module,
 * AWS SDK, prompt or colour library: each action imports its module when it runs (see act.ts).
 */
import { Command, Option } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import type { IoStreams } from '../context.js';
import type { Context } from '../context.js';
import type { Prompter } from '../io/prompter.js';
import { registerCluster } from '../commands/cluster.js';
import { registerCompletion } from '../commands/completion.js';
import { registerIam } from '../commands/iam.js';
import { registerService } from '../commands/service.js';
import { registerStack } from '../commands/stack.js';
import { registerTask } from '../commands/task.js';
import type { Act } from './act.js';

export const VERSION: string = pkg.version;

export interface ProgramDeps {
  io: IoStreams;
  env: NodeJS.ProcessEnv;
  cwd: string;
  prompter?: Prompter;
  /** Called with the context of the command that runs, so that main can route signals to it. */
  onContext?: (ctx: Context) => void;
  /** Receives the exit code of the command that ran. */
  onExit: (code: number) => void;
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
    .addOption(new Option('--allow-insecure-endpoint', 'allow a plain-http --endpoint-url that is not loopback'));

  const act: Act = (run) => async (options, cmd) => {
    const { execute } = await import('./execute.js');
    deps.onExit(await execute({ command: commandPath(cmd), globals: cmd.optsWithGlobals(), options, run }, deps));
  };

  registerIam(program, act);
  registerCluster(program, act);
  registerTask(program, act);
  registerService(program, act);
  registerStack(program, act);
  registerCompletion(program, (text) => deps.io.stdout.write(text));

  // Every command reports usage errors the same way, on the run's streams.
  const configure = (c: Command) => {
    c.exitOverride()
      .showHelpAfterError('(run with --help for usage)')
      .showSuggestionAfterError(true)
      .configureOutput({ writeOut: (s) => deps.io.stdout.write(s), writeErr: (s) => deps.io.stderr.write(s) });
    c.commands.forEach(configure);
  };
  configure(program);
  return program;
}
