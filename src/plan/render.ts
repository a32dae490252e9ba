/**
 * Human and JSON rendering of plans and reports. Text goes through the Paint of the context
 * (colour off for --no-color/NO_COLOR/non-TTY); JSON is exactly one object on stdout.
 */
import type { Change, Plan, Report } from './types.js';
import { stackOf } from '../input/tags.js';
import { cliOf, iamActionsOf } from './explain.js';
import type { Paint } from '../output/color.js';

/** What rendering needs of a run (a Context is one). */
export interface RenderScope {
  readonly paint: Paint;
  readonly stack: string;
  /** The region, when one is set (a dry run may have none). */
  readonly knownRegion?: string;
  readonly opts?: { readonly explain?: boolean };
}

/**
 * A note for a confirmation when a resource is not the stack's (the user named it, so it is still
 * changed): which stack it is tagged for, if any. Nothing when it is the stack's.
 */
export function notOursNote(scope: RenderScope, what: string, tags: Record<string, string> | undefined): string[] | undefined {
  const owner = stackOf(tags);
  if (owner === scope.stack) return undefined;
  return [scope.paint.yellow(`note: this ${what} was not created by stack "${scope.stack}" (${owner ? `it is tagged for stack "${owner}"` : 'no ecsprimer tag'})`)];
}

const SIGN: Record<string, string> = { create: '+', update: '~', delete: '-', none: '=' };

export function renderPlanText(ctx: RenderScope, plan: Plan, opts: { dryRun: boolean }): string {
  const c = ctx.paint;
  const lines: string[] = [];
  const where = `stack ${ctx.stack}${plan.account ? `, account ${plan.account}` : ''}${ctx.knownRegion ? `, ${ctx.knownRegion}` : ''}`;
  lines.push(c.bold(`${opts.dryRun ? 'Dry run: ' : ''}${plan.command} (${where})`));
  for (const n of plan.notes ?? []) lines.push(`  ${c.dim(n)}`);
  const changing = plan.steps.filter((s) => s.action !== 'none');
  for (const s of plan.steps) {
    const color = s.action === 'create' ? c.green : s.action === 'delete' ? c.red : s.action === 'update' ? c.yellow : c.dim;
    const state = s.action === 'none' ? ` (${s.state ?? 'unchanged'})` : '';
    lines.push(`  ${color(`${SIGN[s.action]} ${s.action === 'none' ? 'keep' : s.action} ${s.type} ${s.name}`)}${state}${s.arn ? c.dim(`  ${s.arn}`) : ''}`);
    if (s.action === 'none') {
      if (s.reason) lines.push(`      ${c.dim(s.reason)}`);
      continue;
    }
    for (const call of s.calls) {
      lines.push(`      ${c.cyan(call.operation.padEnd(26))} ${call.target}  ${c.dim(`— ${call.reason}`)}`);
      if (ctx.opts?.explain) lines.push(`        ${c.dim('cli:')} ${cliOf(s, call)}`, `        ${c.dim('needs:')} ${iamActionsOf(s, call).join(', ')}${call.passRoles?.length ? ` (iam:PassRole on ${call.passRoles.join(', ')})` : ''}`);
    }
    for (const d of s.detail ?? []) lines.push(`      ${d}`);
  }
  if (changing.length === 0) lines.push(`  ${c.green('Nothing to change.')}`);
  else if (opts.dryRun) {
    const calls = changing.reduce((n, s) => n + s.calls.length, 0);
    lines.push(c.dim(`${calls} changing call(s) planned; nothing was changed (dry run).`));
  }
  return lines.join('\n') + '\n';
}

const VERB: Record<string, string> = { create: 'created', update: 'updated', delete: 'deleted', none: 'kept' };

export function renderChangeLine(ctx: RenderScope, ch: Change): string {
  const c = ctx.paint;
  let head: string;
  switch (ch.status) {
    case 'done':
      head = c.green(`✓ ${VERB[ch.action] ?? ch.action}`);
      break;
    case 'unchanged':
      head = c.dim('= unchanged');
      break;
    case 'absent':
      head = c.dim('= already absent');
      break;
    case 'planned':
      head = c.cyan(`· would ${ch.action}`);
      break;
    case 'skipped':
      head = c.yellow('… skipped');
      break;
    default:
      head = c.red('✗ failed');
  }
  const tail = ch.status === 'failed' || ch.status === 'skipped' ? `: ${ch.error?.message ?? ''}` : ch.arn ? `  ${c.dim(ch.arn)}` : '';
  return `${head} ${ch.type} ${ch.name}${tail}`;
}

export function renderReportText(ctx: RenderScope, report: Report): string {
  if (report.dryRun) return '';
  return report.changes.map((ch) => renderChangeLine(ctx, ch)).join('\n') + (report.changes.length ? '\n' : '');
}

export function renderJson(report: Report): string {
  const out: Record<string, unknown> = {
    ok: report.ok,
    command: report.command,
    stack: report.stack,
    dryRun: report.dryRun,
    changes: report.changes.map(({ reason: _r, ...c }) => c),
  };
  if (report.plan) out.plan = report.plan;
  if (report.permissions) out.permissions = report.permissions;
  if (report.data) Object.assign(out, report.data);
  if (!report.ok && report.error) out.error = report.error;
  return JSON.stringify(out, null, 2) + '\n';
}
