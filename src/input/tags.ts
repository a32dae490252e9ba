/**
 * Tags: the stack tag every resource of a stack carries (what teardown trusts), and `--tag K=V`
 * values checked against AWS's tag rules.
 */
import { InputError } from '../errors.js';

export const STACK_TAG = 'ecsprimer:stack';

/**
 * The regions in which a stack uses a (global) IAM role or policy, space-separated and sorted:
 * `iam create` in a region adds it, teardown there removes it, and the role and policy are
 * deleted only by the teardown that removes the last one.
 */
export const REGIONS_TAG = 'ecsprimer:regions';

/** The regions a role or policy is tagged as used in (none: a resource made before the tag existed). */
export function regionsOf(tags: Record<string, string> | undefined): string[] {
  return (tags?.[REGIONS_TAG] ?? '').split(/\s+/).filter(Boolean);
}

/** The tag value for a set of regions. */
export function regionsTag(regions: Iterable<string>): string {
  return [...new Set(regions)].sort().join(' ');
}

/** The stack a resource is tagged with, if any. */
export function stackOf(tags: Record<string, string> | undefined): string | undefined {
  return tags?.[STACK_TAG];
}

/** `extra` and the stack tag (which `extra` cannot override). */
export function stackTags(stack: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [STACK_TAG]: stack };
}

const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Parses `--tag K=V` values (AWS tag rules), refusing the reserved keys. */
export function parseTags(values: string[] | undefined, option = '--tag'): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    const key = eq < 0 ? v : v.slice(0, eq);
    const value = eq < 0 ? '' : v.slice(eq + 1);
    if (eq < 0 || key.length === 0) throw new InputError(option, { message: `"${v}" is not KEY=VALUE`, fix: 'Write it as --tag team=payments' });
    if (key.length > 128 || value.length > 256) throw new InputError(option, { message: `"${key}": tag keys are at most 128 characters and values at most 256` });
    if (!TAG_CHARS.test(key) || !TAG_CHARS.test(value)) {
      throw new InputError(option, { message: `"${v}" has characters AWS does not allow in tags`, fix: 'Use letters, digits, spaces and _ . : / = + - @' });
    }
    if (key.toLowerCase().startsWith('aws:') || key === STACK_TAG || key === REGIONS_TAG) {
      throw new InputError(option, { message: `the tag key "${key}" is reserved`, fix: key === STACK_TAG ? 'ecsprimer sets it from --stack' : key === REGIONS_TAG ? 'ecsprimer keeps it: the regions the stack uses the role or policy in' : 'Keys starting with aws: belong to AWS' });
    }
    tags[key] = value;
  }
  return tags;
}
