/**
 * The heart of ecsprimer: plan → confirm → apply → report, once for every command.
 *
 * apply runs the steps as a dependency graph: a step starts as soon as all it depends on is done,
 * so a command's wall time is its critical path. Each step journals its change itself, right after
 * AWS confirms it. A failed step stops its dependents; independent steps finish; every failure is
 * reported. On Ctrl-C/SIGTERM no new step starts, calls in flight finish and are journalled.
 */
import type { Context } from '../context.js';
import { DeclinedError, EcsprimerError, InterruptedError, RuntimeError } from '../errors.js';
import { renderPlanText } from './render.js';
import { explainPlan, permissionsOf } from './explain.js';
import type { Change, Plan, Report, Step, StepResult, StepRuntime } from './types.js';

const MAX_CONCURRENCY = 16;

export function changesOf(plan: Plan, status: (s: Step) => Change['status']): Change[] {
  return plan.steps.map((s) => ({ action: s.action, type: s.type, name: s.name, ...(s.arn ? { arn: s.arn } : {}), status: status(s), reason: s.reason }));
}

export function hasChanges(plan: Plan): boolean {
  return plan.steps.some((s) => s.action !== 'none');
}

/** Shows the plan and asks once. Throws DeclinedError on "no". Returns false for a dry run. */
export async function confirmPlan(ctx: Context, plan: Plan, question?: string): Promise<boolean> {
  for (const w of plan.warnings) ctx.ui.warn(w);
  if (ctx.opts.dryRun) {
    if (ctx.offline) plan.notes = [...(plan.notes ?? []), 'no AWS region or credentials are configured, so nothing was read: <region> and <account-id> stand for what AWS would say, and what exists now is not known.'];
    if (ctx.opts.output === 'text') ctx.io.stdout.write(renderPlanText(ctx, plan, { dryRun: true }));
    return false;
  }
  if (!hasChanges(plan)) return true;
  if (ctx.opts.yes) {
    if (ctx.opts.output === 'text') ctx.io.stderr.write(renderPlanText(ctx, plan, { dryRun: false }));
    return true;
  }
  ctx.io.stderr.write(renderPlanText(ctx, plan, { dryRun: false }));
  const n = plan.steps.filter((s) => s.action !== 'none').length;
  const ok = await ctx.prompter.confirm(question ?? `Apply ${n === 1 ? 'this change' : `these ${n} changes`} to stack "${ctx.stack}"?`, false);
  if (!ok) throw new DeclinedError();
  return true;
}

/** Validated inputs and a resolved plan in; a report out. */
export async function executePlan(ctx: Context, plan: Plan, opts: { question?: string } = {}): Promise<Report> {
  const proceed = await confirmPlan(ctx, plan, opts.question);
  if (!proceed) {
    return {
      ok: true,
      command: plan.command,
      stack: ctx.stack,
      dryRun: true,
      changes: changesOf(plan, (s) => (s.action === 'none' ? (s.state ?? 'unchanged') : 'planned')),
      plan: explainPlan(plan),
      permissions: permissionsOf(plan, ctx.callsMade(), { partition: ctx.offline ? 'aws' : ctx.partition, region: ctx.knownRegion, account: plan.account }),
    };
  }
  if (!hasChanges(plan)) {
    return { ok: true, command: plan.command, stack: ctx.stack, dryRun: false, changes: changesOf(plan, (s) => s.state ?? 'unchanged') };
  }
  await ctx.lockStack();
  try {
    return await applyPlan(ctx, plan);
  } finally {
    ctx.releaseLock();
  }
}

interface Outcome {
  status: Change['status'];
  result?: StepResult;
  error?: EcsprimerError | Error;
}

export async function applyPlan(ctx: Context, plan: Plan): Promise<Report> {
  const journal = await ctx.journal();
  const outcomes = new Map<string, Outcome>();
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  let promptChain: Promise<unknown> = Promise.resolve();

  const runtime: StepRuntime = {
    ctx,
    journal,
    result: (id) => outcomes.get(id)?.result,
    record: (event, rec) => journal.append({ event, ...rec }),
    confirm: (question, details) => {
      if (ctx.opts.yes) return Promise.resolve(true);
      const ask = promptChain.then(async () => {
        if (details?.length) ctx.io.stderr.write(details.map((d) => `  ${d}\n`).join(''));
        if (!ctx.io.stdinIsTTY) return false;
        return ctx.prompter.confirm(question, false);
      });
      promptChain = ask.catch(() => undefined);
      return ask;
    },
  };

  for (const s of plan.steps) {
    if (s.action === 'none' || !s.run) outcomes.set(s.id, { status: s.state ?? 'unchanged', result: { status: s.state === 'absent' ? 'absent' : 'unchanged', arn: s.arn } });
  }

  const waiting = plan.steps.filter((s) => !outcomes.has(s.id));
  const running = new Map<string, Promise<void>>();

  const ready = (s: Step) => (s.dependsOn ?? []).every((d) => {
    const o = outcomes.get(d);
    return o && (o.status === 'done' || o.status === 'unchanged' || o.status === 'absent');
  });
  const blocked = (s: Step) => (s.dependsOn ?? []).some((d) => {
    const o = outcomes.get(d);
    return (o && (o.status === 'failed' || o.status === 'skipped')) || (!o && !byId.has(d) && false);
  });

  const start = (s: Step) => {
    const p = (async () => {
      try {
        const r = (await s.run!(runtime)) ?? {};
        outcomes.set(s.id, { status: r.status ?? 'done', result: r });
        if (r.arn) ctx.noteAccountFromArn(r.arn);
      } catch (e) {
        outcomes.set(s.id, { status: 'failed', error: e as Error });
      } finally {
        running.delete(s.id);
      }
    })();
    running.set(s.id, p);
  };

  while (waiting.length > 0 || running.size > 0) {
    let progressed = false;
    for (let i = 0; i < waiting.length; i++) {
      const s = waiting[i];
      if (blocked(s) || ctx.interrupted) {
        outcomes.set(s.id, { status: 'skipped' });
        waiting.splice(i--, 1);
        progressed = true;
      } else if (ready(s) && running.size < MAX_CONCURRENCY) {
        waiting.splice(i--, 1);
        start(s);
        progressed = true;
      }
    }
    if (running.size > 0) await Promise.race(running.values());
    else if (!progressed && waiting.length > 0) {
      // A dependency cycle or a missing step id: a bug in a command's plan.
      for (const s of waiting) outcomes.set(s.id, { status: 'failed', error: new RuntimeError('PlanError', `step ${s.id} depends on steps that never ran`) });
      waiting.length = 0;
    }
  }

  const changes: Change[] = plan.steps.map((s) => {
    const o = outcomes.get(s.id)!;
    const r = o.result;
    const action = r?.action ?? (o.status === 'unchanged' || o.status === 'absent' ? 'none' : s.action);
    const c: Change = { action, type: s.type, name: r?.name ?? s.name, status: o.status };
    const arn = r?.arn ?? s.arn;
    if (arn) c.arn = arn;
    c.reason = r?.note ?? s.reason;
    if (o.error) c.error = { code: (o.error as EcsprimerError).code ?? o.error.name, message: o.error.message };
    if (o.status === 'skipped') c.error = { code: ctx.interrupted ? 'Interrupted' : 'Skipped', message: ctx.interrupted ? 'not started: interrupted' : 'not run: a step it depends on failed' };
    return c;
  });

  const failures = [...outcomes.values()].filter((o) => o.status === 'failed');
  const report: Report = { ok: failures.length === 0 && !ctx.interrupted, command: plan.command, stack: ctx.stack, dryRun: false, changes };
  if (ctx.interrupted) {
    const done = changes.filter((c) => c.status === 'done').length;
    const err = new InterruptedError(
      `Interrupted by ${ctx.interrupted}: ${done} change(s) were made and recorded in ${journal.file}. Run the same command again to resume, or \`ecsprimer teardown --stack ${ctx.stack}\` to remove what was created.`,
      ctx.interrupted,
    );
    report.error = { code: err.code, message: err.message };
    throw Object.assign(err, { report });
  }
  if (failures.length > 0) {
    const first = failures[0].error as EcsprimerError;
    const message =
      failures.length === 1
        ? first.message
        : `${failures.length} steps failed:\n${failures.map((f) => `  - ${f.error?.message}`).join('\n')}`;
    // Several failures of one kind (e.g. every call refused an expired token) keep that kind's exit code.
    const sameKind = first instanceof EcsprimerError && failures.every((f) => f.error instanceof EcsprimerError && f.error.exitCode === first.exitCode);
    const err =
      first instanceof EcsprimerError && failures.length === 1
        ? first
        : sameKind
          ? new EcsprimerError(first.code, message, first.exitCode, { cause: first })
          : new RuntimeError(first instanceof EcsprimerError ? first.code : 'StepFailed', message);
    report.error = { code: err instanceof EcsprimerError ? err.code : 'Error', message };
    throw Object.assign(err, { report });
  }
  return report;
}
