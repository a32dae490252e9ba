/**
 * What a stack holds: the union of the journal's records and the resources tagged with the
 * stack (IAM: listed under the stack's IAM path; ECS: the tagging API, or an ECS-native scan when
 * that API is unavailable), each with its live state read in O(1) calls per resource.
 *
 * Ownership is decided here, once, for teardown and status alike: a resource is the stack's when
 * it carries the tag `ecsprimer:stack=<stack>`, or when the journal says the stack created it and
 * it carries no other stack's tag. Adopted resources (pre-existing, only used) are never the
 * stack's. Anything else is never deleted, whatever its name.
 */
import type { Context } from '../context.js';
import { UNKNOWN_ACCOUNT } from '../context.js';
import type { DiscoveryOps } from '../aws/discovery-ops.js';
import type { IamOps } from '../aws/iam-ops.js';
import type { EcsOps } from '../aws/ecs-ops.js';
import type { ClusterInfo, ServiceInfo, TaskDefinitionInfo, TaskInfo } from '../aws/ecs-types.js';
import { concurrencyLimit, DESCRIBE_CONCURRENCY } from '../aws/concurrency.js';
import { isServiceTask, startedByFor } from '../ecs/steps.js';
import { iamPath, policyArn } from '../iam/arn.js';
import { readPolicyForDelete, readRoleForDelete, type PolicyDeleteState, type RoleDeleteState } from '../iam/steps.js';
import { STACK_TAG } from '../input/tags.js';
import type { TrackedResource } from '../state/journal.js';
import { parseElbArn, parseEcsArn, parseLogGroupArn, parseRepositoryArn, parseSecretArn, parseSecurityGroupArn } from './arn.js';
import type { SecretInfo } from '../aws/secrets-ops.js';
import type { ScalableTargetInfo } from '../aws/autoscaling-ops.js';
import type { LoadBalancerInfo, TargetGroupInfo } from '../aws/elb-ops.js';
import { readRepositoryForDelete, type RepositoryDeleteState } from '../ecs/ecr.js';
import type { LogGroupInfo, LogsOps } from '../aws/logs-ops.js';
import { awslogsTargets, logGroupArn } from '../ecs/log-groups.js';

export type Origin = 'created' | 'adopted' | 'intent' | undefined;

export type Ownership = 'owned' | 'adopted' | 'other-stack' | 'unowned' | 'gone';

export interface Item<Live> {
  type: TrackedResource['type'];
  name: string;
  parent?: string;
  arn?: string;
  /** What the journal says (undefined: not in the journal). */
  origin: Origin;
  /** Found by its tag (or IAM path). */
  tagged: boolean;
  live?: Live;
  tags?: Record<string, string>;
  ownership: Ownership;
}

export interface AttachmentItem {
  role: string;
  policyArn: string;
  /** Still attached (per the role's attachments, when the role could be read). */
  attached: boolean | undefined;
}

export interface Inventory {
  account: string;
  policies: Item<PolicyDeleteState>[];
  roles: Item<RoleDeleteState>[];
  attachments: AttachmentItem[];
  clusters: Item<ClusterInfo>[];
  services: Item<ServiceInfo>[];
  tasks: Item<TaskInfo>[];
  taskDefinitions: Item<TaskDefinitionInfo>[];
  /** CloudWatch Logs groups the stack made for its containers. */
  logGroups: Item<LogGroupInfo>[];
  /** ECR repositories (with their images). */
  repositories: Item<RepositoryDeleteState>[];
  /** Secrets Manager secrets (one scheduled for deletion counts as gone). */
  secrets: Item<SecretInfo>[];
  /** Application Auto Scaling targets of the stack's services (known from the journal). */
  scalingTargets: Item<ScalableTargetInfo>[];
  /** Load balancers, their listeners and target groups, and security groups the stack made (journal). */
  loadBalancers: Item<LoadBalancerInfo>[];
  listeners: Item<{ arn: string }>[];
  /** Listener rules the stack added to a listener (of its own load balancer or another's). */
  rules: Item<{ arn: string }>[];
  targetGroups: Item<TargetGroupInfo>[];
  securityGroups: Item<{ id: string; name: string; vpcId?: string }>[];
  warnings: string[];
  /** The journal knew nothing of this stack. */
  journalEmpty: boolean;
}

export function decideOwnership(origin: Origin, tags: Record<string, string> | undefined, exists: boolean, stack: string): Ownership {
  if (!exists) return 'gone';
  const owner = tags?.[STACK_TAG];
  if (origin === 'adopted' && owner !== stack) return 'adopted';
  if (owner === stack) return 'owned';
  if (owner) return 'other-stack';
  return origin === 'created' ? 'owned' : 'unowned';
}

interface Key {
  type: TrackedResource['type'];
  name: string;
  parent?: string;
}

class Candidates {
  private readonly map = new Map<string, { key: Key; arn?: string; origin: Origin; tagged: boolean }>();
  add(key: Key, o: { arn?: string; origin?: Origin; tagged?: boolean }): void {
    const k = `${key.type}|${key.parent ?? ''}|${key.name}`;
    const prev = this.map.get(k);
    this.map.set(k, {
      key,
      arn: prev?.arn ?? o.arn,
      origin: prev?.origin ?? o.origin,
      tagged: Boolean(prev?.tagged || o.tagged),
    });
  }
  of(type: TrackedResource['type']) {
    return [...this.map.values()].filter((c) => c.key.type === type);
  }
  all() {
    return [...this.map.values()];
  }
}

function splitRevision(name: string): { family: string; revision: number } | undefined {
  const m = /^(.+):(\d+)$/.exec(name);
  return m ? { family: m[1], revision: Number(m[2]) } : undefined;
}

/**
 * Reads the caller makes anyway (up reads the file's clusters and services in the same wave): a
 * candidate found by tag that one of them covers is not read a second time, in a second round trip.
 */
export interface Prefetched {
  cluster?: (name: string) => Promise<ClusterInfo | undefined> | undefined;
  service?: (cluster: string, name: string) => Promise<ServiceInfo | undefined> | undefined;
}

/** Reads everything the stack holds. `journal` is the stack's folded journal (may be empty). */
export async function readInventory(ctx: Context, account: string, journal: TrackedResource[], prefetched: Prefetched = {}): Promise<Inventory> {
  const warnings: string[] = [];
  const c = new Candidates();
  const attachments: Array<{ role: string; policyArn: string }> = [];
  for (const r of journal) {
    if (!r.present) continue;
    if (r.type === 'iam-attachment') {
      // An intent is an attach that was sent: if the policy is attached now, this stack attached it.
      if ((r.origin === 'created' || r.origin === 'intent') && r.arn && r.parent) attachments.push({ role: r.parent, policyArn: r.arn });
      continue;
    }
    // Inline grants go with their role (the stack puts them on its own roles only).
    if (r.type === 'iam-policy-version' || r.type === 'iam-role-policy') continue;
    c.add({ type: r.type, name: r.name, parent: r.parent }, { arn: r.arn, origin: r.origin });
  }

  const iamP = ctx.iam();
  const ecsP = ctx.ecs();
  const path = iamPath(ctx.stack);

  // What the journal knows is read at once, while discovery by tag and path runs: one round trip
  // in sequence when the journal knows everything, a second only for what discovery adds.
  const fromJournal = c.all();
  const seen = new Set(fromJournal.map(keyOf));
  const limit = concurrencyLimit(DESCRIBE_CONCURRENCY);
  const firstReads = readLive(ctx, iamP, ecsP, account, fromJournal, limit);
  firstReads.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile

  const discovery = await ctx.discovery();

  const [roles, policies, tagged] = await Promise.all([
    iamP.then((o) => o.listRolesUnder(path)),
    iamP.then((o) => o.listPoliciesUnder(path)),
    discovery.taggedEcsArns(STACK_TAG, ctx.stack).then(
      (arns) => ({ arns, fallback: false }),
      (e: Error) => {
        ctx.ui.debug(`tagging:GetResources unavailable (${e.message.split('. ')[0]}); scanning ECS clusters instead`);
        return { arns: [] as string[], fallback: true };
      },
    ),
  ]);
  for (const r of roles) c.add({ type: 'iam-role', name: r.name }, { arn: r.arn, tagged: true });
  for (const p of policies) c.add({ type: 'iam-policy', name: p.name }, { arn: p.arn, tagged: true });
  for (const arn of tagged.arns) {
    const p = parseEcsArn(arn) ?? parseLogGroupArn(arn) ?? parseRepositoryArn(arn) ?? parseSecretArn(arn) ?? parseElbArn(arn) ?? parseSecurityGroupArn(arn);
    if (!p) continue;
    // A security group the journal knows (by name and VPC, its id as arn) is the same candidate.
    const known = p.type === 'ec2-security-group' ? c.of('ec2-security-group').find((x) => x.arn === p.name) : undefined;
    if (known) c.add(known.key, { tagged: true });
    else c.add({ type: p.type, name: p.name, parent: p.parent }, { arn: p.arn, tagged: true });
  }
  if (tagged.fallback) await ecsFallback(ctx, discovery, await ecsP, c);

  // Live state of what discovery added (nothing, when the journal is complete).
  const [early, late] = await Promise.all([firstReads, readLive(ctx, iamP, ecsP, account, c.all().filter((x) => !seen.has(keyOf(x))), limit, prefetched)]);
  const live = new Map([...early, ...late]);
  // Without a journal (and without the tagging API), the log groups the stack's task definitions
  // write to are candidates too: their tag decides whether they are the stack's.
  if (journal.length === 0) {
    const more: Cand[] = [];
    for (const td of c.of('ecs-task-definition')) {
      const l = live.get(keyOf(td))?.live as TaskDefinitionInfo | undefined;
      for (const t of awslogsTargets(l?.definition)) {
        const key = { type: 'logs-log-group' as const, name: t.group };
        if (!c.of('logs-log-group').some((x) => x.key.name === t.group)) {
          c.add(key, {});
          more.push({ key, origin: undefined, tagged: false });
        }
      }
    }
    for (const [k, v] of await readLive(ctx, iamP, ecsP, account, more, limit)) live.set(k, v);
  }
  const iam = await iamP;
  const build = <L>(type: TrackedResource['type']): Item<L>[] =>
    c.of(type).map((x) => {
      const r = live.get(keyOf(x));
      return item<L>(ctx, x, r?.live as L | undefined, r?.tags, r?.arn ?? x.arn);
    });
  const policyItems = build<PolicyDeleteState>('iam-policy');
  const roleItems = build<RoleDeleteState>('iam-role');
  const clusterItems = build<ClusterInfo>('ecs-cluster');
  const serviceItems = build<ServiceInfo>('ecs-service');
  const taskItems = build<TaskInfo>('ecs-task');
  const tdItems = build<TaskDefinitionInfo>('ecs-task-definition');
  const logItems = build<LogGroupInfo>('logs-log-group');
  const repositoryItems = build<RepositoryDeleteState>('ecr-repository');
  const secretItems = build<SecretInfo>('secretsmanager-secret');
  const scalingItems = build<ScalableTargetInfo>('autoscaling-target');
  const lbItems = build<LoadBalancerInfo>('elb-load-balancer');
  const listenerItems = build<{ arn: string }>('elb-listener');
  const ruleItems = build<{ arn: string }>('elb-rule');
  const tgItems = build<TargetGroupInfo>('elb-target-group');
  const sgItems = build<{ id: string; name: string; vpcId?: string }>('ec2-security-group');

  // Attachments the stack made, with their current state from the role's attachments.
  const attachedByRole = new Map<string, string[] | undefined>();
  await Promise.all(
    [...new Set(attachments.map((a) => a.role))].map(async (role) => {
      const known = roleItems.find((r) => r.name === role)?.live;
      attachedByRole.set(role, known ? known.attached : await iam.listAttachedRolePolicies(role));
    }),
  );
  const attachmentItems = attachments.map((a) => {
    const list = attachedByRole.get(a.role);
    return { ...a, attached: list ? list.includes(a.policyArn) : false };
  });

  return {
    account,
    policies: policyItems,
    roles: roleItems,
    attachments: attachmentItems,
    clusters: clusterItems,
    services: serviceItems,
    tasks: taskItems.filter((t) => !(t.live && isServiceTask(t.live) && t.origin === undefined)),
    taskDefinitions: tdItems,
    logGroups: logItems,
    repositories: repositoryItems,
    secrets: secretItems,
    scalingTargets: scalingItems,
    loadBalancers: lbItems,
    listeners: listenerItems,
    rules: ruleItems,
    targetGroups: tgItems,
    securityGroups: sgItems,
    warnings,
    journalEmpty: journal.length === 0,
  };
}

type Cand = { key: Key; arn?: string; origin: Origin; tagged: boolean };

function item<L>(ctx: Context, cand: Cand, live: L | undefined, tags: Record<string, string> | undefined, arn?: string): Item<L> {
  return {
    type: cand.key.type,
    name: cand.key.name,
    parent: cand.key.parent,
    arn: arn ?? cand.arn,
    origin: cand.origin,
    tagged: cand.tagged,
    live,
    tags,
    ownership: decideOwnership(cand.origin, tags, live !== undefined, ctx.stack),
  };
}

const keyOf = (x: Cand) => `${x.key.type}|${x.key.parent ?? ''}|${x.key.name}`;

/** The live state of a candidate (undefined: it does not exist, or no longer counts as existing). */
interface Live {
  live?: unknown;
  tags?: Record<string, string>;
  arn?: string;
}

type Limit = ReturnType<typeof concurrencyLimit>;

/** The Logs operations, built only when a log group is a candidate (a stack without any loads no Logs client). */
const logsOps = (ctx: Context): Promise<LogsOps> => ctx.logs();

/**
 * Reads the live state of candidates concurrently: ECS clusters, services and tasks batched (per
 * cluster), the per-resource reads (policies, roles, task definitions) at most
 * `limit` at a time (shared by every readLive of one inventory), so a large stack does not
 * throttle itself.
 */
async function readLive(ctx: Context, iamP: Promise<IamOps>, ecsP: Promise<EcsOps>, account: string, cands: Cand[], limit: Limit, prefetched: Prefetched = {}): Promise<Map<string, Live>> {
  const out = new Map<string, Live>();
  const of = (type: TrackedResource['type']) => cands.filter((x) => x.key.type === type);
  const byCluster = (xs: Cand[]) => [...groupBy(xs, (x) => x.key.parent ?? 'default')];
  const oneByOne: Array<() => Promise<unknown>> = [
    ...of('iam-policy').map((p) => async () => out.set(keyOf(p), await readPolicyLive(ctx, await iamP, account, p))),
    ...of('iam-role').map((r) => async () => {
      const live = await readRoleForDelete(await iamP, r.key.name);
      out.set(keyOf(r), { live, tags: live?.info.tags, arn: live?.info.arn });
    }),
    ...of('logs-log-group').map((g) => async () => {
      const info = await (await logsOps(ctx)).describeLogGroup(g.key.name, account === UNKNOWN_ACCOUNT ? undefined : logGroupArn(ctx, account, g.key.name));
      out.set(keyOf(g), { live: info, tags: info?.tags, arn: info?.arn ?? g.arn });
    }),
    ...of('ecr-repository').map((r) => async () => {
      const live = await readRepositoryForDelete(ctx, r.key.name);
      out.set(keyOf(r), { live, tags: live?.info.tags, arn: live?.info.arn ?? r.arn });
    }),
    ...of('secretsmanager-secret').map((x) => async () => {
      const info = await (await ctx.secrets()).describeSecret(x.arn ?? x.key.name);
      out.set(keyOf(x), { live: info && !info.deletedDate ? info : undefined, tags: info?.tags, arn: info?.arn ?? x.arn });
    }),
    ...of('elb-load-balancer').map((x) => async () => {
      const lb = await (await ctx.elb()).loadBalancer(x.key.name);
      out.set(keyOf(x), { live: lb, tags: lb?.tags, arn: lb?.arn ?? x.arn });
    }),
    ...of('elb-target-group').map((x) => async () => {
      const tg = await (await ctx.elb()).targetGroup(x.key.name);
      out.set(keyOf(x), { live: tg, tags: tg?.tags, arn: tg?.arn ?? x.arn });
    }),
    ...of('elb-listener').map((x) => async () => {
      const elb = await ctx.elb();
      const lb = x.key.parent ? await elb.loadBalancer(x.key.parent, { tags: false }) : undefined;
      const l = lb ? (await elb.listeners(lb.arn)).find((y) => y.arn === x.arn || String(y.port) === x.key.name) : undefined;
      out.set(keyOf(x), { live: l ? { arn: l.arn } : undefined, arn: l?.arn ?? x.arn });
    }),
    ...of('elb-rule').map((x) => async () => {
      const exists = x.arn ? await (await ctx.elb()).ruleExists(x.arn) : false;
      out.set(keyOf(x), { live: exists ? { arn: x.arn } : undefined, arn: x.arn });
    }),
    ...of('ec2-security-group').map((x) => async () => {
      const ec2 = await ctx.ec2();
      // From the journal: by VPC and name; found by its tag only: by id.
      const g = x.key.parent ? await ec2.securityGroup(x.key.parent, x.key.name) : await ec2.securityGroupById(x.key.name);
      out.set(keyOf(x), { live: g ? { id: g.id, name: 'name' in g ? g.name : x.key.name, vpcId: 'vpcId' in g ? g.vpcId : x.key.parent } : undefined, tags: g?.tags, arn: g?.id ?? x.arn });
    }),
    ...of('ecs-task-definition').map((t) => async () => {
      const live = await (await ecsP).describeTaskDefinition(t.arn ?? t.key.name);
      const exists = Boolean(live && (live.status === 'ACTIVE' || live.status === 'INACTIVE'));
      out.set(keyOf(t), { live: exists ? live : undefined, tags: live?.tags, arn: live?.arn ?? t.arn });
    }),
  ];
  await Promise.all([
    ...oneByOne.map((read) => limit(read)),
    (async () => {
      const cands = of('autoscaling-target');
      if (cands.length === 0) return;
      const as = await ctx.autoscaling();
      const [found, policies] = await Promise.all([as.targets(cands.map((x) => x.key.name)), Promise.all(cands.map((x) => as.policies(x.key.name).catch(() => [])))]);
      cands.forEach((x, i) => {
        const t = found.get(x.key.name);
        out.set(keyOf(x), { live: t ? { ...t, policies: policies[i].map((p) => p.name) } : undefined, arn: x.arn });
      });
    })(),
    (async () => {
      const cands = of('ecs-cluster');
      if (cands.length === 0) return;
      const read = cands.filter((x) => !prefetched.cluster?.(x.key.name));
      const found = read.length ? await (await ecsP).describeClusters(read.map((x) => x.key.name)) : new Map<string, ClusterInfo>();
      for (const x of cands) {
        const l = prefetched.cluster?.(x.key.name) ? await prefetched.cluster(x.key.name) : found.get(x.key.name);
        out.set(keyOf(x), { live: l && l.status !== 'INACTIVE' ? l : undefined, tags: l?.tags, arn: l?.arn ?? x.arn });
      }
    })(),
    ...byCluster(of('ecs-service')).map(async ([cluster, group]) => {
      const read = group.filter((g) => !prefetched.service?.(cluster, g.key.name));
      const live = read.length ? await (await ecsP).describeServices(cluster, read.map((g) => g.key.name)) : [];
      for (const g of group) {
        const s = prefetched.service?.(cluster, g.key.name) ? await prefetched.service(cluster, g.key.name) : live.find((l) => l.name === g.key.name);
        out.set(keyOf(g), { live: s && s.status !== 'INACTIVE' ? s : undefined, tags: s?.tags, arn: s?.arn ?? g.arn });
      }
    }),
    ...byCluster(of('ecs-task')).map(async ([cluster, group]) => {
      const live = await (await ecsP).describeTasks(cluster, group.map((g) => g.key.name)).catch(() => [] as TaskInfo[]);
      for (const g of group) {
        const t = live.find((l) => l.id === g.key.name);
        out.set(keyOf(g), { live: t && t.lastStatus !== 'STOPPED' ? t : undefined, tags: t?.tags, arn: t?.arn ?? g.arn });
      }
    }),
  ]);
  return out;
}

async function readPolicyLive(ctx: Context, iam: IamOps, account: string, p: Cand): Promise<Live> {
  const arns = [p.arn, policyArn(ctx, account, p.key.name)].filter((a): a is string => Boolean(a));
  for (const arn of [...new Set(arns)]) {
    const live = await readPolicyForDelete(iam, arn);
    if (live) return { live, tags: live.info.tags, arn: live.info.arn };
  }
  return { arn: p.arn };
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
}

/**
 * Without the tagging API: the stack's clusters by their tags, their services, the stack's
 * standalone tasks in every cluster (by startedBy), and the task definitions those use.
 */
async function ecsFallback(ctx: Context, discovery: DiscoveryOps, ecs: EcsOps, c: Candidates): Promise<void> {
  const [mine, all] = await Promise.all([discovery.taggedClusters(STACK_TAG, ctx.stack), discovery.allClusters()]);
  for (const name of mine) c.add({ type: 'ecs-cluster', name }, { tagged: true });
  const clustersToScan = [...new Set([...mine, ...c.of('ecs-cluster').map((x) => x.key.name), ...c.of('ecs-service').map((x) => x.key.parent ?? '')])].filter(Boolean);
  const families = new Set<string>();
  await Promise.all([
    ...clustersToScan.map(async (cluster) => {
      const arns = await ecs.listServices(cluster);
      const services = await ecs.describeServices(cluster, arns);
      for (const s of services) {
        if (s.status !== 'INACTIVE' && s.tags[STACK_TAG] === ctx.stack) {
          c.add({ type: 'ecs-service', name: s.name, parent: cluster }, { arn: s.arn, tagged: true });
          families.add(s.taskDefinition);
        }
      }
    }),
    ...all.map(async (cluster) => {
      const arns = await ecs.listTasks(cluster, { startedBy: startedByFor(ctx.stack) }).catch(() => [] as string[]);
      const tasks = await ecs.describeTasks(cluster, arns).catch(() => [] as TaskInfo[]);
      for (const t of tasks) {
        if (t.tags[STACK_TAG] === ctx.stack) {
          c.add({ type: 'ecs-task', name: t.id, parent: cluster }, { arn: t.arn, tagged: true });
          families.add(t.taskDefinitionArn);
        }
      }
    }),
  ]);
  for (const arn of families) {
    const p = parseEcsArn(arn);
    if (p && splitRevision(p.name)) c.add({ type: 'ecs-task-definition', name: p.name }, { arn });
  }
}
