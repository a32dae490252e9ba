/**
 * Where tasks will run, for `task run` and `service create`: the cluster, the task definition and
 * the awsvpc network, read in one round trip (an EC2 task definition tells whether it needs a
 * network only once it is read: then a second), and the checks that stop a run before ECS would
 * refuse it less clearly.
 */
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import type { ClusterInfo, TaskDefinitionInfo } from '../aws/ecs-types.js';
import { assertActiveCluster, assertUsableTaskDefinition, taskDefinitionRefText } from './compare.js';
import type { NetworkChoice } from './inputs.js';
import type { LaunchType } from './launch.js';
import type { TaskDefinitionRef } from './names.js';
import { resolveNetwork, unknownNetwork, type NetworkRequest } from './network.js';

export interface TargetRequest {
  cluster: string;
  ref: TaskDefinitionRef;
  /** Where the tasks run: the launch type, or what a capacity provider strategy runs on (undefined: unknown). */
  launchType?: LaunchType;
  /** What chose it, for messages (default `--launch-type X`). */
  launchSource?: string;
  network: NetworkRequest;
  /** The network is given another way (a service document's networkConfiguration): none is looked up. */
  networkGiven?: boolean;
}

export interface Target {
  cluster?: ClusterInfo;
  td?: TaskDefinitionInfo;
  network?: NetworkChoice;
}

/** The cluster, the task definition and (for awsvpc tasks) the network. */
export async function readTarget(ctx: Context, req: TargetRequest): Promise<Target> {
  const ops = await ctx.ecs();
  const fargate = req.launchType === 'FARGATE';
  // Fargate tasks are always awsvpc: the network is looked up alongside; EC2 tasks only once the
  // task definition says awsvpc.
  const [cluster, td, network] = await Promise.all([
    ops.describeCluster(req.cluster),
    ops.describeTaskDefinition(taskDefinitionRefText(req.ref)),
    fargate && !req.networkGiven ? resolveNetwork(ctx, req.network) : undefined,
  ]);
  const awsvpc = !req.networkGiven && (fargate || td?.networkMode === 'awsvpc');
  return { cluster, td, network: network ?? (awsvpc && td ? await resolveNetwork(ctx, req.network) : undefined) };
}

/** What a dry run without AWS access assumes: the network as given (or the default VPC's, unread). */
export function assumedTarget(req: TargetRequest): Target {
  const wanted = req.launchType === 'FARGATE' || req.network.subnets.length > 0 || req.network.securityGroups.length > 0;
  return { network: !req.networkGiven && wanted ? unknownNetwork(req.network) : undefined };
}

/** Throws unless tasks can start there: an ACTIVE cluster, a usable task definition, awsvpc options only for awsvpc. */
export function checkTarget(req: TargetRequest, t: Target): asserts t is Target & { cluster: ClusterInfo; td: TaskDefinitionInfo } {
  assertActiveCluster(req.cluster, t.cluster);
  assertUsableTaskDefinition(t.td, req.ref, req.launchType, '--task-definition', req.launchSource);
  const n = req.network;
  if (t.td.networkMode !== 'awsvpc' && (n.subnets.length || n.securityGroups.length || n.assignPublicIp !== undefined)) {
    throw new UsageError(
      `--subnets, --security-groups and --assign-public-ip apply to awsvpc tasks only; task definition ${t.td.family}:${t.td.revision} uses networkMode "${t.td.networkMode}". Remove them, or register the task definition with "networkMode": "awsvpc".`,
    );
  }
}

/** ECS gives public IPs to Fargate tasks only. */
export function refusePublicIpOnEc2(launchType: LaunchType | undefined, assignPublicIp: boolean | undefined): void {
  if (launchType === 'EC2' && assignPublicIp === true) {
    throw new UsageError("--assign-public-ip: ECS assigns public IPs only to Fargate tasks; on EC2 the instance's network decides. Remove --assign-public-ip or use --launch-type FARGATE.");
  }
}
