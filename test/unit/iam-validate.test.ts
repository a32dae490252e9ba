import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, type InputIssue } from '../../src/errors.js';
import { documentsEqual, minifiedLength, parsePolicyRef, parseRoleRef, parseTrustPrincipal, securityFindings, trustPolicyFor, validatePermissionsPolicy, validatePolicyName, validateRoleName, validateTrustPolicy, wildcardMatch } from '../../src/iam/validate.js';
import { canonicalJson, parseJsonStrict, type JsonValue } from '../../src/input/json.js';
import { fillPlaceholders, placeholdersUsed } from '../../src/input/placeholders.js';

const SRC = 'file ./policy.json';

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

function perm(statement: JsonValue, extra: Record<string, JsonValue> = {}): JsonValue {
  return { Version: '2012-10-17', Statement: [statement], ...extra };
}
const GOOD_STMT = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
const GOOD_TRUST_STMT = { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' };

// ---------------------------------------------------------------------------------------------

describe('validatePolicyName / validateRoleName', () => {
  it.each(['a', 'my-policy', 'A_b+c=d,e.f@g-h', 'x'.repeat(128)])('accepts policy name %s', (name) => {
    expect(() => validatePolicyName(name, '--policy-name')).not.toThrow();
  });
  it.each(['r', 'ecsprimer-demo-task', 'x'.repeat(64)])('accepts role name %s', (name) => {
    expect(() => validateRoleName(name, '--role-name')).not.toThrow();
  });

  it.each([
    ['policy', '', 'the policy name is empty', '1-128 characters'],
    ['policy', 'x'.repeat(129), 'is 129 characters long; a policy name is at most 128', 'letters, digits and + = , . @ _ -'],
    ['policy', 'my policy', 'contains U+0020', '1-128'],
    ['policy', 'a/b', 'contains `/`', 'cannot contain a path'],
    ['policy', 'naïve', 'contains `ï`', ''],
    ['policy', 'arn:aws:iam::123456789012:policy/x', 'contains `:`', 'not its ARN'],
    ['role', '', 'the role name is empty', '1-64 characters'],
    ['role', 'x'.repeat(65), 'is 65 characters long; a role name is at most 64', '1-64'],
    ['role', 'role*', 'contains `*`', ''],
    ['role', 'tab\there', 'contains U+0009 (tab)', ''],
  ])('%s name %j', (kind, name, message, fix) => {
    const option = kind === 'policy' ? '--policy-name' : '--role-name';
    const e = thrown(() => (kind === 'policy' ? validatePolicyName(name, option) : validateRoleName(name, option)));
    expect(e.source).toBe(option);
    expect(e.message.startsWith(`${option}: `)).toBe(true);
    expect(e.issues[0].message).toContain(message);
    if (fix) expect(e.issues[0].fix).toContain(fix);
  });
});

describe('parsePolicyRef / parseRoleRef', () => {
  it.each([
    ['MyPolicy', { kind: 'name', name: 'MyPolicy' }],
    ['arn:aws:iam::123456789012:policy/MyPolicy', { kind: 'arn', arn: 'arn:aws:iam::123456789012:policy/MyPolicy', name: 'MyPolicy' }],
    ['arn:aws:iam::aws:policy/ReadOnlyAccess', { kind: 'arn', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', name: 'ReadOnlyAccess' }],
    [
      'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
      { kind: 'arn', arn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy', name: 'AmazonECSTaskExecutionRolePolicy' },
    ],
    ['arn:aws-cn:iam::123456789012:policy/ecsprimer/demo/p', { kind: 'arn', arn: 'arn:aws-cn:iam::123456789012:policy/ecsprimer/demo/p', name: 'p' }],
    ['arn:aws-us-gov:iam::123456789012:policy/p', { kind: 'arn', arn: 'arn:aws-us-gov:iam::123456789012:policy/p', name: 'p' }],
  ])('policy %s', (value, expected) => {
    expect(parsePolicyRef(value, '--policy')).toEqual(expected);
  });

  it.each([
    ['task-role', { kind: 'name', name: 'task-role' }],
    ['arn:aws:iam::123456789012:role/task-role', { kind: 'arn', arn: 'arn:aws:iam::123456789012:role/task-role', name: 'task-role' }],
    ['arn:aws:iam::123456789012:role/ecsprimer/demo/r', { kind: 'arn', arn: 'arn:aws:iam::123456789012:role/ecsprimer/demo/r', name: 'r' }],
  ])('role %s', (value, expected) => {
    expect(parseRoleRef(value, '--role')).toEqual(expected);
  });

  it.each([
    ['policy', 'arn:aws:iam::12345:policy/p', 'not a 12-digit account id or aws', 'arn:aws:iam::123456789012:policy/NAME'],
    ['policy', 'arn:aws:s3:::bucket', 'is an ARN of "s3", not of an IAM policy', ''],
    ['policy', 'arn:aws:iam::123456789012:role/r', 'is the ARN of an IAM role, but --policy expects a policy', ''],
    ['policy', 'arn:aws:iam:us-east-1:123456789012:policy/p', 'has a region', ''],
    ['policy', 'arn:aws:iam::123456789012:policy/', 'the policy name is empty', ''],
    ['policy', 'arn:aws:iam::123456789012:policy/a//b', 'invalid path', ''],
    ['policy', 'arn:aws:iam::123456789012:policy/bad name', 'contains U+0020', ''],
    ['policy', 'arn:aws:iam::123456789012', 'not a well-formed ARN', ''],
    ['policy', 'arn:foo:iam::123456789012:policy/p', 'unknown partition', ''],
    ['policy', 'ARN:aws:iam::123456789012:policy/p', 'ARNs start with lowercase arn:', ''],
    ['policy', 'bad name', 'contains U+0020', ''],
    ['role', 'arn:aws:iam::aws:role/r', 'not a 12-digit account id', 'arn:aws:iam::123456789012:role/NAME'],
    ['role', 'arn:aws:iam::123456789012:policy/p', 'is the ARN of an IAM policy, but --role expects a role', ''],
    ['role', `arn:aws:iam::123456789012:role/${'r'.repeat(65)}`, 'at most 64', ''],
    ['role', 'arn:aws:sts::123456789012:assumed-role/r/s', 'is an ARN of "sts"', ''],
  ])('refuses %s %s', (kind, value, message, fix) => {
    const option = kind === 'policy' ? '--policy' : '--role';
    const e = thrown(() => (kind === 'policy' ? parsePolicyRef(value, option) : parseRoleRef(value, option)));
    expect(e.source).toBe(option);
    expect(e.issues[0].message).toContain(message);
    if (fix) expect(e.issues[0].fix).toContain(fix);
  });
});

// ---------------------------------------------------------------------------------------------

/** The one issue found: at `field`, with `message` (and `fix`). Any other issue fails the test. */
function expectIssue(issues: InputIssue[], field: string | undefined, message: string, fix?: string): void {
  expect(issues, `exactly one issue, at ${field}; got ${JSON.stringify(issues, null, 1)}`).toHaveLength(1);
  expect(issues[0].field).toBe(field);
  expect(issues[0].message).toContain(message);
  if (fix) expect(issues[0].fix).toContain(fix);
}

describe('validatePermissionsPolicy', () => {
  it.each([
    ['one statement object', { Version: '2012-10-17', Statement: GOOD_STMT }],
    ['a list', perm(GOOD_STMT)],
    ['Id, Sid, NotAction, NotResource, Condition', {
      Version: '2012-10-17',
      Id: 'x',
      Statement: [
        { Sid: 'One', Effect: 'Deny', NotAction: ['s3:*', 'logs:Get*'], NotResource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'], Condition: { Bool: { 'aws:SecureTransport': false }, 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['a*'] }, NumericLessThan: { 's3:max-keys': 10 } } },
        { Sid: 'Two', Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${aws:username}/*' },
        { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' },
      ],
    }],
    ['an ARN with placeholders left in it', perm({ ...GOOD_STMT, Resource: 'arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:x' })],
  ])('accepts %s', (_name, doc) => {
    expect(validatePermissionsPolicy(doc as JsonValue, SRC)).toEqual({ issues: [], warnings: [] });
  });

  it('warns about Version 2008-10-17', () => {
    const r = validatePermissionsPolicy({ Version: '2008-10-17', Statement: GOOD_STMT }, SRC);
    expect(r.issues).toEqual([]);
    expect(r.warnings[0]).toContain('use "2012-10-17"');
  });

  it.each([
    // [name, document, field, message part, fix part]
    ['not an object', 'x', undefined, 'is a string, but a permissions policy is a JSON object', '"Version": "2012-10-17"'],
    ['null', null, undefined, 'is null', ''],
    ['an array', [GOOD_STMT], undefined, 'is a JSON array, but a permissions policy is an object', 'Put the statements in an object'],
    ['Version missing', { Statement: GOOD_STMT }, undefined, 'Version is missing', 'Add "Version": "2012-10-17"'],
    ['Version a date', { Version: '2024-01-01', Statement: GOOD_STMT }, 'Version', 'is "2024-01-01", but it must be "2012-10-17" or "2008-10-17"', 'not a date you choose'],
    ['Version a number', { Version: 2012, Statement: GOOD_STMT }, 'Version', 'is 2012', ''],
    ['Statement missing', { Version: '2012-10-17' }, undefined, 'Statement is missing', '"Statement": ['],
    ['Statement empty', { Version: '2012-10-17', Statement: [] }, 'Statement', 'is an empty list', 'at least one statement'],
    ['Statement a string', { Version: '2012-10-17', Statement: 'x' }, 'Statement', 'is a string, but it must be a statement object or a list', ''],
    ['statement not an object', { Version: '2012-10-17', Statement: [GOOD_STMT, 'x'] }, 'Statement[1]', 'is a string, but a statement is an object', ''],
    ['unknown top-level key', perm(GOOD_STMT, { Extra: 1 }), 'Extra', 'is not a policy element', 'only Version, Id and Statement'],
    ['lowercase top-level key', { version: '2012-10-17', Version: '2012-10-17', Statement: GOOD_STMT }, 'version', 'is not a policy element', 'write "Version"'],
    ['plural Statements', { Version: '2012-10-17', Statements: [GOOD_STMT] }, 'Statements', 'is not a policy element', 'write "Statement"'],
    ['statement key at top level', { Version: '2012-10-17', Statement: GOOD_STMT, Effect: 'Allow' }, 'Effect', 'is not a policy element', 'belongs inside a statement'],
    ['get-role output', { Role: { AssumeRolePolicyDocument: {} } }, 'Role', 'is not a policy element', 'not the output of aws iam get-role'],
    ['Id not a string', perm(GOOD_STMT, { Id: 1 }), 'Id', 'must be a string', ''],
    ['unknown statement key', perm({ ...GOOD_STMT, Foo: 1 }), 'Statement[0].Foo', 'is not a statement element', 'A statement has only Sid, Effect'],
    ['lowercase statement key', perm({ ...GOOD_STMT, effect: 'Allow' }), 'Statement[0].effect', 'is not a statement element', 'write "Effect"'],
    ['Principal in a permissions policy', perm({ ...GOOD_STMT, Principal: '*' }), 'Statement[0].Principal', 'is not allowed in a permissions (identity-based) policy', 'trust policy'],
    ['NotPrincipal in a permissions policy', perm({ ...GOOD_STMT, NotPrincipal: { AWS: '1' } }), 'Statement[0].NotPrincipal', 'is not allowed', ''],
    ['Effect missing', perm({ Action: 's3:GetObject', Resource: '*' }), 'Statement[0].Effect', 'is missing', 'Add "Effect": "Allow"'],
    ['Effect lowercase', perm({ ...GOOD_STMT, Effect: 'allow' }), 'Statement[0].Effect', 'is "allow", but it must be "Allow" or "Deny"', 'write "Allow"'],
    ['Effect other', perm({ ...GOOD_STMT, Effect: 'Permit' }), 'Statement[0].Effect', 'must be "Allow" or "Deny"', ''],
    ['Action missing', perm({ Effect: 'Allow', Resource: '*' }), 'Statement[0].Action', 'is missing', 's3:GetObject'],
    ['Action and NotAction', perm({ ...GOOD_STMT, NotAction: 's3:PutObject' }), 'Statement[0]', 'has both Action and NotAction', 'only one'],
    ['Action empty list', perm({ ...GOOD_STMT, Action: [] }), 'Statement[0].Action', 'is an empty list', ''],
    ['Action an object', perm({ ...GOOD_STMT, Action: { s3: 'GetObject' } }), 'Statement[0].Action', 'is an object, but it must be a string or a list of strings', ''],
    ['Action item a number', perm({ ...GOOD_STMT, Action: ['s3:GetObject', 1] }), 'Statement[0].Action[1]', 'is a number, but it must be a string', ''],
    ['Action without service', perm({ ...GOOD_STMT, Action: 'GetObject' }), 'Statement[0].Action', '"GetObject" is not a valid action', 'Add the service prefix, e.g. "s3:GetObject"'],
    ['Action with wildcard service', perm({ ...GOOD_STMT, Action: ['*:Get*'] }), 'Statement[0].Action[0]', 'is not a valid action', 'service prefix cannot contain wildcards'],
    ['Action with a space', perm({ ...GOOD_STMT, Action: 's3: GetObject' }), 'Statement[0].Action', 'is not a valid action', 'Remove the spaces'],
    ['Action empty string', perm({ ...GOOD_STMT, Action: '' }), 'Statement[0].Action', '"" is not a valid action', ''],
    ['Resource missing', perm({ Effect: 'Allow', Action: 's3:GetObject' }), 'Statement[0].Resource', 'is missing', 'arn:aws:s3:::my-bucket/*'],
    ['Resource and NotResource', perm({ ...GOOD_STMT, NotResource: '*' }), 'Statement[0]', 'has both Resource and NotResource', ''],
    ['Resource not an ARN', perm({ ...GOOD_STMT, Resource: 'my-bucket' }), 'Statement[0].Resource', '"my-bucket" is not "*" or an ARN', 'arn:aws:s3:::my-bucket'],
    ['Resource short ARN', perm({ ...GOOD_STMT, Resource: ['*', 'arn:aws:s3'] }), 'Statement[0].Resource[1]', 'is not "*" or an ARN', ''],
    ['Resource empty list', perm({ ...GOOD_STMT, Resource: [] }), 'Statement[0].Resource', 'is an empty list', ''],
    ['Resource a number', perm({ ...GOOD_STMT, Resource: 1 }), 'Statement[0].Resource', 'is a number', ''],
    ['Sid not a string', perm({ ...GOOD_STMT, Sid: 1 }), 'Statement[0].Sid', 'must be a string', ''],
    ['Sid with spaces', perm({ ...GOOD_STMT, Sid: 'Read objects' }), 'Statement[0].Sid', 'has characters IAM does not allow in a Sid', 'letters and digits'],
    ['duplicate Sid', { Version: '2012-10-17', Statement: [{ ...GOOD_STMT, Sid: 'A' }, { ...GOOD_STMT, Sid: 'A' }] }, 'Statement[1].Sid', '"A" is also the Sid of Statement[0]', ''],
    ['Condition not an object', perm({ ...GOOD_STMT, Condition: 'x' }), 'Statement[0].Condition', 'is a string, but it must be an object', ''],
    ['Condition operator not an object', perm({ ...GOOD_STMT, Condition: { StringEquals: 'x' } }), 'Statement[0].Condition.StringEquals', 'must map condition keys to values', ''],
    ['Condition unknown operator', perm({ ...GOOD_STMT, Condition: { StringEqual: { k: 'v' } } }), 'Statement[0].Condition.StringEqual', '"StringEqual" is not a condition operator', 'Did you mean "StringEquals"?'],
    ['Condition value null', perm({ ...GOOD_STMT, Condition: { StringEquals: { 'aws:SourceAccount': null } } }), 'Statement[0].Condition.StringEquals["aws:SourceAccount"]', 'is null, but it must be a string, number, boolean or a list', ''],
    ['Condition value empty list', perm({ ...GOOD_STMT, Condition: { StringEquals: { k: [] } } }), 'Statement[0].Condition.StringEquals.k', 'is an empty list', ''],
    ['Condition operator empty', perm({ ...GOOD_STMT, Condition: { StringEquals: {} } }), 'Statement[0].Condition.StringEquals', 'is an empty object', ''],
    ['single statement object paths', { Version: '2012-10-17', Statement: { ...GOOD_STMT, Effect: 'x' } }, 'Statement.Effect', 'must be "Allow" or "Deny"', ''],
  ])('%s', (_name, doc, field, message, fix) => {
    const { issues } = validatePermissionsPolicy(doc as JsonValue, SRC);
    expectIssue(issues, field, message, fix || undefined);
  });

  it('measures the size without whitespace (max 6,144)', () => {
    const actions = (n: number) => Array.from({ length: n }, (_, i) => `s3:Action${String(i).padStart(6, '0')}`);
    const base = minifiedLength(perm({ ...GOOD_STMT, Action: [] }));
    // Each action adds its quoted length plus a comma.
    const item = '"s3:Action000000",'.length;
    const n = Math.floor((6144 - base + 1) / item);
    const fits = perm({ ...GOOD_STMT, Action: actions(n) });
    expect(minifiedLength(fits)).toBeLessThanOrEqual(6144);
    expect(validatePermissionsPolicy(fits, SRC).issues).toEqual([]);
    const tooBig = perm({ ...GOOD_STMT, Action: actions(n + 1) });
    const size = minifiedLength(tooBig);
    expect(size).toBeGreaterThan(6144);
    const { issues } = validatePermissionsPolicy(tooBig, SRC);
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toBe(`is ${size.toLocaleString('en-US')} characters without whitespace; a managed policy can have at most 6,144`);
    // Whitespace in the file does not count.
    const pretty = JSON.stringify(fits, null, 8);
    expect(pretty.length).toBeGreaterThan(6144);
    expect(validatePermissionsPolicy(parseJsonStrict(pretty, SRC), SRC).issues).toEqual([]);
  });

  it('collects several issues with their fields, and assertNoIssues-style formatting names them', () => {
    const { issues } = validatePermissionsPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow' }, { Effect: 'Nope', Action: 'x', Resource: 'y' }] }, SRC);
    expect(issues.map((i) => i.field)).toEqual(['Statement[0].Action', 'Statement[0].Resource', 'Statement[1].Effect', 'Statement[1].Action', 'Statement[1].Resource']);
    const e = new InputError(SRC, issues);
    expect(e.message).toContain('Statement[1].Effect: is "Nope"');
  });

  it('handles __proto__ and constructor keys as unknown elements', () => {
    const doc = parseJsonStrict('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "__proto__": 1, "constructor": 2}]}', SRC);
    const { issues } = validatePermissionsPolicy(doc, SRC);
    expect(issues.map((i) => i.field)).toEqual(['Statement[0].__proto__', 'Statement[0].constructor']);
  });
});

describe('validateTrustPolicy', () => {
  it.each([
    ['service', perm(GOOD_TRUST_STMT)],
    ['AWS principals and TagSession', perm({ Effect: 'Allow', Principal: { AWS: ['123456789012', 'arn:aws:iam::123456789012:role/x', 'arn:aws:iam::123456789012:root'] }, Action: ['sts:AssumeRole', 'sts:TagSession'] })],
    ['federated web identity', perm({ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:o/r:*' } } })],
    ['SAML', perm({ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/idp' }, Action: 'sts:AssumeRoleWithSAML' })],
    ['CanonicalUser and SetSourceIdentity', perm({ Effect: 'Allow', Principal: { CanonicalUser: 'abc' }, Action: ['sts:SetSourceIdentity'] })],
    ['Principal "*" (valid, refused by securityFindings instead)', perm({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' })],
    ['NotPrincipal', perm({ Effect: 'Deny', NotPrincipal: { AWS: '123456789012' }, Action: 'sts:*' })],
  ])('accepts %s', (_name, doc) => {
    expect(validateTrustPolicy(doc, SRC)).toEqual({ issues: [], warnings: [] });
  });

  it('warns about an unusual sts action', () => {
    const r = validateTrustPolicy(perm({ ...GOOD_TRUST_STMT, Action: 'sts:GetCallerIdentity' }), SRC);
    expect(r.issues).toEqual([]);
    expect(r.warnings[0]).toContain('Statement[0].Action: "sts:GetCallerIdentity" is not an action a trust policy usually grants');
  });

  it.each([
    ['an array', [GOOD_TRUST_STMT], undefined, 'is a JSON array, but a trust policy is an object', ''],
    ['Version missing', { Statement: GOOD_TRUST_STMT }, undefined, 'Version is missing', ''],
    ['Statement missing', { Version: '2012-10-17' }, undefined, 'Statement is missing', ''],
    ['Principal missing', perm({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'Statement[0].Principal', 'is missing', 'ecs-tasks.amazonaws.com'],
    ['Principal and NotPrincipal', perm({ ...GOOD_TRUST_STMT, NotPrincipal: { AWS: '123456789012' } }), 'Statement[0]', 'has both Principal and NotPrincipal', ''],
    ['Principal a bare service', perm({ ...GOOD_TRUST_STMT, Principal: 'ecs-tasks.amazonaws.com' }), 'Statement[0].Principal', 'but it must be "*" or an object', 'Write {"Service": "ecs-tasks.amazonaws.com"}'],
    ['Principal a bare account', perm({ ...GOOD_TRUST_STMT, Principal: '123456789012' }), 'Statement[0].Principal', 'must be "*" or an object', 'Write {"AWS": "123456789012"}'],
    ['Principal empty object', perm({ ...GOOD_TRUST_STMT, Principal: {} }), 'Statement[0].Principal', 'is an empty object', ''],
    ['Principal unknown kind', perm({ ...GOOD_TRUST_STMT, Principal: { User: 'x' } }), 'Statement[0].Principal.User', 'is not a kind of principal', 'AWS, Service, Federated, CanonicalUser'],
    ['Principal lowercase kind', perm({ ...GOOD_TRUST_STMT, Principal: { service: 'ecs-tasks.amazonaws.com' } }), 'Statement[0].Principal.service', 'is not a kind of principal', 'write "Service"'],
    ['Principal value a number', perm({ ...GOOD_TRUST_STMT, Principal: { AWS: 123456789012 } }), 'Statement[0].Principal.AWS', 'account ids must be strings', 'Quote it: "123456789012"'],
    ['Principal value empty list', perm({ ...GOOD_TRUST_STMT, Principal: { AWS: [] } }), 'Statement[0].Principal.AWS', 'is an empty list', ''],
    ['Principal value an object', perm({ ...GOOD_TRUST_STMT, Principal: { Service: { a: 1 } } }), 'Statement[0].Principal.Service', 'must be a string or a list of strings', ''],
    ['Principal value empty string', perm({ ...GOOD_TRUST_STMT, Principal: { Federated: '' } }), 'Statement[0].Principal.Federated', 'is an empty string', ''],
    ['AWS principal not an id or ARN', perm({ ...GOOD_TRUST_STMT, Principal: { AWS: ['123456789012', 'alice'] } }), 'Statement[0].Principal.AWS[1]', '"alice" is not an AWS principal', '12-digit account id'],
    ['short service name', perm({ ...GOOD_TRUST_STMT, Principal: { Service: 'ecs-tasks' } }), 'Statement[0].Principal.Service', '"ecs-tasks" is not a service principal', '"ecs-tasks.amazonaws.com"'],
    ['Action missing', perm({ Effect: 'Allow', Principal: '*' }), 'Statement[0].Action', 'is missing', 'sts:AssumeRole'],
    ['Action not sts', perm({ ...GOOD_TRUST_STMT, Action: ['sts:AssumeRole', 's3:GetObject'] }), 'Statement[0].Action[1]', '"s3:GetObject" is not an sts: action', 'belong in a permissions policy'],
    ['Action malformed', perm({ ...GOOD_TRUST_STMT, Action: 'AssumeRole' }), 'Statement[0].Action', 'is not a valid action', 'Add the service prefix'],
    ['Resource in a trust policy', perm({ ...GOOD_TRUST_STMT, Resource: '*' }), 'Statement[0].Resource', 'is not allowed in a trust policy', 'the role itself'],
    ['NotResource in a trust policy', perm({ ...GOOD_TRUST_STMT, NotResource: '*' }), 'Statement[0].NotResource', 'is not allowed in a trust policy', ''],
    ['Effect missing', perm({ Principal: '*', Action: 'sts:AssumeRole' }), 'Statement[0].Effect', 'is missing', ''],
    ['Condition bad', perm({ ...GOOD_TRUST_STMT, Condition: { StringEquals: { 'aws:SourceAccount': { x: 1 } } } }), 'Statement[0].Condition.StringEquals["aws:SourceAccount"]', 'is an object', ''],
    ['unknown statement key', perm({ ...GOOD_TRUST_STMT, Actions: 'sts:AssumeRole' }), 'Statement[0].Actions', 'is not a statement element', 'write "Action"'],
  ])('%s', (_name, doc, field, message, fix) => {
    const { issues } = validateTrustPolicy(doc as JsonValue, SRC);
    expectIssue(issues, field, message, fix || undefined);
  });

  it('measures the size without whitespace (max 2,048)', () => {
    const principals = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::123456789012:role/r${String(i).padStart(4, '0')}`);
    let n = 1;
    while (minifiedLength(perm({ ...GOOD_TRUST_STMT, Principal: { AWS: principals(n + 1) } })) <= 2048) n++;
    expect(validateTrustPolicy(perm({ ...GOOD_TRUST_STMT, Principal: { AWS: principals(n) } }), SRC).issues).toEqual([]);
    const big = perm({ ...GOOD_TRUST_STMT, Principal: { AWS: principals(n + 1) } });
    const { issues } = validateTrustPolicy(big, SRC);
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toContain(`is ${minifiedLength(big).toLocaleString('en-US')} characters without whitespace; a trust policy can have at most 2,048`);
    expect(issues[0].fix).toContain('4,096');
  });
});

// ---------------------------------------------------------------------------------------------

describe('securityFindings', () => {
  it.each([
    ['Principal "*"', { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }, 'Statement[0].Principal'],
    ['AWS "*"', { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }, 'Statement[0].Principal'],
    ['AWS list with "*"', { Effect: 'Allow', Principal: { AWS: ['123456789012', '*'] }, Action: 'sts:AssumeRole' }, 'Statement[0].Principal'],
    ['empty Condition', { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: {} }, 'Statement[0].Principal'],
    ['NotPrincipal', { Effect: 'Allow', NotPrincipal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }, 'Statement[0].NotPrincipal'],
  ])('trust: refuses %s without --allow-public-trust', (_name, stmt, field) => {
    const r = securityFindings('trust', perm(stmt));
    expect(r.refusals).toHaveLength(1);
    expect(r.refusals[0]).toMatchObject({ flag: '--allow-public-trust', field });
    expect(r.refusals[0].message).toMatch(/anyone in any AWS account/);
  });

  it.each([
    ['a Condition', { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }],
    ['a Deny', { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }],
    ['a service', GOOD_TRUST_STMT],
    ['an account', { Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }],
    ['Service "*"-less federated', { Effect: 'Allow', Principal: { Federated: 'accounts.google.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }],
  ])('trust: accepts %s', (_name, stmt) => {
    expect(securityFindings('trust', perm(stmt))).toEqual({ refusals: [], warnings: [] });
  });

  it.each([
    ['Action and Resource "*"', { Effect: 'Allow', Action: '*', Resource: '*' }],
    ['lists containing "*"', { Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: ['arn:aws:s3:::b', '*'] }],
    ['with iam:PassRole too (no extra warning)', { Effect: 'Allow', Action: ['*', 'iam:PassRole'], Resource: '*' }],
  ])('permissions: refuses %s without --allow-admin', (_name, stmt) => {
    const r = securityFindings('permissions', perm(stmt));
    expect(r.refusals).toEqual([{ flag: '--allow-admin', field: 'Statement[0]', message: expect.stringContaining('administrator access') }]);
    expect(r.warnings).toEqual([]);
  });

  it.each(['iam:PassRole', 'iam:*', 'iam:Pass*', 'IAM:passrole', 'iam:*Role', 'iam:PassRol?'])('permissions: warns about %s on Resource "*"', (action) => {
    const r = securityFindings('permissions', { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: [action], Resource: '*' } });
    expect(r.refusals).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('Statement: allows iam:PassRole on Resource "*"');
    expect(r.warnings[0]).toContain('pass any role to any service');
    expect(r.warnings[0]).toContain('scope Resource to the ARNs of the roles');
  });

  it.each([
    ['PassRole scoped to a role', { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/task' }],
    ['"*" on one resource', { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/*' }],
    ['Deny "*"', { Effect: 'Deny', Action: '*', Resource: '*' }],
    ['other iam actions', { Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }],
    ['read-only', { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }],
  ])('permissions: accepts %s', (_name, stmt) => {
    expect(securityFindings('permissions', perm(stmt))).toEqual({ refusals: [], warnings: [] });
  });

  it('permissions: warns about Allow NotAction on "*"', () => {
    const r = securityFindings('permissions', perm({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }));
    expect(r.warnings[0]).toContain('NotAction');
  });

  it('never throws on odd documents', () => {
    for (const v of [null, 1, 'x', [], {}, { Statement: 1 }, { Statement: [null, 1, { Effect: 'Allow', Principal: { AWS: 7 } }] }] as JsonValue[]) {
      expect(() => securityFindings('trust', v)).not.toThrow();
      expect(() => securityFindings('permissions', v)).not.toThrow();
    }
  });
});

describe('wildcardMatch', () => {
  it.each([
    ['iam:*', 'iam:PassRole', true],
    ['*', 'anything', true],
    ['iam:P?ssRole', 'iam:PassRole', true],
    ['iam:Get*', 'iam:PassRole', false],
    ['iam:PassRole*', 'iam:PassRole', true],
    ['iam:PassRole?', 'iam:PassRole', false],
  ])('%s ~ %s = %s', (p, t, expected) => {
    expect(wildcardMatch(p, t)).toBe(expected);
  });

  it('is fast on patterns with many stars', () => {
    const t = Date.now();
    expect(wildcardMatch('*a'.repeat(5000) + 'b', 'a'.repeat(5000))).toBe(false);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});

// ---------------------------------------------------------------------------------------------

describe('parseTrustPrincipal', () => {
  it.each([
    ['ecs-tasks.amazonaws.com', { kind: 'service', service: 'ecs-tasks.amazonaws.com' }],
    ['ecs.application-autoscaling.amazonaws.com', { kind: 'service', service: 'ecs.application-autoscaling.amazonaws.com' }],
    ['ec2.amazonaws.com.cn', { kind: 'service', service: 'ec2.amazonaws.com.cn' }],
    ['123456789012', { kind: 'account', accountId: '123456789012' }],
    ['me', { kind: 'me' }],
    ['arn:aws:iam::123456789012:root', { kind: 'arn', arn: 'arn:aws:iam::123456789012:root' }],
    ['arn:aws:iam::123456789012:role/deployer', { kind: 'arn', arn: 'arn:aws:iam::123456789012:role/deployer' }],
    ['arn:aws:iam::123456789012:role/ci/deployer', { kind: 'arn', arn: 'arn:aws:iam::123456789012:role/ci/deployer' }],
    ['arn:aws-cn:iam::123456789012:user/alice', { kind: 'arn', arn: 'arn:aws-cn:iam::123456789012:user/alice' }],
  ])('%s', (value, expected) => {
    expect(parseTrustPrincipal(value, '--trust-principal')).toEqual(expected);
  });

  it.each([
    ['arn:aws:sts::123456789012:assumed-role/Admin/alice', 'is the ARN of a session (assumed-role)', 'Trust the role itself: arn:aws:iam::123456789012:role/Admin'],
    ['ecs-tasks', 'is not a principal', 'Did you mean the service principal ecs-tasks.amazonaws.com?'],
    ['ECS-Tasks.amazonaws.com', 'is not a valid service principal', 'lowercase: ecs-tasks.amazonaws.com'],
    ['1234-5678-9012', 'is not an account id as IAM writes it', 'without separators: 123456789012'],
    ['12345678901', 'is not a 12-digit account id (it has 11 digits)', ''],
    ['arn:aws:iam::123456789012:group/devs', 'is not an ARN a trust policy can name', 'a role or user ARN'],
    ['arn:aws:iam::12345:role/x', 'is not an ARN a trust policy can name', ''],
    ['arn:aws:s3:::bucket', 'is not an ARN a trust policy can name', ''],
    [`arn:aws:iam::123456789012:role/${'x'.repeat(65)}`, 'longer than 64', ''],
    ['', 'is empty', 'service principal (ecs-tasks.amazonaws.com)'],
    ['someone@example.com', 'is not a principal ecsprimer understands', 'me (the identity running ecsprimer)'],
    ['ME', 'is not a principal', ''],
  ])('refuses %j', (value, message, fix) => {
    const e = thrown(() => parseTrustPrincipal(value, '--trust-principal'));
    expect(e.source).toBe('--trust-principal');
    expect(e.issues[0].message).toContain(message);
    if (fix) expect(e.issues[0].fix).toContain(fix);
  });
});

describe('trustPolicyFor', () => {
  it.each([
    [{ kind: 'service', service: 'ecs-tasks.amazonaws.com' } as const, { Service: 'ecs-tasks.amazonaws.com' }],
    [{ kind: 'arn', arn: 'arn:aws:iam::123456789012:role/x' } as const, { AWS: 'arn:aws:iam::123456789012:role/x' }],
    [{ kind: 'account', accountId: '123456789012' } as const, { AWS: 'arn:aws:iam::123456789012:root' }],
  ])('%j', (principal, expected) => {
    const doc = trustPolicyFor(principal);
    expect(doc).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: expected, Action: 'sts:AssumeRole' }] });
    expect(validateTrustPolicy(doc, 'generated')).toEqual({ issues: [], warnings: [] });
    expect(securityFindings('trust', doc)).toEqual({ refusals: [], warnings: [] });
  });

  it('uses the partition for an account', () => {
    expect(JSON.stringify(trustPolicyFor({ kind: 'account', accountId: '123456789012' }, { partition: 'aws-cn' }))).toContain('arn:aws-cn:iam::123456789012:root');
  });
});

describe('minifiedLength, canonicalJson, documentsEqual', () => {
  it('minifiedLength is the JSON.stringify length', () => {
    expect(minifiedLength({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}'.length);
  });

  it('canonicalJson sorts keys recursively', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it.each([
    ['key order', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }, { Statement: [{ Resource: '*', Action: 's3:GetObject', Effect: 'Allow' }], Version: '2012-10-17' }, true],
    ['string vs one-element list', perm({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] }), perm({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), true],
    ['NotAction/NotResource lists', perm({ Effect: 'Deny', NotAction: ['s3:*'], NotResource: 'arn:aws:s3:::b' }), perm({ Effect: 'Deny', NotAction: 's3:*', NotResource: ['arn:aws:s3:::b'] }), true],
    ['statement object vs list', { Version: '2012-10-17', Statement: GOOD_STMT }, perm(GOOD_STMT), true],
    ['principal values', perm({ ...GOOD_TRUST_STMT, Principal: { Service: ['ecs-tasks.amazonaws.com'] } }), perm(GOOD_TRUST_STMT), true],
    ['account id vs root ARN', perm({ ...GOOD_TRUST_STMT, Principal: { AWS: '123456789012' } }), perm({ ...GOOD_TRUST_STMT, Principal: { AWS: 'arn:aws:iam::123456789012:root' } }), true],
    ['condition values', perm({ ...GOOD_STMT, Condition: { StringEquals: { k: ['v'] } } }), perm({ ...GOOD_STMT, Condition: { StringEquals: { k: 'v' } } }), true],
    ['two-element list order matters', perm({ ...GOOD_STMT, Action: ['a:b', 'a:c'] }), perm({ ...GOOD_STMT, Action: ['a:c', 'a:b'] }), false],
    ['different actions', perm({ ...GOOD_STMT, Action: 's3:GetObject' }), perm({ ...GOOD_STMT, Action: 's3:PutObject' }), false],
    ['one-element list elsewhere is not a string', { Version: '2012-10-17', Statement: [GOOD_STMT], Id: ['x'] }, { Version: '2012-10-17', Statement: [GOOD_STMT], Id: 'x' }, false],
    ['different effects', perm(GOOD_STMT), perm({ ...GOOD_STMT, Effect: 'Deny' }), false],
    ['non-policy values', [1, { a: 2, b: 3 }], [1, { b: 3, a: 2 }], true],
  ])('%s → %s', (_name, a, b, equal) => {
    expect(documentsEqual(a as JsonValue, b as JsonValue)).toBe(equal);
    expect(documentsEqual(b as JsonValue, a as JsonValue)).toBe(equal);
  });

  it('compares an IAM-returned (URL-decoded, reordered) document with the file', () => {
    const file = parseJsonStrict(readFileSync(path.resolve(import.meta.dirname, '../../json/trust-policy.json'), 'utf8'), SRC);
    const filled = fillPlaceholders(file, { accountId: '123456789012', region: 'us-east-1', stack: 'demo' });
    const reversed = (v: JsonValue): JsonValue =>
      Array.isArray(v) ? v.map(reversed) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reversed(v[k])])) : v;
    const encoded = encodeURIComponent(JSON.stringify(reversed(filled)));
    const fromIam = JSON.parse(decodeURIComponent(encoded)) as JsonValue;
    expect(JSON.stringify(fromIam)).not.toBe(JSON.stringify(filled));
    expect(documentsEqual(filled, fromIam)).toBe(true);
  });
});

describe('the example documents in json/', () => {
  const load = (name: string) => parseJsonStrict(readFileSync(path.resolve(import.meta.dirname, '../../json', name), 'utf8'), `file json/${name}`);
  const values = { accountId: '123456789012', region: 'eu-west-1', stack: 'demo' };

  it('json/policy.json is a valid, least-privilege permissions policy', () => {
    const doc = load('policy.json');
    expect([...placeholdersUsed(doc, 'file json/policy.json')].sort()).toEqual(['AWS::AccountId', 'AWS::Region', 'ecsprimer:stack']);
    for (const filled of [fillPlaceholders(doc, values), fillPlaceholders(doc, { stack: 'demo' })]) {
      expect(validatePermissionsPolicy(filled, 'file json/policy.json')).toEqual({ issues: [], warnings: [] });
      expect(securityFindings('permissions', filled)).toEqual({ refusals: [], warnings: [] });
    }
    expect(JSON.stringify(fillPlaceholders(doc, values))).toContain('arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/demo*');
  });

  it('json/trust-policy.json lets ECS tasks of this account assume the role', () => {
    const doc = load('trust-policy.json');
    const filled = fillPlaceholders(doc, values);
    expect(validateTrustPolicy(filled, 'file json/trust-policy.json')).toEqual({ issues: [], warnings: [] });
    expect(securityFindings('trust', filled)).toEqual({ refusals: [], warnings: [] });
    expect(filled).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:eu-west-1:123456789012:*' }, StringEquals: { 'aws:SourceAccount': '123456789012' } },
        },
      ],
    });
  });
});
