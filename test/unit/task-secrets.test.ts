/**
 * The parts of secrets and repositories that need no server: --secret parsing, the entries added
 * to a task definition, the grant document, repository names and the lifecycle policy.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { keepOf, lifecyclePolicyText, parseKeep, validateRepositoryName } from '../../src/ecs/ecr.js';
import { validateSecretName } from '../../src/ecs/secret.js';
import { iamActionsOf } from '../../src/plan/explain.js';
import { grantDocument, parseSecretOptions, parseSecretRef, valueFromOf, withSecretEntries } from '../../src/ecs/task-secrets.js';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123';

describe('--secret references', () => {
  it.each([
    ['prod/db', { kind: 'secretsmanager', id: 'prod/db' }],
    ['prod/db:password', { kind: 'secretsmanager', id: 'prod/db', jsonKey: 'password' }],
    [ARN, { kind: 'secretsmanager', id: ARN }],
    [`${ARN}:password`, { kind: 'secretsmanager', id: ARN, jsonKey: 'password' }],
    ['ssm:/prod/db-host', { kind: 'ssm', name: '/prod/db-host' }],
    ['ssm:flat', { kind: 'ssm', name: 'flat' }],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/prod/db-host', { kind: 'ssm', name: '/prod/db-host', arn: 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/db-host' }],
  ])('%s', (ref, parsed) => {
    expect(parseSecretRef(ref, '--secret X')).toEqual(parsed);
  });

  it.each(['arn:aws:secretsmanager:us-east-1:1:secret:x', 'a b', 'prod/db:', 'ssm:', 'ssm:a b'])('%s is refused with the fix', (ref) => {
    expect(() => parseSecretRef(ref, '--secret X')).toThrow(InputError);
    try {
      parseSecretRef(ref, '--secret X');
    } catch (e) {
      expect((e as Error).message).toMatch(/--secret X/);
      expect((e as Error).message).toMatch(/ssm:\/parameter\/name/);
    }
  });

  it('container/NAME=REF, duplicates refused', () => {
    expect(parseSecretOptions(['sidecar/TOKEN=t'])).toEqual([{ container: 'sidecar', variable: 'TOKEN', ref: { kind: 'secretsmanager', id: 't' }, raw: 'sidecar/TOKEN=t' }]);
    expect(() => parseSecretOptions(['A=x', 'A=y'])).toThrow(/sets A again/);
    expect(() => parseSecretOptions(['=x'])).toThrow(/is not NAME=REF/);
    expect(() => parseSecretOptions(['1A=x'])).toThrow(/not an environment variable name/);
  });

  it('the entry replaces an environment variable of the same name and keeps other secrets', () => {
    const doc = { family: 'f', containerDefinitions: [{ name: 'web', environment: [{ name: 'A', value: 'literal' }, { name: 'B', value: 'b' }], secrets: [{ name: 'C', valueFrom: 'c' }] }] };
    const out = withSecretEntries(doc, parseSecretOptions(['A=prod/a']), 'doc', () => 'ARN-A') as typeof doc;
    expect(out.containerDefinitions[0].environment).toEqual([{ name: 'B', value: 'b' }]);
    expect(out.containerDefinitions[0].secrets).toEqual([{ name: 'C', valueFrom: 'c' }, { name: 'A', valueFrom: 'ARN-A' }]);
    expect(doc.containerDefinitions[0].environment).toHaveLength(2); // the input is not changed
  });

  it('valueFrom: the ARN, with :key:: for one key of a JSON secret', () => {
    expect(valueFromOf({ ref: { kind: 'secretsmanager', id: 'x', jsonKey: 'k' }, arn: ARN })).toBe(`${ARN}:k::`);
    expect(valueFromOf({ ref: { kind: 'ssm', name: '/p' }, arn: 'arn:aws:ssm:us-east-1:1:parameter/p' })).toBe('arn:aws:ssm:us-east-1:1:parameter/p');
  });
});

describe('the grant', () => {
  it('names exactly the resources read; nothing read, no policy', () => {
    expect(grantDocument({ secrets: [], repositories: [] })).toBeUndefined();
    const doc = grantDocument({
      secrets: [
        { ref: { kind: 'secretsmanager', id: 'a' }, where: '', arn: ARN, keyArn: 'arn:aws:kms:us-east-1:123456789012:key/k1' },
        { ref: { kind: 'secretsmanager', id: 'a', jsonKey: 'x' }, where: '', arn: ARN },
        { ref: { kind: 'ssm', name: '/p' }, where: '', arn: 'arn:aws:ssm:us-east-1:123456789012:parameter/p' },
      ],
      repositories: [],
    }) as { Statement: Array<{ Sid: string; Action: string[]; Resource: string[] }> };
    expect(doc.Statement.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ['ReadSecrets', ['secretsmanager:GetSecretValue'], [ARN]],
      ['ReadParameters', ['ssm:GetParameters'], ['arn:aws:ssm:us-east-1:123456789012:parameter/p']],
      ['DecryptSecrets', ['kms:Decrypt'], ['arn:aws:kms:us-east-1:123456789012:key/k1']],
    ]);
  });
});

describe('repositories and secret names', () => {
  it.each(['web', 'team/web', 'a.b_c__d--e', 'x1/y2/z3'])('%s is a repository name', (n) => expect(() => validateRepositoryName(n, '--name')).not.toThrow());
  it.each(['Web', 'a', '-web', 'web-', 'team//web', 'web/', 'a'.repeat(257)])('%s is not', (n) => expect(() => validateRepositoryName(n, '--name')).toThrow(InputError));
  it('--keep and the lifecycle policy it writes, read back', () => {
    expect(parseKeep(undefined)).toBe(10);
    expect(() => parseKeep('1.5')).toThrow(/whole number/);
    expect(keepOf(lifecyclePolicyText(4))).toBe(4);
    expect(lifecyclePolicyText(4).length).toBeGreaterThanOrEqual(100); // ECR's minimum policy length
    expect(keepOf('{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":3},"action":{"type":"expire"}}]}')).toBeUndefined();
  });
  it('a secret name ending like an ARN suffix is warned about', () => {
    expect(validateSecretName('prod/db-AbC123', '--name')).toHaveLength(1);
    expect(validateSecretName('prod/db-password', '--name')).toEqual([]);
    expect(() => validateSecretName('', '--name')).toThrow(InputError);
  });
});

describe('what each new call needs (--explain, permissions)', () => {
  it.each([
    ['ecr-repository', 'CreateRepository', ['ecr:CreateRepository', 'ecr:TagResource']],
    ['ecr-repository', 'DeleteRepository', ['ecr:DeleteRepository']],
    ['secretsmanager-secret', 'CreateSecret', ['secretsmanager:CreateSecret', 'secretsmanager:TagResource']],
    ['secretsmanager-secret', 'PutSecretValue', ['secretsmanager:PutSecretValue']],
    ['iam-role-policy', 'PutRolePolicy', ['iam:PutRolePolicy']],
  ])('%s %s', (type, operation, actions) => {
    expect(iamActionsOf({ id: 'x', type, name: 'n', action: 'create', calls: [], reason: '' }, { operation, target: 't', reason: '' })).toEqual(actions);
  });
});
