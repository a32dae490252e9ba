/**
 * "Is this document the same as the latest ACTIVE revision?" — so that registering an unchanged
 * document is "unchanged" and not a new revision on every run.
 *
 * Only the fields RegisterTaskDefinition takes are compared (tags apart: they are not part of a
 * revision), after normalising both sides for what AWS adds or rewrites in DescribeTaskDefinition:
 *   - defaults: container `essential` true, `cpu` 0, port mapping `protocol` "tcp", task
 *     `networkMode` "bridge", `versionConsistency` "enabled", healthCheck `interval` 30,
 *     `timeout` 5 and `retries` 3;
 *   - empty arrays/objects, null and false (the default of every boolean but `essential`);
 *   - task `cpu`/`memory` as numbers or in vCPU/GB ("1 vCPU" is 1024, "2 GB" is 2048);
 *   - `hostPort` 0, and `hostPort` equal to `containerPort` with awsvpc or host networking;
 *   - the order of `requiresCompatibilities`, of environment variables and of secrets;
 *   - a task role given by name versus its ARN.
 */
import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import { AwsError, UsageError } from '../errors.js';
import { normalizeCpu, normalizeMemory } from './fargate.js';
import { TASK_DEFINITION_KEYS } from './validate.js';
import type { ClusterInfo, TaskDefinitionInfo } from '../aws/ecs-types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Drops null/undefined/false/empty arrays/empty objects (recursively); `keep` names keys whose false is meaningful. */
function prune(v: unknown, keep: ReadonlySet<string> = new Set(['essential'])): unknown {
  if (Array.isArray(v)) {
    const out = v.map((x) => prune(x, keep)).filter((x) => x !== undefined);
    return out.length ? out : undefined;
  }
  if (isObj(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v).sort()) {
      const x = v[k];
      if (x === false && keep.has(k)) {
        out[k] = false;
        continue;
      }
      const p = prune(x, keep);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (v === null || v === undefined || v === false) return undefined;
  return v;
}

const byName = (a: unknown, b: unknown) => String((a as Obj)?.name ?? '').localeCompare(String((b as Obj)?.name ?? ''));

function container(c: unknown, networkMode: string): unknown {
  if (!isObj(c)) return c;
  const out: Obj = { ...c };
  out.essential = c.essential !== false;
  if (out.cpu === 0) delete out.cpu;
  if (out.versionConsistency === 'enabled') delete out.versionConsistency;
  if (Array.isArray(c.portMappings)) {
    out.portMappings = c.portMappings.map((pm) => {
      if (!isObj(pm)) return pm;
      const p: Obj = { ...pm };
      if (p.protocol === undefined) p.protocol = 'tcp';
      if (p.hostPort === 0 || ((networkMode === 'awsvpc' || networkMode === 'host') && p.hostPort === p.containerPort)) delete p.hostPort;
      return p;
    });
  }
  // ECS fills in a health check's interval 30, timeout 5 and retries 3 (startPeriod has none).
  if (isObj(c.healthCheck)) {
    const h: Obj = { interval: 30, timeout: 5, retries: 3, ...c.healthCheck };
    if (h.startPeriod === 0) delete h.startPeriod;
    out.healthCheck = h;
  }
  if (Array.isArray(c.environment)) out.environment = [...c.environment].sort(byName);
  if (Array.isArray(c.secrets)) out.secrets = [...c.secrets].sort(byName);
  return out;
}

function roleName(arnOrName: unknown): unknown {
  return typeof arnOrName === 'string' && arnOrName.startsWith('arn:') ? arnOrName.slice(arnOrName.lastIndexOf('/') + 1) : arnOrName;
}

/**
 * The comparable form of a task definition (input document or DescribeTaskDefinition answer):
 * only the RegisterTaskDefinition fields, normalised. Also what the confirmation diff shows.
 */
export function comparableTaskDefinition(td: RegisterTaskDefinitionCommandInput | TaskDefinition): Obj {
  const src = td as Obj;
  const networkMode = typeof src.networkMode === 'string' ? src.networkMode : 'bridge';
  const out: Obj = {};
  for (const k of TASK_DEFINITION_KEYS) {
    if (k === 'tags') continue;
    if (src[k] !== undefined) out[k] = src[k];
  }
  out.networkMode = networkMode;
  if (out.cpu !== undefined) out.cpu = String(normalizeCpu(out.cpu as string | number) ?? out.cpu);
  if (out.memory !== undefined) out.memory = String(normalizeMemory(out.memory as string | number) ?? out.memory);
  if (Array.isArray(out.requiresCompatibilities)) out.requiresCompatibilities = [...new Set(out.requiresCompatibilities as string[])].sort();
  if (Array.isArray(out.containerDefinitions)) out.containerDefinitions = out.containerDefinitions.map((c) => container(c, networkMode));
  return (prune(out) as Obj) ?? {};
}

/**
 * The top-level fields that differ between the desired document and a registered revision
 * (empty: identical). A task role given by name in one and as an ARN in the other is equal.
 */
export function taskDefinitionDifferences(desired: RegisterTaskDefinitionCommandInput, current: TaskDefinition): string[] {
  const a = comparableTaskDefinition(desired);
  const b = comparableTaskDefinition(current);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => {
    if (k === 'taskRoleArn' && roleName(a[k]) === roleName(b[k]) && (typeof a[k] === 'string' && !String(a[k]).startsWith('arn:') || typeof b[k] === 'string' && !String(b[k]).startsWith('arn:'))) return false;
    return JSON.stringify(a[k]) !== JSON.stringify(b[k]);
  });
}

// ---------------------------------------------------------------------------------------------
// Checks of resolved state shared by `task run` and `service create` (before any change).


/** `family`, `family:revision` or the ARN, as given. */
export function taskDefinitionRefText(ref: { family: string; revision?: number; arn?: string }): string {
  return ref.arn ?? (ref.revision !== undefined ? `${ref.family}:${ref.revision}` : ref.family);
}

/**
 * Throws unless `td` can start tasks with `launchType`: it exists, is ACTIVE, and is compatible
 * with the launch type (AWS would refuse otherwise, less clearly).
 */
export function assertUsableTaskDefinition(
  td: TaskDefinitionInfo | undefined,
  ref: { family: string; revision?: number; arn?: string },
  launchType: string | undefined,
  option = '--task-definition',
  /** What chose the launch type, for the message (default `--launch-type X`). */
  launchSource = `--launch-type ${launchType}`,
): asserts td is TaskDefinitionInfo {
  const text = taskDefinitionRefText(ref);
  const familyOnly = ref.revision === undefined && !ref.arn;
  if (!td || (familyOnly && td.status !== 'ACTIVE')) {
    throw new AwsError(
      'ecs:DescribeTaskDefinition',
      'TaskDefinitionNotFound',
      `Task definition ${text} ${familyOnly ? 'has no ACTIVE revision' : 'does not exist'}: register it first (ecsprimer task register --document ...), or check ${option}.`,
    );
  }
  if (td.status !== 'ACTIVE') {
    throw new AwsError('ecs:DescribeTaskDefinition', 'TaskDefinitionInactive', `Task definition ${td.family}:${td.revision} is ${td.status} (deregistered): ECS starts tasks only from ACTIVE revisions. Give another revision, or register the document again.`);
  }
  if (launchType) {
    const compat = td.definition.compatibilities?.length ? td.definition.compatibilities : td.requiresCompatibilities.length ? td.requiresCompatibilities : ['EC2'];
    if (!compat.includes(launchType)) {
      throw new UsageError(
        `${launchSource}: task definition ${td.family}:${td.revision} is not compatible with ${launchType} (it supports ${compat.join(', ')}). ${otherPlatform(launchSource, compat[0])}register a revision with "requiresCompatibilities": ["${launchType}"].`,
      );
    }
  }
}

/** The first half of the fix for an incompatible task definition: run it elsewhere, when the caller chooses where. */
function otherPlatform(launchSource: string, supported: string): string {
  if (launchSource.startsWith('--launch-type')) return `Use --launch-type ${supported}, or `;
  if (launchSource.startsWith('capacityProviderStrategy')) return `Use ${supported === 'FARGATE' ? 'the FARGATE or FARGATE_SPOT capacity provider' : 'an Auto Scaling group capacity provider'}, or `;
  return 'Give a revision that is compatible, or ';
}

/** Throws unless the cluster exists and is ACTIVE. */
export function assertActiveCluster(name: string, info: ClusterInfo | undefined): asserts info is ClusterInfo {
  if (!info || info.status === 'INACTIVE') {
    throw new AwsError('ecs:DescribeClusters', 'ClusterNotFoundException', `Cluster ${name} ${info ? 'is INACTIVE (deleted)' : 'does not exist'}: create it first (ecsprimer cluster create --name ${name}), or check --cluster.`);
  }
}
