/**
 * The launch options of `task run` and `service create`: launch type, counts, placement
 * strategies and constraints (EC2 only), awsvpc subnets and security groups, --wait-timeout.
 * Every problem found is reported at once, naming the option.
 */
import { InputError, type InputIssue } from '../errors.js';
import { describe, issue, quote } from '../input/issues.js';


export interface PlacementStrategySpec {
  type: 'random' | 'spread' | 'binpack';
  field?: string;
}
export type PlacementConstraintSpec = { type: 'distinctInstance' } | { type: 'memberOf'; expression: string };

export const MAX_PLACEMENT_STRATEGIES = 5;
export const MAX_PLACEMENT_CONSTRAINTS = 10;

const STRATEGY_FORMS =
  'random, spread:FIELD (FIELD = instanceId, host or attribute:NAME, e.g. spread:attribute:ecs.availability-zone), binpack:cpu or binpack:memory';
const CONSTRAINT_FORMS = 'distinctInstance or memberOf:EXPRESSION (a cluster query, e.g. memberOf:attribute:ecs.instance-type =~ t3.*)';
export const ATTRIBUTE_NAME_RE = /^[A-Za-z0-9_./\\-]{1,128}$/;

function strategyError(spec: string, why: string, fix?: string): InputError {
  return new InputError('--placement-strategy', issue(undefined, `${quote(spec)} ${why}; use ${STRATEGY_FORMS}`, fix));
}

/** `TYPE[:REST]` of a placement option: the type in lower case, the rest as given (trimmed). */
function typeAndRest(spec: unknown, option: string, example: string): { type: string; rest?: string } {
  if (typeof spec !== 'string') throw new InputError(option, issue(undefined, `must be text such as "${example}" (got ${describe(spec)})`));
  const s = spec.trim();
  const colon = s.indexOf(':');
  return { type: (colon < 0 ? s : s.slice(0, colon)).trim().toLowerCase(), rest: colon < 0 ? undefined : s.slice(colon + 1).trim() };
}

/** Parses `random`, `spread:FIELD` or `binpack:cpu|memory` (the type is case-insensitive). */
export function parsePlacementStrategy(spec: string): PlacementStrategySpec {
  const { type, rest: field } = typeAndRest(spec, '--placement-strategy', 'spread:attribute:ecs.availability-zone');
  switch (type) {
    case 'random':
      if (field !== undefined) throw strategyError(spec, 'is not valid: random takes no field', 'write just "random"');
      return { type: 'random' };
    case 'spread': {
      if (!field) throw strategyError(spec, 'is missing the field to spread over', 'e.g. spread:attribute:ecs.availability-zone or spread:instanceId');
      const lower = field.toLowerCase();
      if (lower === 'instanceid') return { type: 'spread', field: 'instanceId' };
      if (lower === 'host') return { type: 'spread', field: 'host' };
      if (lower.startsWith('attribute:')) {
        const name = field.slice('attribute:'.length);
        if (ATTRIBUTE_NAME_RE.test(name)) return { type: 'spread', field: `attribute:${name}` };
        throw strategyError(spec, 'has an invalid attribute name (1–128 letters, digits, - _ . / \\)', 'e.g. spread:attribute:ecs.availability-zone');
      }
      throw strategyError(spec, `cannot spread over ${quote(field)}: the field must be instanceId, host or attribute:NAME`);
    }
    case 'binpack': {
      if (!field) throw strategyError(spec, 'is missing the resource to pack by (cpu or memory)', 'write binpack:memory or binpack:cpu');
      const lower = field.toLowerCase();
      if (lower === 'cpu' || lower === 'memory') return { type: 'binpack', field: lower };
      throw strategyError(spec, `cannot binpack by ${quote(field)}: the field must be cpu or memory`, 'write binpack:memory or binpack:cpu');
    }
    default:
      throw strategyError(spec, `is not a placement strategy${type ? ` (unknown type ${quote(type)})` : ''}`);
  }
}

function constraintError(spec: string, why: string, fix?: string): InputError {
  return new InputError('--placement-constraint', issue(undefined, `${quote(spec)} ${why}; use ${CONSTRAINT_FORMS}`, fix));
}

/** Parses `distinctInstance` or `memberOf:EXPRESSION` (the type is case-insensitive). */
export function parsePlacementConstraint(spec: string): PlacementConstraintSpec {
  const { type, rest: expression } = typeAndRest(spec, '--placement-constraint', 'distinctInstance');
  if (type === 'distinctinstance') {
    if (expression !== undefined) throw constraintError(spec, 'is not valid: distinctInstance takes no expression', 'write just "distinctInstance"');
    return { type: 'distinctInstance' };
  }
  if (type === 'memberof') {
    if (!expression) throw constraintError(spec, 'is missing the expression', 'e.g. memberOf:attribute:ecs.availability-zone in [us-east-1a, us-east-1b]');
    if (expression.length > 2000) throw constraintError(spec, `has an expression of ${expression.length} characters; AWS allows at most 2000`);
    return { type: 'memberOf', expression };
  }
  throw constraintError(spec, `is not a placement constraint${type ? ` (unknown type ${quote(type)})` : ''}`);
}

export type LaunchType = 'FARGATE' | 'EC2';

export interface LaunchOptionsInput {
  launchType?: string;
  count?: string | number;
  placementStrategies?: string[];
  placementConstraints?: string[];
  subnets?: string[];
  securityGroups?: string[];
  waitTimeout?: string;
  desiredCount?: string | number;
  command: 'run' | 'service';
}

export interface LaunchOptions {
  launchType: LaunchType;
  /** `run` only. */
  count?: number;
  /** `service` only. */
  desiredCount?: number;
  strategies: PlacementStrategySpec[];
  constraints: PlacementConstraintSpec[];
  subnets: string[];
  securityGroups: string[];
  waitTimeoutSeconds?: number;
}

/** The options of the shared option groups (cli/options.ts: network, placement, wait) as validateLaunchOptions takes them. */
export function sharedLaunchOptions(o: { placementStrategy?: string[]; placementConstraint?: string[]; subnets?: string[]; securityGroups?: string[]; waitTimeout?: string }) {
  return { placementStrategies: o.placementStrategy, placementConstraints: o.placementConstraint, subnets: o.subnets, securityGroups: o.securityGroups, waitTimeout: o.waitTimeout };
}

/** RunTask: "You can specify up to 10 tasks for each call." */
export const MAX_RUN_COUNT = 10;
/** ECS quota "Tasks per service" (desired count), 5,000. */
export const MAX_DESIRED_COUNT = 5000;
export const MAX_WAIT_TIMEOUT_SECONDS = 86_400;
/** AwsVpcConfiguration: up to 16 subnets and 5 security groups. */
export const MAX_SUBNETS = 16;
export const MAX_SECURITY_GROUPS = 5;

export const SUBNET_RE = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const SG_RE = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

function wholeNumber(v: unknown, option: string, min: number, max: number, what: string): number | InputIssue {
  const rule = `must be a whole number from ${min} to ${max} (${what})`;
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*\+?\d{1,16}\s*$/.test(v)) n = Number(v.trim());
  if (n === undefined || !Number.isInteger(n)) {
    return issue(option, `${typeof v === 'string' ? quote(v) : describe(v)} ${rule}`);
  }
  if (n < min || n > max) return issue(option, `${n} is out of range; ${option} ${rule}`);
  return n;
}

function splitIds(list: unknown): string[] | undefined {
  if (list === undefined) return undefined;
  const items = Array.isArray(list) ? list : [list];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') {
      out.push(describe(item));
      continue;
    }
    for (const part of item.split(',')) {
      const t = part.trim();
      if (t) out.push(t);
    }
  }
  return out;
}

/**
 * Validates the launch options of `run` (count) and `service create` (desired count).
 * Throws an InputError listing every problem (source = the option when only one is wrong).
 */
export function validateLaunchOptions(opts: LaunchOptionsInput): LaunchOptions {
  const issues: InputIssue[] = [];
  const o = (typeof opts === 'object' && opts !== null ? opts : {}) as Partial<LaunchOptionsInput>;

  let launchType: LaunchType = 'FARGATE';
  let launchTypeKnown = true;
  if (o.launchType !== undefined) {
    const lt = typeof o.launchType === 'string' ? o.launchType.trim().toUpperCase() : '';
    if (lt === 'FARGATE' || lt === 'EC2') {
      launchType = lt;
    } else {
      launchTypeKnown = false;
      const other = lt === 'EXTERNAL' || lt === 'MANAGED_INSTANCES' ? `; ecsprimer does not support ${lt}` : '';
      issues.push(issue('--launch-type', `${typeof o.launchType === 'string' ? quote(o.launchType) : describe(o.launchType)} is not a launch type ecsprimer can use${other}; use FARGATE or EC2`));
    }
  }

  const result: LaunchOptions = { launchType, strategies: [], constraints: [], subnets: [], securityGroups: [] };

  if (o.command === 'run' && o.count !== undefined) {
    const n = wholeNumber(o.count, '--count', 1, MAX_RUN_COUNT, 'RunTask starts at most 10 tasks per call');
    if (typeof n === 'number') result.count = n;
    else issues.push(n);
  }
  if (o.command === 'service' && o.desiredCount !== undefined) {
    const n = wholeNumber(o.desiredCount, '--desired-count', 0, MAX_DESIRED_COUNT, 'the ECS quota of tasks per service');
    if (typeof n === 'number') result.desiredCount = n;
    else issues.push(n);
  }

  const listOf = (v: string[] | string | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const strategies = listOf(o.placementStrategies);
  const constraints = listOf(o.placementConstraints);
  /** Each value parsed, its problems kept under the option's name. */
  const each = <T>(values: string[], option: string, parse: (v: string) => T, into: T[]) => {
    for (const v of values) {
      try {
        into.push(parse(v));
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        for (const i of e.issues) issues.push({ ...i, field: option });
      }
    }
  };
  each(strategies, '--placement-strategy', parsePlacementStrategy, result.strategies);
  each(constraints, '--placement-constraint', parsePlacementConstraint, result.constraints);
  if (strategies.length > MAX_PLACEMENT_STRATEGIES) {
    issues.push(issue('--placement-strategy', `was given ${strategies.length} times; AWS allows at most ${MAX_PLACEMENT_STRATEGIES} placement strategies per task or service`, 'keep the 5 that matter most'));
  }
  if (constraints.length > MAX_PLACEMENT_CONSTRAINTS) {
    issues.push(issue('--placement-constraint', `was given ${constraints.length} times; AWS allows at most ${MAX_PLACEMENT_CONSTRAINTS} placement constraints per task (including those in the task definition)`, 'remove some'));
  }
  if (launchTypeKnown && launchType === 'FARGATE' && (strategies.length > 0 || constraints.length > 0)) {
    issues.push(issue(strategies.length > 0 ? '--placement-strategy' : '--placement-constraint',
      'placement strategies and constraints are EC2-only; remove them or use --launch-type EC2'));
  }

  const subnets = splitIds(o.subnets);
  if (subnets) {
    for (const s of subnets) {
      if (!SUBNET_RE.test(s)) issues.push(issue('--subnets', `${quote(s)} is not a subnet id; expected subnet- followed by 8 or 17 lowercase hex digits (e.g. subnet-0123456789abcdef0)`));
    }
    if (subnets.length > MAX_SUBNETS) issues.push(issue('--subnets', `lists ${subnets.length} subnets; AWS allows at most ${MAX_SUBNETS}`));
    result.subnets = subnets;
  }
  const groups = splitIds(o.securityGroups);
  if (groups) {
    for (const g of groups) {
      if (!SG_RE.test(g)) issues.push(issue('--security-groups', `${quote(g)} is not a security group id; expected sg- followed by 8 or 17 lowercase hex digits (e.g. sg-0123456789abcdef0)`));
    }
    if (groups.length > MAX_SECURITY_GROUPS) issues.push(issue('--security-groups', `lists ${groups.length} security groups; AWS allows at most ${MAX_SECURITY_GROUPS}`));
    result.securityGroups = groups;
  }

  if (o.waitTimeout !== undefined) {
    const n = wholeNumber(o.waitTimeout, '--wait-timeout', 1, MAX_WAIT_TIMEOUT_SECONDS, 'seconds');
    if (typeof n === 'number') result.waitTimeoutSeconds = n;
    else issues.push(n);
  }

  if (issues.length > 0) {
    const fields = new Set(issues.map((i) => i.field));
    if (fields.size === 1) {
      const [only] = fields;
      throw new InputError(only ?? 'options', issues.map(({ field: _f, ...rest }) => rest));
    }
    throw new InputError('options', issues);
  }
  return result;
}

/** --wait-timeout SECONDS (1–86400) in milliseconds; undefined when not given. */
export function parseWaitTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const r = validateLaunchOptions({ command: 'run', waitTimeout: value });
  return r.waitTimeoutSeconds === undefined ? undefined : r.waitTimeoutSeconds * 1000;
}
