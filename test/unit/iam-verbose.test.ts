/**
 * `--verbose` and the SDK layer under it. aws-sdk-client-mock replaces `send`, so the clients'
 * middleware (our timing middleware, signing, retries) never runs under it; here instead the
 * SDK's HTTP handler is stubbed: every request is signed and goes through the whole middleware
 * stack, then is answered in-process with IAM/STS XML. Nothing is sent over the network.
 */
import { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACCOUNT, cli, SECRET_ACCESS_KEY, SESSION_TOKEN, useCliEnv } from '../support/in-process.js';

useCliEnv();

interface Sent {
  action: string;
  headers: Record<string, string>;
  body: string;
}

type Answer = { status: number; xml: string };

const ok = (action: string, result = ''): Answer => ({
  status: 200,
  xml: `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${action}Response>`,
});
const fault = (status: number, code: string, message: string): Answer => ({
  status,
  xml: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
});

const ANSWERS: Record<string, () => Answer> = {
  GetCallerIdentity: () => ok('GetCallerIdentity', `<Arn>arn:aws:iam::${ACCOUNT}:user/alice</Arn><UserId>AIDATEST</UserId><Account>${ACCOUNT}</Account>`),
  CreatePolicy: () =>
    ok('CreatePolicy', `<Policy><PolicyName>ecsprimer-policy</PolicyName><DefaultVersionId>v1</DefaultVersionId><Path>/ecsprimer/ecsprimer/</Path><Arn>arn:aws:iam::${ACCOUNT}:policy/ecsprimer/ecsprimer/ecsprimer-policy</Arn></Policy>`),
  CreateRole: () => ok('CreateRole', `<Role><RoleName>ecsprimer-role</RoleName><Path>/ecsprimer/ecsprimer/</Path><Arn>arn:aws:iam::${ACCOUNT}:role/ecsprimer/ecsprimer/ecsprimer-role</Arn></Role>`),
  AttachRolePolicy: () => ok('AttachRolePolicy'),
};

let sent: Sent[];
let answer: (action: string, attempt: number) => Answer;

beforeEach(() => {
  sent = [];
  answer = (action) => (ANSWERS[action] ?? (() => fault(400, 'InvalidAction', action)))();
  vi.spyOn(NodeHttpHandler.prototype, 'handle').mockImplementation(async (request) => {
    const body = String(request.body ?? '');
    const action = /(?:^|&)Action=([^&]+)/.exec(body)?.[1] ?? '?';
    sent.push({ action, headers: request.headers, body });
    const a = answer(action, sent.filter((s) => s.action === action).length);
    return {
      response: { statusCode: a.status, reason: '', headers: { 'content-type': 'text/xml', 'x-amzn-requestid': 'req-1' }, body: Readable.from([Buffer.from(a.xml)]) },
    } as Awaited<ReturnType<NodeHttpHandler['handle']>>;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A call trace line of --verbose. */
const TRACE = /^[→←] (iam|sts):/m;
const secretsIn = (...texts: string[]) => texts.filter((t) => t.includes(SECRET_ACCESS_KEY) || t.includes(SESSION_TOKEN));

describe('--verbose', () => {
  it('prints each AWS call with its duration on stderr, and never the secret key or session token', async () => {
    const r = await cli(['iam', 'create', '--yes', '--verbose'], { env: { AWS_SESSION_TOKEN: SESSION_TOKEN } });

    expect(r.code).toBe(0);
    expect(sent.map((s) => s.action).sort()).toEqual(['AttachRolePolicy', 'CreatePolicy', 'CreateRole', 'GetCallerIdentity']);
    // The session token really is in use (sent as a header), yet never printed.
    expect(sent.every((s) => s.headers['x-amz-security-token'] === SESSION_TOKEN)).toBe(true);
    for (const op of ['sts:GetCallerIdentity', 'iam:CreatePolicy', 'iam:CreateRole', 'iam:AttachRolePolicy']) {
      expect(r.stderr).toContain(`→ ${op}\n`);
      expect(r.stderr).toMatch(new RegExp(`← ${op} \\d+ ms\\n`));
    }
    expect(r.stdout).not.toMatch(TRACE); // call traces are not results
    expect(secretsIn(r.stdout, r.stderr)).toEqual([]);
  });

  it('without --verbose no call is printed', async () => {
    const r = await cli(['iam', 'create', '--yes']);

    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(TRACE);
  });

  it('a failed call is printed with its error name, and the failure message holds no secret', async () => {
    answer = (action) => (action === 'CreateRole' ? fault(403, 'AccessDenied', 'User alice is not authorized to perform: iam:CreateRole') : ANSWERS[action]());

    const r = await cli(['iam', 'create', '--yes', '-v', '-o', 'json'], { env: { AWS_SESSION_TOKEN: SESSION_TOKEN } });

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/← iam:CreateRole \d+ ms failed: AccessDenied\n/);
    expect(r.json().error).toMatchObject({ code: 'AccessDenied', message: expect.stringContaining('iam:CreateRole failed: AccessDenied') });
    expect(secretsIn(r.stdout, r.stderr)).toEqual([]);
  });
});

describe('retries (the SDK middleware, under the mocks)', () => {
  it('Throttling on every attempt → exit 1 after AWS_MAX_ATTEMPTS attempts, with a clear message', async () => {
    answer = (action) => (action === 'GetCallerIdentity' ? ANSWERS[action]() : fault(400, 'Throttling', 'Rate exceeded'));

    const r = await cli(['iam', 'create', '--yes', '-o', 'json'], { env: { AWS_MAX_ATTEMPTS: '1' } });

    expect(r.code).toBe(1);
    expect(sent.filter((s) => s.action === 'CreatePolicy')).toHaveLength(1);
    expect(sent.filter((s) => s.action === 'AttachRolePolicy')).toHaveLength(0);
    expect(r.json().error.code).toBe('Throttling');
    expect(r.stderr).toContain('iam:CreatePolicy failed: Throttling: Rate exceeded. AWS kept throttling the requests after retries');
  });

  it('a transient 500 is retried (AWS_MAX_ATTEMPTS=2) and --verbose shows the attempts', async () => {
    answer = (action, attempt) => (action === 'CreatePolicy' && attempt === 1 ? fault(500, 'ServiceFailure', 'try again') : ANSWERS[action]());

    const r = await cli(['iam', 'create', '--yes', '-v'], { env: { AWS_MAX_ATTEMPTS: '2' } });

    expect(r.code).toBe(0);
    expect(sent.filter((s) => s.action === 'CreatePolicy')).toHaveLength(2);
    expect(r.stderr).toMatch(/← iam:CreatePolicy \d+ ms \(2 attempts\)\n/);
  });
});
