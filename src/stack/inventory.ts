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
import type { IamOps } from '../aws/iam-ops.js';
import type { EcsOps } from '../aws/ecs-ops.js';
import { iamOps, readPolicyForDelete, readRoleForDelete, type PolicyDeleteState, type RoleDeleteState } from '../commands/iam.js';
import { iamPath, STACK_TAG } from '../commands/common.js';
import { ecsOps, isServiceTask, startedByFor } from '../ecs/steps.js';
import type { ClusterInfo, ServiceInfo, TaskDefinitionInfo, TaskInfo } from '../ecs/types.js';
import { foldRecords, type TrackedResource } from '../state/journal.js';
import { parseEcsArn } from './arn.js';

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
}

function splitRevision(name: string): { family: string; revision: number } | undefined {
  const m = /^(.+):(\d+)$/.exec(name);
  return m ? { family: m[1], revision: Number(m[2]) } : undefined;
}

/** Reads everything the stack holds. `journal` is the stack's folded journal (may be empty). */
export async function readInventory(ctx: Context, account: string, journal: TrackedResource[]): Promise<Inventory> {
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
    if (r.type === 'iam-policy-version') continue;
    c.add({ type: r.type, name: r.name, parent: r.parent }, { arn: r.arn, origin: r.origin });
  }

  const iamP = iamOps(ctx);
  const ecsP = ecsOps(ctx);
  const path = iamPath(ctx.stack);
  const { DiscoveryOps } = await import('../aws/discovery-ops.js');
  const discovery = new DiscoveryOps(() => ctx.aws().get('tagging'), () => ctx.aws().get('ecs'), ctx.settings().endpoint);

  // Round 1: discovery by tag / path, concurrently.
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
    const p = parseEcsArn(arn);
    if (p) c.add({ type: p.type, name: p.name, parent: p.parent }, { arn: p.arn, tagged: true });
  }
  if (tagged.fallback) await ecsFallback(ctx, discovery, await ecsP, c);

  // Round 2: live state of every candidate, concurrently.
  const iam = await iamP;
  const ecs = await ecsP;
  const [policyItems, roleItems, clusterItems, serviceItems, taskItems, tdItems] = await Promise.all([
    Promise.all(c.of('iam-policy').map((p) => readPolicyItem(ctx, iam, account, p))),
    Promise.all(c.of('iam-role').map(async (r) => {
      const live = await readRoleForDelete(iam, r.key.name);
      return item(ctx, r, live, live?.info.tags, live?.info.arn);
    })),
    readClusters(ctx, ecs, c.of('ecs-cluster')),
    readServices(ctx, ecs, c.of('ecs-service')),
    readTasks(ctx, ecs, c.of('ecs-task')),
    Promise.all(c.of('ecs-task-definition').map(async (t) => {
      const live = await ecs.describeTaskDefinition(t.arn ?? t.key.name);
      const exists = Boolean(live && (live.status === 'ACTIVE' || live.status === 'INACTIVE'));
      return item(ctx, t, exists ? live : undefined, live?.tags, live?.arn ?? t.arn);
    })),
  ]);

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

async function readPolicyItem(ctx: Context, iam: IamOps, account: string, p: Cand): Promise<Item<PolicyDeleteState>> {
  const arns = [p.arn, `arn:aws:iam::${account}:policy${iamPath(ctx.stack)}${p.key.name}`].filter((a): a is string => Boolean(a));
  for (const arn of [...new Set(arns)]) {
    const live = await readPolicyForDelete(iam, arn);
    if (live) return item(ctx, p, live, live.info.tags, live.info.arn);
  }
  return item<PolicyDeleteState>(ctx, p, undefined, undefined, p.arn);
}

async function readClusters(ctx: Context, ecs: EcsOps, cands: Cand[]): Promise<Item<ClusterInfo>[]> {
  if (cands.length === 0) return [];
  const found = await ecs.describeClusters(cands.map((x) => x.key.name));
  return cands.map((x) => {
    const live = found.get(x.key.name);
    return item(ctx, x, live && live.status !== 'INACTIVE' ? live : undefined, live?.tags, live?.arn ?? x.arn);
  });
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
}

async function readServices(ctx: Context, ecs: EcsOps, cands: Cand[]): Promise<Item<ServiceInfo>[]> {
  const out: Item<ServiceInfo>[] = [];
  await Promise.all(
    [...groupBy(cands, (x) => x.key.parent ?? 'default')].map(async ([cluster, group]) => {
      const live = await ecs.describeServices(cluster, group.map((g) => g.key.name));
      for (const g of group) {
        const s = live.find((l) => l.name === g.key.name);
        out.push(item(ctx, g, s && s.status !== 'INACTIVE' ? s : undefined, s?.tags, s?.arn ?? g.arn));
      }
    }),
  );
  return out;
}

async function readTasks(ctx: Context, ecs: EcsOps, cands: Cand[]): Promise<Item<TaskInfo>[]> {
  const out: Item<TaskInfo>[] = [];
  await Promise.all(
    [...groupBy(cands, (x) => x.key.parent ?? 'default')].map(async ([cluster, group]) => {
      const live = await ecs.describeTasks(cluster, group.map((g) => g.key.name)).catch(() => [] as TaskInfo[]);
      for (const g of group) {
        const t = live.find((l) => l.id === g.key.name);
        out.push(item(ctx, g, t && t.lastStatus !== 'STOPPED' ? t : undefined, t?.tags, t?.arn ?? g.arn));
      }
    }),
  );
  return out;
}

/**
 * Without the tagging API: the stack's clusters by their tags, their services, the stack's
 * standalone tasks in every cluster (by startedBy), and the task definitions those use.
 */
async function ecsFallback(ctx: Context, discovery: import('../aws/discovery-ops.js').DiscoveryOps, ecs: EcsOps, c: Candidates): Promise<void> {
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
