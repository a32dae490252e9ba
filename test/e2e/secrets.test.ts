/**
 * Security (issue 6, item 5), through the built CLI against the fault proxy in front of moto:
 *   - trust policies that let anyone assume the role (Principal "*", {"AWS": "*"}, NotPrincipal
 *     with Allow) are refused without --allow-public-trust;
 *   - "Action": "*" on "Resource": "*" is refused without --allow-admin; iam:PassRole on "*" warns;
 *   - literal secrets in a task definition's environment are warned about, and their values are
 *     never printed (not even in the diff of a new revision) nor journalled;
 *   - a plain-http --endpoint-url (or AWS_ENDPOINT_URL) to a host other than loopback is refused
 *     unless --allow-insecure-endpoint (hostnames under .invalid only: never resolvable);
 *   - AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN never appear in any output or state file;
 *   - journal files are 0600 and their directories 0700, whatever the umask.
 * Every refusal exits 2 before any request.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, cliEnv, makeStateDir, REPO_ROOT, runCli, type CliResult } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';
import { startProxy, type FaultRule, type Proxy } from '../support/proxy.js';
import { changingOperations, countsOf, EMPTY_COUNTS, journalFile, readStackState, TEST_ACCOUNT, uniqueStack } from '../support/stack-state.js';

const NO_STACK_TRACE = /^\s+at\s/m;
const trust = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }] });
const policy = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...statement }] });

/** Every regular file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

describeE2E('security (built CLI → fault proxy → moto)', () => {
  let motoUrl: string;
  const proxies: Proxy[] = [];
  beforeAll(() => {
    motoUrl = requireMotoUrl();
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
  });

  async function proxy(faults: FaultRule[] = []): Promise<Proxy> {
    const p = await startProxy({ target: motoUrl, faults });
    proxies.push(p);
    return p;
  }

  function cli(stack: string, state: string, endpoint: string, env: Record<string, string | undefined> = {}) {
    return (args: string[], extra: string[] = ['--yes']): Promise<CliResult> =>
      runCli([...args, '--stack', stack, '--endpoint-url', endpoint, ...extra], { env: { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '100', ...env }, timeoutMs: 60_000 });
  }

  function refused(r: CliResult, p: Proxy, parts: string[]): void {
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(NO_STACK_TRACE);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(1);
    for (const part of parts) expect(r.stderr).toContain(part);
    expect(p.counts().byOperation, 'nothing was sent').toEqual({});
  }

  describe.concurrent('trust policies and permissions', () => {
    const publicTrust: Array<[string, Record<string, unknown>, string]> = [
      ['Principal "*"', { Principal: '*' }, 'Statement[0].Principal'],
      ['Principal {"AWS": "*"}', { Principal: { AWS: '*' } }, 'Statement[0].Principal'],
      ['"*" among other AWS principals', { Principal: { AWS: [`arn:aws:iam::${TEST_ACCOUNT}:root`, '*'] } }, 'Statement[0].Principal'],
      ['NotPrincipal with Allow', { NotPrincipal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:root` } }, 'Statement[0].NotPrincipal'],
    ];
    for (const [what, statement, field] of publicTrust) {
      it(`a trust policy with ${what} is refused without --allow-public-trust (exit 2, nothing sent); allowed with it, with a warning`, async () => {
        const p = await proxy();
        const run = cli(uniqueStack('pub'), makeStateDir(), p.url);
        refused(await run(['iam', 'role', 'create', '--name', 'r', '--trust-policy', trust(statement)]), p, [field, '--allow-public-trust']);
        refused(await run(['iam', 'create', '--trust-policy', trust(statement)]), p, [field, '--allow-public-trust']);
        const j = await run(['iam', 'role', 'create', '--name', 'r', '--trust-policy', trust(statement)], ['--yes', '-o', 'json']);
        expect(j.code).toBe(2);
        expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: 'SecurityRefusal' } });
        const allowed = await run(['iam', 'role', 'create', '--name', 'r', '--trust-policy', trust(statement), '--allow-public-trust', '--dry-run'], []);
        expect(allowed.code, allowed.stderr).toBe(0);
        expect(allowed.stderr).toMatch(/warning: .*allowed by --allow-public-trust/);
        expect(changingOperations(p.counts())).toEqual({});
      });
    }

    it('Principal "*" restricted by a Condition is not refused', async () => {
      const p = await proxy();
      const statement = { Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } } };
      const r = await cli(uniqueStack('cond'), makeStateDir(), p.url)(['iam', 'role', 'create', '--name', 'r', '--trust-policy', trust(statement), '--dry-run'], []);
      expect(r.code, r.stderr).toBe(0);
      expect(changingOperations(p.counts())).toEqual({});
    });

    it('a public trust policy allowed with --allow-public-trust is really created (and torn down)', async () => {
      const p = await proxy();
      const stack = uniqueStack('pubok');
      const run = cli(stack, makeStateDir(), p.url);
      const r = await run(['iam', 'role', 'create', '--name', `${stack}-r`, '--trust-policy', trust({ Principal: { AWS: '*' } }), '--allow-public-trust']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning: .*lets anyone in any AWS account assume the role.*allowed by --allow-public-trust/);
      expect(countsOf(await readStackState(motoUrl, stack))).toMatchObject({ roles: 1 });
      expect((await run(['teardown'])).code).toBe(0);
      expect(countsOf(await readStackState(motoUrl, stack))).toEqual(EMPTY_COUNTS);
    });

    const admin: Array<[string, Record<string, unknown>]> = [
      ['"Action": "*" on "Resource": "*"', { Action: '*', Resource: '*' }],
      ['["*"] on ["*"] among other values', { Action: ['s3:GetObject', '*'], Resource: ['arn:aws:s3:::b/*', '*'] }],
    ];
    for (const [what, statement] of admin) {
      it(`a policy with ${what} is refused without --allow-admin (exit 2, nothing sent)`, async () => {
        const p = await proxy();
        const run = cli(uniqueStack('adm'), makeStateDir(), p.url);
        refused(await run(['iam', 'policy', 'create', '--name', 'p', '--document', policy(statement)]), p, ['Statement[0]', 'full administrator access', '--allow-admin']);
        refused(await run(['iam', 'create', '--policy-document', policy(statement)]), p, ['--allow-admin']);
      });
    }

    it('"Action": "*" with --allow-admin is created, with a warning; "*" on one resource and "s3:*" on "*" are not refused', async () => {
      const p = await proxy();
      const stack = uniqueStack('admok');
      const run = cli(stack, makeStateDir(), p.url);
      const r = await run(['iam', 'policy', 'create', '--name', `${stack}-admin`, '--document', policy({ Action: '*', Resource: '*' }), '--allow-admin']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning: .*full administrator access.*allowed by --allow-admin/);
      for (const statement of [{ Action: '*', Resource: 'arn:aws:s3:::my-bucket/*' }, { Action: 's3:*', Resource: '*' }]) {
        const ok = await run(['iam', 'policy', 'create', '--name', 'p', '--document', policy(statement), '--dry-run'], []);
        expect(ok.code, ok.stderr).toBe(0);
      }
      expect(countsOf(await readStackState(motoUrl, stack))).toMatchObject({ policies: 1 });
      expect((await run(['teardown'])).code).toBe(0);
      expect(countsOf(await readStackState(motoUrl, stack))).toEqual(EMPTY_COUNTS);
    });

    it('iam:PassRole (or iam:Pass*) on "*" is created with a warning that says how to scope it', async () => {
      const p = await proxy();
      const stack = uniqueStack('pass');
      const run = cli(stack, makeStateDir(), p.url);
      for (const action of ['iam:PassRole', 'iam:Pass*']) {
        const r = await run(['iam', 'policy', 'create', '--name', `${stack}-${action === 'iam:PassRole' ? 'a' : 'b'}`, '--document', policy({ Action: ['ecs:RunTask', action], Resource: '*' })]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/warning: .*Statement\[0\]: allows iam:PassRole on Resource "\*".*scope Resource to the ARNs of the roles/);
      }
      expect((await run(['teardown'])).code).toBe(0);
    });
  });

  it('literal secrets in a task definition environment are warned about by name; the value is never printed or journalled', async () => {
    const p = await proxy();
    const stack = uniqueStack('lit');
    const state = makeStateDir();
    const run = cli(stack, state, p.url);
    const secretOne = 'Sup3r-literal-value-ONE-7fd1c';
    const secretTwo = 'Sup3r-literal-value-TWO-91aa0';
    const doc = (value: string, mode: string) =>
      JSON.stringify({
        family: `${stack}-web`,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'app', image: 'public.ecr.aws/nginx/nginx:stable-alpine', memoryReservation: 128, environment: [{ name: 'DB_PASSWORD', value }, { name: 'MODE', value: mode }] },
        ],
      });
    const outputs: CliResult[] = [];
    const first = await run(['task', 'register', '--document', doc(secretOne, 'prod'), '--verbose']);
    outputs.push(first);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/warning: .*environment variable "DB_PASSWORD" of container "app" looks like a secret but has a literal value \(not shown\)/);
    // A new revision: the plan shows the document diff, with the secret's value masked.
    const dry = await run(['task', 'register', '--document', doc(secretTwo, 'dev'), '--dry-run'], []);
    outputs.push(dry);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('"value": "(literal value not shown; changed)"');
    expect(dry.stdout).toMatch(/- +"value": "prod"[\s\S]*\+ +"value": "dev"/); // other values do show
    outputs.push(await run(['task', 'register', '--document', doc(secretTwo, 'dev'), '--verbose']));
    outputs.push(await run(['task', 'register', '--document', doc(secretOne, 'dev')], ['--yes', '-o', 'json', '--verbose']));
    outputs.push(await run(['cluster', 'create', '--name', `${stack}-c`]));
    const overrides = JSON.stringify({ containerOverrides: [{ name: 'app', environment: [{ name: 'API_TOKEN', value: secretOne }] }] });
    const runTask = await run(['task', 'run', '--cluster', `${stack}-c`, '--task-definition', `${stack}-web`, '--overrides', overrides, '--verbose']);
    outputs.push(runTask);
    expect(runTask.code, runTask.stderr).toBe(0);
    expect(runTask.stderr).toMatch(/warning: .*"API_TOKEN" looks like a secret but has a literal value \(not shown\)/);
    outputs.push(await run(['status'], ['-o', 'json', '--verbose']));
    outputs.push(await run(['teardown'], ['--yes', '--verbose']));
    for (const r of outputs) {
      expect(r.code, r.stderr).toBe(0);
      for (const secret of [secretOne, secretTwo]) {
        expect(r.stdout).not.toContain(secret);
        expect(r.stderr).not.toContain(secret);
      }
    }
    for (const file of filesUnder(state)) {
      const text = readFileSync(file, 'utf8');
      for (const secret of [secretOne, secretTwo]) expect(text, file).not.toContain(secret);
    }
  });

  describe('endpoint URL checks', () => {
    it('plain http to a host that is not loopback is refused (exit 2) unless --allow-insecure-endpoint', async () => {
      for (const env of [{}, { AWS_ENDPOINT_URL: 'http://moto.invalid:5000' }]) {
        const args = ['iam', 'create', '--yes', ...('AWS_ENDPOINT_URL' in env ? [] : ['--endpoint-url', 'http://moto.invalid:5000'])];
        for (const extra of [[], ['--dry-run'], ['-o', 'json']]) {
          const r = await runCli([...args, ...extra], { env, timeoutMs: 30_000 });
          expect(r.code, r.stderr).toBe(2);
          expect(r.stderr).toContain(`${'AWS_ENDPOINT_URL' in env ? 'AWS_ENDPOINT_URL' : '--endpoint-url'}: plain http to moto.invalid would send signed requests across the network in clear`);
          expect(r.stderr).toContain('--allow-insecure-endpoint');
          expect(r.stderr).not.toMatch(NO_STACK_TRACE);
        }
      }
    });

    it('with --allow-insecure-endpoint, a dry run against an unresolvable host still ends quickly with a plan', async () => {
      const started = Date.now();
      const r = await runCli(['iam', 'create', '--dry-run', '--endpoint-url', 'http://moto.invalid:5000', '--allow-insecure-endpoint'], { timeoutMs: 30_000 });
      expect(r.timedOut).toBe(false);
      expect(r.code, r.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.stdout).toContain('<account-id>');
      expect(r.stderr).toMatch(/warning: dry run: could not learn the account/);
    });

    it('loopback over plain http needs no flag (127.0.0.1 here; localhost and [::1] are loopback too)', async () => {
      const p = await proxy();
      const r = await cli(uniqueStack('loop'), makeStateDir(), p.url)(['status'], []);
      expect(r.code, r.stderr).toBe(0);
    });
  });

  it('AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN never appear in any output (text, --verbose, -o json, errors) or any state file', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY-SECRET-d1st1nct';
    const token = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ-TOKEN-d1st1nct';
    const p = await proxy();
    const stack = uniqueStack('creds');
    const state = makeStateDir();
    const env = { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEKEYID0001', AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token };
    const run = cli(stack, state, p.url, env);
    const outputs: Array<[string, CliResult]> = [];
    const record = async (what: string, r: Promise<CliResult>) => outputs.push([what, await r]);

    await record('iam create -v', run(['iam', 'create'], ['--yes', '--verbose']));
    await record('iam create -o json -v', run(['iam', 'create'], ['--yes', '-o', 'json', '--verbose']));
    await record('dry run -v', run(['cluster', 'create', '--name', `${stack}-c`, '--dry-run', '--verbose'], []));
    await record('bad input', run(['iam', 'policy', 'create', '--name', 'p', '--document', '{"Version": "2012-10-17",}']));
    await record('no --yes', run(['iam', 'create'], ['--verbose']));
    p.setFaults([{ kind: 'error', errorCode: 'AccessDenied', errorMessage: 'not authorized', httpStatus: 403, match: { service: 'iam', mutatingOnly: true } }]);
    await record('AccessDenied -v', run(['iam', 'policy', 'create', '--name', `${stack}-p2`], ['--yes', '--verbose']));
    await record('AccessDenied -o json', run(['iam', 'policy', 'create', '--name', `${stack}-p2`], ['--yes', '-o', 'json']));
    p.setFaults([{ kind: 'error', errorCode: 'ExpiredToken', errorMessage: 'The security token included in the request is expired', httpStatus: 400 }]);
    await record('ExpiredToken -v (fresh state: STS first)', cli(stack, makeStateDir(), p.url, env)(['iam', 'create'], ['--yes', '--verbose']));
    await record('ExpiredToken -o json', cli(stack, makeStateDir(), p.url, env)(['teardown'], ['--yes', '-o', 'json', '--verbose']));
    p.setFaults([{ kind: 'throttle' }]);
    await record('throttled after retries -v', cli(stack, state, p.url, { ...env, AWS_MAX_ATTEMPTS: '2' })(['status'], ['--verbose']));
    p.setFaults([]);
    await record('status -o json -v', run(['status'], ['-o', 'json', '--verbose']));
    await record('teardown -v', run(['teardown'], ['--yes', '--verbose']));

    expect(outputs.map(([what, r]) => `${what}: ${r.code}`)).toEqual([
      'iam create -v: 0',
      'iam create -o json -v: 0',
      'dry run -v: 0',
      'bad input: 2',
      'no --yes: 2',
      'AccessDenied -v: 1',
      'AccessDenied -o json: 1',
      'ExpiredToken -v (fresh state: STS first): 4',
      'ExpiredToken -o json: 4',
      'throttled after retries -v: 1',
      'status -o json -v: 0',
      'teardown -v: 0',
    ]);
    // The secret and the token, and any 12-character piece of them, appear nowhere.
    const pieces = (s: string) => Array.from({ length: s.length - 11 }, (_, i) => s.slice(i, i + 12)).filter((x) => !/^[/]+$/.test(x));
    const needles = [...pieces(secret), ...pieces(token)];
    const haystacks: Array<[string, string]> = [
      ...outputs.flatMap(([what, r]): Array<[string, string]> => [[`${what} stdout`, r.stdout], [`${what} stderr`, r.stderr]]),
      ...filesUnder(state).map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
    ];
    for (const [where, text] of haystacks) {
      const found = needles.find((n) => text.includes(n));
      expect(found, `${where} contains a piece of a credential`).toBeUndefined();
    }
    expect(countsOf(await readStackState(motoUrl, stack, { clusters: [`${stack}-c`] }))).toEqual(EMPTY_COUNTS);
  });

  describe('state files are private', () => {
    /** Runs the CLI under a given umask (through /bin/sh), like runCli. */
    function runWithUmask(umask: string, args: string[], env: Record<string, string>): Promise<number | null> {
      return new Promise((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', `umask ${umask}; exec "$0" "$@"`, process.execPath, CLI_BIN, ...args], {
          cwd: REPO_ROOT,
          env: cliEnv(env),
          stdio: 'ignore',
        });
        child.once('error', reject);
        child.once('close', (code) => resolve(code));
      });
    }

    for (const umask of ['022', '000']) {
      it(`journal files are 0600 and their directories 0700 (umask ${umask}, state directory created by the CLI)`, async () => {
        const p = await proxy();
        const stack = uniqueStack('perm');
        const state = path.join(makeStateDir(), 'not', 'yet', 'there');
        const code = await runWithUmask(umask, ['iam', 'create', '--yes', '--stack', stack, '--endpoint-url', p.url], { ECSPRIMER_STATE_DIR: state });
        expect(code).toBe(0);
        const mode = (f: string) => (statSync(f).mode & 0o777).toString(8).padStart(3, '0');
        const jfile = journalFile(state, stack);
        expect(mode(jfile)).toBe('600');
        expect(mode(path.dirname(jfile))).toBe('700'); // <state>/<account>/<region>
        expect(mode(path.dirname(path.dirname(jfile)))).toBe('700'); // <state>/<account>
        expect(mode(state)).toBe('700');
        for (const f of filesUnder(state)) expect(`${path.relative(state, f)} ${mode(f)}`).toBe(`${path.relative(state, f)} 600`);
        expect(filesUnder(state).some((f) => f.endsWith('.lock'))).toBe(false); // released
        expect((await runCli(['teardown', '--yes', '--stack', stack, '--endpoint-url', p.url], { env: { ECSPRIMER_STATE_DIR: state } })).code).toBe(0);
      });
    }
  });
});
