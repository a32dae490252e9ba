/**
 * Shapes of AWS inputs as valibot schemas that speak ecsprimer's messages: each helper below
 * builds a schema whose failures read like "must be a whole number from 1 to 65535 (got the
 * string "80")" with a fix where one is known, and `shapeIssues` turns valibot's issues into
 * InputIssues with JSON paths. Closed objects report every unknown key with a "did you mean".
 *
 * Why valibot: its schemas are plain data built from small functions (only those used are
 * bundled: a few kilobytes, loaded only when a document is validated), every message can be
 * computed from the failing value, and issues carry paths. Rules that span fields (Fargate sizes,
 * port rules, the essential container) stay hand-written next to the schemas that use them.
 */
import * as v from 'valibot';
import type { InputIssue } from '../errors.js';
import { describe, issue, listOr, quote, suggestKey } from './issues.js';
import type { JsonValue } from './json.js';

/** Any schema of ours (what the helpers return and take). */
export type Shape = v.GenericSchema;

/** A message and its fix travel in valibot's one message string, split again by shapeIssues. */
const SEP = '\u0000';
const say = (message: string, fix?: string): string => (fix ? `${message}${SEP}${fix}` : message);
/** Unknown keys are worded by shapeIssues, which knows the key (from the path). */
const UNKNOWN = '\u0001';

const INT32_MAX = 2_147_483_647;

export const isPlainObject = (x: unknown): x is { [k: string]: JsonValue } => typeof x === 'object' && x !== null && !Array.isArray(x);

export function str(o: { enum?: readonly string[]; nonEmpty?: boolean; max?: number; hide?: boolean } = {}): Shape {
  const typeMessage = (i: v.BaseIssue<unknown>) =>
    say(`must be a string${o.enum ? ` (one of ${listOr(o.enum)})` : ''} (got ${describe(i.input, o.hide)})`, typeof i.input === 'number' || typeof i.input === 'boolean' ? 'put the value in double quotes' : undefined);
  const problem = (s: string): string | undefined => {
    if (o.enum && !o.enum.includes(s)) {
      const near = o.enum.find((e) => e.toLowerCase() === s.toLowerCase());
      return say(`must be one of ${listOr(o.enum)} (got ${quote(s)})`, near ? `write it as "${near}"` : undefined);
    }
    if (o.nonEmpty && s.length === 0) return 'must not be empty';
    if (o.max !== undefined && s.length > o.max) return say(`is ${s.length} characters long; AWS allows at most ${o.max}`, 'shorten it');
    return undefined;
  };
  return v.pipe(
    v.string(typeMessage),
    v.check((s) => problem(s) === undefined, (i) => problem(i.input as string) ?? ''),
  );
}

function range(min?: number, rawMax?: number): string {
  const max = rawMax === INT32_MAX ? undefined : rawMax;
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return min === 0 ? ' of 0 or more' : ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

export function int(o: { min?: number; max?: number; note?: string } = {}): Shape {
  const expected = `a whole number${range(o.min, o.max)}${o.note ? ` ${o.note}` : ''}`;
  const typeMessage = (i: v.BaseIssue<unknown>) =>
    say(`must be ${expected} (got ${describe(i.input)})`, typeof i.input === 'string' && /^-?\d+$/.test(i.input.trim()) ? `write ${i.input.trim()} without quotes` : undefined);
  const ok = (n: number) => Number.isInteger(n) && (o.min === undefined || n >= o.min) && (o.max === undefined || n <= o.max);
  return v.pipe(
    v.number(typeMessage),
    v.check(ok, (i) => (Number.isInteger(i.input) ? `must be ${expected} (got ${i.input as number})` : typeMessage(i))),
  );
}

/** A number (not only whole), in a range. */
export function num(o: { min?: number; max?: number } = {}): Shape {
  const expected = `a number${range(o.min, o.max)}`;
  const typeMessage = (i: v.BaseIssue<unknown>) =>
    say(`must be ${expected} (got ${describe(i.input)})`, typeof i.input === 'string' && /^-?\d+(\.\d+)?$/.test(i.input.trim()) ? `write ${i.input.trim()} without quotes` : undefined);
  const ok = (n: number) => Number.isFinite(n) && (o.min === undefined || n >= o.min) && (o.max === undefined || n <= o.max);
  return v.pipe(
    v.number(typeMessage),
    v.check(ok, (i) => `must be ${expected} (got ${i.input as number})`),
  );
}

export const bool: Shape = v.boolean((i) => say(`must be true or false (got ${describe(i.input)})`, i.input === 'true' || i.input === 'false' ? `write ${i.input} without quotes` : undefined));

/** Anything (checked elsewhere, or free-form). */
export const any: Shape = v.unknown();

export function arr(of: Shape, o: { min?: number; max?: number; what?: string } = {}): Shape {
  const problem = (a: unknown[]): string | undefined => {
    if (o.min !== undefined && a.length < o.min) return `must have at least ${o.min} ${o.min === 1 ? 'entry' : 'entries'} (it is empty)`;
    if (o.max !== undefined && a.length > o.max) return say(`has ${a.length} entries; AWS allows at most ${o.max}`, `remove ${a.length - o.max} of them`);
    return undefined;
  };
  return v.pipe(
    v.array(of, (i) => say(`must be an array${o.what ? ` of ${o.what}` : ''} (got ${describe(i.input)})`, isPlainObject(i.input) || typeof i.input === 'string' ? 'wrap the value in [ ]' : undefined)),
    v.check((a) => problem(a) === undefined, (i) => problem(i.input as unknown[]) ?? ''),
  );
}

export const strings: Shape = arr(str(), { what: 'strings' });

function objectType(shape: string | undefined): v.GenericSchema<unknown, { [k: string]: JsonValue }> {
  return v.custom<{ [k: string]: JsonValue }>(isPlainObject, (i) => `must be an object${shape ? ` (${shape})` : ''} (got ${describe(i.input)})`);
}

/** Any JSON object (a free-form shape of the AWS model that is not checked further). */
export const anyObject: Shape = objectType(undefined);

/** An object whose values all match `values` (dockerLabels, log driver options). */
export function map(values: Shape): Shape {
  return v.pipe(objectType(undefined) as Shape, v.record(v.string(), values) as Shape);
}

/**
 * A closed object (an AWS model shape): the fields it may have, those it must have, and for
 * unknown keys an optional fix of their own (else a "did you mean" from the fields).
 */
export function obj(shape: string, fields: Record<string, Shape>, required: readonly string[] = [], unknownFix?: Record<string, string>): Shape {
  const allowed = Object.keys(fields);
  const unknown = `${UNKNOWN}${JSON.stringify({ shape, allowed, fixes: unknownFix ?? {} })}`;
  const entries = Object.fromEntries(allowed.map((k) => [k, required.includes(k) ? fields[k] : v.optional(fields[k])]));
  const reserved = (k: string) => (k === '__proto__' || k === 'constructor' || k === 'prototype') && !allowed.includes(k);
  return v.pipe(
    objectType(shape),
    v.metadata({ shape }),
    // The keys objectWithRest passes over (they could not be keys of its output).
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return; // not an object: said already
      const value = dataset.value as { [k: string]: JsonValue };
      for (const key of Object.keys(value)) {
        if (reserved(key)) addIssue({ message: unknown, path: [{ type: 'object', origin: 'key', input: value, key, value: value[key] }] });
      }
    }),
    v.objectWithRest(entries, v.never(() => unknown), () => 'is required'),
  );
}

/** The name and field names of an obj() shape, as declared (undefined for other schemas). */
export function shapeOf(schema: Shape): { shape: string; fields: string[] } | undefined {
  const pipe = (schema as { pipe?: Array<{ type: string; entries?: Record<string, unknown>; metadata?: { shape?: string } }> }).pipe ?? [];
  const shape = pipe.find((p) => p.type === 'metadata')?.metadata?.shape;
  const entries = pipe.find((p) => p.type === 'object_with_rest')?.entries;
  return shape && entries ? { shape, fields: Object.keys(entries) } : undefined;
}

function pathOf(i: v.BaseIssue<unknown>): Array<string | number> {
  return (i.path ?? []).map((p) => p.key as string | number);
}

/** Checks `value` against `schema`: every problem as an InputIssue, with `prefix` before its path. */
export function shapeIssues(schema: Shape, value: unknown, prefix: ReadonlyArray<string | number> = []): InputIssue[] {
  const r = v.safeParse(schema, value);
  if (r.success) return [];
  return r.issues.map((i) => {
    const path = [...prefix, ...pathOf(i)];
    if (i.message.startsWith(UNKNOWN)) {
      const key = String(path[path.length - 1]);
      const { shape, allowed, fixes } = JSON.parse(i.message.slice(1)) as { shape: string; allowed: string[]; fixes: Record<string, string> };
      const guess = suggestKey(key, allowed);
      const fix = Object.prototype.hasOwnProperty.call(fixes, key) ? fixes[key] : guess ? `did you mean "${guess}"?` : 'remove it';
      return issue(path, `is not a ${shape} field; allowed: ${allowed.join(', ')}`, fix);
    }
    const [message, fix] = i.message.split(SEP);
    return issue(path, message, fix);
  });
}
