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
    ['{}', {}],
    ['[]', []],
    ['null', null],
    ['true', true],
    ['false', false],
    ['0', 0],
    ['-0', -0],
    ['12.5e-3', 12.5e-3],
    ['1E+2', 100],
    ['"a\\u00e9\\n\\t\\"\\\\\\/"', 'aé\n\t"\\/'],
    ['  {"a" : [1, {"b": null}] }\r\n', { a: [1, { b: null }] }],
    ['\uFEFF{"Version":"2012-10-17"}', { Version: '2012-10-17' }],
    ['"\\ud800"', '\ud800'],
    ['"\ud83d\ude00"', '\ud83d\ude00'],
    ['1e400', Infinity],
  ])('%j', (text, expected) => {
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
    ['empty', '', undefined, undefined, 'is empty', 'JSON document'],
    ['whitespace only', ' \n\t ', undefined, undefined, 'is empty', 'JSON document'],
    ['BOM only', '\uFEFF', undefined, undefined, 'is empty', ''],
    ['trailing comma in object', '{\n  "a": 1,\n}', 2, 9, 'trailing comma', 'Remove the comma before }'],
    ['trailing comma in array', '[1, 2, ]', 1, 6, 'trailing comma', 'Remove the comma before ]'],
    ['line comment', '{\n  // note\n  "a": 1\n}', 2, 3, 'JSON does not allow comments', 'Remove the comment'],
    ['block comment', '{"a": /* x */ 1}', 1, 7, 'JSON does not allow comments', 'Remove the comment'],
    ['comment after the value', '{}\n// end', 2, 1, 'JSON does not allow comments', ''],
    ['single-quoted value', `{"a": 'x'}`, 1, 7, 'double quotes, not single quotes', `Write "..."`],
    ['single-quoted key', `{'a': 1}`, 1, 2, 'double quotes, not single quotes', ''],
    ['unquoted key', '{\n  Effect: "Allow"\n}', 2, 3, 'the key `Effect` must be in double quotes', 'Write "Effect"'],
    ['unquoted value', '{"Effect": Allow}', 1, 12, 'unquoted text `Allow`', 'Write "Allow"'],
    ['truncated object', '{"a": 1', 1, 8, 'ends before the document is complete', ''],
    ['truncated array', '[1, 2', 1, 6, 'ends before the document is complete', ''],
    ['truncated after key', '{"a"', 1, 5, 'ends before the document is complete', ''],
    ['truncated string', '{"a": "xy', 1, 10, 'ends before the document is complete: the string that starts at line 1, column 7 is not closed', ''],
    ['truncated after colon', '{"a":', 1, 6, 'ends before the document is complete', ''],
    ['truncated literal', '[tr', 1, 4, 'ends before the document is complete', ''],
    ['truncated escape', '"\\', 1, 3, 'ends before the document is complete', ''],
    ['truncated \\u escape', '"\\u12', 1, 6, 'ends before the document is complete', ''],
    ['NaN', '{"a": NaN}', 1, 7, 'NaN is not a JSON value', 'null'],
    ['Infinity', '[Infinity]', 1, 2, 'Infinity is not a JSON value', ''],
    ['-Infinity', '[1, -Infinity]', 1, 5, '-Infinity is not a JSON value', ''],
    ['leading zero', '{"Account": 0123}', 1, 13, 'leading zeros (found 0123)', '"0123" in quotes'],
    ['negative leading zero', '-00', 1, 1, 'leading zeros', 'Write -0'],
    ['hex', '0x1F', 1, 1, 'hexadecimal', ''],
    ['leading +', '+1', 1, 1, 'cannot start with +', ''],
    ['leading .', '.5', 1, 1, 'decimal point', 'Write 0.5'],
    ['digit-less fraction', '1.x', 1, 1, 'a digit must follow the decimal point', ''],
    ['digit-less exponent', '[1e+]', 1, 2, 'exponent needs digits', ''],
    ['minus alone', '[-]', 1, 2, '`-` must be followed by a digit', ''],
    ['invalid escape', '{"Path": "C:\\Users"}', 1, 13, 'invalid escape \\U', 'write \\\\ for a backslash'],
    ['invalid \\u escape', '"\\u00zz"', 1, 2, 'invalid escape \\u00: \\u needs exactly 4 hexadecimal digits', 'Valid escapes'],
    ['raw tab in string', '"a\tb"', 1, 3, 'raw tab character', '\\t'],
    ['raw line break in string', '{"a": "x\n"}', 1, 9, 'line break inside the string that starts at line 1, column 7 (is its closing " missing?)', 'Close the string'],
    ['raw control character', '"a\u0001"', 1, 3, 'raw control character U+0001', '\\u0001'],
    ['duplicate key', '{\n  "Effect": "Allow",\n  "Effect": "Deny"\n}', 3, 3, 'duplicate key "Effect" (first at line 2): IAM would keep only one of them', 'Remove one'],
    ['trailing garbage', '{"a": 1} x', 1, 10, 'after the end of the JSON document', 'exactly one JSON value'],
    ['extra closing brace', '{"a": {}}}', 1, 10, 'extra `}`', ''],
    ['second document', '{}\n{}', 2, 1, 'after the end of the JSON document', 'Statement'],
    ['missing comma in object', '{"a": 1\n "b": 2}', 2, 2, 'missing comma between properties', 'Add a ,'],
    ['missing comma in array', '["a" "b"]', 1, 6, 'missing comma between array elements', ''],
    ['missing colon', '{"a" 1}', 1, 6, 'missing : after the key "a"', ''],
    ['equals instead of colon', '{"a" = 1}', 1, 6, 'expected : after the key "a" but found =', ''],
    ['key without value', '{"a", "b": 1}', 1, 5, 'the key "a" has no value', ''],
    ['empty element', '[1,,2]', 1, 4, 'expected a value but found `,`', ''],
    ['mismatched bracket', '{"a": [1}', 1, 9, 'array opened at line 1, column 7 is still open', ''],
    ['mismatched brace', '[{"a": 1]', 1, 9, 'object opened at line 1, column 2 is still open', ''],
    ['uppercase literal', '[True]', 1, 2, '`True` is not a JSON value', 'write true'],
    ['None', '{"a": None}', 1, 7, '`None` is not a JSON value', 'null'],
    ['no-break space', '{"a":\u00a01}', 1, 6, 'invisible character U+00A0 (no-break space)', 'ordinary space'],
    ['curly quotes', '{\u201cEffect\u201d: 1}', 1, 2, 'typographic quote', 'straight double quotes'],
    ['BOM shifts no column', '\uFEFF{"a": 1,}', 1, 8, 'trailing comma', ''],
    ['CRLF line counting', '{\r\n"a": 1,\r\n}', 2, 7, 'trailing comma', ''],
    ['columns count characters', '["\ud83d\ude00", x]', 1, 7, 'unquoted text `x`', ''],
  ])('%s', (_name, text, line, column, message, fix) => {
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
    ['arrays', (n: number) => '['.repeat(n) + ']'.repeat(n)],
    ['objects', (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)],
    ['unclosed arrays', (n: number) => '['.repeat(n)],
  ])('refuses %s nested too deeply, quickly and without a stack overflow', (_name, make) => {
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
    [[], ''],
    [['Statement'], 'Statement'],
    [['Statement', 0, 'Effect'], 'Statement[0].Effect'],
    [['Statement', 1, 'Principal', 'AWS'], 'Statement[1].Principal.AWS'],
    [['Condition', 'StringEquals', 'aws:SourceAccount'], 'Condition.StringEquals["aws:SourceAccount"]'],
    [['a b'], '["a b"]'],
    [[0, 'x'], '[0].x'],
    [['', 'q"uote'], '[""]["q\\"uote"]'],
    [['_ok', '$ok', '9no'], '_ok.$ok["9no"]'],
  ] as Array<[Array<string | number>, string]>)('%j → %s', (parts, expected) => {
    expect(jsonPathOf(parts)).toBe(expected);
  });
});
