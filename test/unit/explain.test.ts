/**
 * What each planned call is and needs (src/plan/explain.ts): the AWS CLI equivalent, the IAM
 * actions (with the tagging a tagged create needs and iam:PassRole), and the run's least-privilege
 * policy — which is itself a valid policy by ecsprimer's own validator.
 */
import { describe, expect, it } from 'vitest';
import { awsCli, cliOf, iamActionsOf, permissionsOf } from '../../src/plan/explain.js';
import type { Plan, Step } from '../../src/plan/types.js';
import { validatePermissionsPolicy } from '../../src/iam/validate.js';
import type { JsonValue } from '../../src/input/json.js';

const step = (s: Partial<Step> & Pick<Step, 'type' | 'name' | 'calls'>): Step => ({ id: s.name, action: 'create', reason: '', ...s });

describe('cliOf', () => {
  it.each([
    {
      s: step({ type: 'ecs-cluster', name: 'demo-c', arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo-c', calls: [{ operation: 'CreateCluster', target: 'cluster demo-c', reason: 'tagged ecsprimer:stack=demo' }] }),
      cli: 'aws ecs create-cluster --cluster-name demo-c',
    },
    {
      s: step({ type: 'ecs-service', name: 'web', action: 'delete', calls: [{ operation: 'UpdateService', target: 'service web in demo-c', reason: 'scale to 0 first' }] }),
      cli: 'aws ecs update-service --cluster demo-c --service web --desired-count 0',
    },
    {
      s: step({ type: 'iam-attachment', name: 'r ← p', arn: 'arn:aws:iam::123456789012:policy/p', calls: [{ operation: 'AttachRolePolicy', target: 'role r, policy p', reason: '' }] }),
      cli: 'aws iam attach-role-policy --role-name r --policy-arn arn:aws:iam::123456789012:policy/p',
    },
    {
      s: step({ type: 'ecs-task-definition', name: 'web', action: 'delete', calls: [{ operation: 'DeleteTaskDefinitions', target: 'web:1, web:2', reason: '' }] }),
      cli: 'aws ecs delete-task-definitions --task-definitions web:1 web:2',
    },
    {
      s: step({ type: 'iam-role', name: 'r', action: 'delete', calls: [{ operation: 'DeleteRolePolicy', target: 'inline policy inline1', reason: '' }] }),
      cli: 'aws iam delete-role-policy --role-name r --policy-name inline1',
    },
    {
      s: step({ type: 'logs-log-group', name: '/ecs/demo-web', calls: [{ operation: 'PutRetentionPolicy', target: 'log group /ecs/demo-web', reason: 'keep events 14 days' }] }),
      cli: 'aws logs put-retention-policy --log-group-name /ecs/demo-web --retention-in-days 14',
    },
  ])('$cli', ({ s, cli }) => {
    expect(cliOf(s, s.calls[0])).toBe(cli);
  });

  it('quotes what the shell would split', () => {
    expect(awsCli('ecs', 'StopTask', [['reason', "it's done"]])).toBe("aws ecs stop-task --reason 'it'\\''s done'");
  });
});

describe('iamActionsOf and permissionsOf', () => {
  const plan: Plan = {
    command: 'task register',
    account: '123456789012',
    warnings: [],
    steps: [
      step({ type: 'logs-log-group', name: '/ecs/demo-web', calls: [{ operation: 'CreateLogGroup', target: 'log group /ecs/demo-web', reason: '' }] }),
      step({ type: 'ecs-task-definition', name: 'demo-web', calls: [{ operation: 'RegisterTaskDefinition', target: 'family demo-web', reason: '', passRoles: ['arn:aws:iam::123456789012:role/ecsprimer/demo/demo-exec'] }] }),
      step({ type: 'ecs-cluster', name: 'c', action: 'none', calls: [] }),
    ],
  };

  it('a tagged create needs its tagging action; a call that hands a role on needs iam:PassRole', () => {
    expect(iamActionsOf(plan.steps[0], plan.steps[0].calls[0])).toEqual(['logs:CreateLogGroup', 'logs:TagResource']);
    expect(iamActionsOf(plan.steps[1], plan.steps[1].calls[0])).toEqual(['ecs:RegisterTaskDefinition', 'ecs:TagResource', 'iam:PassRole']);
  });

  it('the policy: resources where known, PassRole on the roles, the reads; valid by the validator', () => {
    const doc = permissionsOf(plan, [{ service: 'ecs', operation: 'DescribeTaskDefinition' }, { service: 'sts', operation: 'GetCallerIdentity' }, { service: 'tagging', operation: 'GetResources' }], { partition: 'aws', region: 'us-east-1', account: '123456789012' });
    expect(doc.Statement).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:TagResource'], Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/demo-web' },
      { Effect: 'Allow', Action: ['ecs:RegisterTaskDefinition', 'ecs:TagResource'], Resource: 'arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:*' },
      { Sid: 'PassRolesToEcs', Effect: 'Allow', Action: ['iam:PassRole'], Resource: ['arn:aws:iam::123456789012:role/ecsprimer/demo/demo-exec'] },
      { Sid: 'Reads', Effect: 'Allow', Action: ['ecs:DescribeTaskDefinition', 'tag:GetResources'], Resource: '*' },
    ]);
    expect(validatePermissionsPolicy(doc as unknown as JsonValue, 'permissions').issues).toEqual([]);
  });
});
