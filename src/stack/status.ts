/**
 * `status` and `stacks`: what a stack holds, live, with the drift between the journal and the
 * account; and the stacks that have a journal for this account and region.
 */
import type { Context } from '../context.js';
import { readReport, type Report } from '../plan/types.js';
import { Journal, journalPath, listStacks } from '../state/journal.js';
import { readInventory, type Inventory, type Item, type Ownership } from './inventory.js';

interface StatusRow {
  type: string;
  name: string;
  arn?: string;
  state: string;
  ownership: Ownership;
  source: string;
  drift?: string;
}

function liveState(it: Item<unknown>): string {
  if (!it.live) return 'absent';
  const l = it.live as Record<string, unknown>;
  switch (it.type) {
    case 'ecs-service':
      return `${l.status} ${l.runningCount}/${l.desiredCount} running${Number(l.pendingCount) ? `, ${l.pendingCount} pending` : ''}`;
    case 'ecs-cluster':
      return `${l.status} (${l.activeServicesCount} services, ${l.runningTasksCount} running tasks)`;
    case 'ecs-task':
      return `${l.lastStatus}`;
    case 'ecs-task-definition':
      return `${l.status}`;
    case 'iam-role':
      return `exists (${(l.attached as string[]).length} attached)`;
    case 'iam-policy':
      return `exists (attached ${(l.info as { attachmentCount: number }).attachmentCount}×)`;
    case 'logs-log-group':
      return `exists (${l.retentionDays ? `keeps ${l.retentionDays} days` : 'keeps events for ever'})`;
    case 'autoscaling-target':
      return `scales ${l.min}–${l.max} tasks`;
    case 'elb-load-balancer':
      return `exists (${l.dnsName})`;
    case 'ecr-repository':
      return `exists (${(l.images as string[]).length} image(s))`;
    default:
      return 'exists';
  }
}

function statusRows(inv: Inventory): StatusRow[] {
  const rows: StatusRow[] = [];
  const all: Item<unknown>[] = [...inv.policies, ...inv.roles, ...inv.clusters, ...inv.taskDefinitions, ...inv.services, ...inv.tasks, ...inv.logGroups, ...inv.repositories, ...inv.secrets, ...inv.scalingTargets, ...inv.loadBalancers, ...inv.listeners, ...inv.rules, ...inv.targetGroups, ...inv.securityGroups];
  for (const it of all) {
    const source = [it.origin ? `journal:${it.origin}` : '', it.tagged ? 'tag' : ''].filter(Boolean).join('+') || 'reference';
    let drift: string | undefined;
    if (it.ownership === 'gone' && it.origin) drift = 'journalled but gone';
    else if (it.live && it.tagged && !it.origin) drift = 'tagged but not journalled';
    else if (it.ownership === 'other-stack') drift = 'tagged for another stack';
    rows.push({ type: it.type, name: it.parent && it.type !== 'ecs-task' ? `${it.parent}/${it.name}` : it.name, arn: it.arn, state: liveState(it), ownership: it.ownership, source, drift });
  }
  for (const a of inv.attachments) {
    rows.push({ type: 'iam-attachment', name: `${a.role} ← ${a.policyArn.split('/').pop()}`, arn: a.policyArn, state: a.attached ? 'attached' : 'detached', ownership: 'owned', source: 'journal:created', drift: a.attached ? undefined : 'journalled but detached' });
  }
  return rows;
}

export async function runStatus(_options: unknown, ctx: Context): Promise<Report> {
  const account = await ctx.account();
  const journal = await ctx.journal();
  const inv = await readInventory(ctx, account, journal.resources());
  const rows = statusRows(inv);
  if (ctx.opts.output === 'text') {
    const c = ctx.paint;
    const out: string[] = [c.bold(`Stack ${ctx.stack} (account ${account}, ${ctx.region}): ${rows.filter((r) => r.state !== 'absent' && r.state !== 'detached').length} live resource(s)`)];
    for (const r of rows) {
      const mark = r.drift ? c.yellow('!') : r.state === 'absent' || r.state === 'detached' ? c.dim('-') : c.green('●');
      out.push(`${mark} ${r.type.padEnd(22)} ${r.name.padEnd(34)} ${r.state}${r.ownership !== 'owned' && r.ownership !== 'gone' ? c.dim(` [${r.ownership}]`) : ''}${r.drift ? c.yellow(`  (${r.drift})`) : ''}`);
      if (r.arn && ctx.opts.verbose) out.push(`    ${c.dim(r.arn)}`);
    }
    if (rows.length === 0) out.push('  (nothing: the journal knows no resource and none is tagged with this stack)');
    ctx.io.stdout.write(out.join('\n') + '\n');
  }
  return readReport(ctx, { account, region: ctx.region, resources: rows });
}

export async function runStacks(_options: unknown, ctx: Context): Promise<Report> {
  const account = await ctx.account();
  const names = listStacks(ctx.state, account, ctx.region);
  const stacks = names.map((name) => {
    const res = new Journal(journalPath(ctx.state, account, ctx.region, name), '').resources().filter((r) => r.present && r.origin === 'created');
    return { name, resources: res.length };
  });
  if (ctx.opts.output === 'text') {
    const lines = stacks.length ? stacks.map((s) => `${s.name.padEnd(32)} ${s.resources} resource(s) in the journal`) : [`(no stack has a journal for account ${account} in ${ctx.region})`];
    ctx.io.stdout.write(lines.join('\n') + '\n');
  }
  return readReport(ctx, { account, region: ctx.region, stacks });
}

