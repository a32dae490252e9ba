/**
 * Dry runs say what each call is and needs, through the built CLI against moto: `--explain` in
 * text, always in JSON (`plan[].cli`, `plan[].iamAction`, `permissions`). The CLI equivalents are
 * the AWS CLI's commands for the same calls; the policy validates, and grants what the run does.
 */
import { expect, it } from 'vitest';
import { makeStateDir, runCli } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';
import { uniqueStack } from '../support/stack-state.js';

describeE2E('explain (built CLI → moto)', () => {
  it('a dry run of iam create and of cluster create: CLI equivalents, IAM actions, the least-privilege policy', async () => {
    const motoUrl = requireMotoUrl();
    const stack = uniqueStack('exp');
    const run = (args: string[]) => runCli([...args, '--stack', stack, '--endpoint-url', motoUrl, '--dry-run'], { env: { ECSPRIMER_STATE_DIR: makeStateDir() } });

    const text = await run(['iam', 'create', '--explain']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`cli: aws iam create-role --role-name ${stack}-role --assume-role-policy-document file://trust-policy.json --tags Key=ecsprimer:stack,Value=${stack}`);
    expect(text.stdout).toContain('needs: iam:CreateRole, iam:TagRole');
    const plain = await run(['iam', 'create']);
    expect(plain.stdout).not.toContain('cli: ');

    const json = await run(['cluster', 'create', '--name', `${stack}-c`, '-o', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { plan: Array<{ operation: string; cli: string; iamAction: string[] }>; permissions: { Statement: Array<{ Action: string[]; Resource: string | string[] }> } };
    expect(out.plan).toEqual([expect.objectContaining({ operation: 'CreateCluster', cli: `aws ecs create-cluster --cluster-name ${stack}-c`, iamAction: ['ecs:CreateCluster', 'ecs:TagResource'] })]);
    expect(out.permissions.Statement).toContainEqual({ Effect: 'Allow', Action: ['ecs:CreateCluster', 'ecs:TagResource'], Resource: `arn:aws:ecs:us-east-1:123456789012:cluster/${stack}-c` });
    expect(out.permissions.Statement).toContainEqual(expect.objectContaining({ Sid: 'Reads', Action: expect.arrayContaining(['ecs:DescribeClusters']) }));
  });
});
