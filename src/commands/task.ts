/**
 * Registration of `ecsprimer task ...`: task definitions (src/ecs/task-definition.ts) and
 * standalone tasks (src/ecs/task.ts).
 */
import { Option } from 'commander';
import { group } from '../cli/act.js';
import { addNetworkOptions, addPlacementOptions, clusterOption, collect, required, tagOption, waitTimeoutOption } from '../cli/options.js';

const definitions = () => import('../ecs/task-definition.js');
const tasks = () => import('../ecs/task.js');
const logs = () => import('../ecs/task-logs.js');
const verify = () => import('../ecs/verify.js');

const waitTimeout = () => waitTimeoutOption('the tasks keep running');
const taskDefinition = () => required('--task-definition <family[:rev]|arn>', 'task definition (family alone: its latest ACTIVE revision)');

export const taskCommands = group('task', 'ECS task definitions and standalone tasks', (task, act) => {
  task
    .command('register')
    .description('register a task definition; a document identical to the latest ACTIVE revision is left unchanged')
    .option('--document <src>', 'RegisterTaskDefinition input: inline JSON, file://PATH, PATH or - for stdin (default: json/task-definition.json)')
    .option('--execution-role <name|arn>', "task execution role (pulls images, writes logs): a role name or ARN (default, when the definition needs one: the stack's <stack>-exec, made if missing)")
    .option('--task-role <name|arn>', 'role the containers run as: a role name or ARN')
    .option('--log-retention <days>', 'days a log group the stack creates keeps events (default 7)')
    .addOption(new Option('--secret <[container/]NAME=REF>', 'give the container the variable NAME from a secret: REF is a Secrets Manager name or ARN (:json-key for one key), or ssm:/parameter/name (repeatable)').argParser(collect))
    .addOption(tagOption())
    .action(act(definitions, 'runTaskRegister'));

  task
    .command('deregister')
    .description('deregister the ACTIVE revisions of a family (or one), then delete them with DeleteTaskDefinitions')
    .addOption(required('--family <family>', 'task definition family'))
    .option('--revision <n>', 'only this revision (default: every revision of the family)')
    .option('--keep-inactive', 'only deregister: keep the revisions as INACTIVE (no DeleteTaskDefinitions)')
    .action(act(definitions, 'runTaskDeregister'));

  const run = task
    .command('run')
    .description('run a task definition as standalone task(s), tagged with the stack; optionally wait and pass on the exit code')
    .addOption(clusterOption('cluster to run in'))
    .addOption(taskDefinition())
    .option('--launch-type <type>', 'FARGATE or EC2 (default FARGATE)')
    .option('--count <n>', 'number of tasks, 1–10 (default 1)');
  addNetworkOptions(run, 'task').option('--overrides <src>', 'TaskOverride document (containerOverrides, cpu, memory, ...): inline JSON, file://PATH, PATH or -');
  addPlacementOptions(run)
    .addOption(new Option('--wait <state>', "wait until the tasks are RUNNING, or STOPPED (then exit with the essential container's exit code)").choices(['running', 'stopped']))
    .option('--follow', "stream the containers' log lines until the tasks stop, then exit with the essential container's exit code")
    .option('--verify', 'run task verify first; start nothing when a check fails')
    .addOption(waitTimeout())
    .addOption(tagOption())
    .action(act(tasks, 'runTaskRun'));

  const check = task
    .command('verify')
    .description('check, read-only, what a task definition needs before it runs: roles and their permissions, images, log groups, network, cluster (exit 1 when a check fails)')
    .addOption(taskDefinition())
    .option('--cluster <name>', 'also check this cluster (ACTIVE; for EC2, container instances with room)')
    .option('--launch-type <type>', 'FARGATE or EC2 (default FARGATE)');
  addNetworkOptions(check, 'task').action(act(verify, 'runTaskVerify'));

  const ofTasks = (name: string, description: string) => task.command(name).description(description).addOption(clusterOption('cluster of the tasks'));
  ofTasks('wait', 'wait for tasks to be RUNNING or STOPPED (resumes an interrupted --wait; exits with the exit code for stopped)')
    .addOption(required('--task <id|arn>', 'task to wait for (repeatable)').argParser(collect))
    .addOption(new Option('--until <state>', 'running or stopped').choices(['running', 'stopped']).default('stopped'))
    .addOption(waitTimeout())
    .action(act(tasks, 'runTaskWait'));
  ofTasks('stop', 'stop tasks (--task ID ... or --all standalone tasks; tasks of services are left to their service)')
    .option('--task <id|arn>', 'task to stop (repeatable)', collect)
    .option('--all', 'every standalone task of the cluster (not those of services)')
    .option('--reason <text>', 'reason recorded on the task (stoppedReason)')
    .option('--wait', 'wait until the tasks are STOPPED')
    .option('--wait-timeout <seconds>', 'with --wait: give up after this many seconds (default 600)')
    .action(act(tasks, 'runTaskStop'));

  ofTasks('logs', "print a task's log lines (awslogs); --follow streams them until the task stops")
    .addOption(required('--task <id|arn>', 'the task'))
    .option('--follow', "keep printing new lines until the task stops, then exit with the essential container's exit code")
    .option('--since <when>', 'only lines since a duration ago (30s, 10m, 2h, 1d) or an ISO 8601 time (default: from the first line)')
    .option('--container <name>', 'only this container')
    .action(act(logs, 'runTaskLogs'));

  task
    .command('list')
    .description('list the tasks of a cluster (id, status, task definition, group, stack)')
    .addOption(clusterOption())
    .addOption(new Option('--status <desired>', 'desired status: RUNNING or STOPPED').choices(['RUNNING', 'STOPPED']).default('RUNNING'))
    .option('--family <family>', 'only tasks of this task definition family')
    .action(act(tasks, 'runTaskList'));
});
