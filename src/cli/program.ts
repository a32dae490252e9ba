/**
 * The Commander program: the one description of the command tree. Global options are accepted
 * before or after the command words, as with the AWS CLI. Building it loads no command module,
 * AWS SDK, prompt or colour library: each action imports its module when it runs (see act.ts).
 */
import { Command, Option, type OutputConfiguration } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import type { IoStreams } from '../context.js';
import type { Context } from '../context.js';
import type { Prompter } from '../io/prompter.js';
import { clusterCommands } from '../commands/cluster.js';
import { ecrCommands } from '../commands/ecr.js';
import { secretCommands } from '../commands/secret.js';
import { registerCompletion } from '../commands/completion.js';
import { iamCommands } from '../commands/iam.js';
import { logsCommands } from '../commands/logs.js';
import { serviceCommands } from '../commands/service.js';
import { registerStack } from '../commands/stack.js';
import { taskCommands } from '../commands/task.js';
import type { Act, CommandFn, CommandGroup } from './act.js';

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
  /**
   * How Commander writes help and usage errors (default: on io.stdout and io.stderr, as wide as
   * they are): main.ts gives the process's file descriptors, so help needs no stream objects.
   */
  output?: Pick<OutputConfiguration, 'writeOut' | 'writeErr' | 'getOutHelpWidth' | 'getErrHelpWidth' | 'getOutHasColors' | 'getErrHasColors'>;
}

const GROUPS: CommandGroup[] = [iamCommands, clusterCommands, taskCommands, serviceCommands, logsCommands, ecrCommands, secretCommands];

/** Global options that take a value: their values are not command words. */
const VALUE_OPTIONS = new Set(['--region', '--profile', '--endpoint-url', '--stack', '-o', '--output']);

/**
 * The group a command line names (`iam` in `--stack x iam create`, or in `help iam`), '*' for all
 * (completion), undefined for none. Only that group's subcommands are defined: the rest would
 * cost start-up time and play no part in parsing this command line.
 */
export function groupNamed(argv: readonly string[]): string | undefined {
  return commandWords(argv)[0];
}

/** The command words of a command line (`iam`, `create` in `--stack x iam create --yes`); ['*'] for completion. */
function commandWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (VALUE_OPTIONS.has(a)) i++;
    else if (a === 'completion' && words.length === 0) return ['*'];
    else if (!a.startsWith('-') && !(a === 'help' && words.length === 0)) words.push(a);
  }
  return words;
}

/** Stands for a subcommand that is not defined: every method call returns it again, so define() chains run through. */
const NOT_DEFINED: unknown = new Proxy(function notDefined() {}, { get: () => NOT_DEFINED, apply: () => NOT_DEFINED });

/**
 * Defines a group's subcommands. With the subcommand the command line names, only that one is
 * defined (its siblings play no part in parsing it); when none has that name (a typo, `help`, an
 * alias), all of them, so that Commander can suggest one.
 */
function defineGroup(g: CommandGroup, group: Command, act: Act, sub: string | undefined): void {
  if (sub === undefined) return g.define(group, act);
  let found = false;
  const only = new Proxy(group, {
    get(target, key) {
      if (key !== 'command') return Reflect.get(target, key, target);
      return (spec: string, ...rest: unknown[]) => {
        if (spec.split(' ')[0] !== sub) return NOT_DEFINED;
        found = true;
        return (target.command as (...a: unknown[]) => Command)(spec, ...rest);
      };
    },
  });
  g.define(only, act);
  if (!found) g.define(group, act);
}

/** The full name of a command, e.g. "iam policy create". */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The program; with `argv`, only the group it names gets its subcommands (see groupNamed). */
export function buildProgram(deps: ProgramDeps, argv?: readonly string[]): Command {
  const program = new Command('ecsprimer')
    .description('Provision AWS IAM and ECS from the command line: confirmed, journalled, torn down cleanly.')
    .version(VERSION, '--version', 'print the version')
    .addOption(new Option('--region <region>', 'AWS region (default: AWS_REGION or your profile)'))
    .addOption(new Option('--profile <name>', 'AWS profile from ~/.aws/config (default: AWS_PROFILE or default chain)'))
    .addOption(new Option('--endpoint-url <url>', 'send requests to this endpoint (LocalStack, moto); default: AWS_ENDPOINT_URL'))
    .addOption(new Option('--stack <name>', 'the stack this run belongs to (tags, journal, teardown; default: ecsprimer, or the stack file\'s)'))
    .addOption(new Option('-y, --yes', 'answer yes to every confirmation (for scripts)'))
    .addOption(new Option('--dry-run', 'validate inputs and print the planned AWS calls; change nothing'))
    .addOption(new Option('--explain', "with the plan, each call's AWS CLI equivalent and the IAM actions it needs"))
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .addOption(new Option('-v, --verbose', 'print each AWS call and its duration on stderr'))
    .addOption(new Option('--no-color', 'plain output (also NO_COLOR)'))
    .addOption(new Option('--allow-insecure-endpoint', 'allow a plain-http --endpoint-url that is not loopback'));

  const act: Act = (load, name) => async (options, cmd) => {
    const { execute } = await import('./execute.js');
    const run: CommandFn = async (o, ctx) => ((await load())[name] as CommandFn)(o, ctx);
    deps.onExit(await execute({ command: commandPath(cmd), globals: cmd.optsWithGlobals(), options, run }, deps));
  };

  const [wanted, sub] = argv ? commandWords(argv) : ['*'];
  for (const g of GROUPS) {
    const group = program.command(g.name).description(g.description);
    if (wanted === '*') g.define(group, act);
    else if (wanted === g.name) defineGroup(g, group, act, sub);
  }
  registerStack(program, act, argv ? (wanted ?? '') : '*');
  const output: OutputConfiguration = deps.output ?? { writeOut: (s) => void deps.io.stdout.write(s), writeErr: (s) => void deps.io.stderr.write(s) };
  registerCompletion(program, (s) => output.writeOut!(s));

  // Every command reports usage errors the same way, on the run's streams.
  const configure = (c: Command) => {
    c.exitOverride().showHelpAfterError('(run with --help for usage)').showSuggestionAfterError(true).configureOutput(output);
    c.commands.forEach(configure);
  };
  configure(program);
  return program;
}
