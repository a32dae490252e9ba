/** Registration of `ecsprimer cluster ...`: options in, `runX(options, ctx)` of src/ecs/cluster.ts out. */
import { group } from '../cli/act.js';
import { required, tagOption } from '../cli/options.js';

const load = () => import('../ecs/cluster.js');

export const clusterCommands = group('cluster', 'ECS clusters', (cluster, act) => {
  const name = () => required('--name <name>', 'cluster name');
  cluster
    .command('create')
    .description('create a cluster tagged with the stack (an existing ACTIVE cluster is left unchanged)')
    .addOption(name())
    .addOption(tagOption())
    .action(act(load, 'runClusterCreate'));
  cluster
    .command('delete')
    .description('delete a cluster; refuses while it has services or tasks, unless --force')
    .addOption(name())
    .option('--force', 'first scale its services to 0, delete them (waiting until INACTIVE) and stop its tasks (waiting until STOPPED)')
    .option('--wait-timeout <seconds>', 'with --force: how long to wait for services and tasks to go (default 600)')
    .action(act(load, 'runClusterDelete'));
});
