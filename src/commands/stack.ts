/**
 * Registration of a stack as a whole (src/stack/): the stack file (`init`, `up`, `diff`,
 * `export`), `teardown` (alias `down`), `status` and `stacks`. Like the groups' subcommands, only
 * the command the command line names gets its options and action; the others only their name and
 * description (what the program's help lists).
 */
import { Option, type Command } from 'commander';
import type { Act } from '../cli/act.js';
import { waitTimeoutOption } from '../cli/options.js';

const status = () => import('../stack/status.js');
const up = () => import('../stack/up.js');
const init = () => import('../stack/init.js');
const exporter = () => import('../stack/export.js');

const fileOption = () => new Option('-f, --file <path>', 'the stack file (default: ./ecsprimer.json)');

interface TopCommand {
  name: string;
  alias?: string;
  description: string;
  define(c: Command, act: Act): void;
}

const COMMANDS: TopCommand[] = [
  {
    name: 'init',
    description: 'write a starter stack file: policy, roles, log group, cluster, task definition and a Fargate service',
    define: (c, act) => c.addOption(fileOption()).option('--force', 'replace the file if it exists').action(act(init, 'runInit')),
  },
  {
    name: 'up',
    description: 'create or update everything the stack file describes, and delete what the stack owns and the file dropped',
    define: (c, act) =>
      c
        .addOption(fileOption())
        .option('--no-wait', 'do not wait for the services to become stable')
        .addOption(waitTimeoutOption('what up made stays: run up again, or service wait, to resume'))
        .action(act(up, 'runUp')),
  },
  {
    name: 'diff',
    description: 'what up would change, with document diffs; changes nothing (exit 0: in sync, 5: differs)',
    define: (c, act) => c.addOption(fileOption()).action(act(up, 'runDiff')),
  },
  {
    name: 'teardown',
    alias: 'down',
    description: 'delete everything the stack created, in reverse dependency order (re-runnable)',
    define: (c, act) =>
      c
        .addOption(new Option('-f, --file <path>', 'the stack file whose stack to delete (default: ./ecsprimer.json if it exists and --stack is not given)'))
        .option('--keep-logs', "keep the stack's log groups (and their log events)")
        .option('--force', "delete the stack's image repositories with their images without asking")
        .option('--force-delete-secrets', "delete the stack's secrets at once (default: a 7-day recovery window)")
        .action(act(up, 'runDown')),
  },
  {
    name: 'export',
    description: "a CloudFormation template of the stack's live resources (and the import list to adopt them in place)",
    define: (c, act) =>
      c
        .addOption(new Option('--format <format>', 'the template language').choices(['cloudformation']).default('cloudformation'))
        .addOption(new Option('-f, --file <path>', 'the stack file whose stack to export (default: ./ecsprimer.json if it exists and --stack is not given)'))
        .option('--import-file <path>', 'also write the ResourcesToImport list for create-change-set --change-set-type IMPORT')
        .option('--out <path>', 'write the template to this file instead of standard output')
        .action(act(exporter, 'runExport')),
  },
  {
    name: 'status',
    description: 'every resource of the stack with its live state, and drift between journal and account',
    define: (c, act) => c.action(act(status, 'runStatus')),
  },
  {
    name: 'stacks',
    description: 'the stacks with a journal for this account and region',
    define: (c, act) => c.action(act(status, 'runStacks')),
  },
];

/** `wanted`: the first command word of the command line ('*' or undefined: define every command fully). */
export function registerStack(program: Command, act: Act, wanted?: string): void {
  const all = wanted === undefined || wanted === '*';
  for (const t of COMMANDS) {
    const c = program.command(t.name).description(t.description);
    if (t.alias) c.alias(t.alias);
    if (all || t.name === wanted || t.alias === wanted) t.define(c, act);
  }
}
