import { Writable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it, expect } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { IAMClient, CreatePolicyCommand, CreateRoleCommand, AttachRolePolicyCommand } from '@aws-sdk/client-iam';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { main } from '../../src/main.js';
import { fakePrompter } from '../../src/io/prompter.js';

const iam = mockClient(IAMClient);
const sts = mockClient(STSClient);
it('spike', async () => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/alice' });
  iam.on(CreatePolicyCommand).callsFake((i) => ({ Policy: { Arn: `arn:aws:iam::123456789012:policy${i.Path}${i.PolicyName}`, DefaultVersionId: 'v1' } }));
  iam.on(CreateRoleCommand).callsFake((i) => ({ Role: { Arn: `arn:aws:iam::123456789012:role${i.Path}${i.RoleName}` } }));
  iam.on(AttachRolePolicyCommand).resolves({});
  let out = '', err = '';
  const w = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
  const d = mkdtempSync(join(tmpdir(), 'x-'));
  const t0 = performance.now();
  const code = await main(['iam', 'create', '--yes', '-v'], { io: { stdout: w((s) => (out += s)), stderr: w((s) => (err += s)), stdinIsTTY: false, readStdin: async () => Buffer.from('') }, env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', ECSPRIMER_STATE_DIR: d, HOME: d, AWS_CONFIG_FILE: d + '/nope', AWS_SHARED_CREDENTIALS_FILE: d + '/nope' }, prompter: fakePrompter([]) });
  console.log(code, performance.now() - t0, '\nOUT', out, '\nERR', err, iam.calls().map((c) => c.args[0].constructor.name));
  expect(code).toBe(0);
});
