import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { JsonValue } from '../../src/input/json.js';
import { parseJsonStrict } from '../../src/input/json.js';
import { fillPlaceholders, placeholdersUsed, type PlaceholderName } from '../../src/input/placeholders.js';

const SRC = 'file ./policy.json';

describe('placeholdersUsed', () => {
  it.each([
    { name: 'none', value: { a: 'x' }, expected: [] },
    { name: 'account', value: { Resource: 'arn:aws:iam::${AWS::AccountId}:role/x' }, expected: ['AWS::AccountId'] },
    { name: 'region and account in one string', value: ['arn:aws:logs:${AWS::Region}:${AWS::AccountId}:*'], expected: ['AWS::Region', 'AWS::AccountId'] },
    { name: 'stack, nested', value: { Statement: [{ Condition: { StringEquals: { k: ['${ecsprimer:stack}'] } } }] }, expected: ['ecsprimer:stack'] },
    { name: 'IAM policy variables are left alone', value: { r: 'arn:aws:s3:::b/${aws:username}/*', t: '${aws:PrincipalTag/team}', s: '${*}${?}${$}' }, expected: [] },
    { name: 'IAM variable with a default', value: { r: "${aws:PrincipalTag/team, 'none'}" }, expected: [] },
    { name: 'other dollar text', value: { a: '$', b: '${', c: '${}', d: '$AWS::Region', e: '{AWS::Region}' }, expected: [] },
    { name: 'numbers, booleans and null', value: [1, true, null, { a: false }], expected: [] },
  ] as Array<{ name: string; value: JsonValue; expected: PlaceholderName[] }>)('$name', ({ value, expected }) => {
    expect([...placeholdersUsed(value, SRC)].sort()).toEqual([...expected].sort());
  });

  it.each([
    // [value, field, message part, fix part]
    { value: { Resource: 'arn:aws:s3:::${AWS::StackName}' }, field: 'Resource', message: 'unknown placeholder ${AWS::StackName}', fix: '${AWS::AccountId}, ${AWS::Region}, ${AWS::Partition}, ${ecsprimer:stack}' },
    { value: { Statement: [{ Resource: ['x', '${ecsprimer:cluster}'] }] }, field: 'Statement[0].Resource[1]', message: 'unknown placeholder ${ecsprimer:cluster}', fix: 'supported placeholders are' },
    { value: { a: '${AWS::accountid}' }, field: 'a', message: 'unknown placeholder ${AWS::accountid}', fix: 'Did you mean ${AWS::AccountId}?' },
    { value: { a: '${aws::Region}' }, field: 'a', message: 'unknown placeholder', fix: 'Did you mean ${AWS::Region}?' },
    { value: { a: '${ecsprimer:Stack}' }, field: 'a', message: 'unknown placeholder', fix: 'Did you mean ${ecsprimer:stack}?' },
    { value: { a: '${ AWS::Region }' }, field: 'a', message: 'unknown placeholder', fix: 'Did you mean ${AWS::Region}?' },
    { value: { Condition: { StringEquals: { 'aws:ResourceTag/${ecsprimer:stack}': 'x' } } }, field: 'Condition.StringEquals["aws:ResourceTag/${ecsprimer:stack}"]', message: 'placeholders are only filled in values', fix: 'Write the key out in full' },
    { value: '${AWS::StackName}', field: undefined, message: 'unknown placeholder ${AWS::StackName}', fix: '' },
  ] as Array<{ value: JsonValue; field: string | undefined; message: string; fix: string }>)('refuses $value', ({ value, field, message, fix }) => {
    let err: unknown;
    try {
      placeholdersUsed(value, SRC);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const e = err as InputError;
    expect(e.source).toBe(SRC);
    expect(e.issues[0].field).toBe(field);
    expect(e.issues[0].message).toContain(message);
    if (fix) expect(e.issues[0].fix).toContain(fix);
    expect(e.message).toContain(SRC);
  });

  it('reports every unknown placeholder at once', () => {
    try {
      placeholdersUsed({ a: '${AWS::X}', b: ['${AWS::Y}'] }, SRC);
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).issues.map((i) => i.field)).toEqual(['a', 'b[0]']);
    }
  });
});

describe('fillPlaceholders', () => {
  const values = { accountId: '123456789012', region: 'eu-west-1', stack: 'demo' };

  it.each([
    { input: 'arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:/ecs/${ecsprimer:stack}*', output: 'arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/demo*' },
    { input: '${AWS::AccountId}${AWS::AccountId}', output: '123456789012123456789012' },
    { input: 'arn:aws:s3:::b/${aws:username}', output: 'arn:aws:s3:::b/${aws:username}' },
    { input: '${AWS::Unknown}', output: '${AWS::Unknown}' },
    { input: 'no placeholders', output: 'no placeholders' },
  ])('$input', ({ input, output }) => {
    expect(fillPlaceholders({ v: input }, values)).toEqual({ v: output });
  });

  it('fills <account-id> and <region> when they are not known', () => {
    expect(fillPlaceholders(['${AWS::AccountId}', '${AWS::Region}', '${ecsprimer:stack}'], { stack: 's' })).toEqual(['<account-id>', '<region>', 's']);
  });

  it('does not treat $ in values specially', () => {
    expect(fillPlaceholders('${ecsprimer:stack}', { stack: "$&$'$1" })).toBe("$&$'$1");
  });

  it('fills values only, returns a new value and keeps the input unchanged', () => {
    const input = parseJsonStrict('{"${ecsprimer:stack}": "${ecsprimer:stack}", "n": [1, true, null, {"x": "${AWS::Region}"}]}', SRC);
    const copy = JSON.stringify(input);
    const out = fillPlaceholders(input, values);
    expect(out).toEqual({ '${ecsprimer:stack}': 'demo', n: [1, true, null, { x: 'eu-west-1' }] });
    expect(JSON.stringify(input)).toBe(copy);
    expect(out).not.toBe(input);
  });

  it('keeps __proto__ keys as data', () => {
    const input = parseJsonStrict('{"__proto__": {"a": "${ecsprimer:stack}"}}', SRC);
    const out = fillPlaceholders(input, values) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"a":"demo"}}');
  });
});
