/**
 * Credentials (issue 6, item 7), against the fault proxy answering the errors AWS gives:
 *   - none configured            → exit 4, one message that says how to configure them;
 *   - an expired session token   → exit 4 (ExpiredToken, in IAM/STS query XML and ECS JSON);
 *   - access denied              → exit 1, naming the operation and what to do.
 * Nothing is created in any of them. "None configured" runs with AWS_EC2_METADATA_DISABLED=true,
 * an empty HOME and AWS config/credentials files that do not exist (cli.ts's clean environment),
 * so the SDK's default chain ends without asking the instance metadata service.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeStateDir, runCli, type CliResult } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';
import { startProxy, type FaultRule, type Proxy } from '../support/proxy.js';
import { countsOf, EMPTY_COUNTS, readJournal, readStackState, uniqueStack } from '../support/stack-state.js';

const EXPIRED = 'The security token included in the request is expired';
const expired: FaultRule[] = [
  { kind: 'error', errorCode: 'ExpiredToken', errorMessage: EXPIRED, httpStatus: 400, match: { service: 'sts' } },
  { kind: 'error', errorCode: 'ExpiredToken', errorMessage: EXPIRED, httpStatus: 400, match: { service: 'iam' } },
  { kind: 'error', errorCode: 'ExpiredTokenException', errorMessage: EXPIRED, httpStatus: 400, match: { service: 'ecs' } },
];
const denied = (service: string, code: string, operation?: RegExp): FaultRule => ({
  kind: 'error',
  errorCode: code,
  errorMessage: `User: arn:aws:iam::123456789012:user/dev is not authorized to perform this operation`,
  httpStatus: 403,
  match: { service, ...(operation ? { operation } : {}) },
});

const NO_STACK_TRACE = /^\s+at\s/m;

describeE2E('credentials (built CLI → fault proxy → moto)', () => {
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
      runCli([...args, '--stack', stack, '--endpoint-url', endpoint, ...extra], { env: { ECSPRIMER_STATE_DIR: state, ...env }, timeoutMs: 60_000 });
  }

  /** Exactly one `error:` paragraph on stderr, no stack trace; returns it. */
  function oneMessage(r: CliResult): string {
    expect(r.stderr).not.toMatch(NO_STACK_TRACE);
    expect(r.stderr).not.toMatch(/internal error|this is a bug/);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors, r.stderr).toHaveLength(1);
    return r.stderr.slice(r.stderr.indexOf('error: '));
  }

  const NONE = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined };

  it('no credentials configured: exit 4 with how to configure them, before any request', async () => {
    const p = await proxy();
    const stack = uniqueStack('nocreds');
    const run = cli(stack, makeStateDir(), p.url, NONE);
    for (const args of [['iam', 'create'], ['cluster', 'create', '--name', `${stack}-c`], ['teardown'], ['status']]) {
      const r = await run(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(4);
      const m = oneMessage(r);
      expect(m).toContain('No AWS credentials found');
      expect(m).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
      expect(m).toContain('--profile');
    }
    const j = await run(['iam', 'create'], ['--yes', '-o', 'json']);
    expect(j.code).toBe(4);
    const out = JSON.parse(j.stdout) as { ok: boolean; error: { code: string; message: string } };
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('CredentialsProviderError');
    expect(out.error.message).toContain('No AWS credentials found');
    expect(p.counts().total).toBe(0);
  });

  it('no credentials and a profile that does not exist: exit 4 naming it', async () => {
    const p = await proxy();
    const r = await cli(uniqueStack('noprof'), makeStateDir(), p.url, NONE)(['iam', 'create', '--profile', 'no-such-profile']);
    expect(r.code, r.stderr).toBe(4);
    oneMessage(r);
    expect(r.stderr).toContain('the AWS profile "no-such-profile" (from --profile) gave no credentials');
    expect(p.counts().total).toBe(0);
  });

  it('no credentials: --dry-run still plans, with <account-id>, and sends nothing', async () => {
    const p = await proxy();
    const r = await cli(uniqueStack('nocredsdry'), makeStateDir(), p.url, NONE)(['iam', 'create', '--dry-run'], []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('<account-id>');
    expect(r.stdout).toMatch(/CreatePolicy[\s\S]*CreateRole[\s\S]*AttachRolePolicy/);
    expect(p.counts().total).toBe(0);
  });

  it('an expired session token (ExpiredToken from STS): exit 4, one message saying to refresh the credentials', async () => {
    const p = await proxy(expired);
    const stack = uniqueStack('expired');
    const run = cli(stack, makeStateDir(), p.url, { AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLETOKEN' });
    const r = await run(['iam', 'create']);
    expect(r.code, r.stderr).toBe(4);
    const m = oneMessage(r);
    expect(m).toContain('sts:GetCallerIdentity: ExpiredToken');
    expect(m).toContain('session token has expired: refresh your credentials');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const j = await run(['iam', 'create'], ['--yes', '-o', 'json']);
    expect(j.code).toBe(4);
    expect((JSON.parse(j.stdout) as { error: { code: string } }).error.code).toBe('ExpiredToken');
    expect(countsOf(await readStackState(motoUrl, stack))).toEqual(EMPTY_COUNTS);
  });

  it('a token that expires between runs (account cached, so the first call is a create): exit 4 for IAM and ECS, nothing created', async () => {
    const p = await proxy();
    const stack = uniqueStack('expmid');
    const state = makeStateDir();
    const run = cli(stack, state, p.url, { AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLETOKEN' });
    expect((await run(['stacks'], [])).code).toBe(0); // learns and caches the account
    p.setFaults(expired);
    p.resetCounts();

    const iam = await run(['iam', 'create']);
    expect(iam.code, iam.stderr).toBe(4);
    expect(oneMessage(iam)).toContain('session token has expired');
    expect(p.counts().byOperation['sts:GetCallerIdentity']).toBeUndefined();
    expect(p.counts().byOperation['iam:CreatePolicy']).toBe(1); // credential errors are not retried
    const ecs = await run(['cluster', 'create', '--name', `${stack}-c`]);
    expect(ecs.code, ecs.stderr).toBe(4);
    expect(oneMessage(ecs)).toContain('ExpiredTokenException');

    expect(countsOf(await readStackState(motoUrl, stack))).toEqual(EMPTY_COUNTS);
    const journal = await readJournal(state, stack);
    expect(journal.filter((l) => l.event !== 'intent')).toEqual([]);

    // Fresh credentials: the same commands complete, then teardown leaves nothing.
    p.setFaults([]);
    expect((await run(['iam', 'create'])).code).toBe(0);
    expect((await run(['teardown'])).code).toBe(0);
    expect(countsOf(await readStackState(motoUrl, stack))).toEqual(EMPTY_COUNTS);
  });

  it('access denied (AccessDenied from IAM, AccessDeniedException from ECS, AccessDenied from STS): exit 1, one message naming the operation', async () => {
    const p = await proxy([denied('iam', 'AccessDenied', /^Create/), denied('ecs', 'AccessDeniedException', /^CreateCluster$/)]);
    const stack = uniqueStack('denied');
    const state = makeStateDir();
    const run = cli(stack, state, p.url);

    const iam = await run(['iam', 'policy', 'create', '--name', `${stack}-p`]);
    expect(iam.code, iam.stderr).toBe(1);
    const m = oneMessage(iam);
    expect(m).toContain('iam:CreatePolicy failed: AccessDenied');
    expect(m).toContain('Your credentials lack this permission');
    expect(p.counts().byOperation['iam:CreatePolicy']).toBe(1); // not retried

    const both = await run(['iam', 'create'], ['--yes', '-o', 'json']);
    expect(both.code, both.stderr).toBe(1);
    const out = JSON.parse(both.stdout) as { ok: boolean; error: { code: string; message: string }; changes: Array<{ status: string }> };
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('AccessDenied');
    expect(out.changes.map((c) => c.status)).toEqual(['failed', 'failed', 'skipped']);

    const ecs = await run(['cluster', 'create', '--name', `${stack}-c`]);
    expect(ecs.code, ecs.stderr).toBe(1);
    expect(oneMessage(ecs)).toContain('ecs:CreateCluster failed: AccessDeniedException');

    p.setFaults([denied('sts', 'AccessDenied')]);
    const sts = await cli(stack, makeStateDir(), p.url)(['iam', 'create']);
    expect(sts.code, sts.stderr).toBe(1);
    expect(oneMessage(sts)).toContain('sts:GetCallerIdentity failed: AccessDenied');

    expect(countsOf(await readStackState(motoUrl, stack))).toEqual(EMPTY_COUNTS);
    expect((await readJournal(state, stack)).filter((l) => l.event !== 'intent')).toEqual([]);
  });
});
