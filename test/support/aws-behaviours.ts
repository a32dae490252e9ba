/**
 * What AWS does and moto does not, played by the proxy (test/support/proxy.ts) on top of moto:
 * one function per behaviour, named after it, giving the proxy rules that play it. Errors are
 * answered in the service's wire format without reaching moto (the first `times` requests of the
 * operation); rewrites let moto answer and change the answer as AWS would give it.
 * test/RELIABILITY.md lists each behaviour and what ecsprimer does about it.
 */
import type { FaultRule } from './proxy.js';

type Json = Record<string, unknown>;

/**
 * ECS's first use in an account: while it creates its service-linked role, CreateCluster and
 * CreateService answer InvalidParameterException "Unable to assume the service linked role".
 */
export function ecsServiceLinkedRoleBeingCreated(times = 2, operations: string[] = ['CreateCluster', 'CreateService']): FaultRule[] {
  return operations.map((operation) => ({
    kind: 'error',
    limit: times,
    match: { service: 'ecs', operation },
    errorCode: 'InvalidParameterException',
    errorMessage: 'Unable to assume the service linked role. Please verify that the ECS service linked role exists.',
  }));
}

/**
 * DeleteCluster right after the last services and tasks were stopped: ECS still counts them for
 * a while (ClusterContainsTasksException, ClusterContainsServicesException, or
 * UpdateInProgressException while a capacity provider update runs).
 */
export function clusterStillCountsItsTasks(times = 2, errorCode = 'ClusterContainsTasksException'): FaultRule[] {
  return [
    {
      kind: 'error',
      limit: times,
      match: { service: 'ecs', operation: 'DeleteCluster' },
      errorCode,
      errorMessage: 'The Cluster cannot be deleted while Tasks are active.',
    },
  ];
}

/** IAM right after the detaches: DeleteRole and DeletePolicy answer DeleteConflict (HTTP 409) for a while. */
export function iamDetachesNotSettled(times = 2, operations: string[] = ['DeleteRole', 'DeletePolicy']): FaultRule[] {
  return operations.map((operation) => ({
    kind: 'error',
    limit: times,
    match: { service: 'iam', operation },
    errorCode: 'DeleteConflict',
    errorMessage: 'Cannot delete entity, must detach all policies first.',
    httpStatus: 409,
  }));
}

/** IAM right after CreatePolicy and CreateRole: AttachRolePolicy answers NoSuchEntity (HTTP 404) for a while. */
export function iamCreatesNotVisibleYet(times = 2): FaultRule[] {
  return [
    {
      kind: 'error',
      limit: times,
      match: { service: 'iam', operation: 'AttachRolePolicy' },
      errorCode: 'NoSuchEntity',
      errorMessage: 'The role with name x cannot be found.',
      httpStatus: 404,
    },
  ];
}

/** A call refused because the caller may not tag on create (e.g. no ecs:TagResource). */
export function mayNotTagOnCreate(service: 'ecs' | 'iam', operation: string, action: string): FaultRule[] {
  return [
    {
      kind: 'error',
      match: { service, operation },
      errorCode: service === 'ecs' ? 'AccessDeniedException' : 'AccessDenied',
      errorMessage: `User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ${action} on resource: * because no identity-based policy allows the ${action} action`,
      httpStatus: service === 'ecs' ? 400 : 403,
    },
  ];
}

/** Rewrites the answers of one ECS operation. */
function rewriteEcs(operation: string, rewrite: (answer: Json, request: Json) => Json): FaultRule {
  return { kind: 'rewrite', match: { service: 'ecs', operation }, rewrite };
}

/**
 * DescribeTaskDefinition as AWS answers it: the defaults it fills in (container cpu 0, port
 * mappings' hostPort and protocol, healthCheck interval 30, timeout 5, retries 3, empty lists of
 * what the document left out).
 */
export function taskDefinitionWithAwsDefaults(): FaultRule[] {
  return [
    rewriteEcs('DescribeTaskDefinition', (answer) => {
      const td = answer.taskDefinition as Json | undefined;
      if (!td) return answer;
      const networkMode = (td.networkMode as string) ?? 'bridge';
      const containers = ((td.containerDefinitions as Json[]) ?? []).map((c) => ({
        cpu: 0,
        environment: [],
        mountPoints: [],
        volumesFrom: [],
        systemControls: [],
        ...c,
        portMappings: ((c.portMappings as Json[]) ?? []).map((p) => ({ protocol: 'tcp', ...p, hostPort: p.hostPort ?? (networkMode === 'bridge' ? 0 : p.containerPort) })),
        ...(c.healthCheck ? { healthCheck: { interval: 30, timeout: 5, retries: 3, ...(c.healthCheck as Json) } } : {}),
      }));
      return { ...answer, taskDefinition: { volumes: [], placementConstraints: [], ...td, containerDefinitions: containers } };
    }),
  ];
}

/**
 * DeleteService of a service whose tasks still run: ECS answers DRAINING, and DescribeServices
 * keeps answering DRAINING until its tasks have stopped (here, for `polls` reads after the
 * delete); moto's services run no tasks, so it answers INACTIVE at once.
 */
export function serviceDrainsWhileTasksStop(o: { cluster: string; service: string; polls: number }): FaultRule[] {
  let left = 0;
  const ours = (request: Json) => String(request.cluster ?? '').split('/').pop() === o.cluster;
  const draining = (s: Json): Json => ({ ...s, status: 'DRAINING', runningCount: 1, desiredCount: 0 });
  return [
    rewriteEcs('DeleteService', (answer, request) => {
      if (!ours(request) || String(request.service).split('/').pop() !== o.service || !answer.service) return answer;
      left = o.polls;
      return { ...answer, service: draining(answer.service as Json) };
    }),
    rewriteEcs('DescribeServices', (answer, request) => {
      if (!ours(request) || left === 0) return answer;
      const services = ((answer.services as Json[]) ?? []).map((s) => (s.serviceName === o.service ? draining(s) : s));
      if (services.some((s) => s.serviceName === o.service)) left--;
      return { ...answer, services };
    }),
  ];
}

/**
 * ListTaskDefinitions with status INACTIVE lists a revision only while something still
 * references it: here, never.
 */
export function inactiveRevisionsUnlisted(): FaultRule[] {
  return [rewriteEcs('ListTaskDefinitions', (answer, request) => (request.status === 'INACTIVE' ? { ...answer, taskDefinitionArns: [] } : answer))];
}

export interface FailedTask {
  stoppedReason: string;
  stopCode?: string;
  /** The essential container's exit code, if it ran. */
  exitCode?: number;
}

/**
 * A deployment circuit breaker rolling a service back after an UpdateService: from then on the
 * deployment the update started (the service's current one) is FAILED, and a new PRIMARY
 * deployment runs the task definition from before the update. ListTasks/DescribeTasks add the
 * failed tasks (of the new task definition) with their stopped reasons and exit codes.
 */
export function circuitBreakerRollback(o: { cluster: string; service: string; failed: FailedTask[] }): FaultRule[] {
  const taskArn = (i: number) => `arn:aws:ecs:us-east-1:123456789012:task/${o.cluster}/f${String(i).padStart(31, '0')}`;
  const ours = (request: Json) => request.cluster === o.cluster;
  let previous: string | undefined;
  let started: string | undefined;
  return [
    rewriteEcs('UpdateService', (answer, request) => {
      if (ours(request) && request.service === o.service) started = (answer.service as Json | undefined)?.taskDefinition as string;
      return answer;
    }),
    rewriteEcs('DescribeServices', (answer, request) => {
      if (!ours(request)) return answer;
      const services = ((answer.services as Json[]) ?? []).map((s) => {
        if (s.serviceName !== o.service) return s;
        if (!started) {
          previous = s.taskDefinition as string;
          return s;
        }
        const current = ((s.deployments as Json[]) ?? [])[0] ?? {};
        const failed = { ...current, taskDefinition: started, status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', failedTasks: o.failed.length, runningCount: 0 };
        const rollback = { ...current, id: 'ecs-svc/9999999999999999999', status: 'PRIMARY', taskDefinition: previous, rolloutState: 'IN_PROGRESS', rolloutStateReason: 'ECS deployment circuit breaker: rolling back to the previous deployment.' };
        return {
          ...s,
          taskDefinition: previous,
          deployments: [rollback, failed],
          events: [{ id: 'rollback', createdAt: Date.now() / 1000, message: `(service ${o.service}) rolling back to deployment ecs-svc/9999999999999999999.` }, ...((s.events as Json[]) ?? [])],
        };
      });
      return { ...answer, services };
    }),
    rewriteEcs('ListTasks', (answer, request) => (started && ours(request) && request.serviceName === o.service && request.desiredStatus === 'STOPPED' ? { ...answer, taskArns: o.failed.map((_, i) => taskArn(i)) } : answer)),
    rewriteEcs('DescribeTasks', (answer, request) => {
      const wanted = (request.tasks as string[]) ?? [];
      const fake = o.failed.flatMap((f, i) =>
        wanted.includes(taskArn(i))
          ? [
              {
                taskArn: taskArn(i),
                clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${o.cluster}`,
                taskDefinitionArn: started,
                lastStatus: 'STOPPED',
                desiredStatus: 'STOPPED',
                group: `service:${o.service}`,
                stoppedReason: f.stoppedReason,
                ...(f.stopCode ? { stopCode: f.stopCode } : {}),
                containers: [{ name: 'web', lastStatus: 'STOPPED', ...(f.exitCode !== undefined ? { exitCode: f.exitCode } : {}) }],
              },
            ]
          : [],
      );
      return fake.length ? { ...answer, tasks: [...((answer.tasks as Json[]) ?? []), ...fake], failures: [] } : answer;
    }),
  ];
}

/**
 * A deployment that finishes: AWS keeps a deployment's counts and task definition current and
 * marks its rollout COMPLETED once it runs the desired count (moto's deployment record never
 * changes after CreateService, so an update or scale-up would look IN_PROGRESS for ever). With
 * `tasksStart`, the service's tasks also start.
 */
export function deploymentsComplete(o: { tasksStart?: boolean } = {}): FaultRule[] {
  const complete = (answered: Json): Json => {
    // tasksStart: the service's tasks start, as they do on AWS once placed (moto counts a new
    // service's tasks as pending for ever, unless MOTO_ECS_SERVICE_RUNNING fixes one count for all).
    const s = o.tasksStart && answered.status === 'ACTIVE' ? { ...answered, runningCount: answered.desiredCount, pendingCount: 0 } : answered;
    const running = s.runningCount as number;
    const steady = s.status === 'ACTIVE' && running === s.desiredCount && s.pendingCount === 0;
    const deployments = ((s.deployments as Json[]) ?? []).map((d) =>
      d.status === 'PRIMARY'
        ? { ...d, taskDefinition: s.taskDefinition, desiredCount: s.desiredCount, runningCount: running, pendingCount: s.pendingCount, ...(steady ? { rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${d.id as string} completed.` } : {}) }
        : d,
    );
    return { ...s, deployments };
  };
  return [rewriteEcs('DescribeServices', (answer) => ({ ...answer, services: ((answer.services as Json[]) ?? []).map(complete) }))];
}

/**
 * A task that stops as AWS reports it: DescribeTasks answers STOPPED with a stopped reason, a stop
 * code and (when the container ran) its exit code; RunTask answers PROVISIONING (moto answers
 * RUNNING, and its tasks never stop by themselves).
 */
export function taskStops(o: { stoppedReason: string; stopCode: string; exitCode?: number; containerReason?: string }): FaultRule[] {
  const ran = o.exitCode !== undefined;
  const stopped = (t: Json): Json => ({
    ...t,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stoppedReason: o.stoppedReason,
    stopCode: o.stopCode,
    ...(ran ? {} : { startedAt: undefined }),
    stoppedAt: Date.now() / 1000,
    containers: ((t.containers as Json[]) ?? []).map((c) => {
      // A container that never ran has no exit code (moto gives every container one).
      const { exitCode: _e, ...rest } = c;
      return { ...rest, lastStatus: 'STOPPED', ...(ran ? { exitCode: o.exitCode } : {}), ...(o.containerReason ? { reason: o.containerReason } : {}) };
    }),
  });
  return [
    rewriteEcs('RunTask', (answer) => ({ ...answer, tasks: ((answer.tasks as Json[]) ?? []).map((t) => ({ ...t, lastStatus: 'PROVISIONING', startedAt: undefined })) })),
    rewriteEcs('DescribeTasks', (answer) => ({ ...answer, tasks: ((answer.tasks as Json[]) ?? []).map(stopped) })),
  ];
}

/**
 * A service's tasks: AWS's ListTasks with serviceName lists the tasks the service started; moto's
 * services start none (and it does not filter by service): the given tasks play them.
 */
export function serviceTasks(o: { cluster: string; service: string; taskArns: string[] }): FaultRule[] {
  return [rewriteEcs('ListTasks', (answer, request) => (request.cluster === o.cluster && request.serviceName === o.service ? { ...answer, taskArns: o.taskArns } : answer))];
}

/**
 * CreateService keeps the deployment configuration it is given (strategy, bake time, circuit
 * breaker), as AWS does: moto drops it, so DescribeServices answers without it. Here it is kept
 * per service and given back by DescribeServices (UpdateService's moto keeps itself).
 */
export function createServiceKeepsDeploymentConfiguration(): FaultRule[] {
  const kept = new Map<string, Json>();
  return [
    rewriteEcs('CreateService', (answer, request) => {
      const svc = answer.service as Json | undefined;
      if (!svc || !request.deploymentConfiguration) return answer;
      kept.set(String(svc.serviceArn), request.deploymentConfiguration as Json);
      return { ...answer, service: { ...svc, deploymentConfiguration: request.deploymentConfiguration } };
    }),
    rewriteEcs('UpdateService', (answer, request) => {
      const svc = answer.service as Json | undefined;
      if (svc && request.deploymentConfiguration) kept.delete(String(svc.serviceArn));
      return answer;
    }),
    rewriteEcs('DescribeServices', (answer) => ({
      ...answer,
      services: ((answer.services as Json[]) ?? []).map((x) => (kept.has(String(x.serviceArn)) ? { ...x, deploymentConfiguration: kept.get(String(x.serviceArn)) } : x)),
    })),
  ];
}
