import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { JsonValue } from '../../src/input/json.js';
import { parseJsonStrict } from '../../src/input/json.js';
import { fillPlaceholders, placeholdersUsed, type PlaceholderName } from '../../src/input/placeholders.js';

const SRC = 'file ./policy.json';

describe('placeholdersUsed', () => {
  it.each([
    ['none', { a: 'x' }, []],
    ['account', { Resource: 'arn:aws:iam::${AWS::AccountId}:role/x' }, ['AWS::AccountId']],
    ['region and account in one string', ['arn:aws:logs:${AWS::Region}:${AWS::AccountId}:*'], ['AWS::Region', 'AWS::AccountId']],
    ['stack, nested', { Statement: [{ Condition: { StringEquals: { k: ['${ecsprimer:stack}'] } } }] }, ['ecsprimer:stack']],
    ['IAM policy variables are left alone', { r: 'arn:aws:s3:::b/${aws:username}/*', t: '${aws:PrincipalTag/team}', s: '${*}${?}${$}' }, []],
    ['IAM variable with a default', { r: "${aws:PrincipalTag/team, 'none'}" }, []],
    ['other dollar text', { a: '$', b: '${', c: '${}', d: '$AWS::Region', e: '{AWS::Region}' }, []],
    ['numbers, booleans and null', [1, true, null, { a: false }], []],
  ] as Array<[string, JsonValue, PlaceholderName[]]>)('%s', (_name, value, expected) => {
    expect([...placeholdersUsed(value, SRC)].sort()).toEqual([...expected].sort());
  });

  it.each([
    // [value, field, message part, fix part]
    [{ Resource: 'arn:aws:s3:::${AWS::Partition}' }, 'Resource', 'unknown placeholder ${AWS::Partition}', '${AWS::AccountId}, ${AWS::Region}, ${ecsprimer:stack}'],
    [{ Statement: [{ Resource: ['x', '${ecsprimer:cluster}'] }] }, 'Statement[0].Resource[1]', 'unknown placeholder ${ecsprimer:cluster}', 'supported placeholders are'],
    [{ a: '${AWS::accountid}' }, 'a', 'unknown placeholder ${AWS::accountid}', 'Did you mean ${AWS::AccountId}?'],
    [{ a: '${aws::Region}' }, 'a', 'unknown placeholder', 'Did you mean ${AWS::Region}?'],
    [{ a: '${ecsprimer:Stack}' }, 'a', 'unknown placeholder', 'Did you mean ${ecsprimer:stack}?'],
    [{ a: '${ AWS::Region }' }, 'a', 'unknown placeholder', 'Did you mean ${AWS::Region}?'],
    [{ Condition: { StringEquals: { 'aws:ResourceTag/${ecsprimer:stack}': 'x' } } }, 'Condition.StringEquals["aws:ResourceTag/${ecsprimer:stack}"]', 'placeholders are only filled in values', 'Write the key out in full'],
    ['${AWS::StackName}', undefined, 'unknown placeholder ${AWS::StackName}', ''],
  ] as Array<[JsonValue, string | undefined, string, string]>)('refuses %j', (value, field, message, fix) => {
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
