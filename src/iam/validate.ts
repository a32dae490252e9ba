/**
 * Local validation of IAM names, ARNs, principals and policy documents, so that mistakes are
 * reported with a JSON path and a fix before anything is sent to AWS (IAM itself only answers
 * "MalformedPolicyDocument" with little detail).
 *
 * The rules follow IAM's documented grammar and quotas:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 *
 * Validators return issues (or throw InputError for single option values); they never throw
 * anything else, whatever the value.
 */

import { InputError, type InputIssue } from '../errors.js';
import { issue, quote as show, suggestKey, typeName, type Path } from '../input/issues.js';
import { canonicalJson, describeChar, getOwn, hasOwn, isJsonObject, jsonPathOf, setOwn, type JsonValue } from '../input/json.js';

type JsonObject = { [key: string]: JsonValue };

/** Largest managed policy, counted without whitespace. */
export const MAX_MANAGED_POLICY_CHARS = 6144;
/** Largest role trust policy under IAM's default quota, counted without whitespace. */
export const DEFAULT_TRUST_POLICY_CHARS = 2048;
/** Largest role trust policy once the quota ("Role trust policy length") is raised as far as it goes. */
export const MAX_TRUST_POLICY_CHARS = 4096;
export const MAX_POLICY_NAME = 128;
export const MAX_ROLE_NAME = 64;

const VERSIONS = ['2012-10-17', '2008-10-17'];
const PRINCIPAL_KEYS = ['AWS', 'Service', 'Federated', 'CanonicalUser'];
const TRUST_ACTIONS = [
  'sts:AssumeRole',
  'sts:AssumeRoleWithWebIdentity',
  'sts:AssumeRoleWithSAML',
  'sts:TagSession',
  'sts:SetSourceIdentity',
  'sts:SetContext',
];
const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
];

// ---- small helpers --------------------------------------------------------------------------

/**
 * Glob match with IAM's wildcards (`*` any run, `?` one character), case-insensitive, in
 * O(pattern x text) without backtracking blow-up.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Strings of a string-or-array value (non-strings skipped). */
function stringsOf(v: JsonValue | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

// ---- names and references -------------------------------------------------------------------

function nameProblem(name: unknown, what: 'policy' | 'role', max: number): InputIssue | undefined {
  const rule = `A ${what} name is 1-${max} characters: letters, digits and + = , . @ _ -`;
  if (typeof name !== 'string' || name.length === 0) return { message: `the ${what} name is empty`, fix: rule };
  const bad = [...name].find((ch) => !/^[\w+=,.@-]$/.test(ch));
  if (bad !== undefined) {
    let fix = rule;
    if (name.startsWith('arn:')) fix = `Give the ${what} name alone (the part after the last /), not its ARN`;
    else if (bad === '/') fix = `${rule}; a name cannot contain a path`;
    return { message: `${show(name)} contains ${describeChar(bad)}, which is not allowed in a ${what} name`, fix };
  }
  if (name.length > max) return { message: `${show(name)} is ${name.length} characters long; a ${what} name is at most ${max}`, fix: rule };
  return undefined;
}

/** Throws an InputError (source = the option) unless `name` is a valid IAM policy name. */
export function validatePolicyName(name: string, option: string): void {
  const problem = nameProblem(name, 'policy', MAX_POLICY_NAME);
  if (problem) throw new InputError(option, problem);
}

/** Throws an InputError (source = the option) unless `name` is a valid IAM role name. */
export function validateRoleName(name: string, option: string): void {
  const problem = nameProblem(name, 'role', MAX_ROLE_NAME);
  if (problem) throw new InputError(option, problem);
}

export type PolicyRef = { kind: 'arn'; arn: string; name: string } | { kind: 'name'; name: string };
export type RoleRef = { kind: 'arn'; arn: string; name: string } | { kind: 'name'; name: string };

const PARTITION = /^aws(-[a-z]+)*$/;

function parseIamArn(value: string, option: string, type: 'policy' | 'role'): { arn: string; name: string } {
  const example =
    type === 'policy'
      ? 'A policy ARN looks like arn:aws:iam::123456789012:policy/NAME (or arn:aws:iam::aws:policy/NAME for an AWS managed policy)'
      : 'A role ARN looks like arn:aws:iam::123456789012:role/NAME (or arn:aws:iam::123456789012:role/PATH/NAME)';
  const fail = (message: string, fix = example): never => {
    throw new InputError(option, { message: `${show(value)} ${message}`, fix });
  };
  if (!value.startsWith('arn:')) fail('is not a valid ARN: ARNs start with lowercase arn:');
  const m = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/s.exec(value);
  if (!m) fail('is not a well-formed ARN');
  const [, partition, service, region, account, resource] = m!;
  if (!PARTITION.test(partition)) fail(`has an unknown partition ${show(partition)} (expected aws, aws-cn, aws-us-gov...)`);
  if (service !== 'iam') fail(`is an ARN of ${show(service)}, not of an IAM ${type}`);
  if (region !== '') fail('has a region, but IAM ARNs have none (note the :: after iam)');
  if (!(/^\d{12}$/.test(account) || (type === 'policy' && account === 'aws'))) {
    fail(`has the account ${show(account)}, which is not a 12-digit account id${type === 'policy' ? ' or aws' : ''}`);
  }
  const prefix = `${type}/`;
  if (!resource.startsWith(prefix)) {
    const other = /^(policy|role|user|group|instance-profile)\//.exec(resource)?.[1];
    fail(other ? `is the ARN of an IAM ${other}, but ${option} expects a ${type}` : `is not the ARN of an IAM ${type}`);
  }
  const rest = resource.slice(prefix.length);
  const slash = rest.lastIndexOf('/');
  const name = rest.slice(slash + 1);
  const pathPart = slash >= 0 ? rest.slice(0, slash) : '';
  if (pathPart !== '' && (!/^[\x21-\x7e]+$/.test(pathPart) || pathPart.split('/').includes('') || pathPart.length > 510)) {
    fail(`has an invalid path ${show(`/${pathPart}/`)}`, 'A path is / or /segments/ of printable ASCII characters, at most 512 in all');
  }
  const problem = nameProblem(name, type, type === 'policy' ? MAX_POLICY_NAME : MAX_ROLE_NAME);
  if (problem) throw new InputError(option, { message: `in the ARN ${show(value)}: ${problem.message}`, fix: problem.fix });
  return { arn: value, name };
}

/** A policy given by name or ARN (`arn:<partition>:iam::<account|aws>:policy/<path/>NAME`). */
export function parsePolicyRef(value: string, option: string): PolicyRef {
  if (typeof value === 'string' && /^arn:/i.test(value)) return { kind: 'arn', ...parseIamArn(value, option, 'policy') };
  validatePolicyName(value, option);
  return { kind: 'name', name: value };
}

/** A role given by name or ARN (`arn:<partition>:iam::<account>:role/<path/>NAME`). */
export function parseRoleRef(value: string, option: string): RoleRef {
  if (typeof value === 'string' && /^arn:/i.test(value)) return { kind: 'arn', ...parseIamArn(value, option, 'role') };
  validateRoleName(value, option);
  return { kind: 'name', name: value };
}

// ---- trust principals -----------------------------------------------------------------------

export type TrustPrincipal = { kind: 'service'; service: string } | { kind: 'arn'; arn: string } | { kind: 'account'; accountId: string };
export type TrustPrincipalSpec = TrustPrincipal | { kind: 'me' };

const SERVICE_PRINCIPAL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.amazonaws\.com(\.cn)?$/;
const PRINCIPAL_FORMS =
  'Give a service principal (ecs-tasks.amazonaws.com), a 12-digit account id (123456789012), ' +
  'a role or user ARN (arn:aws:iam::123456789012:role/NAME), the account root (arn:aws:iam::123456789012:root), ' +
  'or me (the identity running ecsprimer)';

/** Parses a `--trust` style value: service principal, IAM ARN, account id, or `me`. */
export function parseTrustPrincipal(value: string, option: string): TrustPrincipalSpec {
  const fail = (message: string, fix = PRINCIPAL_FORMS): never => {
    throw new InputError(option, { message, fix });
  };
  if (typeof value !== 'string' || value.trim() === '') return fail('is empty');
  if (value === 'me') return { kind: 'me' };
  if (/^\d{12}$/.test(value)) return { kind: 'account', accountId: value };
  if (/^[\d\s-]+$/.test(value)) {
    const digits = value.replace(/\D/g, '');
    if (digits.length === 12) return fail(`${show(value)} is not an account id as IAM writes it`, `Write the 12 digits without separators: ${digits}`);
    return fail(`${show(value)} is not a 12-digit account id (it has ${digits.length} digits)`);
  }
  if (value.startsWith('arn:')) {
    const sts = /^arn:(aws(?:-[a-z]+)*):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)(?:\/.*)?$/s.exec(value);
    if (sts) {
      return fail(
        `${show(value)} is the ARN of a session (assumed-role), which a trust policy cannot name`,
        `Trust the role itself: arn:${sts[1]}:iam::${sts[2]}:role/${sts[3]} (include its path if it has one, as shown by aws iam get-role)`,
      );
    }
    const iam = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):(root|(?:user|role)\/(?:[\x21-\x7e]+\/)?[\w+=,.@-]+)$/.exec(value);
    if (iam) {
      const type = iam[3].split('/')[0];
      const name = iam[3].split('/').pop() ?? '';
      if (type === 'role' && name.length > MAX_ROLE_NAME) return fail(`${show(value)} names a role longer than ${MAX_ROLE_NAME} characters`);
      return { kind: 'arn', arn: value };
    }
    return fail(`${show(value)} is not an ARN a trust policy can name`);
  }
  if (SERVICE_PRINCIPAL.test(value)) return { kind: 'service', service: value };
  if (SERVICE_PRINCIPAL.test(value.toLowerCase())) {
    return fail(`${show(value)} is not a valid service principal`, `Service principals are lowercase: ${value.toLowerCase()}`);
  }
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value)) {
    return fail(`${show(value)} is not a principal`, `Did you mean the service principal ${value}.amazonaws.com? ${PRINCIPAL_FORMS}`);
  }
  return fail(`${show(value)} is not a principal ecsprimer understands`);
}

/** The trust policy that lets one principal assume a role with sts:AssumeRole. */
export function trustPolicyFor(principal: TrustPrincipal, opts: { partition?: string } = {}): JsonValue {
  let p: JsonObject;
  if (principal.kind === 'service') p = { Service: principal.service };
  else if (principal.kind === 'arn') p = { AWS: principal.arn };
  else p = { AWS: `arn:${opts.partition ?? 'aws'}:iam::${principal.accountId}:root` };
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: p, Action: 'sts:AssumeRole' }],
  };
}

// ---- documents ------------------------------------------------------------------------------

type Kind = 'permissions' | 'trust';

interface Ctx {
  kind: Kind;
  issues: InputIssue[];
  warnings: string[];
}

const SKELETON = '{"Version": "2012-10-17", "Statement": [ { "Effect": "Allow", ... } ]}';
const WRAPPERS: Record<string, string> = {
  PolicyDocument: 'the document inside "PolicyDocument"',
  AssumeRolePolicyDocument: 'the document inside "AssumeRolePolicyDocument"',
  Role: 'the trust policy (Role.AssumeRolePolicyDocument), not the output of aws iam get-role',
  PolicyVersion: 'the document inside PolicyVersion.Document, not the output of aws iam get-policy-version',
  Document: 'the document inside "Document"',
};

/** AWS counts policy size without whitespace, which is what JSON.stringify produces. */
export function minifiedLength(value: JsonValue): number {
  try {
    return (JSON.stringify(value) ?? '').length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function validateDocument(value: JsonValue, kind: Kind): { issues: InputIssue[]; warnings: string[] } {
  const ctx: Ctx = { kind, issues: [], warnings: [] };
  const what = kind === 'trust' ? 'a trust policy' : 'a permissions policy';
  if (!isJsonObject(value)) {
    if (Array.isArray(value)) {
      ctx.issues.push(issue([], `is a JSON array, but ${what} is an object`, `Put the statements in an object: {"Version": "2012-10-17", "Statement": [ ... ]}`));
    } else {
      ctx.issues.push(issue([], `is ${typeName(value)}, but ${what} is a JSON object`, `Write ${SKELETON}`));
    }
    return { issues: ctx.issues, warnings: ctx.warnings };
  }

  // A misspelt or wrapping key is the one mistake: the element it stands for is not also "missing".
  const standsFor = new Set<string>();
  for (const key of Object.keys(value)) {
    if (key === 'Version' || key === 'Statement' || key === 'Id') continue;
    const wrapper = WRAPPERS[key] !== undefined && hasOwn(WRAPPERS, key) ? WRAPPERS[key] : undefined;
    const near = suggestKey(key, ['Version', 'Statement', 'Id'], { fuzzy: false });
    if (wrapper) ['Version', 'Statement'].forEach((k) => standsFor.add(k));
    if (near) standsFor.add(near);
    const statementKey = ['Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition', 'Sid'].includes(key);
    ctx.issues.push(
      issue(
        [key],
        'is not a policy element',
        wrapper
          ? `Pass ${wrapper}`
          : near
            ? `Element names are case-sensitive: write "${near}"`
            : statementKey
              ? `"${key}" belongs inside a statement: "Statement": [ { "${key}": ... } ]`
              : 'The top level of a policy has only Version, Id and Statement',
      ),
    );
  }

  const id = getOwn(value, 'Id');
  if (id !== undefined && typeof id !== 'string') ctx.issues.push(issue(['Id'], `must be a string, not ${typeName(id)}`));

  const version = getOwn(value, 'Version');
  // A role's trust policy may leave Version out or use the 2008 language (IAM then reads it
  // without policy variables); a managed policy may not: CreatePolicy answers MalformedPolicyDocument
  // "Policy document must be version 2012-10-17 or greater".
  const managedNeeds = 'IAM refuses a managed policy in any language but 2012-10-17 (MalformedPolicyDocument: "Policy document must be version 2012-10-17 or greater")';
  if (version === undefined) {
    if (standsFor.has('Version')) {
      // reported as the misspelt or wrapping key
    } else if (kind === 'permissions') {
      ctx.issues.push(issue([], `Version is missing: ${managedNeeds}`, 'Add "Version": "2012-10-17"'));
    } else {
      ctx.warnings.push('the trust policy has no Version: IAM then reads it as the 2008-10-17 policy language, which has no policy variables (such as ${aws:username}); add "Version": "2012-10-17"');
    }
  } else if (typeof version !== 'string' || !VERSIONS.includes(version)) {
    ctx.issues.push(
      issue(
        ['Version'],
        `is ${show(version)}, but it must be "2012-10-17" or "2008-10-17"`,
        'Version is the version of the policy language, not a date you choose: write "2012-10-17"',
      ),
    );
  } else if (version === '2008-10-17') {
    if (kind === 'permissions') ctx.issues.push(issue(['Version'], `is "2008-10-17": ${managedNeeds}`, 'Write "Version": "2012-10-17"'));
    else ctx.warnings.push('Version "2008-10-17" is the old policy language (no policy variables such as ${aws:username}); use "2012-10-17"');
  }

  const statement = getOwn(value, 'Statement');
  const sids = new Map<string, string>();
  if (statement === undefined) {
    if (!standsFor.has('Statement')) ctx.issues.push(issue([], 'Statement is missing', `Add "Statement": [ { "Effect": "Allow", ... } ]`));
  } else if (Array.isArray(statement)) {
    if (statement.length === 0) {
      ctx.issues.push(issue(['Statement'], 'is an empty list', 'Add at least one statement'));
    }
    statement.forEach((s, i) => validateStatement(ctx, s, ['Statement', i], sids));
  } else if (isJsonObject(statement)) {
    validateStatement(ctx, statement, ['Statement'], sids);
  } else {
    ctx.issues.push(issue(['Statement'], `is ${typeName(statement)}, but it must be a statement object or a list of them`, `Write "Statement": [ { "Effect": "Allow", ... } ]`));
  }

  const max = kind === 'trust' ? MAX_TRUST_POLICY_CHARS : MAX_MANAGED_POLICY_CHARS;
  const size = minifiedLength(value);
  const chars = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'too many');
  if (size > max) {
    ctx.issues.push(
      issue(
        [],
        `is ${chars(size)} characters without whitespace; ${kind === 'trust' ? 'a trust policy' : 'a managed policy'} can have at most ${max.toLocaleString('en-US')}${kind === 'trust' ? ' (with its quota raised as far as it goes)' : ''}`,
        kind === 'trust'
          ? 'Combine principals into one statement with a list of values, or split the role in two'
          : 'Use wildcards in actions (e.g. "s3:Get*"), combine statements, or split it into several policies',
      ),
    );
  } else if (kind === 'trust' && size > DEFAULT_TRUST_POLICY_CHARS) {
    ctx.warnings.push(
      `the trust policy is ${chars(size)} characters without whitespace, above IAM's default quota of ${DEFAULT_TRUST_POLICY_CHARS.toLocaleString('en-US')} ("Role trust policy length", raisable to ${MAX_TRUST_POLICY_CHARS.toLocaleString('en-US')} in Service Quotas): IAM refuses it with LimitExceeded unless this account's quota was raised`,
    );
  }
  foreignCharacters(ctx, value, []);
  return { issues: ctx.issues, warnings: ctx.warnings };
}

/**
 * IAM accepts in a policy only tab, newline, carriage return and U+0020–U+00FF. The document is
 * sent as JSON, where control characters are escaped: what IAM refuses is a key or string with a
 * character above U+00FF (one issue per string, naming the first such character).
 */
function foreignCharacters(ctx: Ctx, value: JsonValue, path: Path): void {
  const check = (text: string, at: Path, what: string) => {
    const bad = [...text].find((ch) => (ch.codePointAt(0) ?? 0) > 0xff);
    if (bad !== undefined) {
      ctx.issues.push(
        issue(at, `${what} contains ${describeChar(bad)}, a character IAM does not accept in a policy (only tab, newline, carriage return and U+0020–U+00FF)`, `Replace it with plain ASCII (typographic quotes and dashes are the usual culprits)`),
      );
    }
  };
  if (typeof value === 'string') check(value, path, 'the string');
  else if (Array.isArray(value)) value.forEach((v, i) => foreignCharacters(ctx, v, [...path, i]));
  else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      check(k, [...path, k], 'the key');
      foreignCharacters(ctx, v, [...path, k]);
    }
  }
}

function validateStatement(ctx: Ctx, s: JsonValue, path: Path, sids: Map<string, string>): void {
  if (!isJsonObject(s)) {
    ctx.issues.push(issue(path, `is ${typeName(s)}, but a statement is an object`, 'Write { "Effect": "Allow", "Action": ..., "Resource": ... }'));
    return;
  }
  const trust = ctx.kind === 'trust';
  const allowed = trust
    ? ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Condition']
    : ['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];
  for (const key of Object.keys(s)) {
    if (allowed.includes(key)) continue;
    if (!trust && (key === 'Principal' || key === 'NotPrincipal')) {
      ctx.issues.push(
        issue(
          [...path, key],
          'is not allowed in a permissions (identity-based) policy',
          'Remove it: a permissions policy applies to the role it is attached to; who may assume the role is set in its trust policy',
        ),
      );
      continue;
    }
    if (trust && (key === 'Resource' || key === 'NotResource')) {
      ctx.issues.push(issue([...path, key], 'is not allowed in a trust policy', 'Remove it: the resource of a trust policy is the role itself'));
      continue;
    }
    const near = suggestKey(key, [...allowed, 'Principal', 'NotPrincipal', 'Resource', 'NotResource'], { fuzzy: false });
    ctx.issues.push(
      issue(
        [...path, key],
        'is not a statement element',
        near && allowed.includes(near) ? `Element names are case-sensitive: write "${near}"` : `A statement has only ${allowed.join(', ')}`,
      ),
    );
  }

  // Sid
  const sid = getOwn(s, 'Sid');
  if (sid !== undefined) {
    if (typeof sid !== 'string') {
      ctx.issues.push(issue([...path, 'Sid'], `must be a string, not ${typeName(sid)}`));
    } else if (!/^[A-Za-z0-9]*$/.test(sid)) {
      ctx.issues.push(issue([...path, 'Sid'], `${show(sid)} has characters IAM does not allow in a Sid`, 'Use only letters and digits, e.g. "ReadStackObjects"'));
    } else if (sid !== '') {
      const first = sids.get(sid);
      if (first !== undefined) {
        ctx.issues.push(issue([...path, 'Sid'], `${show(sid)} is also the Sid of ${first}`, 'Give each statement a different Sid'));
      } else sids.set(sid, jsonPathOf(path));
    }
  }

  // Effect
  const effect = getOwn(s, 'Effect');
  if (effect === undefined) {
    ctx.issues.push(issue([...path, 'Effect'], 'is missing', 'Add "Effect": "Allow" (or "Deny")'));
  } else if (effect !== 'Allow' && effect !== 'Deny') {
    const lower = typeof effect === 'string' ? effect.toLowerCase() : '';
    ctx.issues.push(
      issue(
        [...path, 'Effect'],
        `is ${show(effect)}, but it must be "Allow" or "Deny"`,
        lower === 'allow' || lower === 'deny' ? `Values are case-sensitive: write "${lower === 'allow' ? 'Allow' : 'Deny'}"` : undefined,
      ),
    );
  }

  exactlyOne(ctx, s, path, 'Action', trust ? 'Add "Action": "sts:AssumeRole"' : 'Add "Action": with the actions to allow, e.g. ["s3:GetObject"]', validateActions);
  if (trust) {
    exactlyOne(ctx, s, path, 'Principal', 'Add who may assume the role, e.g. "Principal": {"Service": "ecs-tasks.amazonaws.com"} or {"AWS": "arn:aws:iam::123456789012:root"}', validatePrincipal);
  } else {
    exactlyOne(
      ctx,
      s,
      path,
      'Resource',
      'Add "Resource": with the ARNs the actions apply to (e.g. "arn:aws:s3:::my-bucket/*"), or "*" for actions without resource-level permissions',
      validateResources,
    );
  }

  if (hasOwn(s, 'Condition')) validateCondition(ctx, s.Condition, [...path, 'Condition']);
}

/** `key` or `Not<key>` (Action, Principal, Resource): exactly one of them, checked by `check`. */
function exactlyOne(ctx: Ctx, s: JsonObject, path: Path, key: string, missingFix: string, check: (ctx: Ctx, v: JsonValue, path: Path) => void): void {
  const not = `Not${key}`;
  if (hasOwn(s, key) && hasOwn(s, not)) ctx.issues.push(issue(path, `has both ${key} and ${not}`, 'Keep only one of them'));
  else if (!hasOwn(s, key) && !hasOwn(s, not)) ctx.issues.push(issue([...path, key], 'is missing', missingFix));
  for (const k of [key, not]) if (hasOwn(s, k)) check(ctx, s[k], [...path, k]);
}

/** Checks a string-or-list value; calls `each` for every string. */
function stringOrList(ctx: Ctx, v: JsonValue, path: Path, example: string, each: (item: string, itemPath: Path) => void): void {
  if (typeof v === 'string') {
    each(v, path);
    return;
  }
  if (!Array.isArray(v)) {
    ctx.issues.push(issue(path, `is ${typeName(v)}, but it must be a string or a list of strings`, `Write e.g. ${example}`));
    return;
  }
  if (v.length === 0) {
    ctx.issues.push(issue(path, 'is an empty list', `List at least one value, e.g. ${example}`));
    return;
  }
  v.forEach((item, i) => {
    if (typeof item === 'string') each(item, [...path, i]);
    else ctx.issues.push(issue([...path, i], `is ${typeName(item)}, but it must be a string`, `Write e.g. ${example}`));
  });
}

const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9_*?-]+$/;

function validateActions(ctx: Ctx, v: JsonValue, path: Path): void {
  const trust = ctx.kind === 'trust';
  const example = trust ? '"sts:AssumeRole"' : '["s3:GetObject", "s3:ListBucket"]';
  stringOrList(ctx, v, path, example, (a, p) => {
    if (a === '*') return;
    if (!ACTION.test(a)) {
      let fix = 'An action is "*" or service:Action, such as "s3:GetObject" or "logs:*"';
      if (/^[A-Za-z0-9*?]+$/.test(a)) fix = `Add the service prefix, e.g. "s3:${a}"`;
      else if (/^[^:]*[*?][^:]*:/.test(a)) fix = 'The service prefix cannot contain wildcards; name the service, e.g. "s3:Get*"';
      else if (/\s/.test(a)) fix = 'Remove the spaces; an action looks like "s3:GetObject"';
      ctx.issues.push(issue(p, `${show(a)} is not a valid action`, fix));
      return;
    }
    if (trust) {
      const prefix = a.slice(0, a.indexOf(':')).toLowerCase();
      if (prefix !== 'sts') {
        ctx.issues.push(
          issue(
            p,
            `${show(a)} is not an sts: action; a trust policy only says who may assume the role`,
            `Use ${TRUST_ACTIONS.slice(0, 3).join(', ')}...; permissions such as ${a} belong in a permissions policy`,
          ),
        );
      } else if (!/[*?]/.test(a) && !TRUST_ACTIONS.some((t) => t.toLowerCase() === a.toLowerCase())) {
        ctx.warnings.push(`${jsonPathOf(p)}: ${show(a)} is not an action a trust policy usually grants (${TRUST_ACTIONS.join(', ')})`);
      }
    }
  });
}

/** `arn:partition:service:region:account:resource`, with `${...}` masked (they may contain colons). */
const ARN_LIKE = /^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$/s;

function validateResources(ctx: Ctx, v: JsonValue, path: Path): void {
  stringOrList(ctx, v, path, '"arn:aws:s3:::my-bucket/*"', (r, p) => {
    if (r === '*') return;
    const masked = r.replace(/\$\{[^{}]*\}/g, 'X');
    if (ARN_LIKE.test(masked)) return;
    let fix = 'A resource is "*" or an ARN, such as "arn:aws:s3:::my-bucket/*" or "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:*"';
    if (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(r) && !r.includes(':')) {
      fix = `Write the ARN: if this is an S3 bucket, "arn:aws:s3:::${r}" (and "arn:aws:s3:::${r.split('/')[0]}/*" for its objects)`;
    }
    ctx.issues.push(issue(p, `${show(r)} is not "*" or an ARN`, fix));
  });
}

function validatePrincipal(ctx: Ctx, v: JsonValue, path: Path): void {
  const example = '{"Service": "ecs-tasks.amazonaws.com"}';
  if (v === '*') return;
  if (!isJsonObject(v)) {
    ctx.issues.push(
      issue(
        path,
        `is ${typeof v === 'string' ? show(v) : typeName(v)}, but it must be "*" or an object such as ${example}`,
        typeof v === 'string' && SERVICE_PRINCIPAL.test(v)
          ? `Write {"Service": ${show(v)}}`
          : typeof v === 'string' && (/^\d{12}$/.test(v) || v.startsWith('arn:'))
            ? `Write {"AWS": ${show(v)}}`
            : `Write e.g. ${example}`,
      ),
    );
    return;
  }
  const keys = Object.keys(v);
  if (keys.length === 0) {
    ctx.issues.push(issue(path, 'is an empty object', `Name who may assume the role, e.g. ${example}`));
    return;
  }
  for (const key of keys) {
    const p = [...path, key];
    if (!PRINCIPAL_KEYS.includes(key)) {
      const near = suggestKey(key, PRINCIPAL_KEYS, { fuzzy: false });
      ctx.issues.push(
        issue(p, 'is not a kind of principal', near ? `Keys are case-sensitive: write "${near}"` : `Use ${PRINCIPAL_KEYS.join(', ')}`),
      );
      continue;
    }
    const val = v[key];
    const exampleOf: Record<string, string> = {
      AWS: '"arn:aws:iam::123456789012:root"',
      Service: '"ecs-tasks.amazonaws.com"',
      Federated: '"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"',
      CanonicalUser: '"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"',
    };
    if (typeof val === 'number' && key === 'AWS') {
      ctx.issues.push(issue(p, 'is a number, but account ids must be strings', `Quote it: "${String(val).padStart(12, '0')}"`));
      continue;
    }
    stringOrList(ctx, val, p, exampleOf[key], (item, ip) => {
      if (item === '') {
        ctx.issues.push(issue(ip, 'is an empty string', `Write e.g. ${exampleOf[key]}`));
        return;
      }
      if (key === 'AWS') {
        if (item === '*' || /^\d{12}$/.test(item) || item.startsWith('arn:') || /^A[A-Z0-9]{15,}$/.test(item) || item.includes('${')) return;
        ctx.issues.push(
          issue(ip, `${show(item)} is not an AWS principal`, 'Write a 12-digit account id, an ARN such as "arn:aws:iam::123456789012:role/NAME", or "*"'),
        );
      } else if (key === 'Service') {
        if (/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(item)) return;
        const fix = /^[a-z0-9-]+$/.test(item) ? `Write the full service principal, e.g. "${item}.amazonaws.com"` : `Write e.g. ${exampleOf.Service}`;
        ctx.issues.push(issue(ip, `${show(item)} is not a service principal`, fix));
      }
    });
  }
}

function validateCondition(ctx: Ctx, v: JsonValue, path: Path): void {
  const example = '{"StringEquals": {"aws:SourceAccount": "123456789012"}}';
  if (!isJsonObject(v)) {
    ctx.issues.push(issue(path, `is ${typeName(v)}, but it must be an object such as ${example}`));
    return;
  }
  for (const op of Object.keys(v)) {
    const p = [...path, op];
    const base = op.replace(/^(ForAnyValue|ForAllValues):/, '').replace(/IfExists$/, '');
    if (!CONDITION_OPERATORS.includes(base)) {
      const near = CONDITION_OPERATORS.find((o) => o.toLowerCase() === base.toLowerCase() || o.toLowerCase() === `${base.toLowerCase()}s`);
      ctx.issues.push(
        issue(p, `${show(op)} is not a condition operator`, near ? `Did you mean "${op.replace(base, near)}"?` : 'Use an operator such as StringEquals, StringLike, ArnLike, Bool or IpAddress'),
      );
      continue;
    }
    const block = v[op];
    if (!isJsonObject(block)) {
      ctx.issues.push(issue(p, `is ${typeName(block)}, but it must map condition keys to values, e.g. {"aws:SourceAccount": "123456789012"}`));
      continue;
    }
    if (Object.keys(block).length === 0) {
      ctx.issues.push(issue(p, 'is an empty object', 'Add a condition key and its value, or remove the operator'));
      continue;
    }
    for (const condKey of Object.keys(block)) {
      const cp = [...p, condKey];
      const val = block[condKey];
      const ok = (x: JsonValue): boolean => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
      if (ok(val)) continue;
      if (Array.isArray(val) && val.length > 0 && val.every(ok)) continue;
      ctx.issues.push(
        issue(
          cp,
          Array.isArray(val) && val.length === 0 ? 'is an empty list' : `is ${typeName(val)}, but it must be a string, number, boolean or a list of them`,
          'Write e.g. "123456789012" or ["a", "b"]',
        ),
      );
    }
  }
}

/**
 * Checks a permissions (identity-based) policy. `source` is accepted for symmetry with the
 * other loaders; wrap the result with assertNoIssues(source, issues).
 */
export function validatePermissionsPolicy(value: JsonValue, source: string): { issues: InputIssue[]; warnings: string[] } {
  void source;
  return validateDocument(value, 'permissions');
}

/** Checks a role trust policy (AssumeRolePolicyDocument). */
export function validateTrustPolicy(value: JsonValue, source: string): { issues: InputIssue[]; warnings: string[] } {
  void source;
  return validateDocument(value, 'trust');
}

// ---- security findings ----------------------------------------------------------------------

export type SecurityFlag = '--allow-admin' | '--allow-public-trust';
export interface SecurityRefusal {
  flag: SecurityFlag;
  field: string;
  message: string;
}

function statementsWithPaths(value: JsonValue): Array<{ s: JsonObject; path: Path }> {
  if (!isJsonObject(value)) return [];
  const st = getOwn(value, 'Statement');
  if (isJsonObject(st)) return [{ s: st, path: ['Statement'] }];
  if (!Array.isArray(st)) return [];
  const out: Array<{ s: JsonObject; path: Path }> = [];
  st.forEach((s, i) => {
    if (isJsonObject(s)) out.push({ s, path: ['Statement', i] });
  });
  return out;
}

function hasCondition(s: JsonObject): boolean {
  const c = getOwn(s, 'Condition');
  return isJsonObject(c) && Object.keys(c).length > 0;
}

/**
 * Statements that grant too much to go through without an explicit flag (refusals), and
 * risky ones worth a warning. Works on any value (invalid documents give fewer findings).
 */
export function securityFindings(kind: 'permissions' | 'trust', value: JsonValue): { refusals: SecurityRefusal[]; warnings: string[] } {
  const refusals: SecurityRefusal[] = [];
  const warnings: string[] = [];
  for (const { s, path } of statementsWithPaths(value)) {
    if (getOwn(s, 'Effect') !== 'Allow') continue;
    if (kind === 'trust') {
      const publicTrust = (key: string, message: string) => refusals.push({ flag: '--allow-public-trust', field: jsonPathOf([...path, key]), message });
      if (hasOwn(s, 'NotPrincipal')) {
        publicTrust('NotPrincipal', 'an Allow statement with NotPrincipal trusts every principal except the ones listed, including anyone in any AWS account; name the principals with Principal instead');
        continue;
      }
      const p = getOwn(s, 'Principal');
      const everyone = p === '*' || (isJsonObject(p) && stringsOf(getOwn(p, 'AWS')).includes('*'));
      if (everyone && !hasCondition(s)) {
        publicTrust(
          'Principal',
          'lets anyone in any AWS account assume the role (Principal "*" without a Condition); name the accounts or roles instead, or add a Condition such as {"StringEquals": {"aws:PrincipalOrgID": "o-..."}}',
        );
      }
      continue;
    }
    const actions = stringsOf(getOwn(s, 'Action'));
    const resources = stringsOf(getOwn(s, 'Resource'));
    const anyResource = resources.includes('*');
    if (actions.includes('*') && anyResource) {
      refusals.push({
        flag: '--allow-admin',
        field: jsonPathOf(path),
        message: 'allows every action ("*") on every resource ("*"), which is full administrator access; list the actions and resources the role needs',
      });
      continue;
    }
    if (anyResource && actions.some((a) => a !== '*' && wildcardMatch(a, 'iam:PassRole'))) {
      warnings.push(
        `${jsonPathOf(path)}: allows iam:PassRole on Resource "*", which lets the holder pass any role to any service (and so act with that role's permissions); scope Resource to the ARNs of the roles it must pass, e.g. "arn:aws:iam::123456789012:role/my-task-role"`,
      );
    }
    if (hasOwn(s, 'NotAction') && anyResource) {
      warnings.push(
        `${jsonPathOf(path)}: Allow with NotAction on Resource "*" grants every other action of every service, including ones AWS adds later; list the actions it needs instead`,
      );
    }
  }
  return { refusals, warnings };
}

// ---- comparing documents --------------------------------------------------------------------

function single(v: JsonValue): JsonValue {
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

/** ARN of an account root → the account id (IAM stores "123456789012" as the root ARN). */
function principalValue(v: JsonValue): JsonValue {
  if (typeof v !== 'string') return v;
  const m = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):root$/.exec(v);
  return m ? m[1] : v;
}

function normalizeStatement(s: JsonValue): JsonValue {
  if (!isJsonObject(s)) return s;
  const out: JsonObject = {};
  for (const key of Object.keys(s)) {
    let v = s[key];
    if (key === 'Action' || key === 'NotAction' || key === 'Resource' || key === 'NotResource') v = single(v);
    else if ((key === 'Principal' || key === 'NotPrincipal') && isJsonObject(v)) {
      const p: JsonObject = {};
      for (const k of Object.keys(v)) {
        const inner = v[k];
        setOwn(p, k, single(Array.isArray(inner) ? inner.map(principalValue) : principalValue(inner)));
      }
      v = p;
    } else if (key === 'Condition' && isJsonObject(v)) {
      const c: JsonObject = {};
      for (const op of Object.keys(v)) {
        const block = v[op];
        if (isJsonObject(block)) {
          const b: JsonObject = {};
          for (const k of Object.keys(block)) setOwn(b, k, single(block[k]));
          setOwn(c, op, b);
        } else setOwn(c, op, block);
      }
      v = c;
    }
    setOwn(out, key, v);
  }
  return out;
}

function normalizePolicy(doc: JsonValue): JsonValue {
  if (!isJsonObject(doc) || !hasOwn(doc, 'Statement')) return doc;
  const out: JsonObject = {};
  for (const key of Object.keys(doc)) {
    let v = doc[key];
    if (key === 'Statement') v = (Array.isArray(v) ? v : [v]).map(normalizeStatement);
    setOwn(out, key, v);
  }
  return out;
}

/**
 * True when two policy documents say the same thing: key order is irrelevant, and a string
 * equals a one-element list for Action/NotAction/Resource/NotResource (also for principal and
 * condition values, and a single statement object equals a one-element Statement list; an
 * account id equals its root ARN as a principal). Callers decode IAM's URL-encoded documents first.
 */
export function documentsEqual(a: JsonValue, b: JsonValue): boolean {
  return canonicalJson(normalizePolicy(a)) === canonicalJson(normalizePolicy(b));
}
