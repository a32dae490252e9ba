/**
 * The ECS calls ecsprimer makes. "Not found" answers become `undefined`, every other error is
 * translated (operation named). Reads are O(1) per resource: DescribeClusters, DescribeServices,
 * DescribeTasks and DescribeTaskDefinition by name, with `include: ['TAGS']`, so one call tells
 * whether a resource exists, its state, and which stack it belongs to. Lists (ListTasks,
 * ListServices, ListTaskDefinitions) are only used where the command is about "everything in
 * this cluster / family" and cost O(that), never O(account).
 *
 * Loaded with `await import()` only: it imports the ECS client module statically.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type Cluster,
  type CreateServiceCommandInput,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
  type Service,
  type Tag,
  type Task,
  type TaskDefinition,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { errorName, translateAwsError } from './errors.js';
import { ServiceOps } from './ops.js';
import { sendOnce } from './once.js';
import type {
  ServiceDeploymentInfo,
  ClusterInfo,
  DeleteTaskDefinitionsResult,
  RunTaskResult,
  ServiceInfo,
  TaskDefinitionInfo,
  TaskDefinitionSummary,
  TaskInfo,
} from './ecs-types.js';

export type { ClusterInfo, ServiceInfo, TaskDefinitionInfo, TaskInfo } from './ecs-types.js';

const tagMap = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.key).map((t) => [t.key!, t.value ?? '']));

/** `{k: v}` → `[{key, value}]` (the ECS tag shape). */
export const ecsTags = (m: Record<string, string>): Tag[] => Object.entries(m).map(([key, value]) => ({ key, value }));

/** The last segment of an ECS ARN (task id, service name, cluster name); a plain name is returned as is. */
export function lastSegment(arnOrName: string): string {
  return arnOrName.slice(arnOrName.lastIndexOf('/') + 1);
}

/** `family:revision` of a task definition ARN (or of `family:revision`). */
export function familyRevision(arn: string): { family: string; revision?: number } {
  const tail = lastSegment(arn);
  const colon = tail.lastIndexOf(':');
  if (colon < 0) return { family: tail };
  return { family: tail.slice(0, colon), revision: Number(tail.slice(colon + 1)) };
}

const time = (d: Date | string | undefined): string | undefined => (d ? new Date(d).toISOString() : undefined);

export function toClusterInfo(c: Cluster): ClusterInfo {
  return {
    name: c.clusterName ?? lastSegment(c.clusterArn ?? ''),
    arn: c.clusterArn ?? '',
    status: c.status ?? 'UNKNOWN',
    tags: tagMap(c.tags),
    activeServicesCount: c.activeServicesCount ?? 0,
    runningTasksCount: c.runningTasksCount ?? 0,
    pendingTasksCount: c.pendingTasksCount ?? 0,
    registeredContainerInstancesCount: c.registeredContainerInstancesCount ?? 0,
  };
}

export function toTaskDefinitionInfo(td: TaskDefinition, tags?: Tag[]): TaskDefinitionInfo {
  const containers = td.containerDefinitions ?? [];
  return {
    arn: td.taskDefinitionArn ?? '',
    family: td.family ?? '',
    revision: td.revision ?? 0,
    status: td.status ?? 'UNKNOWN',
    networkMode: td.networkMode ?? 'bridge',
    requiresCompatibilities: td.requiresCompatibilities ?? [],
    containers: containers.map((c) => ({ name: c.name ?? '', essential: c.essential !== false })),
    tags: tagMap(tags),
    definition: td,
  };
}

export function toTaskInfo(t: Task): TaskInfo {
  const arn = t.taskArn ?? '';
  return {
    arn,
    id: lastSegment(arn),
    clusterArn: t.clusterArn ?? '',
    taskDefinitionArn: t.taskDefinitionArn ?? '',
    lastStatus: t.lastStatus ?? 'UNKNOWN',
    desiredStatus: t.desiredStatus ?? 'UNKNOWN',
    ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    ...(t.stopCode ? { stopCode: t.stopCode } : {}),
    ...(t.startedAt ? { startedAt: time(t.startedAt) } : {}),
    ...(t.stoppedAt ? { stoppedAt: time(t.stoppedAt) } : {}),
    ...(t.group ? { group: t.group } : {}),
    ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    ...(t.launchType ? { launchType: t.launchType } : {}),
    ...subnetOf(t),
    tags: tagMap(t.tags),
    containers: (t.containers ?? []).map((c) => ({
      name: c.name ?? '',
      ...(c.lastStatus ? { lastStatus: c.lastStatus } : {}),
      ...(c.exitCode !== undefined && c.exitCode !== null ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
    })),
  };
}

function subnetOf(t: Task): { subnetId?: string } {
  const eni = (t.attachments ?? []).find((a) => a.type === 'ElasticNetworkInterface');
  const id = eni?.details?.find((d) => d.name === 'subnetId')?.value;
  return id ? { subnetId: id } : {};
}

/** The task counts of a service or a deployment. */
const counts = (x: { desiredCount?: number; runningCount?: number; pendingCount?: number }) => ({ desiredCount: x.desiredCount ?? 0, runningCount: x.runningCount ?? 0, pendingCount: x.pendingCount ?? 0 });

export function toServiceInfo(s: Service): ServiceInfo {
  return {
    name: s.serviceName ?? lastSegment(s.serviceArn ?? ''),
    arn: s.serviceArn ?? '',
    clusterArn: s.clusterArn ?? '',
    status: s.status ?? 'UNKNOWN',
    ...counts(s),
    taskDefinition: s.taskDefinition ?? '',
    ...(s.launchType ? { launchType: s.launchType } : {}),
    ...(s.capacityProviderStrategy?.length ? { capacityProviderStrategy: s.capacityProviderStrategy.map((c) => ({ capacityProvider: c.capacityProvider ?? '' })) } : {}),
    ...(s.networkConfiguration?.awsvpcConfiguration
      ? {
          network: {
            subnets: s.networkConfiguration.awsvpcConfiguration.subnets ?? [],
            securityGroups: s.networkConfiguration.awsvpcConfiguration.securityGroups ?? [],
            ...(s.networkConfiguration.awsvpcConfiguration.assignPublicIp ? { assignPublicIp: s.networkConfiguration.awsvpcConfiguration.assignPublicIp } : {}),
          },
        }
      : {}),
    ...(s.loadBalancers?.length
      ? {
          loadBalancers: s.loadBalancers.map((l) => ({
            ...(l.targetGroupArn ? { targetGroupArn: l.targetGroupArn } : {}),
            ...(l.containerName ? { containerName: l.containerName } : {}),
            ...(l.containerPort !== undefined ? { containerPort: l.containerPort } : {}),
            ...(l.advancedConfiguration
              ? { advancedConfiguration: { alternateTargetGroupArn: l.advancedConfiguration.alternateTargetGroupArn, productionListenerRule: l.advancedConfiguration.productionListenerRule, roleArn: l.advancedConfiguration.roleArn } }
              : {}),
          })),
        }
      : {}),
    ...(s.deploymentConfiguration
      ? {
          deploymentConfiguration: {
            ...(s.deploymentConfiguration.strategy ? { strategy: s.deploymentConfiguration.strategy } : {}),
            ...(s.deploymentConfiguration.bakeTimeInMinutes !== undefined ? { bakeTimeInMinutes: s.deploymentConfiguration.bakeTimeInMinutes } : {}),
            ...(s.deploymentConfiguration.minimumHealthyPercent !== undefined ? { minimumHealthyPercent: s.deploymentConfiguration.minimumHealthyPercent } : {}),
            ...(s.deploymentConfiguration.maximumPercent !== undefined ? { maximumPercent: s.deploymentConfiguration.maximumPercent } : {}),
            ...(s.deploymentConfiguration.deploymentCircuitBreaker
              ? { circuitBreaker: { enable: s.deploymentConfiguration.deploymentCircuitBreaker.enable === true, rollback: s.deploymentConfiguration.deploymentCircuitBreaker.rollback === true } }
              : {}),
          },
        }
      : {}),
    ...(s.currentServiceDeployment ? { currentServiceDeployment: s.currentServiceDeployment } : {}),
    deployments: (s.deployments ?? []).map((d) => ({
      id: d.id ?? '',
      status: d.status ?? '',
      taskDefinition: d.taskDefinition ?? '',
      ...counts(d),
      failedTasks: d.failedTasks ?? 0,
      ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
      ...(d.rolloutStateReason ? { rolloutStateReason: d.rolloutStateReason } : {}),
    })),
    events: (s.events ?? []).map((e) => ({ id: e.id ?? '', createdAt: time(e.createdAt) ?? '', message: e.message ?? '' })),
    tags: tagMap(s.tags),
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** ECS's "no such task definition" answers (AWS: ClientException "Unable to describe task definition."). */
function isTaskDefinitionNotFound(e: unknown): boolean {
  const n = errorName(e);
  const m = (e as Error)?.message ?? '';
  return (n === 'ClientException' || n === 'InvalidParameterException') && /unable to describe task definition|does not exist|not found|revision is missing/i.test(m);
}

function isClusterNotFound(e: unknown): boolean {
  return errorName(e) === 'ClusterNotFoundException';
}

function isServiceGone(e: unknown): boolean {
  const n = errorName(e);
  return n === 'ServiceNotFoundException' || n === 'ServiceNotActiveException';
}

/** StopTask on a task ECS no longer knows. */
function isTaskNotFound(e: unknown): boolean {
  const m = (e as Error)?.message ?? '';
  return /task (?:was )?not found|referenced task was not found|could not find task/i.test(m);
}

/** The endpoint does not implement the operation (older emulators, some partitions). */
export function isUnsupportedOperation(e: unknown): boolean {
  const n = errorName(e);
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return (
    n === 'UnknownOperationException' ||
    n === 'UnrecognizedClientException' && /operation/i.test((e as Error)?.message ?? '') ||
    n === 'InvalidAction' ||
    n === 'NotImplemented' ||
    status === 501 ||
    (status === 404 && /not (?:yet )?implemented|unknown operation/i.test((e as Error)?.message ?? ''))
  );
}

export class EcsOps extends ServiceOps<ECSClient> {
  constructor(client: ECSClient, endpoint?: string, onceClient: ECSClient | (() => Promise<ECSClient>) = client, attempts = 1) {
    super(client, 'ecs', endpoint, onceClient, attempts);
  }

  // --- clusters -------------------------------------------------------------------------------

  /** Clusters by name, with tags; missing ones are absent from the map (INACTIVE ones are present). */
  async describeClusters(names: string[]): Promise<Map<string, ClusterInfo>> {
    const out = new Map<string, ClusterInfo>();
    const pages = await Promise.all(
      chunks([...new Set(names)], 100).map((batch) =>
        this.call('DescribeClusters', () => this.client.send(new DescribeClustersCommand({ clusters: batch, include: ['TAGS'] }))),
      ),
    );
    for (const page of pages) for (const c of page.clusters ?? []) {
      const info = toClusterInfo(c);
      out.set(info.name, info);
    }
    return out;
  }

  /** One cluster with its tags and counts, or undefined when ECS does not know it. */
  /** The ACTIVE container instances of a cluster with their free CPU units and memory (MiB). */
  async containerInstanceRoom(cluster: string): Promise<Array<{ id: string; cpu: number; memory: number; connected: boolean }>> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListContainerInstances', () => this.client.send(new ListContainerInstancesCommand({ cluster, status: 'ACTIVE', nextToken })));
      arns.push(...(page.containerInstanceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const out: Array<{ id: string; cpu: number; memory: number; connected: boolean }> = [];
    for (let i = 0; i < arns.length; i += 100) {
      const page = await this.call('DescribeContainerInstances', () => this.client.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns.slice(i, i + 100) })));
      for (const ci of page.containerInstances ?? []) {
        const free = (name: string) => ci.remainingResources?.find((r) => r.name === name)?.integerValue ?? 0;
        out.push({ id: lastSegment(ci.containerInstanceArn ?? ''), cpu: free('CPU'), memory: free('MEMORY'), connected: ci.agentConnected !== false });
      }
    }
    return out;
  }

  async describeCluster(name: string): Promise<ClusterInfo | undefined> {
    return (await this.describeClusters([name])).get(lastSegment(name));
  }

  async createCluster(i: { name: string; tags: Record<string, string> }): Promise<ClusterInfo> {
    const out = await this.call('CreateCluster', () => this.client.send(new CreateClusterCommand({ clusterName: i.name, tags: ecsTags(i.tags) })));
    return toClusterInfo(out.cluster ?? { clusterName: i.name });
  }

  /** Resolves undefined when the cluster was already gone. */
  async deleteCluster(name: string): Promise<ClusterInfo | undefined> {
    const out = await this.maybe('DeleteCluster', isClusterNotFound, () => this.client.send(new DeleteClusterCommand({ cluster: name })));
    return out ? toClusterInfo(out.cluster ?? { clusterName: name }) : undefined;
  }

  // --- task definitions -----------------------------------------------------------------------

  /**
   * `family` (latest ACTIVE revision), `family:revision` or an ARN, with tags; undefined when ECS
   * has no such task definition. (moto answers a bare family with its highest revision even when
   * that one is INACTIVE: callers check `status`.)
   */
  async describeTaskDefinition(ref: string): Promise<TaskDefinitionInfo | undefined> {
    const out = await this.maybe('DescribeTaskDefinition', isTaskDefinitionNotFound, () =>
      this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] })),
    );
    if (!out?.taskDefinition) return undefined;
    return toTaskDefinitionInfo(out.taskDefinition, out.tags);
  }

  /**
   * Registers a revision at most once. `after` is the family's highest revision known before the
   * call: after a lost answer, a newer revision tagged like `input` is the one this call made.
   */
  async registerTaskDefinition(input: RegisterTaskDefinitionCommandInput, after = 0): Promise<TaskDefinitionInfo> {
    const stackTag = (input.tags ?? []).find((t) => t.key === 'ecsprimer:stack')?.value;
    return this.call('RegisterTaskDefinition', () =>
      sendOnce({
        attempts: this.attempts,
        send: async () => {
          const out = await (await this.onceClient()).send(new RegisterTaskDefinitionCommand(input));
          return toTaskDefinitionInfo(out.taskDefinition ?? {}, out.tags ?? input.tags);
        },
        applied: async () => {
          const latest = await this.describeTaskDefinition(input.family!);
          return latest && latest.revision > after && latest.tags['ecsprimer:stack'] === stackTag ? latest : undefined;
        },
      }),
    );
  }

  /** Revisions of exactly `family` with `status`, oldest first (paged: O(revisions of the family)). */
  async listTaskDefinitions(family: string, status: 'ACTIVE' | 'INACTIVE'): Promise<TaskDefinitionSummary[]> {
    const out: TaskDefinitionSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListTaskDefinitions', () =>
        this.client.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status, sort: 'ASC', nextToken, maxResults: 100 })),
      );
      for (const arn of page.taskDefinitionArns ?? []) {
        const fr = familyRevision(arn);
        if (fr.family === family && fr.revision !== undefined) out.push({ arn, family, revision: fr.revision, status });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return out.sort((a, b) => a.revision - b.revision);
  }

  /** Resolves undefined when the revision does not exist. */
  async deregisterTaskDefinition(ref: string): Promise<TaskDefinitionInfo | undefined> {
    const out = await this.maybe('DeregisterTaskDefinition', isTaskDefinitionNotFound, () =>
      this.client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: ref })),
    );
    return out?.taskDefinition ? toTaskDefinitionInfo(out.taskDefinition) : undefined;
  }

  /**
   * DeleteTaskDefinitions for at most 10 INACTIVE revisions (`family:revision` or ARNs).
   * Throws the raw SDK error when the endpoint does not implement it (see isUnsupportedOperation).
   */
  async deleteTaskDefinitions(refs: string[]): Promise<DeleteTaskDefinitionsResult> {
    if (refs.length === 0) return { deleted: [], failures: [] };
    if (refs.length > 10) throw new RangeError('DeleteTaskDefinitions takes at most 10 task definitions');
    let out;
    try {
      out = await this.client.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: refs }));
    } catch (e) {
      if (isUnsupportedOperation(e)) throw e;
      throw translateAwsError('ecs:DeleteTaskDefinitions', e, this.endpoint);
    }
    return {
      deleted: (out.taskDefinitions ?? []).map((t) => t.taskDefinitionArn ?? `${t.family}:${t.revision}`),
      failures: (out.failures ?? []).map((f) => ({ arn: f.arn ?? '', reason: [f.reason, f.detail].filter(Boolean).join(': ') })),
    };
  }

  // --- tasks ----------------------------------------------------------------------------------

  async runTask(input: RunTaskCommandInput): Promise<RunTaskResult> {
    const out = await this.call('RunTask', () => this.client.send(new RunTaskCommand(input)));
    return {
      tasks: (out.tasks ?? []).map(toTaskInfo),
      failures: (out.failures ?? []).map((f) => ({ arn: f.arn ?? '', reason: [f.reason, f.detail].filter(Boolean).join(': ') })),
    };
  }

  /** Tasks by id or ARN, with tags (100 per call, concurrently); unknown ids are left out. */
  async describeTasks(cluster: string, ids: string[]): Promise<TaskInfo[]> {
    if (ids.length === 0) return [];
    const pages = await Promise.all(
      chunks([...new Set(ids)], 100).map((batch) =>
        this.call('DescribeTasks', () => this.client.send(new DescribeTasksCommand({ cluster, tasks: batch, include: ['TAGS'] }))),
      ),
    );
    const byId = new Map<string, TaskInfo>();
    for (const page of pages) for (const t of page.tasks ?? []) {
      const info = toTaskInfo(t);
      byId.set(info.id, info);
    }
    // Keep the order asked for.
    return ids.map((i) => byId.get(lastSegment(i))).filter((t): t is TaskInfo => Boolean(t));
  }

  /** Task ARNs of a cluster (paged: O(tasks of the cluster)). */
  async listTasks(cluster: string, filter: { desiredStatus?: 'RUNNING' | 'STOPPED' | 'PENDING'; startedBy?: string; family?: string; serviceName?: string } = {}): Promise<string[]> {
    const out: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListTasks', () => this.client.send(new ListTasksCommand({ cluster, ...filter, nextToken, maxResults: 100 })));
      out.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }

  /** Resolves undefined when ECS does not know the task (or the cluster). */
  async stopTask(cluster: string, task: string, reason?: string): Promise<TaskInfo | undefined> {
    const out = await this.maybe('StopTask', (e) => isClusterNotFound(e) || isTaskNotFound(e), () =>
      this.client.send(new StopTaskCommand({ cluster, task, ...(reason ? { reason } : {}) })),
    );
    return out?.task ? toTaskInfo(out.task) : undefined;
  }

  // --- services -------------------------------------------------------------------------------

  async createService(input: CreateServiceCommandInput): Promise<ServiceInfo> {
    const out = await this.call('CreateService', () => this.client.send(new CreateServiceCommand(input)));
    return toServiceInfo(out.service ?? { serviceName: input.serviceName });
  }

  /** Services of a cluster by name or ARN, with tags (10 per call, concurrently); missing ones are left out. */
  async describeServices(cluster: string, names: string[]): Promise<ServiceInfo[]> {
    if (names.length === 0) return [];
    const pages = await Promise.all(
      chunks([...new Set(names)], 10).map((batch) =>
        this.maybe('DescribeServices', isClusterNotFound, () => this.client.send(new DescribeServicesCommand({ cluster, services: batch, include: ['TAGS'] }))),
      ),
    );
    return pages.flatMap((p) => (p?.services ?? []).map(toServiceInfo));
  }

  /** One service (any status), or undefined when neither it nor its cluster exists. */
  async describeService(cluster: string, name: string): Promise<ServiceInfo | undefined> {
    return (await this.describeServices(cluster, [name]))[0];
  }

  /** A service deployment (ECS's deployment history): its status, lifecycle stage and revisions. */
  async serviceDeployment(arn: string): Promise<ServiceDeploymentInfo | undefined> {
    const out = await this.call('DescribeServiceDeployments', () => this.client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })));
    const d = out.serviceDeployments?.[0];
    if (!d) return undefined;
    return {
      arn: d.serviceDeploymentArn ?? arn,
      status: d.status ?? 'UNKNOWN',
      ...(d.statusReason ? { statusReason: d.statusReason } : {}),
      ...(d.lifecycleStage ? { lifecycleStage: d.lifecycleStage } : {}),
      ...(d.targetServiceRevision?.arn ? { targetRevision: d.targetServiceRevision.arn } : {}),
      sourceRevisions: (d.sourceServiceRevisions ?? []).map((r) => r.arn ?? '').filter(Boolean),
      ...(d.rollback?.reason ? { rollbackReason: d.rollback.reason } : {}),
      ...(d.updatedAt ? { updatedAt: d.updatedAt.getTime() } : {}),
    };
  }

  /** The newest service deployment of a service started at or after `since` (ms), if any. */
  async latestServiceDeployment(cluster: string, service: string, since: number): Promise<string | undefined> {
    const out = await this.call('ListServiceDeployments', () => this.client.send(new ListServiceDeploymentsCommand({ cluster, service, createdAt: { after: new Date(since - 60_000) }, maxResults: 20 })));
    const list = [...(out.serviceDeployments ?? [])].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
    return list[0]?.serviceDeploymentArn;
  }

  /** Resolves undefined when the service is gone or no longer ACTIVE. */
  async updateService(input: UpdateServiceCommandInput): Promise<ServiceInfo | undefined> {
    const out = await this.maybe('UpdateService', (e) => isServiceGone(e) || isClusterNotFound(e), () => this.client.send(new UpdateServiceCommand(input)));
    return out?.service ? toServiceInfo(out.service) : undefined;
  }

  /**
   * Resolves undefined when the service (or its cluster) was already gone. `force`: delete it
   * with its tasks running (ECS stops them), instead of refusing a service above 0 tasks.
   */
  async deleteService(cluster: string, service: string, force = false): Promise<ServiceInfo | undefined> {
    const out = await this.maybe('DeleteService', (e) => isServiceGone(e) || isClusterNotFound(e), () =>
      this.client.send(new DeleteServiceCommand({ cluster, service, ...(force ? { force: true } : {}) })),
    );
    return out?.service ? toServiceInfo(out.service) : undefined;
  }

  /** Service ARNs of a cluster (paged: O(services of the cluster)); [] when the cluster is gone. */
  async listServices(cluster: string): Promise<string[]> {
    const out: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.maybe('ListServices', isClusterNotFound, () => this.client.send(new ListServicesCommand({ cluster, nextToken, maxResults: 100 })));
      if (!page) return out;
      out.push(...(page.serviceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }
}

/** The client class, for clients.ts (one module per service: the client and its operations). */
export { ECSClient };
