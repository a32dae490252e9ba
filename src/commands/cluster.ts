/** Registration of `ecsprimer cluster ...`: options in, `runX(options, ctx)` of src/ecs/cluster.ts out. */
import type { Command } from 'commander';
import type { Act, CommandGroup } from '../cli/act.js';
import { tagOption } from '../cli/options.js';

const load = () => import('../ecs/cluster.js');

export const clusterCommands: CommandGroup = {
  name: 'cluster',
  description: 'ECS clusters',
  define(cluster: Command, act: Act): void {
    cluster
      .command('create')
      .description('create a cluster tagged with the stack (an existing ACTIVE cluster is left unchanged)')
      .requiredOption('--name <name>', 'cluster name')
      .addOption(tagOption())
      .action(act((o, ctx) => load().then((m) => m.runClusterCreate(o, ctx))));

    cluster
      .command('delete')
      .description('delete a cluster; refuses while it has services or tasks, unless --force')
      .requiredOption('--name <name>', 'cluster name')
      .option('--force', 'first scale its services to 0, delete them (waiting until INACTIVE) and stop its tasks (waiting until STOPPED)')
      .option('--wait-timeout <seconds>', 'with --force: how long to wait for services and tasks to go (default 600)')
      .action(act((o, ctx) => load().then((m) => m.runClusterDelete(o, ctx))));
  },
};
