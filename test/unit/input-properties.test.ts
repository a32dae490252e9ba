/**
 * Properties of the input layer: whatever the input, parsing and validation either succeed or
 * throw an InputError (never another exception), and never hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/errors.js';
import { documentsEqual, parsePolicyRef, parseRoleRef, parseTrustPrincipal, securityFindings, validatePermissionsPolicy, validatePolicyName, validateRoleName, validateTrustPolicy } from '../../src/iam/validate.js';
import { canonicalJson, MAX_DEPTH, parseJsonStrict, type JsonValue } from '../../src/input/json.js';
import { fillPlaceholders, placeholdersUsed } from '../../src/input/placeholders.js';
import { decodeDocument } from '../../src/input/source.js';

const SRC = 'property';

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

function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return max;
}

/** The oracle: JSON.parse (after the BOM we accept), and whether a refusal is legitimate. */
function checkAgainstJsonParse(text: string): void {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let expected: { ok: true; value: unknown } | { ok: false };
  try {
    expected = { ok: true, value: JSON.parse(body) };
  } catch {
    expected = { ok: false };
  }
  let actual: { ok: true; value: JsonValue } | { ok: false; error: unknown };
  try {
    actual = { ok: true, value: parseJsonStrict(text, SRC) };
  } catch (e) {
    actual = { ok: false, error: e };
  }
  if (!actual.ok) {
    expect(actual.error).toBeInstanceOf(InputError);
    const e = actual.error as InputError;
    expect(e.source).toBe(SRC);
    expect(e.issues.length).toBeGreaterThan(0);
    expect(e.message.length).toBeGreaterThan(0);
    for (const i of e.issues) {
      if (i.line !== undefined) expect(i.line).toBeGreaterThanOrEqual(1);
      if (i.column !== undefined) expect(i.column).toBeGreaterThanOrEqual(1);
    }
    if (expected.ok) {
      // JSON.parse accepted it: the only reasons to refuse are ours.
      const m = e.issues[0].message;
      expect(m.startsWith('duplicate key') || (m.startsWith('nested too deeply') && depthOf(body) > MAX_DEPTH)).toBe(true);
    }
  } else {
    expect(expected.ok).toBe(true);
    if (expected.ok) expect(sameJson(actual.value, expected.value)).toBe(true);
  }
}

const TOKENS = [
  '{', '}', '[', ']', ',', ':', ' ', '\n', '\r\n', '\t',
  '"a"', '"b"', '"Effect"', '"__proto__"', '"constructor"', '"\\u00e9"', '"\\ud800"', '"\\"', '"\\x"', '"\t"', '"',
  '0', '-0', '1', '-1.5e3', '01', '1.', '.5', '+1', '1e', '0x1', '123456789012',
  'true', 'false', 'null', 'True', 'NaN', 'Infinity', '-Infinity', 'tru',
  '//', '/*', '*/', "'x'", 'x', '\u00a0', '\ufeff', '\u201c', '\\', '\u0000',
];

const jsonish = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((parts) => parts.join(''));

describe('parseJsonStrict agrees with JSON.parse or throws InputError', () => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), checkAgainstJsonParse), { numRuns: 1000 });
  });

  it('on arbitrary unicode strings (full code points and lone surrogates)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), checkAgainstJsonParse), { numRuns: 500 });
  });

  it('on strings built from JSON tokens', () => {
    fc.assert(fc.property(jsonish, checkAgainstJsonParse), { numRuns: 1000 });
  });

  it('on fc.json() documents (always accepted, equal to JSON.parse)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(sameJson(parseJsonStrict(text, SRC), JSON.parse(text))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('on pretty-printed and BOM-prefixed fc.jsonValue() documents', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, '\t'), fc.boolean(), (value, indent, bom) => {
        const text = (bom ? '\ufeff' : '') + JSON.stringify(value, null, indent);
        expect(sameJson(parseJsonStrict(text, SRC), JSON.parse(text.replace(/^\ufeff/, '')))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('on mutated JSON documents (a character deleted, inserted or replaced)', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom(...TOKENS), fc.constantFrom('delete', 'insert', 'replace'), (text, at, token, op) => {
        const i = text.length === 0 ? 0 : at % text.length;
        const mutated =
          op === 'delete' ? text.slice(0, i) + text.slice(i + 1) : op === 'insert' ? text.slice(0, i) + token + text.slice(i) : text.slice(0, i) + token + text.slice(i + 1);
        checkAgainstJsonParse(mutated);
      }),
      { numRuns: 1000 },
    );
  });

  it('on deep nesting, balanced or not', () => {
    const opener = fc.constantFrom('[', '{"a":', '[{"k":[');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), opener, fc.boolean(), (n, open, close) => {
        const closer = open === '[' ? ']' : open === '{"a":' ? '}' : ']}]';
        const text = open.repeat(n) + (open === '[' ? '' : '1') + (close ? closer.repeat(n) : '');
        checkAgainstJsonParse(text);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses duplicate keys at any depth', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), fc.integer({ min: 0, max: 5 }), (key, v, depth) => {
        const k = JSON.stringify(key);
        const inner = `{${k}: ${JSON.stringify(v)}, ${k}: 1}`;
        const text = '{"x":['.repeat(depth) + inner + ']}'.repeat(depth);
        try {
          parseJsonStrict(text, SRC);
          expect.unreachable();
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expect((e as InputError).issues[0].message).toContain(`duplicate key ${k}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeDocument never throws anything but InputError', () => {
  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const text = decodeDocument(bytes, SRC);
          expect(typeof text).toBe('string');
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts any UTF-8 text without NUL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 50 }).filter((s) => s.trim() !== '' && !s.includes('\0')), (s) => {
        expect(decodeDocument(Buffer.from(s, 'utf8'), SRC)).toBe(s.replace(/^\ufeff/, ''));
      }),
      { numRuns: 300 },
    );
  });
});

// -------------------------------------------------------------------------------------------

function onlyInputErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof InputError) && !(e instanceof UsageError)) throw e;
  }
}

const placeholderish = fc
  .array(fc.constantFrom('${AWS::AccountId}', '${AWS::Region}', '${ecsprimer:stack}', '${aws:username}', '${AWS::Foo}', '${ecsprimer:x}', '${', '}', '$', 'x', ':', '/', '*'), { maxLength: 8 })
  .map((p) => p.join(''));

/** JSON values that look like policies, with arbitrary parts. */
const policyish: fc.Arbitrary<JsonValue> = fc.record(
  {
    Version: fc.oneof(fc.constantFrom('2012-10-17', '2008-10-17'), fc.jsonValue({ maxDepth: 1 })),
    Id: fc.jsonValue({ maxDepth: 1 }),
    Statement: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.array(
        fc.record(
          {
            Sid: fc.oneof(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 })),
            Effect: fc.oneof(fc.constantFrom('Allow', 'Deny', 'allow'), fc.jsonValue({ maxDepth: 1 })),
            Action: fc.oneof(fc.constantFrom('*', 's3:GetObject', 'iam:PassRole', 'iam:*', 'sts:AssumeRole', ['*']), placeholderish, fc.array(fc.string({ maxLength: 12 })), fc.jsonValue({ maxDepth: 2 })),
            NotAction: fc.jsonValue({ maxDepth: 2 }),
            Resource: fc.oneof(fc.constantFrom('*', 'arn:aws:s3:::b/*', ['*']), placeholderish, fc.jsonValue({ maxDepth: 2 })),
            NotResource: fc.jsonValue({ maxDepth: 2 }),
            Principal: fc.oneof(
              fc.constantFrom('*', { AWS: '*' }, { AWS: ['*'] }, { Service: 'ecs-tasks.amazonaws.com' }),
              fc.dictionary(fc.constantFrom('AWS', 'Service', 'Federated', 'CanonicalUser', 'aws', '__proto__'), fc.jsonValue({ maxDepth: 1 })),
              fc.jsonValue({ maxDepth: 2 }),
            ),
            NotPrincipal: fc.jsonValue({ maxDepth: 2 }),
            Condition: fc.oneof(fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 2 })), fc.jsonValue({ maxDepth: 3 })),
            Extra: fc.jsonValue({ maxDepth: 1 }),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
    ),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<JsonValue>;

const anyValue: fc.Arbitrary<JsonValue> = fc.oneof(fc.jsonValue() as fc.Arbitrary<JsonValue>, policyish);

describe('placeholders and validators on arbitrary values return results or throw InputError only', () => {
  it('placeholdersUsed / fillPlaceholders', () => {
    fc.assert(
      fc.property(anyValue, placeholderish, (value, s) => {
        for (const v of [value, s, { k: s, [s]: value }, [s, value]]) {
          onlyInputErrors(() => {
            const used = placeholdersUsed(v as JsonValue, SRC);
            expect(used).toBeInstanceOf(Set);
          });
          const filled = fillPlaceholders(v as JsonValue, { stack: 'st', accountId: '123456789012', region: 'eu-west-1' });
          // Every string value is filled; keys are kept as they are; the shape is unchanged.
          const check = (before: JsonValue, after: JsonValue): void => {
            if (typeof before === 'string') {
              expect(typeof after).toBe('string');
              expect(after).not.toMatch(/\$\{(AWS::AccountId|AWS::Region|ecsprimer:stack)\}/);
            } else if (before !== null && typeof before === 'object') {
              expect(Object.keys(after ?? {})).toEqual(Object.keys(before));
              for (const k of Object.keys(before)) {
                check(Object.getOwnPropertyDescriptor(before, k)?.value, Object.getOwnPropertyDescriptor(after, k)?.value);
              }
            } else expect(Object.is(after, before)).toBe(true);
          };
          check(v as JsonValue, filled);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('fillPlaceholders keeps a value without placeholders unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        if (JSON.stringify(v).includes('${')) return;
        expect(sameJson(fillPlaceholders(v as JsonValue, { stack: 's' }), v)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('validatePermissionsPolicy / validateTrustPolicy / securityFindings', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        for (const validate of [validatePermissionsPolicy, validateTrustPolicy]) {
          const r = validate(value, SRC);
          expect(Array.isArray(r.issues)).toBe(true);
          expect(Array.isArray(r.warnings)).toBe(true);
          for (const i of r.issues) {
            expect(typeof i.message).toBe('string');
            expect(i.message.length).toBeGreaterThan(0);
          }
          // The issues can always be turned into an InputError message.
          if (r.issues.length) expect(new InputError(SRC, r.issues).message).toContain(SRC);
        }
        for (const kind of ['permissions', 'trust'] as const) {
          const f = securityFindings(kind, value);
          for (const r of f.refusals) expect(['--allow-admin', '--allow-public-trust']).toContain(r.flag);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('canonicalJson / documentsEqual', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(documentsEqual(value, value)).toBe(true);
        expect(documentsEqual(value, JSON.parse(JSON.stringify(value)))).toBe(true);
        expect(sameJson(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('names, references and principals', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 140 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.tuple(fc.constantFrom('arn:aws:iam::', 'arn:aws:sts::', 'arn:', 'arn:aws-cn:iam::'), fc.constantFrom('123456789012', 'aws', '', '1'), fc.constantFrom(':policy/', ':role/', ':root', ':user/', ':assumed-role/'), fc.string({ maxLength: 20 })).map((p) => p.join('')),
      fc.stringMatching(/^[a-z0-9.-]{1,30}\.amazonaws\.com$/),
      fc.stringMatching(/^\d{10,14}$/),
    );
    fc.assert(
      fc.property(value, (v) => {
        onlyInputErrors(() => validatePolicyName(v, '--name'));
        onlyInputErrors(() => validateRoleName(v, '--name'));
        onlyInputErrors(() => parsePolicyRef(v, '--policy'));
        onlyInputErrors(() => parseRoleRef(v, '--role'));
        onlyInputErrors(() => parseTrustPrincipal(v, '--trust-principal'));
      }),
      { numRuns: 1000 },
    );
  });
});
