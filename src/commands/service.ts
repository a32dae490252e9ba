/** Registration of `ecsprimer service ...`: options in, `runX(options, ctx)` of src/ecs/service.ts out. */
import { Option, type Command } from 'commander';
import { group } from '../cli/act.js';
import { addNetworkOptions, addPlacementOptions, clusterOption, required, tagOption, waitTimeoutOption } from '../cli/options.js';

const load = () => import('../ecs/service.js');
const logs = () => import('../ecs/task-logs.js');
const autoscale = () => import('../ecs/autoscale.js');

const waitTimeout = () => waitTimeoutOption('nothing is stopped or deleted then');

export const serviceCommands = group('service', 'ECS services (long-running tasks with a desired count)', (service, act) => {
  /** A subcommand on one service: --cluster and --name. */
  const on = (name: string, description: string): Command => service.command(name).description(description).addOption(clusterOption()).addOption(required('--name <name>', 'service name'));

  const create = on('create', 'create a service tagged with the stack (tags propagate to its tasks); a re-run is unchanged')
    .addOption(required('--task-definition <family[:rev]|arn>', 'task definition (family alone: its latest ACTIVE revision)'))
    .option('--desired-count <n>', 'tasks to keep running, 0–5000 (default 1)')
    .option('--launch-type <type>', 'FARGATE or EC2 (default FARGATE)');
  addPlacementOptions(addNetworkOptions(create, 'tasks'))
    .option('--document <src>', 'any other CreateService members (healthCheckGracePeriodSeconds, loadBalancers, deploymentConfiguration, ...): inline JSON, file://PATH, PATH or -')
    .option('--load-balancer [name-or-arn]', 'behind a load balancer: with no value a new internet-facing Application Load Balancer of the stack (with its security groups, target group and listener); with a NAME or ARN an existing one (a listener of the stack on --listener-port, or a rule with --path-pattern)')
    .option('--path-pattern <pattern>', 'with --load-balancer NAME|ARN: a listener rule forwarding this path pattern (e.g. /api/*) to the service, on the listener of --listener-port')
    .option('--container-port <port>', 'with --load-balancer: the port the container listens on')
    .option('--container-name <name>', "with --load-balancer: the container to send to (default: the one mapping --container-port)")
    .option('--listener-port <port>', 'with --load-balancer: the port the load balancer listens on (default 80)')
    .option('--health-check-path <path>', 'with --load-balancer: the target group\'s health check path (default /)')
    .option('--wait', 'wait until its deployment completes (running = desired, the only deployment); a rollback exits 1')
    .option('--verify', 'run task verify first; create nothing when a check fails')
    .addOption(waitTimeout())
    .addOption(tagOption())
    .action(act(load, 'runServiceCreate'));

  on('update', "change a service's desired count or task definition, force a new deployment, or switch it to blue/green (--strategy)")
    .option('--desired-count <n>', 'tasks to keep running, 0–5000')
    .option('--task-definition <family[:rev]|arn>', 'task definition to deploy (family alone: its latest ACTIVE revision)')
    .option('--force-new-deployment', 'replace the tasks even if nothing changed (e.g. to pull a new image for the same tag)')
    .option('--strategy <strategy>', "blue-green: ECS's blue/green deployments through the service's load balancer (an alternate target group, a production listener rule and an infrastructure role are made); rolling: back to rolling updates")
    .option('--bake-time <minutes>', 'with --strategy blue-green: how long blue is kept after production traffic shifted to green, 0-1440 (default 5)')
    .option('--wait', 'wait until the deployment it starts completes; a circuit-breaker rollback exits 1')
    .addOption(waitTimeout())
    .action(act(load, 'runServiceUpdate'));

  on('delete', 'scale a service to 0, delete it, and wait until it is INACTIVE (--no-wait: return once deleted)')
    .option('--wait', 'wait until the service is INACTIVE (the default)')
    .option('--no-wait', 'return as soon as ECS accepted the delete (the service drains on its own)')
    .addOption(waitTimeout())
    .action(act(load, 'runServiceDelete'));

  on('logs', "print the log lines of a service's tasks, each prefixed by its task id; --follow keeps streaming (new tasks too)")
    .option('--follow', 'keep printing new lines (Ctrl-C stops following, not the service)')
    .option('--since <when>', 'only lines since a duration ago (30s, 10m, 2h, 1d) or an ISO 8601 time (default 10m)')
    .action(act(logs, 'runServiceLogs'));

  on('wait', 'wait until a service is stable, or INACTIVE (resumes an interrupted --wait)')
    .addOption(new Option('--until <state>', 'stable or inactive').choices(['stable', 'inactive']).default('stable'))
    .addOption(waitTimeout())
    .action(act(load, 'runServiceWait'));

  on('autoscale', 'keep the desired count between --min and --max with target-tracking policies (Application Auto Scaling); --off removes them')
    .option('--min <n>', 'fewest tasks, 0–5000')
    .option('--max <n>', 'most tasks, 0–5000 (at least --min)')
    .option('--cpu <percent>', 'keep the average CPU utilization at this percentage (1–100)')
    .option('--memory <percent>', 'keep the average memory utilization at this percentage (1–100)')
    .option('--requests-per-target <n>', 'behind an Application Load Balancer: keep this many requests per task (ALBRequestCountPerTarget)')
    .option('--off', 'deregister the scalable target (its policies go with it)')
    .action(act(autoscale, 'runServiceAutoscale'));
});
