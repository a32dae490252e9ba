/** Registration of `ecsprimer logs ...`: the log groups the stack's containers write to (src/ecs/log-groups.ts). */
import { group } from '../cli/act.js';
import { required } from '../cli/options.js';

const load = () => import('../ecs/log-groups.js');

export const logsCommands = group('logs', 'CloudWatch Logs groups of the stack', (logs, act) => {
  logs
    .command('delete')
    .description('delete a log group and its log events (what task register created; teardown does it for the whole stack)')
    .addOption(required('--group <name>', 'log group name, e.g. /ecs/<stack>-web'))
    .action(act(load, 'runLogsDelete'));
});
