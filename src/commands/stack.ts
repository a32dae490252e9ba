/** Registration of `teardown` (alias `down`), `status` and `stacks`: a stack as a whole (src/stack/). */
import type { Command } from 'commander';
import type { Act } from '../cli/act.js';

const teardown = () => import('../stack/teardown.js');
const status = () => import('../stack/status.js');

export function registerStack(program: Command, act: Act): void {
  program
    .command('teardown')
    .alias('down')
    .description('delete everything the stack created, in reverse dependency order (re-runnable)')
    .option('--keep-logs', "keep the stack's log groups (and their log events)")
    .action(act(teardown, 'runTeardown'));
  program.command('status').description('every resource of the stack with its live state, and drift between journal and account').action(act(status, 'runStatus'));
  program.command('stacks').description('the stacks with a journal for this account and region').action(act(status, 'runStacks'));
}
