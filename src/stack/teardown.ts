/**
 * `teardown` (alias `down`): a stack as a whole, removed.
 *
 * teardown is a plan like any other: the inventory (journal ∪ tags) gives the stack's resources;
 * their delete steps depend on each other in the reverse of creation (services and tasks, then
 * task definitions and clusters; attachments, then roles, then policies), and the apply engine runs
 * what is independent concurrently. Only what the stack owns is ever deleted.
 */
import type { Context } from '../context.js';
import { UNKNOWN_ACCOUNT } from '../context.js';
import { UsageError } from '../errors.js';
import { HOW_TO_CONFIGURE } from '../aws/settings.js';
import type { TaskDefinitionSummary, TaskInfo } from '../aws/ecs-types.js';
import { clusterDeleteStep, serviceDeleteStep, stopTasksStep, taskDefinitionDeleteStep } from '../ecs/steps.js';
import { detachStep, otherRegions, policyDeleteStep, releaseStep, roleDeleteStep } from '../iam/steps.js';
import { logGroupDeleteStep, logGroupId } from '../ecs/log-groups.js';
import { repositoryDeleteStep } from '../ecs/ecr.js';
import { DEFAULT_RECOVERY_DAYS, secretDeleteStep } from '../ecs/secret.js';
import { resourceIdOf, scalingTargetDeleteStep } from '../ecs/autoscale.js';
import { listenerDeleteStep, loadBalancerDeleteStep, ruleDeleteStep, securityGroupDeleteStep, targetGroupDeleteStep } from '../ecs/load-balancer.js';
import { executePlan } from '../plan/engine.js';
import { unchangedStep, type Plan, type Report, type Step } from '../plan/types.js';
import { Journal, journalPath, listStacks } from '../state/journal.js';
import { readInventory, type Inventory, type Item, type Ownership } from './inventory.js';

const KEEP_REASON: Record<Exclude<Ownership, 'owned'>, string> = {
  adopted: 'pre-existed and was only used by the stack: kept',
  'other-stack': 'tagged for another stack: kept',
  unowned: 'not created by this stack (no tag, not journalled as created): kept',
  gone: 'already absent',
};

function keepStep(it: Item<unknown>, id: string): Step {
  const gone = it.ownership === 'gone';
  return {
    id,
    type: it.type,
    name: it.parent && it.type !== 'ecs-task' ? `${it.parent}/${it.name}` : it.name,
    arn: it.arn,
    action: 'none',
    state: gone ? 'absent' : 'unchanged',
    calls: [],
    reason: KEEP_REASON[it.ownership as Exclude<Ownership, 'owned'>],
  };
}

/** The teardown plan for an inventory. Exported for tests. */
export interface TeardownOptions {
  keepLogs?: boolean;
  /** Delete repositories with their images without asking. */
  force?: boolean;
  /** Delete secrets at once instead of with a 7-day recovery window. */
  forceDeleteSecrets?: boolean;
}

export function teardownSteps(ctx: Context, inv: Inventory, opts: TeardownOptions = {}): Step[] {
  const steps: Step[] = [];
  const ecsSteps: string[] = [];
  const byCluster = new Map<string, string[]>();
  const noteCluster = (cluster: string | undefined, id: string) => {
    if (!cluster) return;
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), id]);
  };

  // 0. Scaling first: a service's scalable target (and with it its policies), so that nothing
  // scales the service back up while it is deleted.
  const scalingIds = new Map<string, string>();
  for (const t of inv.scalingTargets) {
    const id = `scaling:${t.name}`;
    if (t.ownership !== 'owned') {
      steps.push(keepStep(t, id));
      continue;
    }
    const step = scalingTargetDeleteStep(ctx, t.name, t.live, { id });
    steps.push(step);
    if (step.action !== 'none') scalingIds.set(t.name, id);
  }

  // 1. Services: scale to 0, delete, wait INACTIVE — all concurrently.
  for (const s of inv.services) {
    const id = `service:${s.parent}/${s.name}`;
    if (s.ownership !== 'owned') {
      steps.push(keepStep(s, id));
      continue;
    }
    const scaling = scalingIds.get(resourceIdOf(s.parent ?? 'default', s.name));
    steps.push(serviceDeleteStep(ctx, s.parent ?? 'default', s.name, s.live, { id, ...(scaling ? { dependsOn: [scaling] } : {}) }));
    ecsSteps.push(id);
    noteCluster(s.parent, id);
  }

  // 2. The stack's standalone tasks, per cluster (waiting until STOPPED where the cluster goes too).
  const clustersGoing = new Set(inv.clusters.filter((c) => c.ownership === 'owned').map((c) => c.name));
  const tasksByCluster = new Map<string, TaskInfo[]>();
  for (const t of inv.tasks) {
    if (t.ownership !== 'owned' || !t.live) {
      steps.push(keepStep(t, `task:${t.parent}/${t.name}`));
      continue;
    }
    const cl = t.parent ?? 'default';
    tasksByCluster.set(cl, [...(tasksByCluster.get(cl) ?? []), t.live]);
  }
  for (const [cluster, tasks] of tasksByCluster) {
    const id = `tasks:${cluster}`;
    steps.push(stopTasksStep(ctx, cluster, tasks, { id, waitStopped: clustersGoing.has(cluster), reason: `ecsprimer teardown (stack ${ctx.stack})` }));
    ecsSteps.push(id);
    noteCluster(cluster, id);
  }

  // 3. Task definition revisions (after what runs them), per family.
  const revsByFamily = new Map<string, TaskDefinitionSummary[]>();
  for (const td of inv.taskDefinitions) {
    if (td.ownership !== 'owned' || !td.live) {
      steps.push(keepStep(td, `taskdef:${td.name}`));
      continue;
    }
    const l = td.live;
    revsByFamily.set(l.family, [...(revsByFamily.get(l.family) ?? []), { arn: l.arn, family: l.family, revision: l.revision, status: l.status }]);
  }
  // They need not wait for the services: ECS documents that a revision can be deregistered and
  // submitted for deletion at any moment "without impacting existing tasks and services" (it
  // stays DELETE_IN_PROGRESS until they are gone), so they go in the same wave as the services.
  for (const [family, revs] of revsByFamily) {
    steps.push(taskDefinitionDeleteStep(ctx, family, revs.sort((a, b) => a.revision - b.revision), { id: `taskdef:${family}` }));
  }

  // 3b. Log groups, once nothing writes to them (--keep-logs keeps them).
  for (const g of inv.logGroups) {
    const id = logGroupId(g.name);
    if (g.ownership !== 'owned') steps.push(keepStep(g, id));
    else if (opts.keepLogs) steps.push(unchangedStep({ id, type: g.type, name: g.name, arn: g.arn, reason: 'kept (--keep-logs): its log events stay readable' }));
    else steps.push(logGroupDeleteStep(ctx, g.name, g.live, { id, dependsOn: [...ecsSteps] }));
  }

  // 3b'. Load balancers, after the services that use them: listeners, then target groups and
  // load balancers, then the security groups (once the network interfaces are released).
  // Rules first: one on another's listener is all the stack has there.
  const ruleIds: string[] = [];
  for (const r of inv.rules) {
    const id = `rule:${r.parent}:${r.name}`;
    if (r.ownership !== 'owned') steps.push(keepStep(r, id));
    else {
      steps.push(ruleDeleteStep(ctx, r.parent ?? '', r.name, r.live?.arn, { id, dependsOn: [...ecsSteps] }));
      ruleIds.push(id);
    }
  }
  const listenerIds: string[] = [...ruleIds];
  for (const l of inv.listeners) {
    const id = `listener:${l.parent}:${l.name}`;
    if (l.ownership !== 'owned') steps.push(keepStep(l, id));
    else {
      steps.push(listenerDeleteStep(ctx, `${l.parent}:${l.name}`, l.live?.arn, { id, dependsOn: [...ecsSteps] }));
      listenerIds.push(id);
    }
  }
  // A load balancer's delete takes its listeners with it (also those the journal does not know,
  // when it was found by its tag): target groups go after the load balancers.
  const lbIds: string[] = [];
  for (const b of inv.loadBalancers) {
    const id = `load-balancer:${b.name}`;
    if (b.ownership !== 'owned') steps.push(keepStep(b, id));
    else {
      steps.push(loadBalancerDeleteStep(ctx, b.name, b.live?.arn, { id, dependsOn: [...ecsSteps, ...listenerIds] }));
      lbIds.push(id);
    }
  }
  for (const t of inv.targetGroups) {
    const id = `target-group:${t.name}`;
    if (t.ownership !== 'owned') steps.push(keepStep(t, id));
    else steps.push(targetGroupDeleteStep(ctx, t.name, t.live?.arn, { id, dependsOn: [...ecsSteps, ...listenerIds, ...lbIds] }));
  }
  for (const g of inv.securityGroups) {
    const id = `security-group:${g.name}`;
    if (g.ownership !== 'owned') steps.push(keepStep(g, id));
    else steps.push(securityGroupDeleteStep(ctx, g.live?.name ?? g.name, g.live?.vpcId ?? g.parent ?? '', g.live?.id, { id, dependsOn: [...ecsSteps, ...lbIds] }));
  }
  // The stack's two groups of one service reference each other (tasks ← load balancer): the tasks' goes first.
  const sgSteps = steps.filter((x) => x.type === 'ec2-security-group' && x.action === 'delete');
  for (const st of sgSteps) {
    if (!st.name.endsWith('-lb')) continue;
    const tasks = sgSteps.find((x) => x.name === st.name.replace(/-lb$/, '-tasks'));
    if (tasks) st.dependsOn = [...(st.dependsOn ?? []), tasks.id];
  }

  // 3c. Image repositories and secrets, once nothing runs that pulls or reads them. Images are
  // deleted only with --force or a yes to a question naming them; secrets keep a recovery window.
  for (const r of inv.repositories) {
    const id = `repository:${r.name}`;
    if (r.ownership !== 'owned') steps.push(keepStep(r, id));
    else steps.push(repositoryDeleteStep(ctx, r.name, r.live, { id, dependsOn: [...ecsSteps], force: opts.force, forceFlag: 'teardown --force' }));
  }
  for (const x of inv.secrets) {
    const id = `secret:${x.name}`;
    if (x.ownership !== 'owned') steps.push(keepStep(x, id));
    else steps.push(secretDeleteStep(ctx, x.name, x.live, opts.forceDeleteSecrets ? { force: true } : { recoveryDays: DEFAULT_RECOVERY_DAYS }, { id, dependsOn: [...ecsSteps] }));
  }

  // 4. Clusters, once their services and tasks are gone.
  for (const c of inv.clusters) {
    const id = `cluster:${c.name}`;
    if (c.ownership !== 'owned') {
      steps.push(keepStep(c, id));
      continue;
    }
    steps.push(clusterDeleteStep(ctx, c.name, c.live, { id, dependsOn: byCluster.get(c.name) ?? [] }));
  }

  // 5–7. IAM is global: while the stack still uses its roles and policies in another region
  // (their ecsprimer:regions tag), they and their attachments are kept and this region released.
  const ownedIam = [...inv.roles, ...inv.policies].filter((x) => x.ownership === 'owned' && x.live);
  const elsewhere = [...new Set(ownedIam.flatMap((x) => otherRegions(ctx, x.tags)))].sort();
  if (elsewhere.length > 0) {
    for (const a of inv.attachments) {
      const name = `${a.role} ← ${a.policyArn.split('/').pop() ?? a.policyArn}`;
      steps.push(unchangedStep({ id: `detach:${a.role}|${a.policyArn}`, type: 'iam-attachment', name, arn: a.policyArn, reason: `kept with the role: stack ${ctx.stack} still uses it in ${elsewhere.join(', ')}` }));
    }
    for (const x of [...inv.roles, ...inv.policies]) {
      const id = `${x.type === 'iam-role' ? 'role' : 'policy'}:${x.name}`;
      if (x.ownership !== 'owned' || !x.live) steps.push(keepStep(x, id));
      else steps.push(releaseStep(ctx, { type: x.type as 'iam-role' | 'iam-policy', name: x.name, arn: x.arn ?? '', tags: x.tags ?? {} }, elsewhere, { id, dependsOn: [...ecsSteps] }));
    }
    return steps;
  }

  // 5. Attachments the stack made (also to roles and policies it did not create).
  const detachIds: string[] = [];
  for (const a of inv.attachments) {
    const id = `detach:${a.role}|${a.policyArn}`;
    const policyName = a.policyArn.split('/').pop() ?? a.policyArn;
    steps.push(detachStep(ctx, { role: a.role, policyArn: a.policyArn, policyName, attached: Boolean(a.attached) }, id));
    if (a.attached) detachIds.push(id);
  }

  // 6. Roles, after the ECS resources that may use them and what detaches their policies. Every
  // attachment is removed once: by its detach step, else by the delete of the stack's policy (7),
  // else by the role's delete. So a role waits for a policy's delete only when that delete detaches
  // the policy from it (attached, and no detach step of the journal's does): AWS needs nothing else
  // between a role and a policy.
  const policiesGoing = inv.policies.filter((p) => p.ownership === 'owned' && p.arn);
  const detachedBy = (role: string, policyArn: string) => inv.attachments.some((a) => a.role === role && a.policyArn === policyArn && a.attached);
  for (const r of inv.roles) {
    const id = `role:${r.name}`;
    if (r.ownership !== 'owned') {
      steps.push(keepStep(r, id));
      continue;
    }
    const skipPolicies = [...inv.attachments.filter((a) => a.role === r.name).map((a) => a.policyArn), ...policiesGoing.map((p) => p.arn as string)];
    const policyIds = policiesGoing
      .filter((p) => (r.live?.attached.includes(p.arn as string) || p.live?.entities.roles.includes(r.name)) && !detachedBy(r.name, p.arn as string))
      .map((p) => `policy:${p.name}`);
    steps.push(roleDeleteStep(ctx, r.name, r.live, { id, dependsOn: [...ecsSteps, ...detachIds, ...policyIds], skipPolicies }));
  }

  // 7. Policies: detached everywhere, old versions deleted, then the policy. Only the detach steps
  // come first (not the roles' deletes, which wait for the services): the attachments they remove
  // are the policy's grants to the stack's tasks, so the policy can go as soon as they are removed.
  for (const p of inv.policies) {
    const id = `policy:${p.name}`;
    if (p.ownership !== 'owned') {
      steps.push(keepStep(p, id));
      continue;
    }
    // Roles detached by a detach step need no second detach.
    const skipRoles = inv.attachments.filter((a) => a.policyArn === p.arn).map((a) => a.role);
    steps.push(policyDeleteStep(ctx, p.name, p.live, { id, dependsOn: [...detachIds], skipRoles }));
  }
  return steps;
}

export async function runTeardown(options: TeardownOptions, ctx: Context): Promise<Report> {
  ctx.requireConfirmable();
  const account = await ctx.accountOrPlaceholder();
  if (account === UNKNOWN_ACCOUNT) return offlineTeardownPlan(ctx, options);
  const journal = await ctx.journal();
  const inv = await readInventory(ctx, account, journal.resources());
  const steps = teardownSteps(ctx, inv, options);
  const plan: Plan = { command: ctx.command, account, warnings: inv.warnings, steps };
  if (steps.length === 0) plan.notes = [`stack "${ctx.stack}" holds nothing (journal ${journal.exists() ? 'empty' : 'absent'}, no tagged resources)`];
  return executePlan(ctx, plan, { question: `Tear down stack "${ctx.stack}": delete these resources?` });
}

/**
 * A dry run without AWS access: the plan from the journal alone (the account is unknown, so every
 * local journal of this region and stack is read), each step marked as not checked against AWS.
 */
async function offlineTeardownPlan(ctx: Context, options: TeardownOptions): Promise<Report> {
  if (ctx.offline) {
    throw new UsageError(`No AWS region is configured, so teardown cannot tell what stack "${ctx.stack}" holds (it reads the account, and the journal of that account and region). ${HOW_TO_CONFIGURE}`, 'NoRegion');
  }
  const { readdirSync } = await import('node:fs');
  let accounts: string[] = [];
  try {
    accounts = readdirSync(ctx.state).filter((a) => /^\d{12}$/.test(a));
  } catch {
    accounts = [];
  }
  const withStack = accounts.filter((a) => listStacks(ctx.state, a, ctx.region).includes(ctx.stack));
  if (withStack.length !== 1) {
    throw new UsageError(
      withStack.length === 0
        ? `teardown --dry-run could not reach AWS, and no local journal of stack "${ctx.stack}" in ${ctx.region} exists to plan from. Check credentials and --endpoint-url.`
        : `teardown --dry-run could not reach AWS, and stack "${ctx.stack}" has journals in several accounts (${withStack.join(', ')}): check credentials and --endpoint-url.`,
    );
  }
  const resources = new Journal(journalPath(ctx.state, withStack[0], ctx.region, ctx.stack), ctx.command).resources().filter((r) => r.present && r.origin !== 'adopted');
  const op: Record<string, string> = {
    'autoscaling-target': 'DeregisterScalableTarget',
    'ecs-service': 'DeleteService',
    'elb-rule': 'DeleteRule',
    'elb-listener': 'DeleteListener',
    'elb-target-group': 'DeleteTargetGroup',
    'elb-load-balancer': 'DeleteLoadBalancer',
    'ec2-security-group': 'DeleteSecurityGroup',
    'ecs-task': 'StopTask',
    'ecs-task-definition': 'DeregisterTaskDefinition',
    ...(options.keepLogs ? {} : { 'logs-log-group': 'DeleteLogGroup' }),
    'ecr-repository': 'DeleteRepository',
    'secretsmanager-secret': 'DeleteSecret',
    'ecs-cluster': 'DeleteCluster',
    'iam-attachment': 'DetachRolePolicy',
    'iam-role': 'DeleteRole',
    'iam-policy': 'DeletePolicy',
  };
  const order = Object.keys(op);
  const steps: Step[] = resources
    .filter((r) => op[r.type])
    .sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type) || b.order - a.order)
    .map((r, i) => ({
      id: `offline:${i}`,
      type: r.type,
      name: r.type === 'iam-attachment' ? r.name.replace('|', ' ← ') : r.name,
      arn: r.arn,
      action: 'delete',
      calls: [{ operation: op[r.type], target: `${r.type} ${r.name}`, reason: `${r.origin === 'intent' ? 'possibly created (intent recorded)' : 'journalled as created'}; not checked against AWS (dry run without access)` }],
      reason: 'from the journal only',
    }));
  const plan: Plan = { command: ctx.command, account: withStack[0], warnings: [], steps, notes: ['AWS could not be reached: this plan comes from the local journal only (tagged resources it does not know are not shown).'] };
  return executePlan(ctx, plan);
}

