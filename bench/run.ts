/**
 * `npm run bench`: the performance targets of issue 5, measured side by side in one run.
 *
 * Starts moto and a loopback proxy that adds 50 ms to every request (test/support), then:
 *   (a) start-up: `ecsprimer --help`, `iam create --help` and a usage error against `node -e 0`;
 *   (b) end to end: the full stack with ecsprimer's commands (separate processes), then
 *       `ecsprimer teardown`, against the course's scripts (../shared/bench/seed_style.py up/down);
 *       and the starter stack file (`ecsprimer init`, untimed) with `up --no-wait` then `down`,
 *       against the same baseline runs (which do not wait for their service either);
 *   (c) account size: the same commands with 1,500 policies, 1,500 roles and a 300-revision task
 *       definition family already in the account: same calls as in an empty account, right answers;
 *   (d) teardown width: a stack of 20 services against a stack of 1;
 *   (e) memory: peak RSS of every ecsprimer process run above.
 * Prints a table and writes it, with every measurement, to bench/results/latest.json.
 *
 * Knobs (environment): BENCH_STARTUP_RUNS (21), BENCH_E2E_RUNS (5), BENCH_WIDTH_RUNS (2),
 * BENCH_ONLY=startup,e2e,size,width (all), ECSPRIMER_BASELINE (path of seed_style.py).
 * Everything talks to 127.0.0.1 only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { GetPolicyCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListPoliciesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { CLI_BIN, REPO_ROOT, cliEnv, makeStateDir } from '../test/support/cli.js';
import { startMoto, type MotoServer } from '../test/support/moto.js';
import { startProxy, type Proxy } from '../test/support/proxy.js';
import { markdownTable, median, mib, ms, printTable, rssMethod, runProcess, scratchDir, sec, sequentialRounds, type ProcessResult, type Row } from './lib.js';
import { seedAccount } from './seed.js';

const LATENCY_MS = 50;
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 21);
const E2E_RUNS = Number(process.env.BENCH_E2E_RUNS ?? 5);
const WIDTH_RUNS = Number(process.env.BENCH_WIDTH_RUNS ?? 2);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'startup,e2e,size,width').split(',').map((s) => s.trim()));
const TARGETS = { startup: 1.3, e2e: 0.5, stackFile: 0.25, width: 3, rssMiB: 120 };
const SIZE = { policies: 1500, roles: 1500, revisions: 300 };
const CREDS = { accessKeyId: 'test', secretAccessKey: 'test' };

const log = (s: string) => process.stderr.write(`${s}\n`);
/** A target whose comparison could not be made (no baseline): never reported as met. */
const NOT_MEASURED = 'NOT MEASURED';
// The seeding and checks use the SDK in this process (Node 20 is supported by this SDK release).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const rows: Row[] = [];
const results: Record<string, unknown> = {};
/** Peak RSS (KiB) of every ecsprimer process, by command. */
const rssByCommand = new Map<string, number[]>();

// ---------------------------------------------------------------------------------------------
// Running ecsprimer and the baseline

interface CliRun extends ProcessResult {
  args: string[];
  calls: number;
  byOperation: Record<string, number>;
  rounds: number;
  waves: string[][];
}

/**
 * The compile cache of every ecsprimer run here (src/cli/compile-cache.ts): one directory for the
 * whole benchmark, as a user's machine has one (~/.cache/ecsprimer), filled by the warm-up runs.
 * Each run still gets a fresh HOME (cliEnv), so this is set explicitly.
 */
const cacheDir = () => path.join(scratchDir(), 'compile-cache');

function commandName(args: string[]): string {
  const words: string[] = [];
  for (const a of args) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  return words.join(' ');
}

/** One ecsprimer process, with the calls and sequential round trips the proxy saw. */
async function cli(args: string[], env: Record<string, string>, proxy?: Proxy, rss = true): Promise<CliRun> {
  proxy?.resetCounts();
  const r = await runProcess(process.execPath, [CLI_BIN, ...args], { env, cwd: REPO_ROOT, rss });
  const counts = proxy?.counts();
  const { rounds, waves } = proxy ? sequentialRounds(proxy.log(), LATENCY_MS * 0.8) : { rounds: 0, waves: [] };
  if (r.maxRssKb !== undefined) {
    const name = commandName(args);
    rssByCommand.set(name, [...(rssByCommand.get(name) ?? []), r.maxRssKb]);
  }
  return { ...r, args, calls: counts?.total ?? 0, byOperation: counts?.byOperation ?? {}, rounds, waves };
}

function mustSucceed(r: CliRun | ProcessResult, what: string): void {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
}

function stackCommands(stack: string): string[][] {
  return [
    ['iam', 'create'],
    ['cluster', 'create', '--name', `${stack}-cluster`],
    ['task', 'register', '--execution-role', `${stack}-role`],
    ['service', 'create', '--cluster', `${stack}-cluster`, '--name', `${stack}-svc`, '--task-definition', `${stack}-web`, '--desired-count', '2'],
  ];
}

/** The full stack up with ecsprimer's commands, then `teardown`; each a separate process. */
async function ecsprimerStack(stack: string, endpoint: string, proxy: Proxy | undefined, opts: { status?: boolean; stateDir?: string } = {}): Promise<CliRun[]> {
  const env = cliEnv({ ECSPRIMER_STATE_DIR: opts.stateDir ?? makeStateDir(), ECSPRIMER_CACHE_DIR: cacheDir(), ECSPRIMER_POLL_MS: '200' });
  const common = ['--yes', '--stack', stack, '--endpoint-url', endpoint];
  const runs: CliRun[] = [];
  for (const c of [...stackCommands(stack), ...(opts.status ? [['status']] : []), ['teardown']]) {
    const r = await cli([...c, ...(c[0] === 'status' ? ['--stack', stack, '--endpoint-url', endpoint] : common)], env, proxy);
    mustSucceed(r, `ecsprimer ${c.join(' ')}`);
    runs.push(r);
  }
  return runs;
}

/** The starter stack file of `stack` (written untimed, no AWS call), then `up --no-wait` and `down`. */
async function stackFileRun(stack: string, endpoint: string, proxy: Proxy, stateDir: string): Promise<CliRun[]> {
  const env = cliEnv({ ECSPRIMER_STATE_DIR: stateDir, ECSPRIMER_CACHE_DIR: cacheDir(), ECSPRIMER_POLL_MS: '200' });
  const file = path.join(stateDir, `${stack}.json`);
  mustSucceed(await cli(['init', '--stack', stack, '--file', file], env, undefined, false), 'ecsprimer init');
  const runs: CliRun[] = [];
  for (const c of [['up', '--no-wait'], ['down']]) {
    const r = await cli([...c, '--file', file, '--yes', '--endpoint-url', endpoint], env, proxy);
    mustSucceed(r, `ecsprimer ${c.join(' ')}`);
    runs.push(r);
  }
  return runs;
}

interface BaselineRun extends ProcessResult {
  phase: 'up' | 'down';
  calls: number;
  reported?: { calls: number; wall_s: number; ok: boolean; error: string | null };
}

function baselinePath(): string | undefined {
  const p = process.env.ECSPRIMER_BASELINE ?? path.resolve(REPO_ROOT, '..', 'shared', 'bench', 'seed_style.py');
  return existsSync(p) ? p : undefined;
}

function baselineRunnable(p: string | undefined): string | undefined {
  if (!p) return `no baseline at ${process.env.ECSPRIMER_BASELINE ?? path.resolve(REPO_ROOT, '..', 'shared', 'bench', 'seed_style.py')} (set ECSPRIMER_BASELINE)`;
  const r = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' });
  return r.status === 0 ? undefined : 'python3 with boto3 is not available';
}

async function baseline(script: string, phase: 'up' | 'down', prefix: string, endpoint: string, proxy?: Proxy): Promise<BaselineRun> {
  proxy?.resetCounts();
  const env = cliEnv({ ECSPRIMER_STATE_DIR: undefined, PYTHONDONTWRITEBYTECODE: '1' });
  const r = await runProcess('python3', [script, phase, '--endpoint-url', endpoint, '--prefix', prefix], { env, cwd: REPO_ROOT, rss: true });
  let reported: BaselineRun['reported'];
  try {
    reported = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    reported = undefined;
  }
  return { ...r, phase, calls: proxy?.counts().total ?? reported?.calls ?? 0, reported };
}

// ---------------------------------------------------------------------------------------------
// (a) start-up

async function startup(): Promise<void> {
  log(`(a) start-up: ${STARTUP_RUNS} runs of each, interleaved`);
  // The compile cache (dist/ecsprimer.cjs's, for help) as a user's machine has it after the first run.
  const env = cliEnv({ ECSPRIMER_CACHE_DIR: cacheDir() });
  const cases: Array<{ name: string; argv: string[]; env: Record<string, string>; code?: number; informational?: boolean }> = [
    { name: 'node -e 0', argv: ['-e', '0'], env },
    { name: 'ecsprimer --help', argv: [CLI_BIN, '--help'], env },
    { name: 'ecsprimer iam create --help', argv: [CLI_BIN, 'iam', 'create', '--help'], env },
    { name: 'ecsprimer iam create --bogus (usage error)', argv: [CLI_BIN, 'iam', 'create', '--bogus'], env, code: 2 },
    { name: 'ecsprimer --version', argv: [CLI_BIN, '--version'], env, informational: true },
  ];
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  // Warm the file cache, then measure round-robin so that load changes hit every case alike.
  for (const c of cases) await runProcess(process.execPath, c.argv, { env: c.env, cwd: REPO_ROOT });
  for (let i = 0; i < STARTUP_RUNS; i++) {
    for (const c of cases) {
      const r = await runProcess(process.execPath, c.argv, { env: c.env, cwd: REPO_ROOT });
      if (r.code !== (c.code ?? 0)) throw new Error(`${c.name}: exit ${r.code}\n${r.stderr}`);
      times.get(c.name)!.push(r.wallMs);
    }
  }
  // Peak memory, in separate runs (the measuring wrapper is not part of the timed runs).
  for (const c of cases.slice(1)) {
    const r = await runProcess(process.execPath, c.argv, { env: c.env, cwd: REPO_ROOT, rss: true });
    if (r.maxRssKb !== undefined) rssByCommand.set(c.name.replace(/^ecsprimer /, '').replace(/ \(usage error\)$/, ''), [r.maxRssKb]);
  }
  const base = median(times.get('node -e 0')!);
  const out: Record<string, unknown> = {};
  for (const c of cases) {
    const m = median(times.get(c.name)!);
    out[c.name] = { medianMs: m, runsMs: times.get(c.name), ratio: m / base };
    if (c.name === 'node -e 0') continue;
    const informational = Boolean(c.informational);
    rows.push({
      scenario: `start-up: ${c.name}`,
      ecsprimer: ms(m),
      baseline: `${ms(base)} (node -e 0)`,
      ratio: (m / base).toFixed(2),
      target: informational ? '(no target)' : `≤ ${TARGETS.startup.toFixed(2)}`,
      result: informational ? 'info' : m / base <= TARGETS.startup ? 'PASS' : 'FAIL',
      calls: '0',
    });
  }
  results.startup = out;
}

// ---------------------------------------------------------------------------------------------
// (b) end to end

/**
 * ecsprimer and the baseline each get their own moto server (and proxy): moto 5's tagging API
 * answers HTTP 500 while any ECS cluster without tags exists (the baseline's are untagged), which
 * AWS does not do; ecsprimer would retry it and fall back to scanning ECS.
 */
async function endToEnd(proxy: Proxy, baseProxy: Proxy, script: string | undefined, skipReason: string | undefined): Promise<void> {
  log(`(b) end to end behind the ${LATENCY_MS} ms proxy: ${E2E_RUNS} runs each`);
  // One state directory for all runs, as a user has: the warm-up (untimed; moto also imports its
  // service backends on first use) leaves the account cached there, so the timed runs make no STS call.
  const stateDir = makeStateDir();
  await ecsprimerStack(`warm${Date.now().toString(36)}`, proxy.url, proxy, { stateDir });
  await stackFileRun(`warmf${Date.now().toString(36)}`, proxy.url, proxy, stateDir);
  if (script && !skipReason) {
    await baseline(script, 'up', 'warm', baseProxy.url, baseProxy);
    await baseline(script, 'down', 'warm', baseProxy.url, baseProxy);
  }
  const ours: Array<{ totalMs: number; commands: CliRun[] }> = [];
  const files: Array<{ totalMs: number; commands: CliRun[] }> = [];
  const theirs: Array<{ totalMs: number; up: BaselineRun; down: BaselineRun }> = [];
  for (let i = 0; i < E2E_RUNS; i++) {
    const stack = `b${i}${Date.now().toString(36)}`;
    const commands = await ecsprimerStack(stack, proxy.url, proxy, { stateDir });
    ours.push({ totalMs: commands.reduce((a, c) => a + c.wallMs, 0), commands });
    const fileRuns = await stackFileRun(`f${i}${Date.now().toString(36)}`, proxy.url, proxy, stateDir);
    files.push({ totalMs: fileRuns.reduce((a, c) => a + c.wallMs, 0), commands: fileRuns });
    if (script && !skipReason) {
      const prefix = `bl${i}${Date.now().toString(36)}`;
      const up = await baseline(script, 'up', prefix, baseProxy.url, baseProxy);
      const down = await baseline(script, 'down', prefix, baseProxy.url, baseProxy);
      if (!up.reported?.ok || !down.reported?.ok) throw new Error(`baseline failed: ${up.stdout}${up.stderr}\n${down.stdout}${down.stderr}`);
      theirs.push({ totalMs: up.wallMs + down.wallMs, up, down });
    }
  }
  const oursMedian = median(ours.map((o) => o.totalMs));
  const oursCalls = ours[0].commands.reduce((a, c) => a + c.calls, 0);
  const oursRounds = ours[0].commands.reduce((a, c) => a + c.rounds, 0);
  if (theirs.length) {
    const theirsMedian = median(theirs.map((t) => t.totalMs));
    const theirCalls = theirs[0].up.calls + theirs[0].down.calls;
    rows.push({
      scenario: `end to end: full stack up + teardown (${LATENCY_MS} ms/request)`,
      ecsprimer: sec(oursMedian),
      baseline: sec(theirsMedian),
      ratio: (oursMedian / theirsMedian).toFixed(2),
      target: `≤ ${TARGETS.e2e.toFixed(2)}`,
      result: oursMedian / theirsMedian <= TARGETS.e2e ? 'PASS' : 'FAIL',
      calls: `${oursCalls} in ${oursRounds} sequential round trips / ${theirCalls} in ${theirCalls}`,
    });
  } else {
    rows.push({ scenario: `end to end: full stack up + teardown (${LATENCY_MS} ms/request)`, ecsprimer: sec(oursMedian), baseline: `not run: ${skipReason}`, ratio: '-', target: `≤ ${TARGETS.e2e.toFixed(2)}`, result: NOT_MEASURED, calls: `${oursCalls} / -` });
    log(`    baseline comparison not measured: ${skipReason}`);
  }
  // The stack file: one process up, one down.
  const filesMedian = median(files.map((f) => f.totalMs));
  const fileCalls = files[0].commands.reduce((a, c) => a + c.calls, 0);
  const fileRounds = files[0].commands.map((c) => c.rounds);
  const fileRow: Row = {
    scenario: `stack file: up --no-wait + down (${LATENCY_MS} ms/request)`,
    ecsprimer: sec(filesMedian),
    baseline: theirs.length ? sec(median(theirs.map((t) => t.totalMs))) : `not run: ${skipReason}`,
    ratio: theirs.length ? (filesMedian / median(theirs.map((t) => t.totalMs))).toFixed(2) : '-',
    target: `≤ ${TARGETS.stackFile.toFixed(2)}`,
    result: theirs.length ? (filesMedian / median(theirs.map((t) => t.totalMs)) <= TARGETS.stackFile ? 'PASS' : 'FAIL') : NOT_MEASURED,
    calls: `${fileCalls} in ${fileRounds[0] + fileRounds[1]} sequential round trips (up ${fileRounds[0]}, down ${fileRounds[1]})${theirs.length ? ` / ${theirs[0].up.calls + theirs[0].down.calls} in ${theirs[0].up.calls + theirs[0].down.calls}` : ''}`,
  };
  // Per command: wall time, calls and the round trips in sequence (the critical path).
  const names = ours[0].commands.map((c) => commandName(c.args));
  for (let k = 0; k < names.length; k++) {
    const walls = ours.map((o) => o.commands[k].wallMs);
    const c = ours[0].commands[k];
    rows.push({
      scenario: `  ${names[k]}`,
      ecsprimer: sec(median(walls)),
      baseline: k === 0 && theirs.length ? `up ${sec(median(theirs.map((t) => t.up.wallMs)))}` : k === names.length - 1 && theirs.length ? `down ${sec(median(theirs.map((t) => t.down.wallMs)))}` : '',
      ratio: '',
      target: '',
      result: 'info',
      calls: `${c.calls} in ${c.rounds} round trips` + (k === 0 && theirs.length ? ` / up ${theirs[0].up.calls}` : k === names.length - 1 && theirs.length ? ` / down ${theirs[0].down.calls}` : ''),
    });
  }
  rows.push(fileRow);
  for (let k = 0; k < 2; k++) {
    const c = files[0].commands[k];
    rows.push({ scenario: `  ${commandName(c.args)}`, ecsprimer: sec(median(files.map((f) => f.commands[k].wallMs))), baseline: '', ratio: '', target: '', result: 'info', calls: `${c.calls} in ${c.rounds} round trips` });
  }
  results.stackFile = files.map((f) => ({ totalMs: f.totalMs, commands: f.commands.map((c) => ({ command: commandName(c.args), wallMs: c.wallMs, calls: c.calls, rounds: c.rounds, waves: c.waves, maxRssKb: c.maxRssKb })) }));
  results.endToEnd = {
    latencyMs: LATENCY_MS,
    ecsprimer: ours.map((o) => ({ totalMs: o.totalMs, commands: o.commands.map((c) => ({ command: commandName(c.args), wallMs: c.wallMs, calls: c.calls, rounds: c.rounds, waves: c.waves, maxRssKb: c.maxRssKb })) })),
    baseline: theirs.map((t) => ({ totalMs: t.totalMs, up: { wallMs: t.up.wallMs, calls: t.up.calls, reported: t.up.reported }, down: { wallMs: t.down.wallMs, calls: t.down.calls, reported: t.down.reported } })),
    baselineSkipped: skipReason,
  };
}

// ---------------------------------------------------------------------------------------------
// (c) account size

async function accountSize(script: string | undefined, skipReason: string | undefined): Promise<void> {
  log(`(c) account size: ${SIZE.policies} policies, ${SIZE.roles} roles, a ${SIZE.revisions}-revision family`);
  const stack = 'big';
  const prefix = 'seed';
  const empty = await startMoto();
  const big = await startMoto();
  const emptyProxy = await startProxy({ target: empty.url, latencyMs: 0 });
  const bigProxy = await startProxy({ target: big.url, latencyMs: 0 });
  try {
    const t0 = performance.now();
    // The family ecsprimer registers into, and the one the course's scripts use.
    await seedAccount(big.url, { policies: SIZE.policies, roles: SIZE.roles, families: [{ family: `${stack}-web`, revisions: SIZE.revisions }, { family: `${prefix}Task`, revisions: SIZE.revisions }] });
    log(`    seeded in ${sec(performance.now() - t0)}`);

    const emptyRuns = await ecsprimerStack(stack, emptyProxy.url, emptyProxy, { status: true });
    const bigRuns = await runChecked(stack, big, bigProxy);
    const perCommand = emptyRuns.map((e, i) => ({ command: commandName(e.args), empty: e.calls, big: bigRuns.runs[i].calls, emptyByOperation: e.byOperation, bigByOperation: bigRuns.runs[i].byOperation }));
    const equal = perCommand.every((p) => p.empty === p.big);
    const right = bigRuns.failures.length === 0;
    let baselineNote = 'skipped';
    let baselineResult: Record<string, unknown> | undefined;
    if (script && !skipReason) {
      const up = await baseline(script, 'up', prefix, bigProxy.url, bigProxy);
      const down = await baseline(script, 'down', prefix, bigProxy.url, bigProxy);
      const upEmpty = await baseline(script, 'up', prefix, emptyProxy.url, emptyProxy);
      const downEmpty = await baseline(script, 'down', prefix, emptyProxy.url, emptyProxy);
      // It "finds" the seeded task definition family and never registers its own revision.
      const usedSeeded = up.reported?.ok && up.calls < upEmpty.calls;
      baselineNote = `up: ${up.reported?.ok ? 'ok' : `FAILED (${up.reported?.error ?? `exit ${up.code}`})`}, down: ${down.reported?.ok ? 'ok' : `FAILED (${down.reported?.error ?? `exit ${down.code}`})`}${usedSeeded ? '; used the existing task definition family instead of registering its own' : ''}`;
      baselineResult = { up: up.reported, down: down.reported, upCalls: up.calls, downCalls: down.calls, emptyUpCalls: upEmpty.calls, emptyDownCalls: downEmpty.calls };
    }
    rows.push({
      scenario: `account size: ${SIZE.policies} policies, ${SIZE.roles} roles, ${SIZE.revisions} revisions`,
      ecsprimer: `${equal ? 'same calls as empty' : 'MORE calls than empty'}; ${right ? 'right answers' : `WRONG: ${bigRuns.failures.join('; ')}`}`,
      baseline: baselineNote,
      ratio: '-',
      target: 'calls equal, answers right',
      result: equal && right ? 'PASS' : 'FAIL',
      calls: perCommand.map((p) => `${p.command} ${p.empty}→${p.big}`).join(', '),
    });
    results.accountSize = { seeded: SIZE, perCommand, checks: bigRuns.checks, failures: bigRuns.failures, baseline: baselineResult ?? skipReason ?? 'skipped' };
  } finally {
    await emptyProxy.stop();
    await bigProxy.stop();
    await empty.stop();
    await big.stop();
  }
}

/** The stack in the big account, checking after each command what AWS now holds. */
async function runChecked(stack: string, moto: MotoServer, proxy: Proxy): Promise<{ runs: CliRun[]; checks: string[]; failures: string[] }> {
  const iam = new IAMClient({ endpoint: moto.url, region: 'us-east-1', credentials: CREDS });
  const ecs = new ECSClient({ endpoint: moto.url, region: 'us-east-1', credentials: CREDS });
  const checks: string[] = [];
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => (ok ? checks : failures).push(what);
  const env = cliEnv({ ECSPRIMER_STATE_DIR: makeStateDir(), ECSPRIMER_CACHE_DIR: cacheDir(), ECSPRIMER_POLL_MS: '200' });
  const common = ['--yes', '--stack', stack, '--endpoint-url', proxy.url];
  const runs: CliRun[] = [];
  const run = async (args: string[]) => {
    const r = await cli(args, env, proxy);
    mustSucceed(r, `ecsprimer ${args.join(' ')} (big account)`);
    runs.push(r);
    return r;
  };
  const countAll = async () => {
    let policies = 0;
    let roles = 0;
    let marker: string | undefined;
    do {
      const p = await iam.send(new ListPoliciesCommand({ Scope: 'Local', Marker: marker, MaxItems: 1000 }));
      policies += p.Policies?.length ?? 0;
      marker = p.IsTruncated ? p.Marker : undefined;
    } while (marker);
    do {
      const p = await iam.send(new ListRolesCommand({ Marker: marker, MaxItems: 1000 }));
      roles += p.Roles?.length ?? 0;
      marker = p.IsTruncated ? p.Marker : undefined;
    } while (marker);
    const revs: string[] = [];
    let token: string | undefined;
    do {
      const p = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: `${stack}-web`, status: 'ACTIVE', nextToken: token }));
      revs.push(...(p.taskDefinitionArns ?? []));
      token = p.nextToken;
    } while (token);
    return { policies, roles, revisions: revs.length };
  };
  try {
    const [cmdIam, cmdCluster, cmdTask, cmdService] = stackCommands(stack);
    await run([...cmdIam, ...common]);
    const role = (await iam.send(new GetRoleCommand({ RoleName: `${stack}-role` }))).Role;
    const policyArn = `arn:aws:iam::123456789012:policy/ecsprimer/${stack}/${stack}-policy`;
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy;
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: `${stack}-role` }))).AttachedPolicies ?? [];
    check(Boolean(role && policy), 'iam create: the role and the policy exist');
    check(attached.some((a) => a.PolicyArn === policyArn), 'iam create: the policy is attached to the role');
    check(role?.Tags?.some((t) => t.Key === 'ecsprimer:stack' && t.Value === stack) ?? false, 'iam create: the role is tagged with the stack');

    await run([...cmdCluster, ...common]);
    await run([...cmdTask, ...common]);
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${stack}-web`, include: ['TAGS'] })));
    check(td.taskDefinition?.revision === SIZE.revisions + 1, `task register: registered revision ${SIZE.revisions + 1} after the ${SIZE.revisions} already there (got ${td.taskDefinition?.revision})`);
    check(td.taskDefinition?.executionRoleArn === role?.Arn, 'task register: with the stack role as execution role');

    await run([...cmdService, ...common]);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: `${stack}-cluster`, services: [`${stack}-svc`] }))).services?.[0];
    check(svc?.status === 'ACTIVE' && svc.desiredCount === 2, 'service create: ACTIVE with desired count 2');
    check(Boolean(svc?.taskDefinition?.endsWith(`:${SIZE.revisions + 1}`)), `service create: runs the stack's revision ${SIZE.revisions + 1}, not one of the others (got ${svc?.taskDefinition})`);

    const status = await run(['status', '--stack', stack, '--endpoint-url', proxy.url, '-o', 'json']);
    const resources = (JSON.parse(status.stdout) as { resources?: Array<{ type: string; name: string; ownership: string }> }).resources ?? [];
    check(resources.filter((r) => r.ownership === 'owned').length >= 5, `status: lists the stack's resources (${resources.length})`);

    await run(['teardown', ...common]);
    const after = await countAll();
    check(after.policies === SIZE.policies && after.roles === SIZE.roles, `teardown: the ${SIZE.policies} policies and ${SIZE.roles} roles that are not the stack's are kept (${after.policies}, ${after.roles})`);
    check(after.revisions === SIZE.revisions, `teardown: the ${SIZE.revisions} revisions that are not the stack's stay ACTIVE, the stack's is gone (${after.revisions} ACTIVE)`);
    const gone = await iam.send(new GetRoleCommand({ RoleName: `${stack}-role` })).then(
      () => false,
      () => true,
    );
    check(gone, 'teardown: the stack role is deleted');
  } finally {
    iam.destroy();
    ecs.destroy();
  }
  return { runs, checks, failures };
}

// ---------------------------------------------------------------------------------------------
// (d) teardown width

async function teardownWidth(proxy: Proxy): Promise<void> {
  log(`(d) teardown width: 1 and 20 services, ${WIDTH_RUNS} runs each`);
  const times: Record<number, CliRun[]> = { 1: [], 20: [] };
  for (let i = 0; i < WIDTH_RUNS; i++) {
    for (const n of [1, 20]) {
      const stack = `w${n}x${i}${Date.now().toString(36)}`;
      const env = cliEnv({ ECSPRIMER_STATE_DIR: makeStateDir(), ECSPRIMER_CACHE_DIR: cacheDir(), ECSPRIMER_POLL_MS: '200' });
      // Set up through the proxy without latency (untimed), then tear down with it.
      proxy.setLatency(0);
      const direct = ['--yes', '--stack', stack, '--endpoint-url', proxy.url];
      mustSucceed(await cli(['cluster', 'create', '--name', `${stack}-cluster`, ...direct], env, undefined, false), 'cluster create');
      mustSucceed(await cli(['task', 'register', ...direct], env, undefined, false), 'task register');
      for (let s = 0; s < n; s++) {
        mustSucceed(await cli(['service', 'create', '--cluster', `${stack}-cluster`, '--name', `${stack}-s${s}`, '--task-definition', `${stack}-web`, '--desired-count', '1', ...direct], env, undefined, false), 'service create');
      }
      proxy.setLatency(LATENCY_MS);
      const r = await cli(['teardown', '--yes', '--stack', stack, '--endpoint-url', proxy.url], env, proxy);
      mustSucceed(r, `teardown of ${n} services`);
      times[n].push(r);
    }
  }
  const one = median(times[1].map((r) => r.wallMs));
  const twenty = median(times[20].map((r) => r.wallMs));
  rows.push({
    scenario: `teardown width: 20 services vs 1 (${LATENCY_MS} ms/request)`,
    ecsprimer: `${sec(twenty)} vs ${sec(one)}`,
    baseline: '-',
    ratio: (twenty / one).toFixed(2),
    target: `≤ ${TARGETS.width.toFixed(2)}`,
    result: twenty / one <= TARGETS.width ? 'PASS' : 'FAIL',
    calls: `${times[20][0].calls} in ${times[20][0].rounds} round trips vs ${times[1][0].calls} in ${times[1][0].rounds}`,
  });
  results.teardownWidth = Object.fromEntries(Object.entries(times).map(([n, rs]) => [n, rs.map((r) => ({ wallMs: r.wallMs, calls: r.calls, rounds: r.rounds, waves: r.waves, maxRssKb: r.maxRssKb }))]));
}

// ---------------------------------------------------------------------------------------------
// (e) memory, and the report

function memoryRows(): void {
  if (rssByCommand.size === 0) return;
  const peaks = [...rssByCommand].map(([command, kbs]) => ({ command, maxKb: Math.max(...kbs) })).sort((a, b) => b.maxKb - a.maxKb);
  const worst = peaks[0];
  rows.push({
    scenario: 'memory: peak RSS of any command',
    ecsprimer: `${mib(worst.maxKb)} (${worst.command})`,
    baseline: '-',
    ratio: '-',
    target: `≤ ${TARGETS.rssMiB} MiB`,
    result: worst.maxKb / 1024 <= TARGETS.rssMiB ? 'PASS' : 'FAIL',
    calls: '',
  });
  for (const p of peaks) rows.push({ scenario: `  ${p.command}`, ecsprimer: mib(p.maxKb), baseline: '', ratio: '', target: '', result: 'info', calls: '' });
  results.memory = { method: rssMethod(), peaks };
}

function machine(): Record<string, unknown> {
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    python: spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout.trim() || undefined,
  };
}

async function main(): Promise<void> {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'ecsprimer.cjs'))) throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');
  const started = Date.now();
  const info = machine();
  log(`ecsprimer benchmark: ${info.nproc} CPUs, ${info.memoryGiB} GiB, Node ${info.node}, load ${(info.loadAverageAtStart as number[]).join(' ')}`);
  const script = baselinePath();
  const skipReason = baselineRunnable(script);
  if (skipReason) log(`baseline: comparison skipped: ${skipReason}`);
  else log(`baseline: ${script}`);

  if (ONLY.has('startup')) await startup();
  if (ONLY.has('e2e') || ONLY.has('width')) {
    const [moto, baseMoto] = await Promise.all([startMoto(), startMoto()]);
    const proxy = await startProxy({ target: moto.url, latencyMs: LATENCY_MS });
    const baseProxy = await startProxy({ target: baseMoto.url, latencyMs: LATENCY_MS });
    try {
      if (ONLY.has('e2e')) await endToEnd(proxy, baseProxy, script, skipReason);
      if (ONLY.has('width')) await teardownWidth(proxy);
    } finally {
      await Promise.all([proxy.stop(), baseProxy.stop()]);
      await Promise.all([moto.stop(), baseMoto.stop()]);
    }
  }
  if (ONLY.has('size')) await accountSize(script, skipReason);
  memoryRows();

  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('');
  printTable(rows, out);
  const failed = rows.filter((r) => r.result === 'FAIL');
  const unmeasured = rows.filter((r) => r.result === NOT_MEASURED);
  out('');
  if (failed.length) out(`${failed.length} target(s) missed: ${failed.map((r) => r.scenario.trim()).join('; ')}`);
  if (unmeasured.length) out(`${unmeasured.length} target(s) not measured: ${unmeasured.map((r) => `${r.scenario.trim()} (${r.baseline})`).join('; ')}`);
  if (!failed.length && !unmeasured.length) out('All targets met.');
  const dir = path.join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'latest.json');
  writeFileSync(
    file,
    JSON.stringify({ date: new Date(started).toISOString(), durationS: Math.round((Date.now() - started) / 1000), machine: info, settings: { latencyMs: LATENCY_MS, startupRuns: STARTUP_RUNS, e2eRuns: E2E_RUNS, widthRuns: WIDTH_RUNS, targets: TARGETS, rssMethod: rssMethod() }, table: rows, markdown: markdownTable(rows), results }, null, 2) + '\n',
  );
  out(`Results: ${path.relative(process.cwd(), file)} (${Math.round((Date.now() - started) / 1000)} s)`);
  // Not measured is not met: with CI set it fails the run; elsewhere it is said, and the run passes.
  process.exitCode = failed.length || (unmeasured.length && process.env.CI) ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`benchmark failed: ${(e as Error)?.stack ?? e}\n`);
  process.exitCode = 2;
});
