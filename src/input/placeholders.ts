/**
 * Placeholders in documents: `${AWS::AccountId}`, `${AWS::Region}`, `${AWS::Partition}` and
 * `${ecsprimer:stack}` are filled in string values after parsing and before validation, so one
 * policy file works in every account, region, partition and stack.
 *
 * IAM policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${*}`...) use one colon
 * and are left for IAM to evaluate. Anything that starts like ours (`${AWS::...}`, any case, or
 * `${ecsprimer:...}`) but is not one of the three is refused rather than sent to AWS verbatim.
 */

import { InputError, type InputIssue } from '../errors.js';
import { isJsonObject, jsonPathOf, setOwn, type JsonValue } from './json.js';

export type PlaceholderName = 'AWS::AccountId' | 'AWS::Region' | 'AWS::Partition' | 'ecsprimer:stack';

export const PLACEHOLDER_NAMES: readonly PlaceholderName[] = ['AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'ecsprimer:stack'];

const SUPPORTED = PLACEHOLDER_NAMES.map((n) => `\${${n}}`).join(', ');

/** `${...}` with no `}` or `{` inside; IAM variables can't nest either. */
const PATTERN = /\$\{([^{}]*)\}/g;

/** Deeper than any parsed document (parseJsonStrict stops at 256); guards hand-built values. */
const MAX_WALK_DEPTH = 1000;

function isOurs(inner: string): boolean {
  return /^\s*aws\s*::/i.test(inner) || /^\s*ecsprimer\s*:/i.test(inner);
}

function isSupported(inner: string): inner is PlaceholderName {
  return (PLACEHOLDER_NAMES as readonly string[]).includes(inner);
}

function suggestion(inner: string): string | undefined {
  const squashed = inner.replace(/\s+/g, '').toLowerCase();
  return PLACEHOLDER_NAMES.find((n) => n.toLowerCase() === squashed);
}

function tooDeep(source: string, path: Array<string | number>): never {
  throw new InputError(source, {
    field: jsonPathOf(path) || undefined,
    message: `is nested too deeply (more than ${MAX_WALK_DEPTH} levels)`,
  });
}

/**
 * The supported placeholders used in string values of `value`. Throws an InputError naming the
 * field for each unknown `${AWS::...}` / `${ecsprimer:...}` one, and for ours used in a key
 * (keys are not filled).
 */
export function placeholdersUsed(value: JsonValue, source: string): Set<PlaceholderName> {
  const used = new Set<PlaceholderName>();
  const issues: InputIssue[] = [];

  const scan = (text: string, path: Array<string | number>, inKey: boolean): void => {
    for (const m of text.matchAll(PATTERN)) {
      const inner = m[1];
      if (!isOurs(inner)) continue;
      const field = jsonPathOf(path) || undefined;
      if (inKey) {
        issues.push({
          field,
          message: `the key ${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)} uses ${m[0]}, but placeholders are only filled in values`,
          fix: 'Write the key out in full',
        });
        continue;
      }
      if (isSupported(inner)) {
        used.add(inner);
        continue;
      }
      const near = suggestion(inner);
      const shown = m[0].length > 60 ? `${m[0].slice(0, 57)}...` : m[0];
      issues.push({
        field,
        message: `unknown placeholder ${shown}`,
        fix: near
          ? `Did you mean \${${near}}? The supported placeholders are ${SUPPORTED} (IAM policy variables such as \${aws:username} are left as they are)`
          : `The supported placeholders are ${SUPPORTED} (IAM policy variables such as \${aws:username} are left as they are)`,
      });
    }
  };

  const walk = (v: JsonValue, path: Array<string | number>, depth: number): void => {
    if (depth > MAX_WALK_DEPTH) tooDeep(source, path);
    if (typeof v === 'string') scan(v, path, false);
    else if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i], depth + 1));
    else if (isJsonObject(v)) {
      for (const key of Object.keys(v)) {
        scan(key, [...path, key], true);
        walk(v[key], [...path, key], depth + 1);
      }
    }
  };

  walk(value, [], 0);
  if (issues.length > 0) throw new InputError(source, issues);
  return used;
}

/**
 * A copy of `value` with the supported placeholders replaced in string values (not keys).
 * A missing accountId fills `<account-id>`, a missing region `<region>` (for previews before the
 * caller is known), a missing partition `aws`. Other `${...}` sequences are left as they are.
 */
export function fillPlaceholders(value: JsonValue, values: { accountId?: string; region?: string; partition?: string; stack: string }): JsonValue {
  const replacements: Record<PlaceholderName, string> = {
    'AWS::AccountId': values.accountId ?? '<account-id>',
    'AWS::Region': values.region ?? '<region>',
    'AWS::Partition': values.partition ?? 'aws',
    'ecsprimer:stack': values.stack,
  };
  const fill = (s: string): string =>
    s.includes('${') ? s.replace(PATTERN, (whole, inner: string) => (isSupported(inner) ? replacements[inner] : whole)) : s;

  const walk = (v: JsonValue, depth: number): JsonValue => {
    if (depth > MAX_WALK_DEPTH) tooDeep('document', []);
    if (typeof v === 'string') return fill(v);
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
    if (isJsonObject(v)) {
      const out: { [key: string]: JsonValue } = {};
      for (const key of Object.keys(v)) setOwn(out, key, walk(v[key], depth + 1));
      return out;
    }
    return v;
  };
  return walk(value, 0);
}
