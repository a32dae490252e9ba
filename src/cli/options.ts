/**
 * Option parsers and the option groups that several commands share (network, placement, wait,
 * tags): declared once, so `task run` and `service create` offer the same flags with the same help.
 */
import { Option, type Command } from 'commander';

/** Parses a repeatable option into a list (`--tag a=b --tag c=d`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses comma-separated lists (`--subnets a,b`), repeatable. */
export function commaList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

export function tagOption(): Option {
  return new Option('--tag <key=value>', 'extra tag (repeatable)').argParser(collect);
}

/** --subnets, --security-groups, --assign-public-ip / --no-assign-public-ip (awsvpc). */
export function addNetworkOptions(cmd: Command, what: 'task' | 'tasks'): Command {
  return cmd
    .addOption(new Option('--subnets <ids>', "awsvpc subnets, comma-separated (default: the default VPC's default subnets)").argParser(commaList))
    .addOption(new Option('--security-groups <ids>', 'awsvpc security groups, comma-separated (default: the "default" group of the VPC)').argParser(commaList))
    .option('--assign-public-ip', `give the ${what} ${what === 'task' ? 'a public IP' : 'public IPs'} (Fargate; the default with the default VPC)`)
    .option('--no-assign-public-ip', `no public IP${what === 'task' ? '' : 's'}`);
}

/** --placement-strategy and --placement-constraint (EC2 only; repeatable). */
export function addPlacementOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--placement-strategy <type[:field]>', 'EC2 only: random, spread:FIELD, binpack:cpu|memory (repeatable)').argParser(collect))
    .addOption(new Option('--placement-constraint <spec>', 'EC2 only: distinctInstance or memberOf:EXPRESSION (repeatable)').argParser(collect));
}

/** --wait-timeout SECONDS, with what happens to the resources when it passes. */
export function waitTimeoutOption(after: string): Option {
  return new Option('--wait-timeout <seconds>', `give up waiting after this many seconds (default 600); ${after}`);
}

/** A required option (Commander's requiredOption, as an Option to add). */
export function required(flags: string, description: string): Option {
  return new Option(flags, description).makeOptionMandatory();
}

/** `--cluster <name>`, required. */
export function clusterOption(description = 'cluster'): Option {
  return required('--cluster <name>', description);
}
