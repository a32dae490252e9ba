/** Registration of `ecsprimer service ...`: options in, `runX(options, ctx)` of src/ecs/service.ts out. */
import { Option, type Command } from 'commander';
import type { Act, CommandGroup } from '../cli/act.js';
import { addNetworkOptions, addPlacementOptions, tagOption, waitTimeoutOption } from '../cli/options.js';

const load = () => import('../ecs/service.js');

const NOTHING_STOPPED = 'nothing is stopped or deleted then';

export const serviceCommands: CommandGroup = {
  name: 'service',
  description: 'ECS services (long-running tasks with a desired count)',
  define(service: Command, act: Act): void {
    const create = service
      .command('create')
      .description('create a service tagged with the stack (tags propagate to its tasks); a re-run is unchanged')
      .requiredOption('--cluster <name>', 'cluster')
      .requiredOption('--name <name>', 'service name')
      .requiredOption('--task-definition <family[:rev]|arn>', 'task definition (family alone: its latest ACTIVE revision)')
      .option('--desired-count <n>', 'tasks to keep running, 0–5000 (default 1)')
      .option('--launch-type <type>', 'FARGATE or EC2 (default FARGATE)');
    addPlacementOptions(addNetworkOptions(create, 'tasks'))
      .option('--document <src>', 'any other CreateService members (healthCheckGracePeriodSeconds, loadBalancers, deploymentConfiguration, ...): inline JSON, file://PATH, PATH or -')
      .option('--wait', 'wait until the service is stable: running = desired, nothing pending, one deployment')
      .addOption(waitTimeoutOption(NOTHING_STOPPED))
      .addOption(tagOption())
      .action(act((o, ctx) => load().then((m) => m.runServiceCreate(o, ctx))));

    service
      .command('update')
      .description("change a service's desired count or task definition, or force a new deployment")
      .requiredOption('--cluster <name>', 'cluster')
      .requiredOption('--name <name>', 'service name')
      .option('--desired-count <n>', 'tasks to keep running, 0–5000')
      .option('--task-definition <family[:rev]|arn>', 'task definition to deploy (family alone: its latest ACTIVE revision)')
      .option('--force-new-deployment', 'replace the tasks even if nothing changed (e.g. to pull a new image for the same tag)')
      .option('--wait', 'wait until the service is stable')
      .addOption(waitTimeoutOption(NOTHING_STOPPED))
      .action(act((o, ctx) => load().then((m) => m.runServiceUpdate(o, ctx))));

    service
      .command('delete')
      .description('scale a service to 0, delete it, and wait until it is INACTIVE (--no-wait: return once deleted)')
      .requiredOption('--cluster <name>', 'cluster')
      .requiredOption('--name <name>', 'service name')
      .option('--wait', 'wait until the service is INACTIVE (the default)')
      .option('--no-wait', 'return as soon as ECS accepted the delete (the service drains on its own)')
      .addOption(waitTimeoutOption(NOTHING_STOPPED))
      .action(act((o, ctx) => load().then((m) => m.runServiceDelete(o, ctx))));

    service
      .command('wait')
      .description('wait until a service is stable, or INACTIVE (resumes an interrupted --wait)')
      .requiredOption('--cluster <name>', 'cluster')
      .requiredOption('--name <name>', 'service name')
      .addOption(new Option('--until <state>', 'stable or inactive').choices(['stable', 'inactive']).default('stable'))
      .addOption(waitTimeoutOption(NOTHING_STOPPED))
      .action(act((o, ctx) => load().then((m) => m.runServiceWait(o, ctx))));
  },
};
