/**
 * The helpers every validator uses to word an InputIssue: where (a JSON path), what is wrong
 * (with the offending value quoted, cut short), and the fix (a sentence of its own), plus the
 * "did you mean" suggestion for a mistyped key. One module, so all messages read alike.
 */
import type { InputIssue } from '../errors.js';
import { jsonPathOf, type JsonValue } from './json.js';

/** A JSON path as its parts: `['containerDefinitions', 0, 'image']`. */
export type Path = ReadonlyArray<string | number>;

/**
 * One issue. `field` is a JSON path (as parts or as text), an option name, or nothing (the
 * document as a whole). The fix starts a sentence of its own: errors.ts prints "message. Fix".
 */
export function issue(field: Path | string | undefined, message: string, fix?: string): InputIssue {
  const i: InputIssue = { message };
  const at = typeof field === 'string' ? field : field ? jsonPathOf(field) : '';
  if (at) i.field = at;
  if (fix) i.fix = fix.charAt(0).toUpperCase() + fix.slice(1);
  return i;
}

/** A value for a message: JSON-quoted, cut to about `max` characters. */
export function quote(value: unknown, max = 60): string {
  let s: string;
  try {
    s = typeof value === 'string' ? JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value) : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > max + 8 ? `${s.slice(0, max)}…` : s;
}

/** What a value is, for "(got ...)": with the value itself unless `hide` is set (a secret). */
export function describe(v: unknown, hide = false): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return hide ? 'a string' : `the string ${quote(v)}`;
    case 'number':
      return hide ? 'a number' : `the number ${String(v)}`;
    case 'boolean':
      return hide ? 'a boolean' : String(v);
    case 'object':
      return 'an object';
    case 'undefined':
      return 'nothing';
    default:
      return `a ${typeof v}`;
  }
}

/** The kind of a value without the value: "a string", "an array", "missing". */
export function typeName(v: JsonValue | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** "a, b or c" */
export function listOr(items: readonly (string | number)[]): string {
  const s = items.map(String);
  if (s.length <= 1) return s.join('');
  return `${s.slice(0, -1).join(', ')} or ${s[s.length - 1]}`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3 || a.length > 64 || b.length > 64) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The allowed key that `key` was probably meant as: the same but for case, separators or a
 * plural s; with `fuzzy` (the default) also a unique prefix or a typo of up to two letters.
 */
export function suggestKey(key: string, allowed: readonly string[], opts: { fuzzy?: boolean } = {}): string | undefined {
  const norm = (k: string): string => k.toLowerCase().replace(/[\s_-]/g, '').replace(/s$/, '');
  const same = allowed.find((a) => norm(a) === norm(key));
  if (same || opts.fuzzy === false) return same;
  const lower = key.toLowerCase();
  if (lower.length >= 4) {
    const prefixed = allowed.filter((a) => a.toLowerCase().startsWith(lower) || lower.startsWith(a.toLowerCase()));
    if (prefixed.length === 1) return prefixed[0];
  }
  let best: string | undefined;
  let bestD = 3;
  for (const a of allowed) {
    const d = editDistance(lower, a.toLowerCase());
    if (d < bestD) [bestD, best] = [d, a];
  }
  return best;
}

/** The JSON path of member `key` (or element `key`, a number) of the value at `path`. */
export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const part = jsonPathOf([key]);
  return path === '' ? part : part.startsWith('[') ? `${path}${part}` : `${path}.${part}`;
}

/**
 * ARNs in `value` (string values that start with `arn:`) whose partition is not `partition`: AWS
 * refuses them (an `arn:aws:` ARN means nothing in cn-north-1), an emulator may not.
 */
export function partitionIssues(value: JsonValue, partition: string, path: Path = []): InputIssue[] {
  const out: InputIssue[] = [];
  const walk = (v: JsonValue, p: Array<string | number>) => {
    if (typeof v === 'string') {
      const m = /^arn:(aws(?:-[a-z]+)*):/.exec(v);
      if (m && m[1] !== partition) {
        out.push(issue(p, `${quote(v, 80)} is an ARN of the partition ${m[1]}, but this region is in ${partition}`, `write arn:${partition}:${v.slice(m[0].length)}, or \${AWS::Partition}, which ecsprimer fills in`));
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) walk(v[k], [...p, k]);
  };
  walk(value, [...path]);
  return out;
}
