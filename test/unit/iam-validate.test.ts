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
    { kind: 'policy', name: '', message: 'the policy name is empty', fix: '1-128 characters' },
    { kind: 'policy', name: 'x'.repeat(129), message: 'is 129 characters long; a policy name is at most 128', fix: 'letters, digits and + = , . @ _ -' },
    { kind: 'policy', name: 'my policy', message: 'contains U+0020', fix: '1-128' },
    { kind: 'policy', name: 'a/b', message: 'contains `/`', fix: 'cannot contain a path' },
    { kind: 'policy', name: 'naïve', message: 'contains `ï`', fix: '' },
    { kind: 'policy', name: 'arn:aws:iam::123456789012:policy/x', message: 'contains `:`', fix: 'not its ARN' },
    { kind: 'role', name: '', message: 'the role name is empty', fix: '1-64 characters' },
    { kind: 'role', name: 'x'.repeat(65), message: 'is 65 characters long; a role name is at most 64', fix: '1-64' },
    { kind: 'role', name: 'role*', message: 'contains `*`', fix: '' },
    { kind: 'role', name: 'tab\there', message: 'contains U+0009 (tab)', fix: '' },
  ])('$kind name $name', ({ kind, name, message, fix }) => {
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
    { value: 'MyPolicy', expected: { kind: 'name', name: 'MyPolicy' } },
    { value: 'arn:aws:iam::123456789012:policy/MyPolicy', expected: { kind: 'arn', arn: 'arn:aws:iam::123456789012:policy/MyPolicy', name: 'MyPolicy' } },
    { value: 'arn:aws:iam::aws:policy/ReadOnlyAccess', expected: { kind: 'arn', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', name: 'ReadOnlyAccess' } },
    { value: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy', expected: { kind: 'arn', arn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy', name: 'AmazonECSTaskExecutionRolePolicy' } },
    { value: 'arn:aws-cn:iam::123456789012:policy/ecsprimer/demo/p', expected: { kind: 'arn', arn: 'arn:aws-cn:iam::123456789012:policy/ecsprimer/demo/p', name: 'p' } },
    { value: 'arn:aws-us-gov:iam::123456789012:policy/p', expected: { kind: 'arn', arn: 'arn:aws-us-gov:iam::123456789012:policy/p', name: 'p' } },
  ])('policy $value', ({ value, expected }) => {
    expect(parsePolicyRef(value, '--policy')).toEqual(expected);
  });

  it.each([
    { value: 'task-role', expected: { kind: 'name', name: 'task-role' } },
    { value: 'arn:aws:iam::123456789012:role/task-role', expected: { kind: 'arn', arn: 'arn:aws:iam::123456789012:role/task-role', name: 'task-role' } },
    { value: 'arn:aws:iam::123456789012:role/ecsprimer/demo/r', expected: { kind: 'arn', arn: 'arn:aws:iam::123456789012:role/ecsprimer/demo/r', name: 'r' } },
  ])('role $value', ({ value, expected }) => {
    expect(parseRoleRef(value, '--role')).toEqual(expected);
  });

  it.each([
    { kind: 'policy', value: 'arn:aws:iam::12345:policy/p', message: 'not a 12-digit account id or aws', fix: 'arn:aws:iam::123456789012:policy/NAME' },
    { kind: 'policy', value: 'arn:aws:s3:::bucket', message: 'is an ARN of "s3", not of an IAM policy', fix: '' },
    { kind: 'policy', value: 'arn:aws:iam::123456789012:role/r', message: 'is the ARN of an IAM role, but --policy expects a policy', fix: '' },
    { kind: 'policy', value: 'arn:aws:iam:us-east-1:123456789012:policy/p', message: 'has a region', fix: '' },
    { kind: 'policy', value: 'arn:aws:iam::123456789012:policy/', message: 'the policy name is empty', fix: '' },
    { kind: 'policy', value: 'arn:aws:iam::123456789012:policy/a//b', message: 'invalid path', fix: '' },
    { kind: 'policy', value: 'arn:aws:iam::123456789012:policy/bad name', message: 'contains U+0020', fix: '' },
    { kind: 'policy', value: 'arn:aws:iam::123456789012', message: 'not a well-formed ARN', fix: '' },
    { kind: 'policy', value: 'arn:foo:iam::123456789012:policy/p', message: 'unknown partition', fix: '' },
    { kind: 'policy', value: 'ARN:aws:iam::123456789012:policy/p', message: 'ARNs start with lowercase arn:', fix: '' },
    { kind: 'policy', value: 'bad name', message: 'contains U+0020', fix: '' },
    { kind: 'role', value: 'arn:aws:iam::aws:role/r', message: 'not a 12-digit account id', fix: 'arn:aws:iam::123456789012:role/NAME' },
    { kind: 'role', value: 'arn:aws:iam::123456789012:policy/p', message: 'is the ARN of an IAM policy, but --role expects a role', fix: '' },
    { kind: 'role', value: `arn:aws:iam::123456789012:role/${'r'.repeat(65)}`, message: 'at most 64', fix: '' },
    { kind: 'role', value: 'arn:aws:sts::123456789012:assumed-role/r/s', message: 'is an ARN of "sts"', fix: '' },
  ])('refuses $kind $value', ({ kind, value, message, fix }) => {
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
    { name: 'one statement object', doc: { Version: '2012-10-17', Statement: GOOD_STMT } },
    { name: 'a list', doc: perm(GOOD_STMT) },
    { name: 'Id, Sid, NotAction, NotResource, Condition', doc: {
      Version: '2012-10-17',
      Id: 'x',
      Statement: [
        { Sid: 'One', Effect: 'Deny', NotAction: ['s3:*', 'logs:Get*'], NotResource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'], Condition: { Bool: { 'aws:SecureTransport': false }, 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['a*'] }, NumericLessThan: { 's3:max-keys': 10 } } },
        { Sid: 'Two', Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${aws:username}/*' },
        { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' },
      ],
    } },
    { name: 'an ARN with placeholders left in it', doc: perm({ ...GOOD_STMT, Resource: 'arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:x' }) },
  ])('accepts $name', ({ doc }) => {
    expect(validatePermissionsPolicy(doc as JsonValue, SRC)).toEqual({ issues: [], warnings: [] });
  });

  it('accepts a trust policy without Version, with a warning: IAM reads it as 2008-10-17, without policy variables', () => {
    const r = validateTrustPolicy({ Statement: GOOD_TRUST_STMT }, SRC);
    expect(r.issues).toEqual([]);
    expect(r.warnings).toEqual(['the trust policy has no Version: IAM then reads it as the 2008-10-17 policy language, which has no policy variables (such as ${aws:username}); add "Version": "2012-10-17"']);
  });

  it.each([
    { name: 'without Version', doc: { Statement: GOOD_STMT }, field: undefined, message: 'Version is missing: IAM refuses a managed policy in any language but 2012-10-17' },
    { name: 'with Version 2008-10-17', doc: { Version: '2008-10-17', Statement: GOOD_STMT }, field: 'Version', message: 'is "2008-10-17": IAM refuses a managed policy in any language but 2012-10-17' },
  ])('refuses a managed policy $name, as CreatePolicy would (MalformedPolicyDocument)', ({ doc, field, message }) => {
    expectIssue(validatePermissionsPolicy(doc as JsonValue, SRC).issues, field, message, '"Version": "2012-10-17"');
  });

  it.each([
    { name: 'a typographic quote in a condition value', doc: perm({ ...GOOD_STMT, Condition: { StringEquals: { 'aws:PrincipalTag/team': '\u201cweb\u201d' } } }), field: 'Statement[0].Condition.StringEquals["aws:PrincipalTag/team"]', char: '`\u201c`' },
    { name: 'an emoji in a resource', doc: perm({ ...GOOD_STMT, Resource: ['arn:aws:s3:::bucket/\u{1F600}'] }), field: 'Statement[0].Resource[0]', char: '`\u{1F600}`' },
    { name: 'a Cyrillic letter in a condition key', doc: perm({ ...GOOD_STMT, Condition: { StringEquals: { 'aws:PrincipalT\u0430g/team': 'a' } } }), field: 'Statement[0].Condition.StringEquals["aws:PrincipalT\u0430g/team"]', char: '`\u0430`' },
  ])('refuses $name: IAM accepts only tab, newline, return and U+0020–U+00FF', ({ doc, field, char }) => {
    const { issues } = validatePermissionsPolicy(doc, SRC);
    expectIssue(issues, field, `contains ${char}, a character IAM does not accept in a policy`, 'plain ASCII');
  });

  it('accepts Latin-1 letters (U+00E9) and escaped control characters', () => {
    expect(validatePermissionsPolicy(perm({ ...GOOD_STMT, Condition: { StringEquals: { 'aws:PrincipalTag/note': 'Caf\u00e9 a\tb\nc' } } }), SRC).issues).toEqual([]);
  });

  it('warns about Version 2008-10-17 in a trust policy', () => {
    const r = validateTrustPolicy({ Version: '2008-10-17', Statement: GOOD_TRUST_STMT }, SRC);
    expect(r.issues).toEqual([]);
    expect(r.warnings[0]).toContain('use "2012-10-17"');
  });

  it.each([
    // [name, document, field, message part, fix part]
    { name: 'not an object', doc: 'x', field: undefined, message: 'is a string, but a permissions policy is a JSON object', fix: '"Version": "2012-10-17"' },
    { name: 'null', doc: null, field: undefined, message: 'is null', fix: '' },
    { name: 'an array', doc: [GOOD_STMT], field: undefined, message: 'is a JSON array, but a permissions policy is an object', fix: 'Put the statements in an object' },
    { name: 'Version a date', doc: { Version: '2024-01-01', Statement: GOOD_STMT }, field: 'Version', message: 'is "2024-01-01", but it must be "2012-10-17" or "2008-10-17"', fix: 'not a date you choose' },
    { name: 'Version a number', doc: { Version: 2012, Statement: GOOD_STMT }, field: 'Version', message: 'is 2012', fix: '' },
    { name: 'Statement missing', doc: { Version: '2012-10-17' }, field: undefined, message: 'Statement is missing', fix: '"Statement": [' },
    { name: 'Statement empty', doc: { Version: '2012-10-17', Statement: [] }, field: 'Statement', message: 'is an empty list', fix: 'at least one statement' },
    { name: 'Statement a string', doc: { Version: '2012-10-17', Statement: 'x' }, field: 'Statement', message: 'is a string, but it must be a statement object or a list', fix: '' },
    { name: 'statement not an object', doc: { Version: '2012-10-17', Statement: [GOOD_STMT, 'x'] }, field: 'Statement[1]', message: 'is a string, but a statement is an object', fix: '' },
    { name: 'unknown top-level key', doc: perm(GOOD_STMT, { Extra: 1 }), field: 'Extra', message: 'is not a policy element', fix: 'only Version, Id and Statement' },
    { name: 'lowercase top-level key', doc: { version: '2012-10-17', Version: '2012-10-17', Statement: GOOD_STMT }, field: 'version', message: 'is not a policy element', fix: 'write "Version"' },
    { name: 'plural Statements', doc: { Version: '2012-10-17', Statements: [GOOD_STMT] }, field: 'Statements', message: 'is not a policy element', fix: 'write "Statement"' },
    { name: 'statement key at top level', doc: { Version: '2012-10-17', Statement: GOOD_STMT, Effect: 'Allow' }, field: 'Effect', message: 'is not a policy element', fix: 'belongs inside a statement' },
    { name: 'get-role output', doc: { Role: { AssumeRolePolicyDocument: {} } }, field: 'Role', message: 'is not a policy element', fix: 'not the output of aws iam get-role' },
    { name: 'Id not a string', doc: perm(GOOD_STMT, { Id: 1 }), field: 'Id', message: 'must be a string', fix: '' },
    { name: 'unknown statement key', doc: perm({ ...GOOD_STMT, Foo: 1 }), field: 'Statement[0].Foo', message: 'is not a statement element', fix: 'A statement has only Sid, Effect' },
    { name: 'lowercase statement key', doc: perm({ ...GOOD_STMT, effect: 'Allow' }), field: 'Statement[0].effect', message: 'is not a statement element', fix: 'write "Effect"' },
    { name: 'Principal in a permissions policy', doc: perm({ ...GOOD_STMT, Principal: '*' }), field: 'Statement[0].Principal', message: 'is not allowed in a permissions (identity-based) policy', fix: 'trust policy' },
    { name: 'NotPrincipal in a permissions policy', doc: perm({ ...GOOD_STMT, NotPrincipal: { AWS: '1' } }), field: 'Statement[0].NotPrincipal', message: 'is not allowed', fix: '' },
    { name: 'Effect missing', doc: perm({ Action: 's3:GetObject', Resource: '*' }), field: 'Statement[0].Effect', message: 'is missing', fix: 'Add "Effect": "Allow"' },
    { name: 'Effect lowercase', doc: perm({ ...GOOD_STMT, Effect: 'allow' }), field: 'Statement[0].Effect', message: 'is "allow", but it must be "Allow" or "Deny"', fix: 'write "Allow"' },
    { name: 'Effect other', doc: perm({ ...GOOD_STMT, Effect: 'Permit' }), field: 'Statement[0].Effect', message: 'must be "Allow" or "Deny"', fix: '' },
    { name: 'Action missing', doc: perm({ Effect: 'Allow', Resource: '*' }), field: 'Statement[0].Action', message: 'is missing', fix: 's3:GetObject' },
    { name: 'Action and NotAction', doc: perm({ ...GOOD_STMT, NotAction: 's3:PutObject' }), field: 'Statement[0]', message: 'has both Action and NotAction', fix: 'only one' },
    { name: 'Action empty list', doc: perm({ ...GOOD_STMT, Action: [] }), field: 'Statement[0].Action', message: 'is an empty list', fix: '' },
    { name: 'Action an object', doc: perm({ ...GOOD_STMT, Action: { s3: 'GetObject' } }), field: 'Statement[0].Action', message: 'is an object, but it must be a string or a list of strings', fix: '' },
    { name: 'Action item a number', doc: perm({ ...GOOD_STMT, Action: ['s3:GetObject', 1] }), field: 'Statement[0].Action[1]', message: 'is a number, but it must be a string', fix: '' },
    { name: 'Action without service', doc: perm({ ...GOOD_STMT, Action: 'GetObject' }), field: 'Statement[0].Action', message: '"GetObject" is not a valid action', fix: 'Add the service prefix, e.g. "s3:GetObject"' },
    { name: 'Action with wildcard service', doc: perm({ ...GOOD_STMT, Action: ['*:Get*'] }), field: 'Statement[0].Action[0]', message: 'is not a valid action', fix: 'service prefix cannot contain wildcards' },
    { name: 'Action with a space', doc: perm({ ...GOOD_STMT, Action: 's3: GetObject' }), field: 'Statement[0].Action', message: 'is not a valid action', fix: 'Remove the spaces' },
    { name: 'Action empty string', doc: perm({ ...GOOD_STMT, Action: '' }), field: 'Statement[0].Action', message: '"" is not a valid action', fix: '' },
    { name: 'Resource missing', doc: perm({ Effect: 'Allow', Action: 's3:GetObject' }), field: 'Statement[0].Resource', message: 'is missing', fix: 'arn:aws:s3:::my-bucket/*' },
    { name: 'Resource and NotResource', doc: perm({ ...GOOD_STMT, NotResource: '*' }), field: 'Statement[0]', message: 'has both Resource and NotResource', fix: '' },
    { name: 'Resource not an ARN', doc: perm({ ...GOOD_STMT, Resource: 'my-bucket' }), field: 'Statement[0].Resource', message: '"my-bucket" is not "*" or an ARN', fix: 'arn:aws:s3:::my-bucket' },
    { name: 'Resource short ARN', doc: perm({ ...GOOD_STMT, Resource: ['*', 'arn:aws:s3'] }), field: 'Statement[0].Resource[1]', message: 'is not "*" or an ARN', fix: '' },
    { name: 'Resource empty list', doc: perm({ ...GOOD_STMT, Resource: [] }), field: 'Statement[0].Resource', message: 'is an empty list', fix: '' },
    { name: 'Resource a number', doc: perm({ ...GOOD_STMT, Resource: 1 }), field: 'Statement[0].Resource', message: 'is a number', fix: '' },
    { name: 'Sid not a string', doc: perm({ ...GOOD_STMT, Sid: 1 }), field: 'Statement[0].Sid', message: 'must be a string', fix: '' },
    { name: 'Sid with spaces', doc: perm({ ...GOOD_STMT, Sid: 'Read objects' }), field: 'Statement[0].Sid', message: 'has characters IAM does not allow in a Sid', fix: 'letters and digits' },
    { name: 'duplicate Sid', doc: { Version: '2012-10-17', Statement: [{ ...GOOD_STMT, Sid: 'A' }, { ...GOOD_STMT, Sid: 'A' }] }, field: 'Statement[1].Sid', message: '"A" is also the Sid of Statement[0]', fix: '' },
    { name: 'Condition not an object', doc: perm({ ...GOOD_STMT, Condition: 'x' }), field: 'Statement[0].Condition', message: 'is a string, but it must be an object', fix: '' },
    { name: 'Condition operator not an object', doc: perm({ ...GOOD_STMT, Condition: { StringEquals: 'x' } }), field: 'Statement[0].Condition.StringEquals', message: 'must map condition keys to values', fix: '' },
    { name: 'Condition unknown operator', doc: perm({ ...GOOD_STMT, Condition: { StringEqual: { k: 'v' } } }), field: 'Statement[0].Condition.StringEqual', message: '"StringEqual" is not a condition operator', fix: 'Did you mean "StringEquals"?' },
    { name: 'Condition value null', doc: perm({ ...GOOD_STMT, Condition: { StringEquals: { 'aws:SourceAccount': null } } }), field: 'Statement[0].Condition.StringEquals["aws:SourceAccount"]', message: 'is null, but it must be a string, number, boolean or a list', fix: '' },
    { name: 'Condition value empty list', doc: perm({ ...GOOD_STMT, Condition: { StringEquals: { k: [] } } }), field: 'Statement[0].Condition.StringEquals.k', message: 'is an empty list', fix: '' },
    { name: 'Condition operator empty', doc: perm({ ...GOOD_STMT, Condition: { StringEquals: {} } }), field: 'Statement[0].Condition.StringEquals', message: 'is an empty object', fix: '' },
    { name: 'single statement object paths', doc: { Version: '2012-10-17', Statement: { ...GOOD_STMT, Effect: 'x' } }, field: 'Statement.Effect', message: 'must be "Allow" or "Deny"', fix: '' },
  ])('$name', ({ doc, field, message, fix }) => {
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
    { name: 'service', doc: perm(GOOD_TRUST_STMT) },
    { name: 'AWS principals and TagSession', doc: perm({ Effect: 'Allow', Principal: { AWS: ['123456789012', 'arn:aws:iam::123456789012:role/x', 'arn:aws:iam::123456789012:root'] }, Action: ['sts:AssumeRole', 'sts:TagSession'] }) },
    { name: 'federated web identity', doc: perm({ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:o/r:*' } } }) },
    { name: 'SAML', doc: perm({ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/idp' }, Action: 'sts:AssumeRoleWithSAML' }) },
    { name: 'CanonicalUser and SetSourceIdentity', doc: perm({ Effect: 'Allow', Principal: { CanonicalUser: 'abc' }, Action: ['sts:SetSourceIdentity'] }) },
    { name: 'Principal "*" (valid, refused by securityFindings instead)', doc: perm({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }) },
    { name: 'NotPrincipal', doc: perm({ Effect: 'Deny', NotPrincipal: { AWS: '123456789012' }, Action: 'sts:*' }) },
  ])('accepts $name', ({ doc }) => {
    expect(validateTrustPolicy(doc, SRC)).toEqual({ issues: [], warnings: [] });
  });

  it('warns about an unusual sts action', () => {
    const r = validateTrustPolicy(perm({ ...GOOD_TRUST_STMT, Action: 'sts:GetCallerIdentity' }), SRC);
    expect(r.issues).toEqual([]);
    expect(r.warnings[0]).toContain('Statement[0].Action: "sts:GetCallerIdentity" is not an action a trust policy usually grants');
  });

  it.each([
    { name: 'an array', doc: [GOOD_TRUST_STMT], field: undefined, message: 'is a JSON array, but a trust policy is an object', fix: '' },
    { name: 'Statement missing', doc: { Version: '2012-10-17' }, field: undefined, message: 'Statement is missing', fix: '' },
    { name: 'Principal missing', doc: perm({ Effect: 'Allow', Action: 'sts:AssumeRole' }), field: 'Statement[0].Principal', message: 'is missing', fix: 'ecs-tasks.amazonaws.com' },
    { name: 'Principal and NotPrincipal', doc: perm({ ...GOOD_TRUST_STMT, NotPrincipal: { AWS: '123456789012' } }), field: 'Statement[0]', message: 'has both Principal and NotPrincipal', fix: '' },
    { name: 'Principal a bare service', doc: perm({ ...GOOD_TRUST_STMT, Principal: 'ecs-tasks.amazonaws.com' }), field: 'Statement[0].Principal', message: 'but it must be "*" or an object', fix: 'Write {"Service": "ecs-tasks.amazonaws.com"}' },
    { name: 'Principal a bare account', doc: perm({ ...GOOD_TRUST_STMT, Principal: '123456789012' }), field: 'Statement[0].Principal', message: 'must be "*" or an object', fix: 'Write {"AWS": "123456789012"}' },
    { name: 'Principal empty object', doc: perm({ ...GOOD_TRUST_STMT, Principal: {} }), field: 'Statement[0].Principal', message: 'is an empty object', fix: '' },
    { name: 'Principal unknown kind', doc: perm({ ...GOOD_TRUST_STMT, Principal: { User: 'x' } }), field: 'Statement[0].Principal.User', message: 'is not a kind of principal', fix: 'AWS, Service, Federated, CanonicalUser' },
    { name: 'Principal lowercase kind', doc: perm({ ...GOOD_TRUST_STMT, Principal: { service: 'ecs-tasks.amazonaws.com' } }), field: 'Statement[0].Principal.service', message: 'is not a kind of principal', fix: 'write "Service"' },
    { name: 'Principal value a number', doc: perm({ ...GOOD_TRUST_STMT, Principal: { AWS: 123456789012 } }), field: 'Statement[0].Principal.AWS', message: 'account ids must be strings', fix: 'Quote it: "123456789012"' },
    { name: 'Principal value empty list', doc: perm({ ...GOOD_TRUST_STMT, Principal: { AWS: [] } }), field: 'Statement[0].Principal.AWS', message: 'is an empty list', fix: '' },
    { name: 'Principal value an object', doc: perm({ ...GOOD_TRUST_STMT, Principal: { Service: { a: 1 } } }), field: 'Statement[0].Principal.Service', message: 'must be a string or a list of strings', fix: '' },
    { name: 'Principal value empty string', doc: perm({ ...GOOD_TRUST_STMT, Principal: { Federated: '' } }), field: 'Statement[0].Principal.Federated', message: 'is an empty string', fix: '' },
    { name: 'AWS principal not an id or ARN', doc: perm({ ...GOOD_TRUST_STMT, Principal: { AWS: ['123456789012', 'alice'] } }), field: 'Statement[0].Principal.AWS[1]', message: '"alice" is not an AWS principal', fix: '12-digit account id' },
    { name: 'short service name', doc: perm({ ...GOOD_TRUST_STMT, Principal: { Service: 'ecs-tasks' } }), field: 'Statement[0].Principal.Service', message: '"ecs-tasks" is not a service principal', fix: '"ecs-tasks.amazonaws.com"' },
    { name: 'Action missing', doc: perm({ Effect: 'Allow', Principal: '*' }), field: 'Statement[0].Action', message: 'is missing', fix: 'sts:AssumeRole' },
    { name: 'Action not sts', doc: perm({ ...GOOD_TRUST_STMT, Action: ['sts:AssumeRole', 's3:GetObject'] }), field: 'Statement[0].Action[1]', message: '"s3:GetObject" is not an sts: action', fix: 'belong in a permissions policy' },
    { name: 'Action malformed', doc: perm({ ...GOOD_TRUST_STMT, Action: 'AssumeRole' }), field: 'Statement[0].Action', message: 'is not a valid action', fix: 'Add the service prefix' },
    { name: 'Resource in a trust policy', doc: perm({ ...GOOD_TRUST_STMT, Resource: '*' }), field: 'Statement[0].Resource', message: 'is not allowed in a trust policy', fix: 'the role itself' },
    { name: 'NotResource in a trust policy', doc: perm({ ...GOOD_TRUST_STMT, NotResource: '*' }), field: 'Statement[0].NotResource', message: 'is not allowed in a trust policy', fix: '' },
    { name: 'Effect missing', doc: perm({ Principal: '*', Action: 'sts:AssumeRole' }), field: 'Statement[0].Effect', message: 'is missing', fix: '' },
    { name: 'Condition bad', doc: perm({ ...GOOD_TRUST_STMT, Condition: { StringEquals: { 'aws:SourceAccount': { x: 1 } } } }), field: 'Statement[0].Condition.StringEquals["aws:SourceAccount"]', message: 'is an object', fix: '' },
    { name: 'unknown statement key', doc: perm({ ...GOOD_TRUST_STMT, Actions: 'sts:AssumeRole' }), field: 'Statement[0].Actions', message: 'is not a statement element', fix: 'write "Action"' },
  ])('$name', ({ doc, field, message, fix }) => {
    const { issues } = validateTrustPolicy(doc as JsonValue, SRC);
    expectIssue(issues, field, message, fix || undefined);
  });

  it('measures the size without whitespace: up to 2,048 silently, to 4,096 with a warning naming the quota, above refused', () => {
    const principals = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::123456789012:role/r${String(i).padStart(4, '0')}`);
    const doc = (n: number) => perm({ ...GOOD_TRUST_STMT, Principal: { AWS: principals(n) } });
    const largest = (limit: number) => {
      let n = 1;
      while (minifiedLength(doc(n + 1)) <= limit) n++;
      return n;
    };
    const atDefault = validateTrustPolicy(doc(largest(2048)), SRC);
    expect(atDefault).toEqual({ issues: [], warnings: [] });

    const aboveDefault = doc(largest(2048) + 1);
    const warned = validateTrustPolicy(aboveDefault, SRC);
    expect(warned.issues).toEqual([]);
    expect(warned.warnings).toEqual([
      `the trust policy is ${minifiedLength(aboveDefault).toLocaleString('en-US')} characters without whitespace, above IAM's default quota of 2,048 ("Role trust policy length", raisable to 4,096 in Service Quotas): IAM refuses it with LimitExceeded unless this account's quota was raised`,
    ]);
    expect(validateTrustPolicy(doc(largest(4096)), SRC).issues).toEqual([]);

    const big = doc(largest(4096) + 1);
    const { issues } = validateTrustPolicy(big, SRC);
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toBe(`is ${minifiedLength(big).toLocaleString('en-US')} characters without whitespace; a trust policy can have at most 4,096 (with its quota raised as far as it goes)`);
  });
});

// ---------------------------------------------------------------------------------------------

describe('securityFindings', () => {
  it.each<{ name: string; stmt: JsonValue; field: string }>([
    { name: 'Principal "*"', stmt: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }, field: 'Statement[0].Principal' },
    { name: 'AWS "*"', stmt: { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }, field: 'Statement[0].Principal' },
    { name: 'AWS list with "*"', stmt: { Effect: 'Allow', Principal: { AWS: ['123456789012', '*'] }, Action: 'sts:AssumeRole' }, field: 'Statement[0].Principal' },
    { name: 'empty Condition', stmt: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: {} }, field: 'Statement[0].Principal' },
    { name: 'NotPrincipal', stmt: { Effect: 'Allow', NotPrincipal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }, field: 'Statement[0].NotPrincipal' },
  ])('trust: refuses $name without --allow-public-trust', ({ stmt, field }) => {
    const r = securityFindings('trust', perm(stmt));
    expect(r.refusals).toHaveLength(1);
    expect(r.refusals[0]).toMatchObject({ flag: '--allow-public-trust', field });
    expect(r.refusals[0].message).toMatch(/anyone in any AWS account/);
  });

  it.each<{ name: string; stmt: JsonValue }>([
    { name: 'a Condition', stmt: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } } },
    { name: 'a Deny', stmt: { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' } },
    { name: 'a service', stmt: GOOD_TRUST_STMT },
    { name: 'an account', stmt: { Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' } },
    { name: 'Service "*"-less federated', stmt: { Effect: 'Allow', Principal: { Federated: 'accounts.google.com' }, Action: 'sts:AssumeRoleWithWebIdentity' } },
  ])('trust: accepts $name', ({ stmt }) => {
    expect(securityFindings('trust', perm(stmt))).toEqual({ refusals: [], warnings: [] });
  });

  it.each([
    { name: 'Action and Resource "*"', stmt: { Effect: 'Allow', Action: '*', Resource: '*' } },
    { name: 'lists containing "*"', stmt: { Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: ['arn:aws:s3:::b', '*'] } },
    { name: 'with iam:PassRole too (no extra warning)', stmt: { Effect: 'Allow', Action: ['*', 'iam:PassRole'], Resource: '*' } },
  ])('permissions: refuses $name without --allow-admin', ({ stmt }) => {
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
    { name: 'PassRole scoped to a role', stmt: { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/task' } },
    { name: '"*" on one resource', stmt: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/*' } },
    { name: 'Deny "*"', stmt: { Effect: 'Deny', Action: '*', Resource: '*' } },
    { name: 'other iam actions', stmt: { Effect: 'Allow', Action: 'iam:Get*', Resource: '*' } },
    { name: 'read-only', stmt: { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' } },
  ])('permissions: accepts $name', ({ stmt }) => {
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
    { p: 'iam:*', t: 'iam:PassRole', expected: true },
    { p: '*', t: 'anything', expected: true },
    { p: 'iam:P?ssRole', t: 'iam:PassRole', expected: true },
    { p: 'iam:Get*', t: 'iam:PassRole', expected: false },
    { p: 'iam:PassRole*', t: 'iam:PassRole', expected: true },
    { p: 'iam:PassRole?', t: 'iam:PassRole', expected: false },
  ])('$p ~ $t = $expected', ({ p, t, expected }) => {
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
    { value: 'ecs-tasks.amazonaws.com', expected: { kind: 'service', service: 'ecs-tasks.amazonaws.com' } },
    { value: 'ecs.application-autoscaling.amazonaws.com', expected: { kind: 'service', service: 'ecs.application-autoscaling.amazonaws.com' } },
    { value: 'ec2.amazonaws.com.cn', expected: { kind: 'service', service: 'ec2.amazonaws.com.cn' } },
    { value: '123456789012', expected: { kind: 'account', accountId: '123456789012' } },
    { value: 'me', expected: { kind: 'me' } },
    { value: 'arn:aws:iam::123456789012:root', expected: { kind: 'arn', arn: 'arn:aws:iam::123456789012:root' } },
    { value: 'arn:aws:iam::123456789012:role/deployer', expected: { kind: 'arn', arn: 'arn:aws:iam::123456789012:role/deployer' } },
    { value: 'arn:aws:iam::123456789012:role/ci/deployer', expected: { kind: 'arn', arn: 'arn:aws:iam::123456789012:role/ci/deployer' } },
    { value: 'arn:aws-cn:iam::123456789012:user/alice', expected: { kind: 'arn', arn: 'arn:aws-cn:iam::123456789012:user/alice' } },
  ])('$value', ({ value, expected }) => {
    expect(parseTrustPrincipal(value, '--trust-principal')).toEqual(expected);
  });

  it.each([
    { value: 'arn:aws:sts::123456789012:assumed-role/Admin/alice', message: 'is the ARN of a session (assumed-role)', fix: 'Trust the role itself: arn:aws:iam::123456789012:role/Admin' },
    { value: 'ecs-tasks', message: 'is not a principal', fix: 'Did you mean the service principal ecs-tasks.amazonaws.com?' },
    { value: 'ECS-Tasks.amazonaws.com', message: 'is not a valid service principal', fix: 'lowercase: ecs-tasks.amazonaws.com' },
    { value: '1234-5678-9012', message: 'is not an account id as IAM writes it', fix: 'without separators: 123456789012' },
    { value: '12345678901', message: 'is not a 12-digit account id (it has 11 digits)', fix: '' },
    { value: 'arn:aws:iam::123456789012:group/devs', message: 'is not an ARN a trust policy can name', fix: 'a role or user ARN' },
    { value: 'arn:aws:iam::12345:role/x', message: 'is not an ARN a trust policy can name', fix: '' },
    { value: 'arn:aws:s3:::bucket', message: 'is not an ARN a trust policy can name', fix: '' },
    { value: `arn:aws:iam::123456789012:role/${'x'.repeat(65)}`, message: 'longer than 64', fix: '' },
    { value: '', message: 'is empty', fix: 'service principal (ecs-tasks.amazonaws.com)' },
    { value: 'someone@example.com', message: 'is not a principal ecsprimer understands', fix: 'me (the identity running ecsprimer)' },
    { value: 'ME', message: 'is not a principal', fix: '' },
  ])('refuses $value', ({ value, message, fix }) => {
    const e = thrown(() => parseTrustPrincipal(value, '--trust-principal'));
    expect(e.source).toBe('--trust-principal');
    expect(e.issues[0].message).toContain(message);
    if (fix) expect(e.issues[0].fix).toContain(fix);
  });
});

describe('trustPolicyFor', () => {
  it.each([
    { principal: { kind: 'service', service: 'ecs-tasks.amazonaws.com' } as const, expected: { Service: 'ecs-tasks.amazonaws.com' } },
    { principal: { kind: 'arn', arn: 'arn:aws:iam::123456789012:role/x' } as const, expected: { AWS: 'arn:aws:iam::123456789012:role/x' } },
    { principal: { kind: 'account', accountId: '123456789012' } as const, expected: { AWS: 'arn:aws:iam::123456789012:root' } },
  ])('$principal', ({ principal, expected }) => {
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
    { name: 'key order', a: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }, b: { Statement: [{ Resource: '*', Action: 's3:GetObject', Effect: 'Allow' }], Version: '2012-10-17' }, equal: true },
    { name: 'string vs one-element list', a: perm({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] }), b: perm({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), equal: true },
    { name: 'NotAction/NotResource lists', a: perm({ Effect: 'Deny', NotAction: ['s3:*'], NotResource: 'arn:aws:s3:::b' }), b: perm({ Effect: 'Deny', NotAction: 's3:*', NotResource: ['arn:aws:s3:::b'] }), equal: true },
    { name: 'statement object vs list', a: { Version: '2012-10-17', Statement: GOOD_STMT }, b: perm(GOOD_STMT), equal: true },
    { name: 'principal values', a: perm({ ...GOOD_TRUST_STMT, Principal: { Service: ['ecs-tasks.amazonaws.com'] } }), b: perm(GOOD_TRUST_STMT), equal: true },
    { name: 'account id vs root ARN', a: perm({ ...GOOD_TRUST_STMT, Principal: { AWS: '123456789012' } }), b: perm({ ...GOOD_TRUST_STMT, Principal: { AWS: 'arn:aws:iam::123456789012:root' } }), equal: true },
    { name: 'condition values', a: perm({ ...GOOD_STMT, Condition: { StringEquals: { k: ['v'] } } }), b: perm({ ...GOOD_STMT, Condition: { StringEquals: { k: 'v' } } }), equal: true },
    { name: 'two-element list order matters', a: perm({ ...GOOD_STMT, Action: ['a:b', 'a:c'] }), b: perm({ ...GOOD_STMT, Action: ['a:c', 'a:b'] }), equal: false },
    { name: 'different actions', a: perm({ ...GOOD_STMT, Action: 's3:GetObject' }), b: perm({ ...GOOD_STMT, Action: 's3:PutObject' }), equal: false },
    { name: 'one-element list elsewhere is not a string', a: { Version: '2012-10-17', Statement: [GOOD_STMT], Id: ['x'] }, b: { Version: '2012-10-17', Statement: [GOOD_STMT], Id: 'x' }, equal: false },
    { name: 'different effects', a: perm(GOOD_STMT), b: perm({ ...GOOD_STMT, Effect: 'Deny' }), equal: false },
    { name: 'non-policy values', a: [1, { a: 2, b: 3 }], b: [1, { b: 3, a: 2 }], equal: true },
  ])('$name → $a', ({ a, b, equal }) => {
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
    // No ${AWS::Region}: one policy serves the stack in every region (IAM is global).
    expect([...placeholdersUsed(doc, 'file json/policy.json')].sort()).toEqual(['AWS::AccountId', 'AWS::Partition', 'ecsprimer:stack']);
    for (const filled of [fillPlaceholders(doc, values), fillPlaceholders(doc, { stack: 'demo' })]) {
      expect(validatePermissionsPolicy(filled, 'file json/policy.json')).toEqual({ issues: [], warnings: [] });
      expect(securityFindings('permissions', filled)).toEqual({ refusals: [], warnings: [] });
    }
    expect(JSON.stringify(fillPlaceholders(doc, values))).toContain('arn:aws:logs:*:123456789012:log-group:/ecs/demo*');
    const china = JSON.stringify(fillPlaceholders(doc, { ...values, region: 'cn-north-1', partition: 'aws-cn' }));
    expect(china).toContain('arn:aws-cn:logs:*:123456789012:log-group:/ecs/demo*');
    expect(china).not.toContain('arn:aws:');
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
          Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:*:123456789012:*' }, StringEquals: { 'aws:SourceAccount': '123456789012' } },
        },
      ],
    });
  });
});
