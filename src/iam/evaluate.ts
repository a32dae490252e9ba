/**
 * Does a set of identity policies allow an action on a resource? The part of IAM's evaluation a
 * read-only check can judge from the documents alone: an explicit Deny wins, else any Allow
 * (Action/NotAction, Resource/NotResource, wildcards * and ?) grants. Conditions are not
 * evaluated: an Allow under a Condition counts as "allowed if its condition holds".
 * Permissions boundaries, SCPs and resource policies are not seen.
 */
import { isJsonObject, type JsonValue } from '../input/json.js';

export type Verdict = 'allowed' | 'conditional' | 'denied' | 'not-allowed';

const list = (v: JsonValue | undefined): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** IAM's wildcard match: `*` any run of characters, `?` one. */
export function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseInsensitive ? 'i' : '');
  return re.test(value);
}

function statements(doc: unknown): Array<Record<string, JsonValue>> {
  if (!isJsonObject(doc as JsonValue)) return [];
  const st = (doc as Record<string, JsonValue>).Statement;
  return (Array.isArray(st) ? st : [st]).filter((s): s is Record<string, JsonValue> => isJsonObject(s as JsonValue));
}

function matches(s: Record<string, JsonValue>, action: string, resource: string): boolean {
  const actionOk = s.Action !== undefined ? list(s.Action).some((a) => wildcard(a, action, true)) : s.NotAction !== undefined ? !list(s.NotAction).some((a) => wildcard(a, action, true)) : false;
  if (!actionOk) return false;
  return s.Resource !== undefined ? list(s.Resource).some((r) => wildcard(r, resource)) : s.NotResource !== undefined ? !list(s.NotResource).some((r) => wildcard(r, resource)) : false;
}

export function evaluate(docs: unknown[], action: string, resource: string): Verdict {
  let verdict: Verdict = 'not-allowed';
  for (const doc of docs) {
    for (const s of statements(doc)) {
      if (!matches(s, action, resource)) continue;
      if (s.Effect === 'Deny' && s.Condition === undefined) return 'denied';
      if (s.Effect === 'Allow') verdict = s.Condition === undefined ? 'allowed' : verdict === 'allowed' ? 'allowed' : 'conditional';
    }
  }
  return verdict;
}
