/**
 * Pure mappings from validated options to the ECS API's input shapes (RunTask, CreateService):
 * placement, network configuration, tags. Kept apart so the mapping is tested without AWS.
 */
import type {
  AwsVpcConfiguration,
  NetworkConfiguration,
  PlacementConstraint,
  PlacementStrategy,
  Tag,
} from '@aws-sdk/client-ecs';
import type { LaunchOptions, PlacementConstraintSpec, PlacementStrategySpec } from './launch.js';

/** `--placement-strategy` values → PlacementStrategy[] (`random` has no field). */
export function placementStrategies(specs: PlacementStrategySpec[]): PlacementStrategy[] {
  return specs.map((s) => (s.type === 'random' || s.field === undefined ? { type: s.type } : { type: s.type, field: s.field }));
}

/** `--placement-constraint` values → PlacementConstraint[] (`distinctInstance` has no expression). */
export function placementConstraints(specs: PlacementConstraintSpec[]): PlacementConstraint[] {
  return specs.map((c) => (c.type === 'memberOf' ? { type: 'memberOf', expression: c.expression } : { type: 'distinctInstance' }));
}

/** The placement members of a RunTask/CreateService input: present only when given (EC2 only; validated before). */
export function placementInput(launch: Pick<LaunchOptions, 'strategies' | 'constraints'>): { placementStrategy?: PlacementStrategy[]; placementConstraints?: PlacementConstraint[] } {
  return {
    ...(launch.strategies.length ? { placementStrategy: placementStrategies(launch.strategies) } : {}),
    ...(launch.constraints.length ? { placementConstraints: placementConstraints(launch.constraints) } : {}),
  };
}

export interface NetworkChoice {
  subnets: string[];
  securityGroups: string[];
  /** undefined: leave it to AWS (DISABLED). */
  assignPublicIp?: 'ENABLED' | 'DISABLED';
  /** How the values were chosen, for the plan's notes. */
  source: 'given' | 'default-vpc' | 'default-security-group' | 'unknown';
  vpcId?: string;
  /** With source default-vpc: the security groups came from --security-groups. */
  securityGroupsGiven?: boolean;
}

export function networkInput(n: NetworkChoice | undefined): { networkConfiguration?: NetworkConfiguration } {
  if (!n) return {};
  const awsvpcConfiguration: AwsVpcConfiguration = {
    subnets: n.subnets,
    ...(n.securityGroups.length ? { securityGroups: n.securityGroups } : {}),
    ...(n.assignPublicIp ? { assignPublicIp: n.assignPublicIp } : {}),
  };
  return { networkConfiguration: { awsvpcConfiguration } };
}

/** `{k: v}` → ECS tags, sorted by key (stable plans and requests). */
export function toEcsTags(m: Record<string, string>): Tag[] {
  return Object.keys(m)
    .sort()
    .map((key) => ({ key, value: m[key] }));
}

/** The note that says which network a task or service gets, and why. */
export function networkNote(n: NetworkChoice, launchType: string | undefined): string {
  const ip = n.assignPublicIp === 'ENABLED' ? ', with a public IP' : n.assignPublicIp === 'DISABLED' ? ', without a public IP' : '';
  switch (n.source) {
    case 'default-vpc':
      return (
        `network: no --subnets given, so the default VPC ${n.vpcId} is used: its default subnets ${n.subnets.join(', ')} and ${n.securityGroupsGiven ? `the security groups ${n.securityGroups.join(', ')}` : `its "default" security group ${n.securityGroups.join(', ')}`}${ip}` +
        `${launchType === 'FARGATE' && n.assignPublicIp === 'ENABLED' ? ' (the default subnets are public: Fargate needs the public IP to pull images from public registries)' : ''}. Pass --subnets and --security-groups to choose.`
      );
    case 'default-security-group':
      return `network: subnets ${n.subnets.join(', ')} and, as no --security-groups were given, the "default" security group ${n.securityGroups.join(', ')} of their VPC ${n.vpcId}${ip}.`;
    case 'unknown':
      return `network: ${n.subnets.length ? `subnets ${n.subnets.join(', ')}` : "the default VPC's default subnets"} and ${n.securityGroups.length ? `security groups ${n.securityGroups.join(', ')}` : 'the "default" security group'}${ip} (not looked up: dry run without AWS access).`;
    default:
      return `network: subnets ${n.subnets.join(', ')}, security groups ${n.securityGroups.join(', ')}${ip}.`;
  }
}
