/**
 * Signals (issue 6, item 6; issue 4's SIGKILL cases): the built CLI is sent SIGINT, SIGTERM or
 * SIGKILL in the middle of a multi-step create or a teardown. The proxy's latency (and a stalled
 * request where one step must hang) lands the signal where the test wants it; the test waits for
 * the `--verbose` line of the call in question before it signals.
 *
 * After SIGINT/SIGTERM: exit 130/143, calls in flight finished, no new step started, and the
 * journal names every change moto confirmed. After SIGKILL: the journal names every change moto
 * holds (an `intent` line precedes each create). In every case a re-run completes without
 * duplicates and `teardown --yes` leaves nothing of the stack.
 */
import { existsSync } from 'node:fs';
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStateDir, runCli, spawnCli, type CliResult, type SpawnedCli } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';
import { startProxy, type FaultRule, type Proxy } from '../support/proxy.js';
import {
  countsOf,
  EMPTY_COUNTS,
  journalFile,
  readJournal,
  readStackState,
  sdkClients,
  TEST_ACCOUNT,
  uniqueStack,
  type JournalLine,
  type StackState,
} from '../support/stack-state.js';

const LATENCY_MS = 250;
const trustDoc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const readDoc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });

describeE2E('signals (built CLI, proxy latency to land the signal mid-run)', () => {
  let motoUrl: string;
  const proxies: Proxy[] = [];
  beforeAll(() => {
    motoUrl = requireMotoUrl();
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
  });

  async function proxy(faults: FaultRule[] = [], latencyMs = LATENCY_MS): Promise<Proxy> {
    const p = await startProxy({ target: motoUrl, latencyMs, faults });
    proxies.push(p);
    return p;
  }

  interface Ctx {
    stack: string;
    state: string;
    proxy: Proxy;
    run(args: string[], extra?: string[]): Promise<CliResult>;
    spawn(args: string[]): SpawnedCli;
  }

  async function setup(prefix: string, faults: FaultRule[] = []): Promise<Ctx> {
    const stack = uniqueStack(prefix);
    const state = makeStateDir();
    const p = await proxy(faults);
    const env = { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '100' };
    return {
      stack,
      state,
      proxy: p,
      run: (args, extra = ['--yes']) => runCli([...args, '--stack', stack, '--endpoint-url', p.url, ...extra], { env, timeoutMs: 60_000 }),
      spawn: (args) => spawnCli([...args, '--stack', stack, '--endpoint-url', p.url, '--yes', '--verbose'], { env, timeoutMs: 60_000 }),
    };
  }

  const ok = (r: CliResult, what: string) => expect(r.code, `${what}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);

  /** The journal's view: resources created (or intended) and not deleted since, by type. */
  function liveInJournal(lines: JournalLine[], type: string, events = ['created', 'intent', 'attached']): Set<string> {
    const live = new Set<string>();
    for (const l of lines) {
      if (l.type !== type) continue;
      const key = type === 'iam-attachment' ? `${l.parent}|${l.arn}` : l.name;
      if (events.includes(l.event)) live.add(key);
      if (l.event === 'deleted' || l.event === 'detached') live.delete(key);
    }
    return live;
  }

  /** Every IAM resource of the stack that moto holds is named in the journal. */
  function expectJournalCovers(s: StackState, lines: JournalLine[]): void {
    const policies = liveInJournal(lines, 'iam-policy');
    const roles = liveInJournal(lines, 'iam-role');
    const attachments = liveInJournal(lines, 'iam-attachment');
    for (const p of s.policies) expect(policies, `policy ${p.name} is journalled`).toContain(p.name);
    for (const r of s.roles) {
      expect(roles, `role ${r.name} is journalled`).toContain(r.name);
      for (const a of r.attached) expect(attachments, `attachment ${r.name} ← ${a} is journalled`).toContain(`${r.name}|${a}`);
    }
  }

  /** The journal names exactly what moto holds: confirmed creates are there, confirmed deletes are gone. */
  function expectJournalMatches(s: StackState, lines: JournalLine[]): void {
    const confirmed = ['created', 'attached'];
    expect(new Set(s.policies.map((p) => p.name))).toEqual(liveInJournal(lines, 'iam-policy', confirmed));
    expect(new Set(s.roles.map((r) => r.name))).toEqual(liveInJournal(lines, 'iam-role', confirmed));
    expect(new Set(s.roles.flatMap((r) => r.attached.map((a) => `${r.name}|${a}`)))).toEqual(liveInJournal(lines, 'iam-attachment', confirmed));
  }

  async function expectCompleteIam(stack: string): Promise<void> {
    const s = await readStackState(motoUrl, stack);
    expect(countsOf(s)).toMatchObject({ policies: 1, roles: 1 });
    expect(s.policies[0].versions).toBe(1);
    expect(s.roles[0].attached).toEqual([s.policies[0].arn]);
  }

  async function expectTornDown(c: Ctx, clusters: string[] = []): Promise<void> {
    ok(await c.run(['teardown']), 'teardown');
    expect(countsOf(await readStackState(motoUrl, c.stack, { clusters }))).toEqual(EMPTY_COUNTS);
  }

  describe.concurrent('SIGINT / SIGTERM', () => {
    it('SIGINT while iam create has its first calls in flight: they finish and are journalled, the attachment is not started, exit 130; a re-run completes', async () => {
      const c = await setup('sigint');
      const child = c.spawn(['iam', 'create']);
      await child.waitForOutput('→ iam:CreatePolicy', { stream: 'stderr' });
      child.child.kill('SIGINT');
      const r = await child.result;
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toContain('Interrupted: finishing the calls in flight');
      expect(r.stderr).toMatch(/Interrupted by SIGINT: \d change\(s\) were made and recorded in .*\.jsonl/);
      expect(r.stderr).not.toMatch(/^\s+at\s/m);
      expect(r.stderr).not.toContain('→ iam:AttachRolePolicy');

      const s = await readStackState(motoUrl, c.stack);
      const lines = await readJournal(c.state, c.stack);
      expectJournalMatches(s, lines);
      expect(countsOf(s)).toMatchObject({ policies: 1, roles: 1 });
      expect(s.roles[0].attached).toEqual([]);

      const again = await c.run(['iam', 'create'], ['--yes', '-o', 'json']);
      ok(again, 're-run');
      expect((JSON.parse(again.stdout) as { changes: Array<{ type: string; status: string }> }).changes.map((x) => `${x.type}:${x.status}`)).toEqual([
        'iam-policy:unchanged',
        'iam-role:unchanged',
        'iam-attachment:done',
      ]);
      await expectCompleteIam(c.stack);
      await expectTornDown(c);
    });

    it('SIGTERM once a create is confirmed: exit 143, the journal names what moto holds; a re-run completes', async () => {
      const c = await setup('sigterm');
      const child = c.spawn(['iam', 'create', '-o', 'json']);
      await child.waitForOutput(/← iam:Create(Policy|Role) \d+ ms/, { stream: 'stderr' });
      child.child.kill('SIGTERM');
      const r = await child.result;
      expect(r.code, r.stderr).toBe(143);
      // --output json: still exactly one JSON object, ok=false, the interruption as the error.
      const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string }; changes: Array<{ status: string }> };
      expect(out.ok).toBe(false);
      expect(out.error.code).toBe('Interrupted');
      expect(out.error.message).toContain('Interrupted by SIGTERM');

      const s = await readStackState(motoUrl, c.stack);
      expectJournalMatches(s, await readJournal(c.state, c.stack));
      expect(out.changes.filter((x) => x.status === 'done').length).toBe(s.policies.length + s.roles.length + s.roles.reduce((n, x) => n + x.attached.length, 0));

      ok(await c.run(['iam', 'create']), 're-run');
      await expectCompleteIam(c.stack);
      await expectTornDown(c);
    });

    it('SIGINT while the plan is still being resolved (reads only): exit 130 and nothing is changed', async () => {
      const c = await setup('sigread');
      const child = c.spawn(['iam', 'create']);
      await child.waitForOutput('→ sts:GetCallerIdentity', { stream: 'stderr' });
      child.child.kill('SIGINT');
      const r = await child.result;
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).not.toMatch(/^\s+at\s/m);
      expect(Object.keys(c.proxy.counts().byOperation).filter((k) => !/:(Get|List|Describe)/.test(k))).toEqual([]);
      expect(countsOf(await readStackState(motoUrl, c.stack))).toEqual(EMPTY_COUNTS);
      expect((await readJournal(c.state, c.stack)).filter((l) => l.event !== 'intent')).toEqual([]);
    });

    it('a second SIGINT stops at once, even with a call hanging; the journal still names what may exist', async () => {
      const c = await setup('sigtwice', [{ kind: 'stall', match: { operation: 'CreateRole' }, limit: 1, stallMs: 30_000 }]);
      const child = c.spawn(['iam', 'create']);
      await child.waitForOutput('← iam:CreatePolicy', { stream: 'stderr' });
      child.child.kill('SIGINT');
      await child.waitForOutput('press Ctrl-C again', { stream: 'stderr' });
      child.child.kill('SIGINT');
      const r = await child.result;
      expect(r.code).toBe(130);
      const lines = await readJournal(c.state, c.stack);
      expectJournalCovers(await readStackState(motoUrl, c.stack), lines);
      expect(liveInJournal(lines, 'iam-role', ['intent'])).toContain(`${c.stack}-role`);
      ok(await c.run(['iam', 'create']), 're-run');
      await expectCompleteIam(c.stack);
      await expectTornDown(c);
    });

    it('SIGTERM while service create --wait waits for stability: only the waiting stops (exit 143); the service stays, journalled; teardown removes it', async () => {
      const c = await setup('svcwait');
      c.proxy.setLatency(0);
      ok(await c.run(['cluster', 'create', '--name', `${c.stack}-c`]), 'cluster create');
      ok(await c.run(['task', 'register']), 'task register');
      c.proxy.setLatency(LATENCY_MS);
      const child = c.spawn(['service', 'create', '--cluster', `${c.stack}-c`, '--name', `${c.stack}-svc`, '--task-definition', `${c.stack}-web`, '--desired-count', '1', '--wait']);
      await child.waitForOutput(/waiting for/, { stream: 'stderr' });
      child.child.kill('SIGTERM');
      const r = await child.result;
      expect(r.code, r.stderr).toBe(143);
      expect(r.stderr).toContain('Only the waiting stopped: nothing was stopped or deleted');
      expect(r.stderr).not.toMatch(/^\s+at\s/m);
      const s = await readStackState(motoUrl, c.stack);
      expect(s.services.map((x) => x.name)).toEqual([`${c.stack}-svc`]);
      const lines = await readJournal(c.state, c.stack);
      expect(lines.some((l) => l.type === 'ecs-service' && l.event === 'created' && l.name === `${c.stack}-svc`)).toBe(true);
      await expectTornDown(c, [`${c.stack}-c`]);
    });

    it('SIGINT while task run --wait waits: exit 130, the task is journalled; teardown removes it', async () => {
      const c = await setup('runwait');
      c.proxy.setLatency(0);
      ok(await c.run(['cluster', 'create', '--name', `${c.stack}-c`]), 'cluster create');
      ok(await c.run(['task', 'register']), 'task register');
      c.proxy.setLatency(LATENCY_MS);
      const child = c.spawn(['task', 'run', '--cluster', `${c.stack}-c`, '--task-definition', `${c.stack}-web`, '--wait', 'stopped']);
      await child.waitForOutput(/waiting for/, { stream: 'stderr' });
      child.child.kill('SIGINT');
      const r = await child.result;
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).not.toMatch(/^\s+at\s/m);
      const lines = await readJournal(c.state, c.stack);
      expect(lines.filter((l) => l.type === 'ecs-task' && l.event === 'created')).toHaveLength(1);
      await expectTornDown(c, [`${c.stack}-c`]);
    });

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`${signal} during a teardown: in-flight deletes finish and are journalled, exit ${signal === 'SIGINT' ? 130 : 143}; teardown again leaves nothing`, async () => {
        const c = await setup(`td${signal === 'SIGINT' ? 'int' : 'term'}`);
        c.proxy.setLatency(0);
        ok(await c.run(['iam', 'create']), 'iam create');
        ok(await c.run(['cluster', 'create', '--name', `${c.stack}-c`]), 'cluster create');
        ok(await c.run(['task', 'register', '--execution-role', `${c.stack}-role`]), 'task register');
        c.proxy.setLatency(LATENCY_MS);

        const child = c.spawn(['teardown']);
        await child.waitForOutput(/→ (iam:DetachRolePolicy|ecs:DeleteCluster|ecs:DeregisterTaskDefinition)/, { stream: 'stderr' });
        child.child.kill(signal);
        const r = await child.result;
        expect(r.code, r.stderr).toBe(signal === 'SIGINT' ? 130 : 143);
        expect(r.stderr).toContain(`Interrupted by ${signal}`);
        expect(r.stderr).not.toMatch(/^\s+at\s/m);

        const s = await readStackState(motoUrl, c.stack, { clusters: [`${c.stack}-c`] });
        const lines = await readJournal(c.state, c.stack);
        expectJournalMatches(s, lines);
        // Something was deleted before the signal took effect, and something is left for the re-run.
        expect(lines.some((l) => l.event === 'deleted' || l.event === 'detached')).toBe(true);
        expect(countsOf(s)).not.toEqual(EMPTY_COUNTS);
        const deletedClusters = lines.filter((l) => l.type === 'ecs-cluster' && l.event === 'deleted').length;
        expect(s.clusters.length).toBe(1 - deletedClusters);
        await expectTornDown(c, [`${c.stack}-c`]);
      });
    }
  });

  describe.concurrent('SIGKILL at several points of iam create', () => {
    interface KillPoint {
      name: string;
      /** The verbose line to wait for before the kill. */
      at: RegExp;
      faults: FaultRule[];
      /** What moto holds after the kill. */
      expect: { policies: number; roles: number; attached: number };
      /** Before the kill, wait until moto holds this (the change is made, the answer is held back). */
      settle?: { attached: number };
    }
    const hang = (operation: string): FaultRule => ({ kind: 'stall', match: { operation }, limit: 1, stallMs: 30_000 });
    const attachAnswerHeld: FaultRule = { kind: 'slow-response', match: { operation: 'AttachRolePolicy' }, limit: 1, stallMs: 30_000 };
    const points: KillPoint[] = [
      { name: 'with both creates in flight', at: /→ iam:CreateRole/, faults: [], expect: { policies: 0, roles: 0, attached: 0 } },
      { name: 'after the policy (the role hanging)', at: /← iam:CreatePolicy/, faults: [hang('CreateRole')], expect: { policies: 1, roles: 0, attached: 0 } },
      { name: 'after the role (the policy hanging)', at: /← iam:CreateRole/, faults: [hang('CreatePolicy')], expect: { policies: 0, roles: 1, attached: 0 } },
      { name: 'before the attachment', at: /→ iam:AttachRolePolicy/, faults: [], expect: { policies: 1, roles: 1, attached: 0 } },
      {
        name: 'after IAM attached the policy, before ecsprimer heard',
        at: /→ iam:AttachRolePolicy/,
        faults: [attachAnswerHeld],
        settle: { attached: 1 },
        expect: { policies: 1, roles: 1, attached: 1 },
      },
    ];

    async function killAt(c: Ctx, point: KillPoint): Promise<void> {
      const child = c.spawn(['iam', 'create']);
      await child.waitForOutput(point.at, { stream: 'stderr' });
      if (point.settle) {
        for (let i = 0; i < 100; i++) {
          const now = await readStackState(motoUrl, c.stack);
          if (now.roles.reduce((n, x) => n + x.attached.length, 0) >= point.settle.attached) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      child.child.kill('SIGKILL');
      const r = await child.result;
      expect(r.signal).toBe('SIGKILL');
      const s = await readStackState(motoUrl, c.stack);
      expect({ policies: s.policies.length, roles: s.roles.length, attached: s.roles.reduce((n, x) => n + x.attached.length, 0) }).toEqual(point.expect);
      const lines = await readJournal(c.state, c.stack);
      expectJournalCovers(s, lines);
      // The killed run's lock is left behind; the next run takes it over (its pid is dead).
      expect(existsSync(journalFile(c.state, c.stack).replace(/\.jsonl$/, '.lock'))).toBe(true);
    }

    for (const point of points) {
      it(`${point.name}: teardown leaves nothing; killed again, a re-run completes without duplicates`, async () => {
        const c = await setup('kill', point.faults);
        await killAt(c, point);
        await expectTornDown(c);

        c.proxy.setFaults(point.faults); // the hanging call hangs again
        await killAt(c, point);
        c.proxy.setFaults([]);
        ok(await c.run(['iam', 'create']), 're-run after the kill');
        await expectCompleteIam(c.stack);
        await expectTornDown(c);
      });
    }

    it('killed after IAM attached a policy to a role the stack does not own: the journal names the attachment, teardown detaches it and keeps the role and the policy', async () => {
      const { iam } = sdkClients(motoUrl);
      const c = await setup('killforeign', [attachAnswerHeld]);
      const role = `outside-${c.stack}`;
      const policyName = `outside-${c.stack}-p`;
      try {
        await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trustDoc }));
        const policyArn = (await iam.send(new CreatePolicyCommand({ PolicyName: policyName, PolicyDocument: readDoc }))).Policy!.Arn!;
        const child = c.spawn(['iam', 'attach', '--role', role, '--policy', policyName]);
        await child.waitForOutput('→ iam:AttachRolePolicy', { stream: 'stderr' });
        const attached = async () => ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ?? []).map((a) => a.PolicyArn);
        for (let i = 0; i < 100 && !(await attached()).includes(policyArn); i++) await new Promise((resolve) => setTimeout(resolve, 50));
        child.child.kill('SIGKILL');
        await child.result;
        expect(await attached()).toEqual([policyArn]);
        expect(liveInJournal(await readJournal(c.state, c.stack), 'iam-attachment')).toContain(`${role}|${policyArn}`);

        c.proxy.setFaults([]);
        ok(await c.run(['teardown']), 'teardown');
        expect(await attached()).toEqual([]);
        expect((await iam.send(new GetRoleCommand({ RoleName: role }))).Role?.RoleName).toBe(role);
        expect((await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy?.PolicyName).toBe(policyName);
      } finally {
        await iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/${policyName}` })).catch(() => undefined);
        await iam.send(new DeleteRoleCommand({ RoleName: role })).catch(() => undefined);
        await iam.send(new DeletePolicyCommand({ PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/${policyName}` })).catch(() => undefined);
        iam.destroy();
      }
    });
  });
});
