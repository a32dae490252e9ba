/**
 * The plan engine itself (src/plan/engine.ts), with steps that do nothing but say when they start
 * and end: a step starts as soon as what it depends on is done (and no sooner), independent steps
 * run concurrently, a failed step skips its dependents while the others finish, every change a
 * step records is in the journal before its dependents start, an interruption starts nothing new,
 * and a dry run runs nothing.
 */
import { describe, expect, it } from 'vitest';
import { EcsprimerError, ExitCode, RuntimeError } from '../../src/errors.js';
import { executePlan } from '../../src/plan/engine.js';
import type { Plan, Report, Step, StepRuntime } from '../../src/plan/types.js';
import { ACCOUNT, journal, testContext, useCliEnv } from '../support/in-process.js';

useCliEnv();

/** A promise and its resolve/reject, to hold a step open until the test lets it end. */
function gate(): { promise: Promise<void>; open: () => void; fail: (e: Error) => void } {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((open = res), (fail = rej)));
  return { promise, open, fail };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

interface Probe {
  events: string[];
  step(id: string, o?: { dependsOn?: string[]; gate?: Promise<void>; fail?: string; record?: boolean; during?: (rt: StepRuntime) => void }): Step;
}

function probe(): Probe {
  const events: string[] = [];
  return {
    events,
    step: (id, o = {}) => ({
      id,
      type: 'test-resource',
      name: id,
      action: 'create',
      calls: [{ operation: `Create${id}`, target: id, reason: 'a test step' }],
      reason: 'test',
      dependsOn: o.dependsOn,
      run: async (rt) => {
        events.push(`start ${id}`);
        o.during?.(rt);
        await o.gate;
        if (o.fail) {
          events.push(`fail ${id}`);
          throw new RuntimeError('TestFailure', o.fail);
        }
        if (o.record !== false) rt.record('created', { type: 'ecs-cluster', name: id });
        events.push(`end ${id}`);
        return { arn: `arn:test:${id}` };
      },
    }),
  };
}

function context(opts: Parameters<typeof testContext>[0] = {}) {
  const t = testContext({ yes: true, ...opts });
  t.ctx.command = 'test';
  t.ctx.noteAccountFromArn(`arn:aws:iam::${ACCOUNT}:role/known`); // the journal needs the account; no STS here
  return t;
}

const plan = (steps: Step[]): Plan => ({ command: 'test', steps, warnings: [] });

async function failure(p: Promise<Report>): Promise<EcsprimerError & { report: Report }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'the run failed').toBeInstanceOf(EcsprimerError);
  return e as EcsprimerError & { report: Report };
}

describe('the plan engine', () => {
  it('starts a step only when everything it depends on is done, and independent steps at once', async () => {
    const { ctx } = context();
    const p = probe();
    const a = gate();
    const b = gate();
    const run = executePlan(ctx, plan([p.step('A', { gate: a.promise }), p.step('B', { gate: b.promise }), p.step('C', { dependsOn: ['A', 'B'] })]));
    await tick();
    expect(p.events).toEqual(['start A', 'start B']);
    a.open();
    await tick();
    expect(p.events).toEqual(['start A', 'start B', 'end A']);
    b.open();
    const report = await run;
    expect(p.events).toEqual(['start A', 'start B', 'end A', 'end B', 'start C', 'end C']);
    expect(report.ok).toBe(true);
    expect(report.changes.map((c) => `${c.name} ${c.status}`)).toEqual(['A done', 'B done', 'C done']);
  });

  it('skips what depends on a failed step, transitively, lets independent steps finish, and reports every failure', async () => {
    const { ctx } = context();
    const p = probe();
    const steps = [
      p.step('A', { fail: 'A broke' }),
      p.step('B', { dependsOn: ['A'] }),
      p.step('C', { dependsOn: ['B'] }),
      p.step('D'),
      p.step('E', { fail: 'E broke' }),
      p.step('F', { dependsOn: ['D'] }),
    ];
    const e = await failure(executePlan(ctx, plan(steps)));
    expect(p.events).not.toContain('start B');
    expect(p.events).not.toContain('start C');
    expect(p.events).toContain('end F');
    expect(e.report.changes.map((c) => `${c.name} ${c.status}`)).toEqual(['A failed', 'B skipped', 'C skipped', 'D done', 'E failed', 'F done']);
    expect(e.message).toContain('A broke');
    expect(e.message).toContain('E broke');
    expect(e.exitCode).toBe(ExitCode.failure);
  });

  it('journals each change once, before the steps that depend on it start', async () => {
    const { ctx } = context();
    const p = probe();
    let seenByB: string[] = [];
    const steps = [p.step('A'), p.step('B', { dependsOn: ['A'], during: () => (seenByB = journal().map((r) => r.name)) }), p.step('C', { record: false })];
    await executePlan(ctx, plan(steps));
    expect(seenByB).toEqual(['A']);
    expect(journal().map((r) => `${r.event} ${r.name}`).sort()).toEqual(['created A', 'created B']);
  });

  it('on an interruption starts nothing new, lets the step in flight finish and journal, and says how to resume', async () => {
    const { ctx } = context();
    const p = probe();
    const a = gate();
    const run = executePlan(ctx, plan([p.step('A', { gate: a.promise }), p.step('B', { dependsOn: ['A'] })]));
    await tick();
    ctx.interrupt('SIGINT');
    a.open();
    const e = await failure(run);
    expect(p.events).toEqual(['start A', 'end A']);
    expect(e.report.changes.map((c) => `${c.name} ${c.status}`)).toEqual(['A done', 'B skipped']);
    expect(e.exitCode).toBe(ExitCode.interrupted);
    expect(e.message).toMatch(/Run the same command again to resume/);
    expect(journal().map((r) => r.name)).toEqual(['A']);
  });

  it('runs nothing for steps that change nothing, and their dependents do not wait for them', async () => {
    const { ctx } = context();
    const p = probe();
    const keep: Step = { id: 'K', type: 'test-resource', name: 'K', action: 'none', state: 'unchanged', calls: [], reason: 'exists' };
    const report = await executePlan(ctx, plan([keep, p.step('A', { dependsOn: ['K'] })]));
    expect(p.events).toEqual(['start A', 'end A']);
    expect(report.changes.map((c) => `${c.name} ${c.status}`)).toEqual(['K unchanged', 'A done']);
  });

  it('runs nothing in a dry run, and reports the calls it would make', async () => {
    const { ctx, stdout } = context({ dryRun: true });
    const p = probe();
    const report = await executePlan(ctx, plan([p.step('A'), p.step('B', { dependsOn: ['A'] })]));
    expect(p.events).toEqual([]);
    expect(report).toMatchObject({ ok: true, dryRun: true });
    expect(report.plan?.map((c) => c.operation)).toEqual(['CreateA', 'CreateB']);
    expect(stdout()).toMatch(/Dry run: test/);
    expect(journal()).toEqual([]);
  });

  it('fails, without running them, steps whose dependencies can never be met (a bug in a plan)', async () => {
    const { ctx } = context();
    const p = probe();
    const e = await failure(executePlan(ctx, plan([p.step('A', { dependsOn: ['B'] }), p.step('B', { dependsOn: ['A'] })])));
    expect(p.events).toEqual([]);
    expect(e.report.changes.map((c) => c.status)).toEqual(['failed', 'failed']);
    expect(e.message).toMatch(/depends on steps that never ran/);
  });
});
