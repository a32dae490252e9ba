/**
 * Registration of a stack as a whole (src/stack/): the stack file (`init`, `up`, `diff`,
 * `export`), `teardown` (alias `down`), `status` and `stacks`.
 */
import { Option, type Command } from 'commander';
import type { Act } from '../cli/act.js';
import { waitTimeoutOption } from '../cli/options.js';

const status = () => import('../stack/status.js');
const up = () => import('../stack/up.js');
const init = () => import('../stack/init.js');
const exporter = () => import('../stack/export.js');

const fileOption = () => new Option('-f, --file <path>', 'the stack file (default: ./ecsprimer.json)');

export function registerStack(program: Command, act: Act): void {
  program
    .command('init')
    .description('write a starter stack file: policy, roles, log group, cluster, task definition and a Fargate service')
    .addOption(fileOption())
    .option('--force', 'replace the file if it exists')
    .action(act(init, 'runInit'));
  program
    .command('up')
    .description('create or update everything the stack file describes, and delete what the stack owns and the file dropped')
    .addOption(fileOption())
    .option('--no-wait', 'do not wait for the services to become stable')
    .addOption(waitTimeoutOption('what up made stays: run up again, or service wait, to resume'))
    .action(act(up, 'runUp'));
  program
    .command('diff')
    .description('what up would change, with document diffs; changes nothing (exit 0: in sync, 5: differs)')
    .addOption(fileOption())
    .action(act(up, 'runDiff'));
  program
    .command('teardown')
    .alias('down')
    .description('delete everything the stack created, in reverse dependency order (re-runnable)')
    .addOption(new Option('-f, --file <path>', "the stack file whose stack to delete (default: --stack)"))
    .option('--keep-logs', "keep the stack's log groups (and their log events)")
    .action(act(up, 'runDown'));
  program
    .command('export')
    .description("a CloudFormation template of the stack's live resources (and the import list to adopt them in place)")
    .addOption(new Option('--format <format>', 'the template language').choices(['cloudformation']).default('cloudformation'))
    .addOption(new Option('-f, --file <path>', "the stack file whose stack to export (default: --stack)"))
    .option('--import-file <path>', 'also write the ResourcesToImport list for create-change-set --change-set-type IMPORT')
    .option('--out <path>', 'write the template to this file instead of standard output')
    .action(act(exporter, 'runExport'));
  program.command('status').description('every resource of the stack with its live state, and drift between journal and account').action(act(status, 'runStatus'));
  program.command('stacks').description('the stacks with a journal for this account and region').action(act(status, 'runStacks'));
}
