/**
 * What moto holds of one ecsprimer stack, read with the SDK directly (not through the CLI), for
 * the reliability tests (faults, signals, credentials, secrets, the bad-input corpus):
 * "exactly the expected resources" and "zero of the stack" are asserted on the server's state.
 *
 * IAM resources of a stack live under the path /ecsprimer/<stack>/; ECS resources carry the tag
 * ecsprimer:stack=<stack>. Task states are read with ListTasks only: moto advances a task's
 * lifecycle on every DescribeTasks, so describing would change what we measure.
 */
import {
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import type { ProxyCounts } from './proxy.js';

export const TEST_ACCOUNT = '123456789012';
// This process talks to moto with the SDK too; its Node 20 deprecation notice is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const CREDS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface StackState {
  policies: Array<{ name: string; arn: string; versions: number }>;
  roles: Array<{ name: string; arn: string; attached: string[] }>;
  /** ACTIVE clusters tagged with the stack. */
  clusters: Array<{ name: string; arn: string }>;
  /** Task definition revisions (ACTIVE or INACTIVE, not deleted) tagged with the stack, as family:revision. */
  taskDefinitions: string[];
  /** Services tagged with the stack that are not INACTIVE, as cluster/name. */
  services: Array<{ cluster: string; name: string; status: string; desiredCount: number }>;
  /** Task ARNs (desired status RUNNING) in the stack's clusters. */
  tasks: string[];
}

export function sdkClients(endpoint: string): { iam: IAMClient; ecs: ECSClient } {
  const common = { endpoint, region: 'us-east-1', credentials: CREDS, maxAttempts: 3 };
  return { iam: new IAMClient(common), ecs: new ECSClient(common) };
}

const tagged = (tags: Array<{ key?: string; value?: string }> | undefined, stack: string) =>
  (tags ?? []).some((t) => t.key === 'ecsprimer:stack' && t.value === stack);

/**
 * Everything of `stack` that moto holds now. Task definitions are looked up by family (default
 * `<stack>-web`, the family of json/task-definition.json); tasks and services also in `clusters`
 * (by name) even when those are gone or untagged, so that "zero" also means no orphaned task.
 */
export async function readStackState(endpoint: string, stack: string, opts: { families?: string[]; clusters?: string[] } = {}): Promise<StackState> {
  const { iam, ecs } = sdkClients(endpoint);
  const path = `/ecsprimer/${stack}/`;
  try {
    const policies: StackState['policies'] = [];
    for (const p of (await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: path, MaxItems: 1000 }))).Policies ?? []) {
      const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p.Arn! }))).Versions ?? [];
      policies.push({ name: p.PolicyName!, arn: p.Arn!, versions: versions.length });
    }
    const roles: StackState['roles'] = [];
    for (const r of (await iam.send(new ListRolesCommand({ PathPrefix: path, MaxItems: 1000 }))).Roles ?? []) {
      const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: r.RoleName! }))).AttachedPolicies ?? [];
      roles.push({ name: r.RoleName!, arn: r.Arn!, attached: attached.map((a) => a.PolicyArn!) });
    }

    const clusters: StackState['clusters'] = [];
    const clusterArns = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
    for (let i = 0; i < clusterArns.length; i += 100) {
      const out = await ecs.send(new DescribeClustersCommand({ clusters: clusterArns.slice(i, i + 100), include: ['TAGS'] }));
      for (const c of out.clusters ?? []) {
        if (c.status === 'ACTIVE' && tagged(c.tags, stack)) clusters.push({ name: c.clusterName!, arn: c.clusterArn! });
      }
    }

    const services: StackState['services'] = [];
    const tasks: string[] = [];
    const missing = (e: unknown) => (e as { name?: string })?.name === 'ClusterNotFoundException';
    for (const name of new Set([...clusters.map((c) => c.name), ...(opts.clusters ?? [])])) {
      try {
        const serviceArns = (await ecs.send(new ListServicesCommand({ cluster: name }))).serviceArns ?? [];
        if (serviceArns.length) {
          const out = await ecs.send(new DescribeServicesCommand({ cluster: name, services: serviceArns, include: ['TAGS'] }));
          for (const s of out.services ?? []) {
            if (s.status !== 'INACTIVE' && tagged(s.tags, stack)) services.push({ cluster: name, name: s.serviceName!, status: s.status!, desiredCount: s.desiredCount ?? 0 });
          }
        }
        tasks.push(...((await ecs.send(new ListTasksCommand({ cluster: name, desiredStatus: 'RUNNING' }))).taskArns ?? []));
      } catch (e) {
        if (!missing(e)) throw e;
      }
    }

    const taskDefinitions: string[] = [];
    for (const status of ['ACTIVE', 'INACTIVE'] as const) {
      for (const family of opts.families ?? [`${stack}-web`]) {
        const arns = (await ecs.send(new ListTaskDefinitionsCommand({ status, familyPrefix: family }))).taskDefinitionArns ?? [];
        for (const arn of arns) {
          const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
          if (tagged(out.tags, stack)) taskDefinitions.push(`${out.taskDefinition!.family}:${out.taskDefinition!.revision}`);
        }
      }
    }
    return { policies, roles, clusters, taskDefinitions: [...new Set(taskDefinitions)].sort(), services, tasks };
  } finally {
    iam.destroy();
    ecs.destroy();
  }
}

/** Counts of every kind, for "zero of the stack" assertions with a readable diff. */
export function countsOf(s: StackState): Record<keyof StackState, number> {
  return {
    policies: s.policies.length,
    roles: s.roles.length,
    clusters: s.clusters.length,
    taskDefinitions: s.taskDefinitions.length,
    services: s.services.length,
    tasks: s.tasks.length,
  };
}

export const EMPTY_COUNTS: Record<keyof StackState, number> = { policies: 0, roles: 0, clusters: 0, taskDefinitions: 0, services: 0, tasks: 0 };

const READ_ONLY = /^(Describe|List|Get)/;

/** The operations in `counts` that could change something (anything but Describe*, List*, Get*). */
export function changingOperations(counts: ProxyCounts): Record<string, number> {
  return Object.fromEntries(Object.entries(counts.byOperation).filter(([key]) => !READ_ONLY.test(key.split(':')[1] ?? '')));
}

/** Journal records of a state directory, for one stack (account 123456789012, us-east-1). */
export function journalFile(stateDir: string, stack: string, region = 'us-east-1'): string {
  return `${stateDir}/${TEST_ACCOUNT}/${region}/${stack}.jsonl`;
}

export interface JournalLine {
  event: string;
  type: string;
  name: string;
  arn?: string;
  parent?: string;
  data?: Record<string, unknown>;
}

export async function readJournal(stateDir: string, stack: string): Promise<JournalLine[]> {
  const { readFileSync } = await import('node:fs');
  let text = '';
  try {
    text = readFileSync(journalFile(stateDir, stack), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as JournalLine);
}

/** Unique stack names per test run (moto is shared by every test file: never reset it). */
let seq = 0;
export function uniqueStack(prefix: string): string {
  return `${prefix}${Date.now().toString(36).slice(-5)}${process.pid % 1000}${seq++}`.slice(0, 32);
}
