/**
 * Pieces every command uses: stack tags and IAM paths, document loading with placeholders,
 * and the parsing of repeatable options.
 */
import type { Context } from '../context.js';
import { UNKNOWN_ACCOUNT } from '../context.js';
import { InputError } from '../errors.js';
import type { JsonValue } from '../input/json.js';
import { fillPlaceholders, placeholdersUsed } from '../input/placeholders.js';
import { readDocumentText } from '../input/source.js';
import { parseJsonStrict } from '../input/json.js';

export const STACK_TAG = 'ecsprimer:stack';

/** IAM resources of a stack live under this path, so the stack's roles and policies can be listed in O(stack). */
export function iamPath(stack: string): string {
  return `/ecsprimer/${stack}/`;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function policyArn(ctx: Context, account: string, name: string, path = iamPath(ctx.stack)): string {
  return `arn:${partitionOf(ctx.region)}:iam::${account}:policy${path}${name}`;
}

export function roleArn(ctx: Context, account: string, name: string, path = iamPath(ctx.stack)): string {
  return `arn:${partitionOf(ctx.region)}:iam::${account}:role${path}${name}`;
}

/** Parses `--tag K=V` values (AWS tag rules), refusing the reserved keys. */
export function parseTags(values: string[] | undefined, option = '--tag'): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    const key = eq < 0 ? v : v.slice(0, eq);
    const value = eq < 0 ? '' : v.slice(eq + 1);
    if (eq < 0 || key.length === 0) throw new InputError(option, { message: `"${v}" is not KEY=VALUE`, fix: 'Write it as --tag team=payments' });
    if (key.length > 128 || value.length > 256) throw new InputError(option, { message: `"${key}": tag keys are at most 128 characters and values at most 256` });
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(key) || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(value)) {
      throw new InputError(option, { message: `"${v}" has characters AWS does not allow in tags`, fix: 'Use letters, digits, spaces and _ . : / = + - @' });
    }
    if (key.toLowerCase().startsWith('aws:') || key === STACK_TAG) {
      throw new InputError(option, { message: `the tag key "${key}" is reserved`, fix: key === STACK_TAG ? 'ecsprimer sets it from --stack' : 'Keys starting with aws: belong to AWS' });
    }
    tags[key] = value;
  }
  return tags;
}

export function stackTags(ctx: Context, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [STACK_TAG]: ctx.stack };
}

export interface RawDocument {
  value: JsonValue;
  source: string;
  needsAccount: boolean;
}

/** Reads and parses a document (inline, file://, path or stdin) — no AWS call. */
export async function readDocument(ctx: Context, spec: string, option: string): Promise<RawDocument> {
  const loaded = await readDocumentText(spec, { option, cwd: ctx.cwd, readStdin: ctx.io.readStdin });
  const value = parseJsonStrict(loaded.text, loaded.source);
  const used = placeholdersUsed(value, loaded.source);
  return { value, source: loaded.source, needsAccount: used.has('AWS::AccountId') };
}

/** Fills the placeholders of a parsed document (the account only when it is used). */
export function fillDocument(ctx: Context, doc: RawDocument, account: string | undefined): JsonValue {
  return fillPlaceholders(doc.value, { accountId: account && account !== UNKNOWN_ACCOUNT ? account : undefined, region: ctx.region, stack: ctx.stack });
}

/** Stable pretty JSON (sorted keys) for diffs and comparisons. */
export function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(sort(value), null, 2);
}
