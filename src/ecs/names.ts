/**
 * ECS names (families, containers, clusters, services) and references to task definitions
 * (`family`, `family:3`, or an ARN), checked as ECS does before any request.
 */
import { InputError } from '../errors.js';
import { describe, issue, quote } from '../input/issues.js';

const NAME_RE = /^[A-Za-z0-9_-]{1,255}$/;
const INT32_MAX = 2_147_483_647;

/**
 * Checks a family / container / cluster / service name (1–255 letters, digits, hyphens,
 * underscores). Returns a message fragment and a fix, or undefined when the name is fine.
 */
export function nameProblem(v: string, what: string): { message: string; fix: string } | undefined {
  if (NAME_RE.test(v)) return undefined;
  const rule = `${what} must be 1–255 letters, digits, hyphens (-) and underscores (_)`;
  if (v.length === 0) return { message: `is empty; ${rule}`, fix: `give the ${what} a value such as "my-app"` };
  if (v.length > 255) return { message: `is ${v.length} characters long; ${rule}`, fix: `shorten it to 255 characters or fewer` };
  const bad: string[] = [];
  for (const ch of v) {
    if (!/[A-Za-z0-9_-]/.test(ch) && !bad.includes(ch)) bad.push(ch);
    if (bad.length >= 5) break;
  }
  const chars = bad.map((c) => JSON.stringify(c)).join(', ');
  const placeholder = /\$\{|<[^>]*>?|\{\{/.test(v);
  return {
    message: `${quote(v)} contains ${bad.length === 1 ? 'a character' : 'characters'} that ${what} cannot have (${chars}); ${rule}`,
    fix: placeholder
      ? `it looks like a placeholder such as \${ecsprimer:stack} or <name> was not filled in; replace it with a real name`
      : `remove or replace ${bad.length === 1 ? 'that character' : 'those characters'} (for example with "-")`,
  };
}

export interface TaskDefinitionRef {
  family: string;
  revision?: number;
  arn?: string;
}

const TASK_DEF_ARN_RE = /^arn:aws(?:-[a-z]+)*:ecs:([a-z]{2,4}(?:-[a-z]+)+-\d{1,2}):(\d{12}):task-definition\/([^:]*)(?::(.*))?$/;
const REF_FORMS = 'FAMILY, FAMILY:REVISION (e.g. my-app:3) or a task definition ARN (arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION)';

/** Parses `family`, `family:3` or `arn:aws:ecs:REGION:ACCOUNT:task-definition/family:3`. */
export function parseTaskDefinitionRef(v: string, option: string): TaskDefinitionRef {
  const fail = (why: string, fix?: string): InputError =>
    new InputError(option, issue(undefined, `${why}; use ${REF_FORMS}`, fix));
  if (typeof v !== 'string') throw fail(`must be text (got ${describe(v)})`);
  if (v.length === 0) throw fail('is empty');
  const revisionOf = (r: string | undefined, required: boolean): number | undefined => {
    if (r === undefined) {
      if (required) throw fail(`${quote(v, 120)} has no revision; a task definition ARN ends in :REVISION`, 'append the revision, e.g. :1');
      return undefined;
    }
    if (!/^[1-9]\d{0,9}$/.test(r) || Number(r) > INT32_MAX) {
      throw fail(`${quote(v, 120)} has an invalid revision ${quote(r)}; a revision is a whole number of 1 or more`);
    }
    return Number(r);
  };
  if (v.startsWith('arn:')) {
    const m = TASK_DEF_ARN_RE.exec(v);
    if (!m) throw fail(`${quote(v, 120)} is not a task definition ARN`);
    const family = m[3];
    const np = nameProblem(family, 'a family');
    if (np) throw fail(`the family in ${quote(v, 120)} ${np.message}`);
    return { family, revision: revisionOf(m[4], true), arn: v };
  }
  const colon = v.indexOf(':');
  const family = colon < 0 ? v : v.slice(0, colon);
  const np = nameProblem(family, 'a family');
  if (np) throw fail(`the family ${np.message}`, np.fix);
  const revision = revisionOf(colon < 0 ? undefined : v.slice(colon + 1), false);
  return revision === undefined ? { family } : { family, revision };
}

function validateName(v: string, option: string, what: string): string {
  if (typeof v !== 'string') {
    throw new InputError(option, issue(undefined, `must be ${what} of 1–255 letters, digits, hyphens and underscores (got ${describe(v)})`));
  }
  const p = nameProblem(v, what);
  if (p) throw new InputError(option, issue(undefined, p.message, p.fix));
  return v;
}

/** A cluster name: 1–255 letters, digits, hyphens and underscores. Returns it unchanged. */
export function validateClusterName(v: string, option: string): string {
  return validateName(v, option, 'a cluster name');
}

/** A service name: 1–255 letters, digits, hyphens and underscores. Returns it unchanged. */
export function validateServiceName(v: string, option: string): string {
  return validateName(v, option, 'a service name');
}
