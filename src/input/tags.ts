/**
 * Tags: the stack tag every resource of a stack carries (what teardown trusts), and `--tag K=V`
 * values checked against AWS's tag rules.
 */
import { InputError } from '../errors.js';

export const STACK_TAG = 'ecsprimer:stack';

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
    if (key.toLowerCase().startsWith('aws:') || key === STACK_TAG) {
      throw new InputError(option, { message: `the tag key "${key}" is reserved`, fix: key === STACK_TAG ? 'ecsprimer sets it from --stack' : 'Keys starting with aws: belong to AWS' });
    }
    tags[key] = value;
  }
  return tags;
}
