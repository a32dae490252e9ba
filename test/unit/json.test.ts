import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { jsonPathOf, MAX_DEPTH, parseJsonStrict } from '../../src/input/json.js';

const SRC = 'file ./policy.json';

/** Deep equality of JSON values: Object.is on leaves, own keys in any order (safe for __proto__). */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.prototype.hasOwnProperty.call(b, k) &&
      sameJson(Object.getOwnPropertyDescriptor(a, k)?.value, Object.getOwnPropertyDescriptor(b, k)?.value),
  );
}

function failure(text: string): InputError {
  try {
    parseJsonStrict(text, SRC);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseJsonStrict accepts', () => {
  it.each([
    { text: '{}', expected: {} },
    { text: '[]', expected: [] },
    { text: 'null', expected: null },
    { text: 'true', expected: true },
    { text: 'false', expected: false },
    { text: '0', expected: 0 },
    { text: '-0', expected: -0 },
    { text: '12.5e-3', expected: 12.5e-3 },
    { text: '1E+2', expected: 100 },
    { text: '"a\\u00e9\\n\\t\\"\\\\\\/"', expected: 'aé\n\t"\\/' },
    { text: '  {"a" : [1, {"b": null}] }\r\n', expected: { a: [1, { b: null }] } },
    { text: '\uFEFF{"Version":"2012-10-17"}', expected: { Version: '2012-10-17' } },
    { text: '"\\ud800"', expected: '\ud800' },
    { text: '"\ud83d\ude00"', expected: '\ud83d\ude00' },
    { text: '1e400', expected: Infinity },
  ])('$text', ({ text, expected }) => {
    expect(parseJsonStrict(text, SRC)).toStrictEqual(expected);
  });

  it('numbers equal JSON.parse', () => {
    for (const n of ['123456789012', '0.1', '-1.5e10', '9007199254740993', '5e-324']) {
      expect(Object.is(parseJsonStrict(n, SRC), JSON.parse(n))).toBe(true);
    }
  });

  it('keeps __proto__ and constructor as ordinary keys without polluting prototypes', () => {
    const v = parseJsonStrict('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}', SRC) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(v, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(v)).toBe('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
    expect(sameJson(v, JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'))).toBe(true);
  });

  it(`accepts nesting up to ${MAX_DEPTH} levels`, () => {
    const text = '['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH);
    expect(() => parseJsonStrict(text, SRC)).not.toThrow();
  });
});

describe('parseJsonStrict refuses with position, message and fix', () => {
  it.each([
    // [name, text, line, column, message part, fix part]
    { name: 'empty', text: '', line: undefined, column: undefined, message: 'is empty', fix: 'JSON document' },
    { name: 'whitespace only', text: ' \n\t ', line: undefined, column: undefined, message: 'is empty', fix: 'JSON document' },
    { name: 'BOM only', text: '\uFEFF', line: undefined, column: undefined, message: 'is empty', fix: '' },
    { name: 'trailing comma in object', text: '{\n  "a": 1,\n}', line: 2, column: 9, message: 'trailing comma', fix: 'Remove the comma before }' },
    { name: 'trailing comma in array', text: '[1, 2, ]', line: 1, column: 6, message: 'trailing comma', fix: 'Remove the comma before ]' },
    { name: 'line comment', text: '{\n  // note\n  "a": 1\n}', line: 2, column: 3, message: 'JSON does not allow comments', fix: 'Remove the comment' },
    { name: 'block comment', text: '{"a": /* x */ 1}', line: 1, column: 7, message: 'JSON does not allow comments', fix: 'Remove the comment' },
    { name: 'comment after the value', text: '{}\n// end', line: 2, column: 1, message: 'JSON does not allow comments', fix: '' },
    { name: 'single-quoted value', text: `{"a": 'x'}`, line: 1, column: 7, message: 'double quotes, not single quotes', fix: `Write "..."` },
    { name: 'single-quoted key', text: `{'a': 1}`, line: 1, column: 2, message: 'double quotes, not single quotes', fix: '' },
    { name: 'unquoted key', text: '{\n  Effect: "Allow"\n}', line: 2, column: 3, message: 'the key `Effect` must be in double quotes', fix: 'Write "Effect"' },
    { name: 'unquoted value', text: '{"Effect": Allow}', line: 1, column: 12, message: 'unquoted text `Allow`', fix: 'Write "Allow"' },
    { name: 'truncated object', text: '{"a": 1', line: 1, column: 8, message: 'ends before the document is complete', fix: '' },
    { name: 'truncated array', text: '[1, 2', line: 1, column: 6, message: 'ends before the document is complete', fix: '' },
    { name: 'truncated after key', text: '{"a"', line: 1, column: 5, message: 'ends before the document is complete', fix: '' },
    { name: 'truncated string', text: '{"a": "xy', line: 1, column: 10, message: 'ends before the document is complete: the string that starts at line 1, column 7 is not closed', fix: '' },
    { name: 'truncated after colon', text: '{"a":', line: 1, column: 6, message: 'ends before the document is complete', fix: '' },
    { name: 'truncated literal', text: '[tr', line: 1, column: 4, message: 'ends before the document is complete', fix: '' },
    { name: 'truncated escape', text: '"\\', line: 1, column: 3, message: 'ends before the document is complete', fix: '' },
    { name: 'truncated \\u escape', text: '"\\u12', line: 1, column: 6, message: 'ends before the document is complete', fix: '' },
    { name: 'NaN', text: '{"a": NaN}', line: 1, column: 7, message: 'NaN is not a JSON value', fix: 'null' },
    { name: 'Infinity', text: '[Infinity]', line: 1, column: 2, message: 'Infinity is not a JSON value', fix: '' },
    { name: '-Infinity', text: '[1, -Infinity]', line: 1, column: 5, message: '-Infinity is not a JSON value', fix: '' },
    { name: 'leading zero', text: '{"Account": 0123}', line: 1, column: 13, message: 'leading zeros (found 0123)', fix: '"0123" in quotes' },
    { name: 'negative leading zero', text: '-00', line: 1, column: 1, message: 'leading zeros', fix: 'Write -0' },
    { name: 'hex', text: '0x1F', line: 1, column: 1, message: 'hexadecimal', fix: '' },
    { name: 'leading +', text: '+1', line: 1, column: 1, message: 'cannot start with +', fix: '' },
    { name: 'leading .', text: '.5', line: 1, column: 1, message: 'decimal point', fix: 'Write 0.5' },
    { name: 'digit-less fraction', text: '1.x', line: 1, column: 1, message: 'a digit must follow the decimal point', fix: '' },
    { name: 'digit-less exponent', text: '[1e+]', line: 1, column: 2, message: 'exponent needs digits', fix: '' },
    { name: 'minus alone', text: '[-]', line: 1, column: 2, message: '`-` must be followed by a digit', fix: '' },
    { name: 'invalid escape', text: '{"Path": "C:\\Users"}', line: 1, column: 13, message: 'invalid escape \\U', fix: 'write \\\\ for a backslash' },
    { name: 'invalid \\u escape', text: '"\\u00zz"', line: 1, column: 2, message: 'invalid escape \\u00: \\u needs exactly 4 hexadecimal digits', fix: 'Valid escapes' },
    { name: 'raw tab in string', text: '"a\tb"', line: 1, column: 3, message: 'raw tab character', fix: '\\t' },
    { name: 'raw line break in string', text: '{"a": "x\n"}', line: 1, column: 9, message: 'line break inside the string that starts at line 1, column 7 (is its closing " missing?)', fix: 'Close the string' },
    { name: 'raw control character', text: '"a\u0001"', line: 1, column: 3, message: 'raw control character U+0001', fix: '\\u0001' },
    { name: 'duplicate key', text: '{\n  "Effect": "Allow",\n  "Effect": "Deny"\n}', line: 3, column: 3, message: 'duplicate key "Effect" (first at line 2): IAM would keep only one of them', fix: 'Remove one' },
    { name: 'trailing garbage', text: '{"a": 1} x', line: 1, column: 10, message: 'after the end of the JSON document', fix: 'exactly one JSON value' },
    { name: 'extra closing brace', text: '{"a": {}}}', line: 1, column: 10, message: 'extra `}`', fix: '' },
    { name: 'second document', text: '{}\n{}', line: 2, column: 1, message: 'after the end of the JSON document', fix: 'Statement' },
    { name: 'missing comma in object', text: '{"a": 1\n "b": 2}', line: 2, column: 2, message: 'missing comma between properties', fix: 'Add a ,' },
    { name: 'missing comma in array', text: '["a" "b"]', line: 1, column: 6, message: 'missing comma between array elements', fix: '' },
    { name: 'missing colon', text: '{"a" 1}', line: 1, column: 6, message: 'missing : after the key "a"', fix: '' },
    { name: 'equals instead of colon', text: '{"a" = 1}', line: 1, column: 6, message: 'expected : after the key "a" but found =', fix: '' },
    { name: 'key without value', text: '{"a", "b": 1}', line: 1, column: 5, message: 'the key "a" has no value', fix: '' },
    { name: 'empty element', text: '[1,,2]', line: 1, column: 4, message: 'expected a value but found `,`', fix: '' },
    { name: 'mismatched bracket', text: '{"a": [1}', line: 1, column: 9, message: 'array opened at line 1, column 7 is still open', fix: '' },
    { name: 'mismatched brace', text: '[{"a": 1]', line: 1, column: 9, message: 'object opened at line 1, column 2 is still open', fix: '' },
    { name: 'uppercase literal', text: '[True]', line: 1, column: 2, message: '`True` is not a JSON value', fix: 'write true' },
    { name: 'None', text: '{"a": None}', line: 1, column: 7, message: '`None` is not a JSON value', fix: 'null' },
    { name: 'no-break space', text: '{"a":\u00a01}', line: 1, column: 6, message: 'invisible character U+00A0 (no-break space)', fix: 'ordinary space' },
    { name: 'curly quotes', text: '{\u201cEffect\u201d: 1}', line: 1, column: 2, message: 'typographic quote', fix: 'straight double quotes' },
    { name: 'BOM shifts no column', text: '\uFEFF{"a": 1,}', line: 1, column: 8, message: 'trailing comma', fix: '' },
    { name: 'CRLF line counting', text: '{\r\n"a": 1,\r\n}', line: 2, column: 7, message: 'trailing comma', fix: '' },
    { name: 'columns count characters', text: '["\ud83d\ude00", x]', line: 1, column: 7, message: 'unquoted text `x`', fix: '' },
  ])('$name', ({ text, line, column, message, fix }) => {
    const e = failure(text);
    expect(e.source).toBe(SRC);
    expect(e.issues).toHaveLength(1);
    const issue = e.issues[0];
    expect(issue.line).toBe(line);
    expect(issue.column).toBe(column);
    expect(issue.message).toContain(message);
    if (fix) expect(issue.fix ?? '').toContain(fix);
    expect(e.message.startsWith(`${SRC}: `)).toBe(true);
    if (line !== undefined) expect(e.message).toContain(`line ${line}, column ${column}`);
  });

  it('names the field of an error inside a document', () => {
    const e = failure('{"Statement": [{"Effect": "Allow"}, {"Action": [\'s3:GetObject\']}]}');
    expect(e.issues[0].field).toBe('Statement[1].Action[0]');
    expect(e.message).toContain('Statement[1].Action[0]');
  });

  it('names the duplicated key with its path', () => {
    const e = failure('{"Statement": {"Condition": {"StringEquals": {"aws:SourceAccount": "1", "aws:SourceAccount": "2"}}}}');
    expect(e.issues[0].field).toBe('Statement.Condition.StringEquals["aws:SourceAccount"]');
    expect(e.issues[0].message).toContain('"aws:SourceAccount"');
  });

  it.each([
    { name: 'arrays', make: (n: number) => '['.repeat(n) + ']'.repeat(n) },
    { name: 'objects', make: (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n) },
    { name: 'unclosed arrays', make: (n: number) => '['.repeat(n) },
  ])('refuses $name nested too deeply, quickly and without a stack overflow', ({ make }) => {
    for (const n of [MAX_DEPTH + 1, 100_000]) {
      const e = failure(make(n));
      expect(e.issues[0].message).toContain('nested too deeply');
    }
  });

  it('is linear on large input', () => {
    const big = JSON.stringify({ Statement: Array.from({ length: 20_000 }, (_, i) => ({ Sid: `S${i}`, Action: ['s3:GetObject'] })) });
    const t = Date.now();
    expect(parseJsonStrict(big, SRC)).toStrictEqual(JSON.parse(big));
    expect(Date.now() - t).toBeLessThan(2000);
    const unterminated = '"' + 'a'.repeat(1_000_000);
    expect(failure(unterminated).issues[0].message).toContain('ends before the document is complete');
  });
});

describe('jsonPathOf', () => {
  it.each([
    { parts: [], expected: '' },
    { parts: ['Statement'], expected: 'Statement' },
    { parts: ['Statement', 0, 'Effect'], expected: 'Statement[0].Effect' },
    { parts: ['Statement', 1, 'Principal', 'AWS'], expected: 'Statement[1].Principal.AWS' },
    { parts: ['Condition', 'StringEquals', 'aws:SourceAccount'], expected: 'Condition.StringEquals["aws:SourceAccount"]' },
    { parts: ['a b'], expected: '["a b"]' },
    { parts: [0, 'x'], expected: '[0].x' },
    { parts: ['', 'q"uote'], expected: '[""]["q\\"uote"]' },
    { parts: ['_ok', '$ok', '9no'], expected: '_ok.$ok["9no"]' },
  ] as Array<{ parts: Array<string | number>; expected: string }>)('$parts → $expected', ({ parts, expected }) => {
    expect(jsonPathOf(parts)).toBe(expected);
  });
});
