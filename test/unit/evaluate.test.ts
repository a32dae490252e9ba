/** Identity-policy evaluation from documents (src/iam/evaluate.ts): explicit Deny wins, Allow grants, wildcards, Not*, conditions. */
import { describe, expect, it } from 'vitest';
import { evaluate, wildcard } from '../../src/iam/evaluate.js';

const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const LOG = 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:log-stream:ecs/web/1';

describe('evaluate', () => {
  it.each([
    { name: 'no policy', docs: [], want: 'not-allowed' },
    { name: 'an Allow with wildcards', docs: [doc({ Effect: 'Allow', Action: 'logs:Put*', Resource: 'arn:aws:logs:*:*:log-group:/ecs/*' })], want: 'allowed' },
    { name: 'actions are case-insensitive', docs: [doc({ Effect: 'Allow', Action: ['LOGS:putlogevents'], Resource: '*' })], want: 'allowed' },
    { name: 'resources are case-sensitive', docs: [doc({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:*:*:log-group:/ECS/*' })], want: 'not-allowed' },
    { name: 'another resource', docs: [doc({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:*:*:log-group:/other:*' })], want: 'not-allowed' },
    { name: 'an explicit Deny in another policy wins', docs: [doc({ Effect: 'Allow', Action: '*', Resource: '*' }), doc({ Effect: 'Deny', Action: 'logs:*', Resource: '*' })], want: 'denied' },
    { name: 'NotAction', docs: [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], want: 'allowed' },
    { name: 'NotResource excluding it', docs: [doc({ Effect: 'Allow', Action: 'logs:PutLogEvents', NotResource: 'arn:aws:logs:*:*:log-group:/ecs/*' })], want: 'not-allowed' },
    { name: 'an Allow under a Condition', docs: [doc({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } })], want: 'conditional' },
    { name: 'a single statement object', docs: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' } }], want: 'allowed' },
  ])('$name → $want', ({ docs, want }) => {
    expect(evaluate(docs, 'logs:PutLogEvents', LOG)).toBe(want);
  });

  it('wildcard: * any run, ? one character, the rest literal', () => {
    expect(wildcard('a*c', 'abbbc')).toBe(true);
    expect(wildcard('a?c', 'abc')).toBe(true);
    expect(wildcard('a?c', 'abbc')).toBe(false);
    expect(wildcard('a.c', 'abc')).toBe(false);
    expect(wildcard('arn:aws:s3:::b/(x)', 'arn:aws:s3:::b/(x)')).toBe(true);
  });
});
