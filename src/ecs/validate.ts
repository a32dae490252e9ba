/**
 * Validation of everything ecsprimer sends to ECS, before the first AWS call:
 * the task definition document (RegisterTaskDefinition), the `service create --document`
 * (CreateService), and the launch options of `run` / `service create`.
 *
 * AWS's documented rules are the reference (API reference of @aws-sdk/client-ecs 3.1142.0 and
 * the ECS developer guide); the local test server is more lenient and is never the yardstick.
 *
 * Validators collect every problem they find as an InputIssue (field = JSON path, message names
 * the allowed values, fix says what to do). The parsers of single option values throw an
 * InputError whose source is the option. Nothing here throws anything else, and every walk is
 * bounded by the shape of the AWS model, not by the depth of the input.
 */
import type { CreateServiceCommandInput, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { InputError, type InputIssue } from '../errors.js';
import type { JsonValue } from '../input/json.js';

export type { JsonValue };
type JsonObject = { [key: string]: JsonValue };

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** The own property `k` of `o` (never an inherited one such as `constructor`). */
function own(o: JsonObject, k: string): JsonValue | undefined {
  return hasOwn(o, k) ? o[k] : undefined;
}

/** "a, b or c" */
export function listOr(items: readonly (string | number)[]): string {
  const s = items.map(String);
  if (s.length <= 1) return s.join('');
  return `${s.slice(0, -1).join(', ')} or ${s[s.length - 1]}`;
}

/** A user-supplied string, quoted and escaped, shortened to keep messages readable. */
function quote(s: string, max = 60): string {
  const short = s.length > max ? `${s.slice(0, max)}…` : s;
  return JSON.stringify(short);
}

/** What a value is, for "(got ...)" — with the value itself unless `hide` is set. */
function describe(v: unknown, hide = false): string {
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

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** JSON path of member `k` of `path` (`a.b`, or `a["odd key"]`). */
function child(path: string, k: string): string {
  if (IDENT.test(k)) return path ? `${path}.${k}` : k;
  return `${path}[${JSON.stringify(k.length > 60 ? `${k.slice(0, 60)}…` : k)}]`;
}

function at(path: string, i: number): string {
  return `${path}[${i}]`;
}

function issue(field: string | undefined, message: string, fix?: string): InputIssue {
  const i: InputIssue = { message };
  if (field) i.field = field;
  // errors.ts prints "message. Fix": the fix starts a sentence.
  if (fix) i.fix = fix.charAt(0).toUpperCase() + fix.slice(1);
  return i;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3 || a.length > 64 || b.length > 64) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The allowed key `k` was probably meant as (case or a small typo), if any. */
function suggestKey(k: string, allowed: readonly string[]): string | undefined {
  const lower = k.toLowerCase();
  const same = allowed.find((a) => a.toLowerCase() === lower);
  if (same) return same;
  if (lower.length >= 4) {
    const prefixed = allowed.filter((a) => a.toLowerCase().startsWith(lower) || lower.startsWith(a.toLowerCase()));
    if (prefixed.length === 1) return prefixed[0];
  }
  let best: string | undefined;
  let bestD = 3;
  for (const a of allowed) {
    const d = editDistance(lower, a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

const NAME_RE = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Checks a family / container / cluster / service name (1–255 letters, digits, hyphens,
 * underscores). Returns a message fragment and a fix, or undefined when the name is fine.
 */
function nameProblem(v: string, what: string): { message: string; fix: string } | undefined {
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

// ---------------------------------------------------------------------------------------------
// A tiny schema language for the AWS model shapes (bounded by the schema, not by the input)
// ---------------------------------------------------------------------------------------------

type Rule =
  | { t: 'string'; enum?: readonly string[]; nonEmpty?: boolean; max?: number; hide?: boolean }
  | { t: 'int'; min?: number; max?: number; note?: string }
  | { t: 'bool' }
  | {
      t: 'object';
      /** Name of the AWS shape, for unknown-key messages. */
      shape?: string;
      /** When given, the object is closed: other keys are reported. */
      fields?: Record<string, Rule>;
      required?: readonly string[];
      /** Every value of a free-form map must match this rule (dockerLabels, log options). */
      values?: Rule;
      unknownFix?: (key: string) => string | undefined;
    }
  | { t: 'array'; of?: Rule; min?: number; max?: number; what?: string }
  | { t: 'any' };

const INT32_MAX = 2_147_483_647;
const str = (o: Omit<Extract<Rule, { t: 'string' }>, 't'> = {}): Rule => ({ t: 'string', ...o });
const int = (o: Omit<Extract<Rule, { t: 'int' }>, 't'> = {}): Rule => ({ t: 'int', ...o });
const bool: Rule = { t: 'bool' };
const any: Rule = { t: 'any' };
const anyObject: Rule = { t: 'object' };
const strings: Rule = { t: 'array', of: str(), what: 'strings' };
const stringMap: Rule = { t: 'object', values: str() };
const obj = (shape: string, fields: Record<string, Rule>, required: readonly string[] = []): Rule => ({
  t: 'object',
  shape,
  fields,
  required,
});
const arr = (of: Rule, o: { min?: number; max?: number; what?: string } = {}): Rule => ({ t: 'array', of, ...o });

function intRange(min?: number, rawMax?: number): string {
  const max = rawMax === INT32_MAX ? undefined : rawMax;
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return min === 0 ? ' of 0 or more' : ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

/** Checks `v` against `rule`, appending issues at `path`. Returns true when the type is right. */
function check(v: JsonValue | undefined, rule: Rule, path: string, out: InputIssue[]): boolean {
  switch (rule.t) {
    case 'any':
      return true;
    case 'string': {
      if (typeof v !== 'string') {
        out.push(issue(path, `must be a string${rule.enum ? ` (one of ${listOr(rule.enum)})` : ''} (got ${describe(v, rule.hide)})`,
          typeof v === 'number' || typeof v === 'boolean' ? `put the value in double quotes` : undefined));
        return false;
      }
      if (rule.enum && !rule.enum.includes(v)) {
        const near = rule.enum.find((e) => e.toLowerCase() === v.toLowerCase());
        out.push(issue(path, `must be one of ${listOr(rule.enum)} (got ${quote(v)})`, near ? `write it as "${near}"` : undefined));
        return true;
      }
      if (rule.nonEmpty && v.length === 0) out.push(issue(path, 'must not be empty'));
      if (rule.max !== undefined && v.length > rule.max) {
        out.push(issue(path, `is ${v.length} characters long; AWS allows at most ${rule.max}`, 'shorten it'));
      }
      return true;
    }
    case 'int': {
      const expected = `a whole number${intRange(rule.min, rule.max)}${rule.note ? ` ${rule.note}` : ''}`;
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        const fix = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? `write ${v.trim()} without quotes` : undefined;
        out.push(issue(path, `must be ${expected} (got ${describe(v)})`, fix));
        return false;
      }
      if ((rule.min !== undefined && v < rule.min) || (rule.max !== undefined && v > rule.max)) {
        out.push(issue(path, `must be ${expected} (got ${v})`));
      }
      return true;
    }
    case 'bool': {
      if (typeof v !== 'boolean') {
        const fix = v === 'true' || v === 'false' ? `write ${v} without quotes` : undefined;
        out.push(issue(path, `must be true or false (got ${describe(v)})`, fix));
        return false;
      }
      return true;
    }
    case 'array': {
      if (!Array.isArray(v)) {
        out.push(issue(path, `must be an array${rule.what ? ` of ${rule.what}` : ''} (got ${describe(v)})`,
          isObject(v) || typeof v === 'string' ? 'wrap the value in [ ]' : undefined));
        return false;
      }
      if (rule.min !== undefined && v.length < rule.min) {
        out.push(issue(path, `must have at least ${rule.min} ${rule.min === 1 ? 'entry' : 'entries'} (it is empty)`));
      }
      if (rule.max !== undefined && v.length > rule.max) {
        out.push(issue(path, `has ${v.length} entries; AWS allows at most ${rule.max}`, `remove ${v.length - rule.max} of them`));
      }
      if (rule.of) for (let i = 0; i < v.length; i++) check(v[i], rule.of, at(path, i), out);
      return true;
    }
    case 'object': {
      if (!isObject(v)) {
        out.push(issue(path, `must be an object${rule.shape ? ` (${rule.shape})` : ''} (got ${describe(v)})`));
        return false;
      }
      for (const k of rule.required ?? []) {
        if (own(v, k) === undefined) out.push(issue(child(path, k), 'is required'));
      }
      if (rule.fields) {
        const allowed = Object.keys(rule.fields);
        for (const k of Object.keys(v)) {
          if (hasOwn(rule.fields, k)) {
            check(v[k], rule.fields[k], child(path, k), out);
          } else {
            const custom = rule.unknownFix?.(k);
            const guess = suggestKey(k, allowed);
            out.push(issue(child(path, k),
              `is not a${rule.shape ? ` ${rule.shape}` : 'n allowed'} field; allowed: ${allowed.join(', ')}`,
              custom ?? (guess ? `did you mean "${guess}"?` : 'remove it')));
          }
        }
      } else if (rule.values) {
        for (const k of Object.keys(v)) check(v[k], rule.values, child(path, k), out);
      }
      return true;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Fargate task sizes
// ---------------------------------------------------------------------------------------------

function steps(from: number, to: number, step: number): readonly number[] {
  const out: number[] = [];
  for (let m = from; m <= to; m += step) out.push(m);
  return Object.freeze(out);
}

/**
 * AWS's published Fargate task sizes: cpu units → the memory values (MiB) allowed with it.
 * (RegisterTaskDefinition `memory` documentation; 8192 and 16384 need Linux platform 1.4.0.)
 */
export const FARGATE_TABLE: Readonly<Record<number, readonly number[]>> = Object.freeze({
  256: Object.freeze([512, 1024, 2048]),
  512: steps(1024, 4096, 1024),
  1024: steps(2048, 8192, 1024),
  2048: steps(4096, 16384, 1024),
  4096: steps(8192, 30720, 1024),
  8192: steps(16384, 61440, 4096),
  16384: steps(32768, 122880, 8192),
});

/** The Fargate cpu values, ascending. */
export const FARGATE_CPU_VALUES: readonly number[] = Object.freeze([256, 512, 1024, 2048, 4096, 8192, 16384]);

/** "256, 512, 1024, 2048, 4096, 8192 or 16384 CPU units (0.25–16 vCPU)" */
export const FARGATE_CPU_DESCRIPTION = `${listOr(FARGATE_CPU_VALUES)} CPU units (0.25–16 vCPU)`;

/**
 * CPU units from `"256"`, `256`, `"1 vCPU"`, `"0.25 vCPU"`, `"1vcpu"` (case-insensitive; vCPU × 1024).
 * Null when the value is not a CPU size in one of those forms or is not a whole number of units.
 */
export function normalizeCpu(v: string | number): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  if (/^\d{1,12}$/.test(v)) {
    const n = Number(v);
    return n > 0 ? n : null;
  }
  const m = /^(\d{1,6}(?:\.\d{1,8})?|\.\d{1,8}) ?vcpu$/i.exec(v);
  if (!m) return null;
  const units = Number(m[1]) * 1024;
  return Number.isSafeInteger(units) && units > 0 ? units : null;
}

/**
 * Memory in MiB from `"512"`, `512`, `"2 GB"`, `"2GB"`, `"0.5 GB"` (case-insensitive; GB × 1024).
 * Null when the value is not a memory size in one of those forms or is not a whole number of MiB.
 */
export function normalizeMemory(v: string | number): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  if (/^\d{1,12}$/.test(v)) {
    const n = Number(v);
    return n > 0 ? n : null;
  }
  const m = /^(\d{1,6}(?:\.\d{1,8})?|\.\d{1,8}) ?gb$/i.exec(v);
  if (!m) return null;
  const mib = Number(m[1]) * 1024;
  return Number.isSafeInteger(mib) && mib > 0 ? mib : null;
}

/** The memory values (MiB) Fargate allows with `cpu` (units or a vCPU string); [] if cpu is not a Fargate size. */
export function fargateMemoryChoices(cpu: number | string): number[] {
  const units = normalizeCpu(cpu);
  if (units === null || !hasOwn(FARGATE_TABLE, String(units))) return [];
  return [...FARGATE_TABLE[units]];
}

/** The Fargate cpu values (units) that allow `memoryMiB`. */
export function fargateCpuChoicesForMemory(memoryMiB: number): number[] {
  return FARGATE_CPU_VALUES.filter((c) => FARGATE_TABLE[c].includes(memoryMiB));
}

/** Compact list of the memory values for `cpu`: "512, 1024 or 2048 MiB", "2048–8192 MiB in 1024 MiB steps". */
export function describeFargateMemory(cpu: number | string): string {
  const c = fargateMemoryChoices(cpu);
  if (c.length === 0) return '';
  if (c.length <= 3) return `${listOr(c)} MiB`;
  return `${c[0]}–${c[c.length - 1]} MiB in ${c[1] - c[0]} MiB steps`;
}

function asGiven(raw: string | number, n: number, unit: string): string {
  return typeof raw === 'number' || String(n) === raw ? `${raw}` : `${quote(raw)} (${n} ${unit})`;
}

/**
 * Issues for a Fargate cpu/memory pair (either may be missing). `cpuRaw`/`memoryRaw` are the
 * values as written; fields are the top-level `cpu` and `memory`.
 */
export function checkFargateSize(cpuRaw: string | number | undefined, memoryRaw: string | number | undefined): InputIssue[] {
  const out: InputIssue[] = [];
  const cpuFix = 'use one of those values, in CPU units ("256") or vCPUs ("0.25 vCPU")';
  let cpu: number | null = null;
  if (cpuRaw === undefined) {
    out.push(issue('cpu', `is missing; Fargate needs a task-level cpu: ${FARGATE_CPU_DESCRIPTION}`, 'add "cpu": "256" (and "memory": "512"), or another pair from the Fargate table'));
  } else {
    cpu = normalizeCpu(cpuRaw);
    if (cpu === null) {
      out.push(issue('cpu', `${typeof cpuRaw === 'string' ? quote(cpuRaw) : cpuRaw} is not a CPU size; Fargate allows ${FARGATE_CPU_DESCRIPTION}`, cpuFix));
    } else if (!hasOwn(FARGATE_TABLE, String(cpu))) {
      out.push(issue('cpu', `${asGiven(cpuRaw, cpu, 'CPU units')} is not a Fargate CPU size; Fargate allows ${FARGATE_CPU_DESCRIPTION}`, cpuFix));
      cpu = null;
    }
  }
  if (memoryRaw === undefined) {
    out.push(issue('memory', `is missing; Fargate needs a task-level memory${cpu !== null ? `, with cpu ${cpu}: ${describeFargateMemory(cpu)}` : ' (MiB, e.g. "512", or GB, e.g. "0.5 GB")'}`,
      cpu !== null ? `add "memory": "${FARGATE_TABLE[cpu][0]}"` : 'add "memory": "512" (with "cpu": "256")'));
    return out;
  }
  const mem = normalizeMemory(memoryRaw);
  if (mem === null) {
    out.push(issue('memory', `${typeof memoryRaw === 'string' ? quote(memoryRaw) : memoryRaw} is not a memory size; write MiB ("512") or GB ("0.5 GB")${cpu !== null ? `; with cpu ${cpu} Fargate allows ${describeFargateMemory(cpu)}` : ''}`));
    return out;
  }
  if (cpu === null) return out;
  const choices = FARGATE_TABLE[cpu];
  if (!choices.includes(mem)) {
    const others = fargateCpuChoicesForMemory(mem);
    out.push(issue('memory',
      `${asGiven(memoryRaw, mem, 'MiB')} is not valid with cpu ${asGiven(cpuRaw as string | number, cpu, 'CPU units')} on Fargate; with cpu ${cpu} memory must be ${describeFargateMemory(cpu)}`,
      others.length > 0
        ? `set "memory" to one of those values, or use a cpu that allows ${mem} MiB: ${listOr(others)}`
        : `set "memory" to one of those values (no Fargate cpu size allows ${mem} MiB)`));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 2. Task definition
// ---------------------------------------------------------------------------------------------

export const TASK_DEFINITION_KEYS = [
  'family', 'taskRoleArn', 'executionRoleArn', 'networkMode', 'containerDefinitions', 'volumes',
  'placementConstraints', 'requiresCompatibilities', 'cpu', 'memory', 'tags', 'pidMode', 'ipcMode',
  'proxyConfiguration', 'inferenceAccelerators', 'ephemeralStorage', 'runtimePlatform', 'enableFaultInjection',
] as const;

export const NETWORK_MODES = ['bridge', 'host', 'awsvpc', 'none'] as const;
export const COMPATIBILITIES = ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] as const;
/** Largest task definition AWS registers: 64 KiB of minified JSON. */
export const MAX_TASK_DEFINITION_BYTES = 65_536;
/** AWS quota "Containers per task definition" (not adjustable). */
export const MAX_CONTAINERS = 10;

const DESCRIBE_OUTPUT_KEYS = [
  'taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt',
  'registeredBy', 'deregisteredAt',
];

function taskDefinitionUnknownFix(k: string): string | undefined {
  if (k === 'taskDefinition') return 'this looks like describe-task-definition output; use the object inside "taskDefinition" as the document';
  if (DESCRIBE_OUTPUT_KEYS.includes(k)) return 'remove it: it is read-only output of describe-task-definition, not an input of RegisterTaskDefinition';
  return undefined;
}

const TAGS: Rule = arr(obj('Tag', { key: str({ nonEmpty: true, max: 128 }), value: str({ max: 256 }) }, ['key']), { max: 50, what: 'tags' });
const SECRET: Rule = obj('Secret', { name: str({ nonEmpty: true }), valueFrom: str({ nonEmpty: true }) }, ['name', 'valueFrom']);
const KEY_VALUE = (hide: boolean): Rule => obj('KeyValuePair', { name: str({ nonEmpty: true }), value: str({ hide }) }, ['name']);

const PORT_MAPPING: Rule = obj('PortMapping', {
  containerPort: int({ min: 1, max: 65535 }),
  hostPort: int({ min: 0, max: 65535, note: '(0 or left out = dynamic host port, bridge mode only)' }),
  protocol: str({ enum: ['tcp', 'udp'] }),
  name: str({ nonEmpty: true, max: 64 }),
  appProtocol: str({ enum: ['http', 'http2', 'grpc'] }),
  containerPortRange: str({ nonEmpty: true }),
});

const LOG_DRIVERS = ['awslogs', 'fluentd', 'gelf', 'json-file', 'journald', 'splunk', 'syslog', 'awsfirelens'];

export const CONTAINER_DEFINITION_KEYS = [
  'name', 'image', 'repositoryCredentials', 'cpu', 'memory', 'memoryReservation', 'links', 'portMappings',
  'essential', 'restartPolicy', 'entryPoint', 'command', 'environment', 'environmentFiles', 'mountPoints',
  'volumesFrom', 'linuxParameters', 'secrets', 'dependsOn', 'startTimeout', 'stopTimeout', 'versionConsistency',
  'hostname', 'user', 'workingDirectory', 'disableNetworking', 'privileged', 'readonlyRootFilesystem',
  'dnsServers', 'dnsSearchDomains', 'extraHosts', 'dockerSecurityOptions', 'interactive', 'pseudoTerminal',
  'dockerLabels', 'ulimits', 'logConfiguration', 'healthCheck', 'systemControls', 'resourceRequirements',
  'firelensConfiguration', 'credentialSpecs',
] as const;

const MEMORY_NOTE = '(MiB; Docker needs at least 6)';

const CONTAINER_FIELDS: Record<(typeof CONTAINER_DEFINITION_KEYS)[number], Rule> = {
  name: any, // checked below
  image: any, // checked below
  repositoryCredentials: obj('RepositoryCredentials', { credentialsParameter: str({ nonEmpty: true }) }, ['credentialsParameter']),
  cpu: int({ min: 0, max: INT32_MAX, note: '(CPU units; 1024 = 1 vCPU)' }),
  memory: int({ min: 6, max: INT32_MAX, note: MEMORY_NOTE }),
  memoryReservation: int({ min: 6, max: INT32_MAX, note: MEMORY_NOTE }),
  links: strings,
  portMappings: arr(PORT_MAPPING, { what: 'port mappings' }),
  essential: bool,
  restartPolicy: obj('ContainerRestartPolicy', {
    enabled: bool, ignoredExitCodes: arr(int(), { max: 50, what: 'exit codes' }), restartAttemptPeriod: int({ min: 60, max: 1800 }),
  }, ['enabled']),
  entryPoint: strings,
  command: strings,
  environment: arr(KEY_VALUE(true), { what: 'objects {"name": ..., "value": ...}' }),
  environmentFiles: arr(obj('EnvironmentFile', { value: str({ nonEmpty: true }), type: str({ enum: ['s3'] }) }, ['value', 'type'])),
  mountPoints: arr(obj('MountPoint', { sourceVolume: str(), containerPath: str(), readOnly: bool })),
  volumesFrom: arr(obj('VolumeFrom', { sourceContainer: str(), readOnly: bool })),
  linuxParameters: anyObject,
  secrets: arr(SECRET, { what: 'objects {"name": ..., "valueFrom": ...}' }),
  dependsOn: arr(obj('ContainerDependency', {
    containerName: str({ nonEmpty: true }), condition: str({ enum: ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'] }),
  }, ['containerName', 'condition'])),
  startTimeout: int({ min: 0 }),
  stopTimeout: int({ min: 0 }),
  versionConsistency: str({ enum: ['enabled', 'disabled'] }),
  hostname: str(),
  user: str(),
  workingDirectory: str(),
  disableNetworking: bool,
  privileged: bool,
  readonlyRootFilesystem: bool,
  dnsServers: strings,
  dnsSearchDomains: strings,
  extraHosts: arr(obj('HostEntry', { hostname: str({ nonEmpty: true }), ipAddress: str({ nonEmpty: true }) }, ['hostname', 'ipAddress'])),
  dockerSecurityOptions: strings,
  interactive: bool,
  pseudoTerminal: bool,
  dockerLabels: stringMap,
  ulimits: arr(obj('Ulimit', {
    name: str({ enum: ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'] }),
    softLimit: int(), hardLimit: int(),
  }, ['name', 'softLimit', 'hardLimit'])),
  logConfiguration: obj('LogConfiguration', {
    logDriver: str({ enum: LOG_DRIVERS }), options: stringMap, secretOptions: arr(SECRET),
  }, ['logDriver']),
  healthCheck: obj('HealthCheck', {
    command: arr(str(), { min: 1, what: 'strings' }), interval: int({ min: 5, max: 300 }), timeout: int({ min: 2, max: 120 }),
    retries: int({ min: 1, max: 10 }), startPeriod: int({ min: 0, max: 300 }),
  }, ['command']),
  systemControls: arr(obj('SystemControl', { namespace: str(), value: str() })),
  resourceRequirements: arr(obj('ResourceRequirement', {
    value: str({ nonEmpty: true }), type: str({ enum: ['GPU', 'InferenceAccelerator', 'NeuronDevice'] }),
  }, ['value', 'type'])),
  firelensConfiguration: obj('FirelensConfiguration', { type: str({ enum: ['fluentd', 'fluentbit'] }), options: stringMap }, ['type']),
  credentialSpecs: strings,
};

const CONTAINER_RULE: Rule = { t: 'object', shape: 'ContainerDefinition', fields: CONTAINER_FIELDS };

const TASK_DEFINITION_FIELDS: Record<(typeof TASK_DEFINITION_KEYS)[number], Rule> = {
  family: any, // checked below
  taskRoleArn: any,
  executionRoleArn: any,
  networkMode: str({ enum: NETWORK_MODES }),
  containerDefinitions: any,
  volumes: arr(obj('Volume', {
    name: str({ nonEmpty: true, max: 255 }), host: obj('HostVolumeProperties', { sourcePath: str() }),
    dockerVolumeConfiguration: anyObject, efsVolumeConfiguration: anyObject,
    fsxWindowsFileServerVolumeConfiguration: anyObject, configuredAtLaunch: bool,
  }), { what: 'volumes' }),
  placementConstraints: arr(obj('TaskDefinitionPlacementConstraint', {
    type: str({ enum: ['memberOf'] }), expression: str({ nonEmpty: true, max: 2000 }),
  }, ['type', 'expression']), { max: 10, what: 'placement constraints' }),
  requiresCompatibilities: arr(str({ enum: COMPATIBILITIES }), { what: 'strings' }),
  cpu: any,
  memory: any,
  tags: TAGS,
  pidMode: str({ enum: ['host', 'task'] }),
  ipcMode: str({ enum: ['host', 'task', 'none'] }),
  proxyConfiguration: obj('ProxyConfiguration', {
    type: str({ enum: ['APPMESH'] }), containerName: str({ nonEmpty: true }), properties: arr(KEY_VALUE(false)),
  }, ['containerName']),
  inferenceAccelerators: arr(obj('InferenceAccelerator', { deviceName: str({ nonEmpty: true }), deviceType: str({ nonEmpty: true }) }, ['deviceName', 'deviceType'])),
  ephemeralStorage: obj('EphemeralStorage', { sizeInGiB: int({ min: 21, max: 200, note: '(GiB)' }) }, ['sizeInGiB']),
  runtimePlatform: obj('RuntimePlatform', {
    cpuArchitecture: str({ enum: ['X86_64', 'ARM64'] }),
    operatingSystemFamily: str({
      enum: ['LINUX', 'WINDOWS_SERVER_2019_FULL', 'WINDOWS_SERVER_2019_CORE', 'WINDOWS_SERVER_2022_FULL', 'WINDOWS_SERVER_2022_CORE',
        'WINDOWS_SERVER_2025_FULL', 'WINDOWS_SERVER_2025_CORE', 'WINDOWS_SERVER_2016_FULL', 'WINDOWS_SERVER_2004_CORE', 'WINDOWS_SERVER_20H2_CORE'],
    }),
  }),
  enableFaultInjection: bool,
};

const TASK_DEFINITION_RULE: Rule = {
  t: 'object',
  shape: 'RegisterTaskDefinition',
  fields: TASK_DEFINITION_FIELDS,
  unknownFix: taskDefinitionUnknownFix,
};

/** `arn:aws[-partition]:iam::<12 digits or the literal <account-id>>:role/[path/]name` */
const ROLE_ARN_RE = /^arn:aws(?:-[a-z]+)*:iam::(?:\d{12}|<account-id>):role\/(?:[\x21-\x7e]{1,511}\/)?[\w+=,.@-]{1,64}$/;
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;

function checkRoleArn(v: JsonValue | undefined, field: 'taskRoleArn' | 'executionRoleArn', out: InputIssue[]): void {
  if (v === undefined) return;
  if (typeof v !== 'string') {
    out.push(issue(field, `must be a string, an IAM role ARN (got ${describe(v)})`));
    return;
  }
  if (ROLE_ARN_RE.test(v)) return;
  // AWS documents taskRoleArn as "the short name or full ARN"; executionRoleArn as an ARN only.
  if (field === 'taskRoleArn' && ROLE_NAME_RE.test(v)) return;
  out.push(issue(field,
    `${quote(v, 120)} is not an IAM role ARN; expected arn:aws:iam::ACCOUNT:role/NAME (ACCOUNT = 12 digits)${field === 'taskRoleArn' ? ' or a role name' : ''}`,
    'use the role\'s full ARN, e.g. "arn:aws:iam::123456789012:role/my-task-role"'));
}

/** The name of container `i` for messages: its name if it has one, else its position. */
function containerLabel(c: JsonValue, i: number): string {
  const name = isObject(c) ? own(c, 'name') : undefined;
  return typeof name === 'string' && name.length > 0 ? quote(name) : `#${i + 1}`;
}

const SECRET_NAME_PATTERNS = [
  'PASSWORD', 'PASSWD', 'SECRET', 'TOKEN', 'API_KEY', 'APIKEY', 'PRIVATE_KEY', 'ACCESS_KEY', 'CREDENTIAL', 'AWS_SECRET_ACCESS_KEY',
];

/** True when an environment variable name suggests its value is a secret. */
export function looksLikeSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  return SECRET_NAME_PATTERNS.some((p) => upper.includes(p));
}

export interface LiteralSecret {
  /** Container name (or `#N` when it has none). */
  container: string;
  containerIndex: number;
  /** Environment variable name. */
  variable: string;
  /** JSON path of the environment entry, e.g. `containerDefinitions[0].environment[2]`. */
  path: string;
}

/**
 * Environment variables whose names look like secrets (PASSWORD, TOKEN, API_KEY...) and that
 * carry a literal, non-empty value. Never returns the values.
 */
export function findLiteralSecrets(taskDef: JsonValue): LiteralSecret[] {
  const found: LiteralSecret[] = [];
  if (!isObject(taskDef)) return found;
  const cds = own(taskDef, 'containerDefinitions');
  if (!Array.isArray(cds)) return found;
  cds.forEach((c, ci) => {
    if (!isObject(c)) return;
    const env = own(c, 'environment');
    if (!Array.isArray(env)) return;
    env.forEach((e, ei) => {
      if (!isObject(e)) return;
      const name = own(e, 'name');
      const value = own(e, 'value');
      if (typeof name === 'string' && typeof value === 'string' && value.length > 0 && looksLikeSecretName(name)) {
        const cname = own(c, 'name');
        found.push({
          container: typeof cname === 'string' && cname.length > 0 ? cname : `#${ci + 1}`,
          containerIndex: ci,
          variable: name,
          path: `containerDefinitions[${ci}].environment[${ei}]`,
        });
      }
    });
  });
  return found;
}

/** One warning line per literal secret (values are never included). */
export function literalSecretWarnings(taskDef: JsonValue, source: string): string[] {
  return findLiteralSecrets(taskDef).map((s) =>
    `${source}: ${s.path}: environment variable ${quote(s.variable)} of container ${quote(s.container)} looks like a secret but has a literal value (not shown); ` +
    `move it to the container's "secrets" with "valueFrom" set to a Secrets Manager secret ARN or an SSM Parameter Store parameter ARN`);
}

/** What a literal secret's value is shown as, in plans and diffs. */
export const SECRET_NOT_SHOWN = '(literal value not shown)';
export const SECRET_CHANGED_NOT_SHOWN = '(literal value not shown; changed)';

/**
 * Copies of two task definitions (e.g. the latest revision and the new document) for a diff
 * that is shown to the user: the values of secret-looking environment variables are replaced,
 * in `after` by a marker that says whether the value changed. Never returns a secret value.
 */
export function redactLiteralSecretsForDiff<T>(before: T, after: T): [T, T] {
  const valuesOf = (doc: unknown): Map<string, unknown> => {
    const m = new Map<string, unknown>();
    const cds = isObject(doc as JsonValue) ? own(doc as JsonObject, 'containerDefinitions') : undefined;
    if (!Array.isArray(cds)) return m;
    cds.forEach((c, ci) => {
      if (!isObject(c)) return;
      const env = own(c, 'environment');
      if (!Array.isArray(env)) return;
      const cname = own(c, 'name');
      env.forEach((e) => {
        if (isObject(e) && typeof own(e, 'name') === 'string') m.set(`${typeof cname === 'string' ? cname : `#${ci}`}\u0000${own(e, 'name')}`, own(e, 'value'));
      });
    });
    return m;
  };
  const old = valuesOf(before);
  const redact = (doc: T, other?: Map<string, unknown>): T => {
    if (!isObject(doc as JsonValue)) return doc;
    const cds = own(doc as JsonObject, 'containerDefinitions');
    if (!Array.isArray(cds)) return doc;
    const copy: JsonObject = { ...(doc as JsonObject) };
    setCopy(copy, 'containerDefinitions', cds.map((c, ci) => {
      if (!isObject(c)) return c;
      const env = own(c, 'environment');
      if (!Array.isArray(env)) return c;
      const cname = own(c, 'name');
      const out: JsonObject = { ...c };
      setCopy(out, 'environment', env.map((e) => {
        if (!isObject(e)) return e;
        const name = own(e, 'name');
        const value = own(e, 'value');
        if (typeof name !== 'string' || typeof value !== 'string' || value.length === 0 || !looksLikeSecretName(name)) return e;
        const key = `${typeof cname === 'string' ? cname : `#${ci}`}\u0000${name}`;
        const changed = other !== undefined && other.has(key) && other.get(key) !== value;
        const entry: JsonObject = { ...e };
        setCopy(entry, 'value', changed ? SECRET_CHANGED_NOT_SHOWN : SECRET_NOT_SHOWN);
        return entry;
      }));
      return out;
    }));
    return copy as T;
  };
  return [redact(before), redact(after, old)];
}

function setCopy(o: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

const PRIVATE_ECR_RE = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\//;
const IMAGE_CHARS_RE = /^[A-Za-z0-9\-_:./#]+$/;

function checkImage(v: JsonValue | undefined, path: string, out: InputIssue[]): void {
  if (v === undefined) {
    out.push(issue(path, 'is missing; every container needs an image', 'add "image", e.g. "public.ecr.aws/nginx/nginx:stable-alpine"'));
    return;
  }
  if (typeof v !== 'string') {
    out.push(issue(path, `must be a string, an image reference such as "repository-url/image:tag" (got ${describe(v)})`));
    return;
  }
  if (v.trim().length === 0) {
    out.push(issue(path, 'is empty; every container needs an image', 'set it to an image such as "public.ecr.aws/nginx/nginx:stable-alpine"'));
    return;
  }
  const rule = 'an image is repository-url/image:tag (up to 255 letters, digits, - _ : . / #) or repository-url/image@sha256:<64 hex digits>';
  const atSign = v.indexOf('@');
  const name = atSign >= 0 ? v.slice(0, atSign) : v;
  if (name.length === 0 || name.length > 255 || !IMAGE_CHARS_RE.test(name)) {
    out.push(issue(path, `${quote(v, 120)} is not a valid image reference; ${rule}`,
      /\s/.test(v) ? 'remove the spaces' : 'check for characters other than letters, digits and - _ : . / #'));
    return;
  }
  if (atSign >= 0 && !/^sha256:[A-Fa-f0-9]{64}$/.test(v.slice(atSign + 1))) {
    out.push(issue(path, `${quote(v, 120)} has an invalid digest; ${rule}`, 'use @sha256: followed by exactly 64 hex digits, or a tag'));
  }
}

export interface TaskDefinitionValidation {
  issues: InputIssue[];
  warnings: string[];
  /**
   * The document to send (only meaningful when `issues` is empty): the input with task-level
   * cpu/memory numbers turned into strings; strings (e.g. "0.25 vCPU") are kept as given.
   */
  normalized: RegisterTaskDefinitionCommandInput;
}

export interface TaskDefinitionOptions {
  /** The launch type the task definition will be used with (adds FARGATE or EC2 rules). */
  launchType?: 'FARGATE' | 'EC2';
}

/** Validates a RegisterTaskDefinition document (after placeholders are filled in). */
export function validateTaskDefinition(value: JsonValue, source: string, opts: TaskDefinitionOptions = {}): TaskDefinitionValidation {
  const issues: InputIssue[] = [];
  const warnings: string[] = [];
  const empty: RegisterTaskDefinitionCommandInput = { family: undefined, containerDefinitions: undefined };
  if (!isObject(value)) {
    issues.push(issue(undefined,
      `the task definition must be a JSON object of RegisterTaskDefinition fields (got ${describe(value)})`,
      'start from json/task-definition.json: {"family": "...", "containerDefinitions": [{"name": "...", "image": "..."}]}'));
    return { issues, warnings, normalized: empty };
  }

  // Size: 64 KiB of minified JSON.
  let size: number | undefined;
  try {
    size = Buffer.byteLength(JSON.stringify(value), 'utf8');
  } catch {
    issues.push(issue(undefined, 'the task definition is nested too deeply to be measured or sent', 'simplify the document'));
  }
  if (size !== undefined && size > MAX_TASK_DEFINITION_BYTES) {
    issues.push(issue(undefined,
      `the task definition is ${size} bytes as minified JSON; AWS allows at most ${MAX_TASK_DEFINITION_BYTES} bytes (64 KiB)`,
      'make it smaller: move long environment lists to environmentFiles (S3) or secrets, and scripts into the image'));
  }

  // Types of every known field, unknown keys.
  check(value, TASK_DEFINITION_RULE, '', issues);

  // family
  const family = own(value, 'family');
  if (family === undefined) {
    issues.push(issue('family', 'is missing; a task definition needs a family (1–255 letters, digits, hyphens and underscores)', 'add "family": "my-app"'));
  } else if (typeof family !== 'string') {
    issues.push(issue('family', `must be a string of 1–255 letters, digits, hyphens and underscores (got ${describe(family)})`));
  } else {
    const p = nameProblem(family, 'a family');
    if (p) issues.push(issue('family', p.message, p.fix));
  }

  checkRoleArn(own(value, 'taskRoleArn'), 'taskRoleArn', issues);
  const executionRoleArn = own(value, 'executionRoleArn');
  checkRoleArn(executionRoleArn, 'executionRoleArn', issues);
  const hasExecutionRole = typeof executionRoleArn === 'string' && executionRoleArn.length > 0;

  const nm = own(value, 'networkMode');
  const networkMode = typeof nm === 'string' ? nm : undefined;

  const compat = new Set<string>();
  const rc = own(value, 'requiresCompatibilities');
  if (Array.isArray(rc)) for (const c of rc) if (typeof c === 'string') compat.add(c);

  const isFargate = compat.has('FARGATE') || opts.launchType === 'FARGATE';
  const ec2ByDefault = compat.size === 0 && opts.launchType === undefined;
  const isEc2 = compat.has('EC2') || opts.launchType === 'EC2' || ec2ByDefault;
  const fargateWhy = compat.has('FARGATE') ? 'requiresCompatibilities includes FARGATE' : 'the launch type is FARGATE';
  const ec2Why = compat.has('EC2') ? 'requiresCompatibilities includes EC2'
    : opts.launchType === 'EC2' ? 'the launch type is EC2'
      : 'EC2 is the default when requiresCompatibilities is not set';

  const normalized = { ...value } as JsonObject;

  // Task-level cpu and memory.
  const cpuRaw = own(value, 'cpu');
  const memRaw = own(value, 'memory');
  let cpuUnits: number | null | undefined;
  let memMiB: number | null | undefined;
  if (cpuRaw !== undefined) {
    if (typeof cpuRaw !== 'string' && typeof cpuRaw !== 'number') {
      issues.push(issue('cpu', `must be a string of CPU units ("1024") or vCPUs ("1 vCPU") (got ${describe(cpuRaw)})`));
      cpuUnits = null;
    } else {
      cpuUnits = normalizeCpu(cpuRaw);
      if (typeof cpuRaw === 'number') normalized.cpu = String(cpuRaw);
    }
  }
  if (memRaw !== undefined) {
    if (typeof memRaw !== 'string' && typeof memRaw !== 'number') {
      issues.push(issue('memory', `must be a string of MiB ("512") or GB ("0.5 GB") (got ${describe(memRaw)})`));
      memMiB = null;
    } else {
      memMiB = normalizeMemory(memRaw);
      if (typeof memRaw === 'number') normalized.memory = String(memRaw);
    }
  }
  const cpuOk = (cpuRaw === undefined || typeof cpuRaw === 'string' || typeof cpuRaw === 'number');
  const memOk = (memRaw === undefined || typeof memRaw === 'string' || typeof memRaw === 'number');
  if (isFargate) {
    if (cpuOk && memOk) {
      for (const i of checkFargateSize(cpuRaw as string | number | undefined, memRaw as string | number | undefined)) {
        issues.push({ ...i, message: `${i.message} (${fargateWhy})` });
      }
    }
  } else {
    if (cpuUnits === null && cpuOk) {
      issues.push(issue('cpu', `${quote(String(cpuRaw))} is not a CPU size; write CPU units ("1024") or vCPUs ("1 vCPU"), from 128 to 196608 units (0.125–192 vCPU)`));
    } else if (typeof cpuUnits === 'number' && (cpuUnits < 128 || cpuUnits > 196608)) {
      issues.push(issue('cpu', `is ${cpuUnits} CPU units; AWS allows 128 to 196608 units (0.125–192 vCPU) for a task`));
    }
    if (memMiB === null && memOk) {
      issues.push(issue('memory', `${quote(String(memRaw))} is not a memory size; write MiB ("512") or GB ("0.5 GB")`));
    }
  }

  // Fargate rules on the task level.
  if (isFargate) {
    if (nm === undefined) {
      issues.push(issue('networkMode', `is missing; Fargate requires "awsvpc" (${fargateWhy}; the default is "bridge")`, 'add "networkMode": "awsvpc"'));
    } else if (networkMode !== undefined && networkMode !== 'awsvpc') {
      issues.push(issue('networkMode', `is ${quote(networkMode)}; Fargate requires "awsvpc" (${fargateWhy})`, 'set "networkMode": "awsvpc"'));
    }
    const pc = own(value, 'placementConstraints');
    if (Array.isArray(pc) && pc.length > 0) {
      issues.push(issue('placementConstraints', `are not supported on Fargate (${fargateWhy}); only EC2 tasks can have placement constraints`,
        'remove "placementConstraints", or use the EC2 launch type'));
    }
    if (own(value, 'ipcMode') !== undefined) {
      issues.push(issue('ipcMode', `is not supported on Fargate (${fargateWhy})`, 'remove "ipcMode"'));
    }
    if (own(value, 'pidMode') === 'host') {
      issues.push(issue('pidMode', `"host" is not supported on Fargate (${fargateWhy}); the only value allowed there is "task"`, 'set "pidMode": "task" or remove it'));
    }
    const rp = own(value, 'runtimePlatform');
    const os = isObject(rp) ? own(rp, 'operatingSystemFamily') : undefined;
    if (typeof os === 'string' && os.startsWith('WINDOWS') && typeof cpuUnits === 'number' && cpuUnits < 1024) {
      issues.push(issue('cpu', `is ${cpuUnits} CPU units; Windows containers on Fargate need at least 1024 (1 vCPU)`, 'set "cpu": "1024" or more'));
    }
  }

  // Containers.
  const cds = own(value, 'containerDefinitions');
  const essentialSeen = { any: false, allObjects: true };
  if (cds === undefined) {
    issues.push(issue('containerDefinitions', 'is missing; a task definition needs at least one container', 'add "containerDefinitions": [{"name": "web", "image": "..."}]'));
  } else if (!Array.isArray(cds)) {
    issues.push(issue('containerDefinitions', `must be an array of container definitions (got ${describe(cds)})`, isObject(cds) ? 'wrap the container in [ ]' : undefined));
  } else if (cds.length === 0) {
    issues.push(issue('containerDefinitions', 'is empty; a task definition needs at least one container (at most 10)', 'add a container: {"name": "web", "image": "..."}'));
  } else {
    if (cds.length > MAX_CONTAINERS) {
      issues.push(issue('containerDefinitions', `has ${cds.length} containers; AWS allows at most ${MAX_CONTAINERS} per task definition`, 'split the containers into several task definitions'));
    }
    const names = new Map<string, number>();
    let reservedMemory = 0;
    let reservedCpu = 0;
    cds.forEach((c, i) => {
      const p = at('containerDefinitions', i);
      if (!check(c, CONTAINER_RULE, p, issues) || !isObject(c)) {
        essentialSeen.allObjects = false;
        return;
      }
      const label = containerLabel(c, i);

      const name = own(c, 'name');
      if (name === undefined) {
        issues.push(issue(child(p, 'name'), 'is missing; every container needs a name (1–255 letters, digits, hyphens and underscores)', 'add "name": "web"'));
      } else if (typeof name !== 'string') {
        issues.push(issue(child(p, 'name'), `must be a string of 1–255 letters, digits, hyphens and underscores (got ${describe(name)})`));
      } else {
        const np = nameProblem(name, 'a container name');
        if (np) issues.push(issue(child(p, 'name'), np.message, np.fix));
        const first = names.get(name);
        if (first !== undefined) {
          issues.push(issue(child(p, 'name'), `${quote(name)} is already the name of containerDefinitions[${first}]; container names must be unique within a task definition`, 'rename one of them'));
        } else {
          names.set(name, i);
        }
      }

      const image = own(c, 'image');
      checkImage(image, child(p, 'image'), issues);

      const essential = own(c, 'essential');
      if (essential === undefined || essential === true) essentialSeen.any = true;

      // Memory.
      const mem = own(c, 'memory');
      const res = own(c, 'memoryReservation');
      const memN = typeof mem === 'number' && Number.isInteger(mem) ? mem : undefined;
      const resN = typeof res === 'number' && Number.isInteger(res) ? res : undefined;
      if (memN !== undefined && resN !== undefined && resN > memN) {
        issues.push(issue(child(p, 'memoryReservation'),
          `(${resN} MiB) is more than memory (${memN} MiB) of container ${label}; memoryReservation (soft limit) must not exceed memory (hard limit)`,
          'lower memoryReservation or raise memory'));
      }
      if (isEc2 && memRaw === undefined && mem === undefined && res === undefined) {
        issues.push(issue(p,
          `container ${label} sets neither "memory" nor "memoryReservation"; on EC2 (${ec2Why}) each container needs one of them, in MiB, unless the task sets "memory"`,
          'add "memoryReservation": 128 (soft limit) or "memory": 256 (hard limit) to the container, or a task-level "memory"'));
      }
      if (typeof memMiB === 'number' && memN !== undefined && memN > memMiB) {
        issues.push(issue(child(p, 'memory'), `(${memN} MiB) is more than the task's memory (${memMiB} MiB)`, 'lower the container memory or raise the task memory'));
      }
      reservedMemory += resN ?? memN ?? 0;
      const cpu = own(c, 'cpu');
      if (typeof cpu === 'number' && Number.isInteger(cpu) && cpu > 0) reservedCpu += cpu;

      // Ports.
      const pms = own(c, 'portMappings');
      if (Array.isArray(pms)) {
        if (networkMode === 'none' && pms.length > 0) {
          issues.push(issue(child(p, 'portMappings'), 'must be empty with networkMode "none" (the task has no network)', 'remove the port mappings or use another networkMode'));
        }
        const sameAsContainer = networkMode === 'awsvpc' || networkMode === 'host' || isFargate;
        pms.forEach((pm, j) => {
          if (!isObject(pm)) return;
          const pp = at(child(p, 'portMappings'), j);
          const cp = own(pm, 'containerPort');
          const hp = own(pm, 'hostPort');
          const range = own(pm, 'containerPortRange');
          if (cp === undefined && range === undefined) {
            issues.push(issue(child(pp, 'containerPort'), 'is missing; each port mapping needs a containerPort (1–65535)', 'add "containerPort": 80'));
          }
          if (typeof range === 'string' && range.length > 0) {
            const m = /^(\d{1,5})-(\d{1,5})$/.exec(range);
            if (!m || Number(m[1]) < 1 || Number(m[2]) > 65535 || Number(m[1]) >= Number(m[2])) {
              issues.push(issue(child(pp, 'containerPortRange'), `${quote(range)} must be a range "FROM-TO" with 1 ≤ FROM < TO ≤ 65535`, 'e.g. "8000-8010"'));
            }
            if (hp !== undefined) {
              issues.push(issue(child(pp, 'hostPort'), 'must be left out when containerPortRange is set (ECS assigns the host ports)', 'remove hostPort'));
            }
          }
          if (sameAsContainer && typeof hp === 'number' && Number.isInteger(hp) && hp !== cp) {
            const mode = networkMode === 'host' ? 'networkMode "host"'
              : networkMode === 'awsvpc' ? `networkMode "awsvpc"${isFargate ? ' (Fargate)' : ''}` : 'Fargate (awsvpc)';
            const cpText = typeof cp === 'number' ? `containerPort ${cp}` : 'containerPort';
            issues.push(issue(child(pp, 'hostPort'),
              `is ${hp} but ${cpText}; with ${mode} hostPort must equal containerPort or be left out`,
              typeof cp === 'number' ? `remove hostPort or set it to ${cp}` : 'remove hostPort'));
          }
        });
      }

      // Fargate container rules.
      if (isFargate) {
        if (own(c, 'privileged') === true) {
          issues.push(issue(child(p, 'privileged'), `is not supported on Fargate (${fargateWhy})`, 'remove "privileged"'));
        }
        const log = own(c, 'logConfiguration');
        if (isObject(log) && own(log, 'logDriver') === 'awslogs' && !hasExecutionRole) {
          issues.push(issue(child(child(p, 'logConfiguration'), 'logDriver'),
            '"awslogs" on Fargate needs a task execution role, and the task definition has no executionRoleArn',
            'add "executionRoleArn" (a role with AmazonECSTaskExecutionRolePolicy) or remove the logConfiguration'));
        }
        if (typeof image === 'string' && PRIVATE_ECR_RE.test(image) && !hasExecutionRole) {
          issues.push(issue(child(p, 'image'),
            'is a private ECR image; Fargate needs a task execution role to pull it, and the task definition has no executionRoleArn',
            'add "executionRoleArn" (a role with AmazonECSTaskExecutionRolePolicy) or use a public image'));
        }
      }
      const secrets = own(c, 'secrets');
      if (Array.isArray(secrets) && secrets.length > 0 && !hasExecutionRole) {
        warnings.push(`${source}: ${child(p, 'secrets')}: container ${label} uses secrets but the task definition has no executionRoleArn; the task will fail to start without a task execution role that can read them`);
      }
      if (own(c, 'repositoryCredentials') !== undefined && !hasExecutionRole) {
        warnings.push(`${source}: ${child(p, 'repositoryCredentials')}: container ${label} uses private registry credentials but the task definition has no executionRoleArn; the task will fail to pull the image without one`);
      }
    });

    if (essentialSeen.allObjects && !essentialSeen.any) {
      issues.push(issue('containerDefinitions',
        'has no essential container; at least one container must be essential ("essential": true, the default when left out)',
        'set "essential": true on the main container, or remove "essential": false from it'));
    }
    if (typeof memMiB === 'number' && reservedMemory > memMiB) {
      issues.push(issue('containerDefinitions',
        `the containers reserve ${reservedMemory} MiB in total (memoryReservation, or memory where no reservation is set) but the task has only ${memMiB} MiB`,
        'lower the containers\' memoryReservation/memory or raise the task memory'));
    }
    if (typeof cpuUnits === 'number' && reservedCpu > cpuUnits) {
      issues.push(issue('containerDefinitions',
        `the containers reserve ${reservedCpu} CPU units in total but the task has only ${cpuUnits}`,
        'lower the containers\' cpu or raise the task cpu'));
    }
  }

  warnings.push(...literalSecretWarnings(value, source));
  return { issues, warnings, normalized: normalized as unknown as RegisterTaskDefinitionCommandInput };
}

/** validateTaskDefinition, throwing an InputError listing every issue. */
export function assertTaskDefinition(value: JsonValue, source: string, opts: TaskDefinitionOptions = {}): { normalized: RegisterTaskDefinitionCommandInput; warnings: string[] } {
  const r = validateTaskDefinition(value, source, opts);
  if (r.issues.length > 0) throw new InputError(source, r.issues);
  return { normalized: r.normalized, warnings: r.warnings };
}

// ---------------------------------------------------------------------------------------------
// 3. Placement
// ---------------------------------------------------------------------------------------------

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
const ATTRIBUTE_NAME_RE = /^[A-Za-z0-9_./\\-]{1,128}$/;

function strategyError(spec: string, why: string, fix?: string): InputError {
  return new InputError('--placement-strategy', issue(undefined, `${quote(spec)} ${why}; use ${STRATEGY_FORMS}`, fix));
}

/** Parses `random`, `spread:FIELD` or `binpack:cpu|memory` (the type is case-insensitive). */
export function parsePlacementStrategy(spec: string): PlacementStrategySpec {
  if (typeof spec !== 'string') {
    throw new InputError('--placement-strategy', issue(undefined, `must be text such as "spread:attribute:ecs.availability-zone" (got ${describe(spec)})`));
  }
  const s = spec.trim();
  const colon = s.indexOf(':');
  const type = (colon < 0 ? s : s.slice(0, colon)).trim().toLowerCase();
  const field = colon < 0 ? undefined : s.slice(colon + 1).trim();
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
  if (typeof spec !== 'string') {
    throw new InputError('--placement-constraint', issue(undefined, `must be text such as "distinctInstance" (got ${describe(spec)})`));
  }
  const s = spec.trim();
  const colon = s.indexOf(':');
  const type = (colon < 0 ? s : s.slice(0, colon)).trim().toLowerCase();
  const expression = colon < 0 ? undefined : s.slice(colon + 1).trim();
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

// ---------------------------------------------------------------------------------------------
// 4. Launch options
// ---------------------------------------------------------------------------------------------

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

/** RunTask: "You can specify up to 10 tasks for each call." */
export const MAX_RUN_COUNT = 10;
/** ECS quota "Tasks per service" (desired count), 5,000. */
export const MAX_DESIRED_COUNT = 5000;
export const MAX_WAIT_TIMEOUT_SECONDS = 86_400;
/** AwsVpcConfiguration: up to 16 subnets and 5 security groups. */
export const MAX_SUBNETS = 16;
export const MAX_SECURITY_GROUPS = 5;

const SUBNET_RE = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SG_RE = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

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
  const o = (isObject(opts) ? opts : {}) as Partial<LaunchOptionsInput>;

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

  const strategies = o.placementStrategies === undefined ? [] : Array.isArray(o.placementStrategies) ? o.placementStrategies : [o.placementStrategies];
  const constraints = o.placementConstraints === undefined ? [] : Array.isArray(o.placementConstraints) ? o.placementConstraints : [o.placementConstraints];
  for (const s of strategies) {
    try {
      result.strategies.push(parsePlacementStrategy(s));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      for (const i of e.issues) issues.push({ ...i, field: '--placement-strategy' });
    }
  }
  for (const s of constraints) {
    try {
      result.constraints.push(parsePlacementConstraint(s));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      for (const i of e.issues) issues.push({ ...i, field: '--placement-constraint' });
    }
  }
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

// ---------------------------------------------------------------------------------------------
// 5–6. References and names
// ---------------------------------------------------------------------------------------------

export interface TaskDefinitionRef {
  family: string;
  revision?: number;
  arn?: string;
}

const TASK_DEF_ARN_RE = /^arn:aws(?:-[a-z]+)*:ecs:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):task-definition\/([^:]*)(?::(.*))?$/;
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

// ---------------------------------------------------------------------------------------------
// 7. service create --document
// ---------------------------------------------------------------------------------------------

export const CREATE_SERVICE_KEYS = [
  'cluster', 'serviceName', 'taskDefinition', 'availabilityZoneRebalancing', 'loadBalancers', 'serviceRegistries',
  'desiredCount', 'clientToken', 'launchType', 'capacityProviderStrategy', 'platformVersion', 'role',
  'deploymentConfiguration', 'placementConstraints', 'placementStrategy', 'networkConfiguration',
  'healthCheckGracePeriodSeconds', 'schedulingStrategy', 'deploymentController', 'tags', 'enableECSManagedTags',
  'propagateTags', 'enableExecuteCommand', 'serviceConnectConfiguration', 'volumeConfigurations',
  'vpcLatticeConfigurations', 'monitoring',
] as const;

const PORT = int({ min: 1, max: 65535 });

const SERVICE_FIELDS: Record<(typeof CREATE_SERVICE_KEYS)[number], Rule> = {
  cluster: str({ nonEmpty: true }),
  serviceName: str({ nonEmpty: true }),
  taskDefinition: str({ nonEmpty: true }),
  availabilityZoneRebalancing: str({ enum: ['ENABLED', 'DISABLED'] }),
  loadBalancers: arr(obj('LoadBalancer', {
    targetGroupArn: str({ nonEmpty: true }), loadBalancerName: str({ nonEmpty: true }), containerName: str({ nonEmpty: true }),
    containerPort: PORT, advancedConfiguration: anyObject,
  }), { what: 'load balancers' }),
  serviceRegistries: arr(obj('ServiceRegistry', {
    registryArn: str({ nonEmpty: true }), port: PORT, containerName: str({ nonEmpty: true }), containerPort: PORT,
  }), { what: 'service registries' }),
  desiredCount: int({ min: 0, max: MAX_DESIRED_COUNT }),
  clientToken: str({ nonEmpty: true, max: 36 }),
  launchType: str({ enum: COMPATIBILITIES }),
  capacityProviderStrategy: arr(obj('CapacityProviderStrategyItem', {
    capacityProvider: str({ nonEmpty: true }), weight: int({ min: 0, max: 1000 }), base: int({ min: 0, max: 100000 }),
  }, ['capacityProvider']), { max: 20, what: 'capacity provider items' }),
  platformVersion: str({ nonEmpty: true }),
  role: str({ nonEmpty: true }),
  deploymentConfiguration: obj('DeploymentConfiguration', {
    deploymentCircuitBreaker: obj('DeploymentCircuitBreaker', {
      enable: bool, rollback: bool, resetOnHealthyTask: bool, thresholdConfiguration: anyObject,
    }, ['enable', 'rollback']),
    maximumPercent: int({ min: 0, max: INT32_MAX }),
    minimumHealthyPercent: int({ min: 0, max: INT32_MAX }),
    alarms: obj('DeploymentAlarms', { alarmNames: strings, rollback: bool, enable: bool }, ['alarmNames', 'rollback', 'enable']),
    strategy: str({ enum: ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'] }),
    bakeTimeInMinutes: int({ min: 0, max: INT32_MAX }),
    lifecycleHooks: arr(anyObject),
    linearConfiguration: anyObject,
    canaryConfiguration: anyObject,
    earlySuccessCriteria: anyObject,
  }),
  placementConstraints: arr(obj('PlacementConstraint', {
    type: str({ enum: ['distinctInstance', 'memberOf'] }), expression: str({ max: 2000 }),
  }, ['type']), { max: MAX_PLACEMENT_CONSTRAINTS, what: 'placement constraints' }),
  placementStrategy: arr(obj('PlacementStrategy', {
    type: str({ enum: ['random', 'spread', 'binpack'] }), field: str({ nonEmpty: true }),
  }, ['type']), { max: MAX_PLACEMENT_STRATEGIES, what: 'placement strategies' }),
  networkConfiguration: obj('NetworkConfiguration', {
    awsvpcConfiguration: obj('AwsVpcConfiguration', {
      subnets: arr(str(), { min: 1, max: MAX_SUBNETS, what: 'subnet ids' }),
      securityGroups: arr(str(), { max: MAX_SECURITY_GROUPS, what: 'security group ids' }),
      assignPublicIp: str({ enum: ['ENABLED', 'DISABLED'] }),
    }, ['subnets']),
  }),
  healthCheckGracePeriodSeconds: int({ min: 0, max: INT32_MAX, note: '(seconds)' }),
  schedulingStrategy: str({ enum: ['REPLICA', 'DAEMON'] }),
  deploymentController: obj('DeploymentController', { type: str({ enum: ['ECS', 'CODE_DEPLOY', 'EXTERNAL'] }) }, ['type']),
  tags: TAGS,
  enableECSManagedTags: bool,
  propagateTags: str({ enum: ['TASK_DEFINITION', 'SERVICE', 'NONE'] }),
  enableExecuteCommand: bool,
  serviceConnectConfiguration: anyObject,
  volumeConfigurations: arr(anyObject),
  vpcLatticeConfigurations: arr(anyObject),
  monitoring: anyObject,
};

const SERVICE_RULE: Rule = {
  t: 'object',
  shape: 'CreateService',
  fields: SERVICE_FIELDS,
  unknownFix: (k) => (k === 'service' ? 'this looks like describe-services output; use CreateService input fields instead' : undefined),
};

export interface ServiceDocumentValidation {
  issues: InputIssue[];
  warnings: string[];
  /** The document as CreateService input members (only meaningful when `issues` is empty). */
  normalized: Partial<CreateServiceCommandInput>;
}

/**
 * Validates the optional `service create --document`: an object of CreateService input members.
 * `opts.launchType` is the launch type the command will send (from --launch-type).
 */
export function validateServiceDocument(value: JsonValue, source: string, opts: { launchType?: string } = {}): ServiceDocumentValidation {
  const issues: InputIssue[] = [];
  const warnings: string[] = [];
  if (!isObject(value)) {
    issues.push(issue(undefined, `the service document must be a JSON object of CreateService fields (got ${describe(value)})`,
      'e.g. {"healthCheckGracePeriodSeconds": 60, "enableExecuteCommand": true}'));
    return { issues, warnings, normalized: {} };
  }
  check(value, SERVICE_RULE, '', issues);

  const docLaunchType = own(value, 'launchType');
  const launchType = typeof docLaunchType === 'string' ? docLaunchType : typeof opts.launchType === 'string' ? opts.launchType.toUpperCase() : undefined;
  const ltSource = typeof docLaunchType === 'string' ? '"launchType" in the document' : '--launch-type';

  const cps = own(value, 'capacityProviderStrategy');
  if (cps !== undefined && launchType !== undefined) {
    issues.push(issue('capacityProviderStrategy',
      `cannot be combined with a launch type (${ltSource} is ${launchType}); a service uses either a launch type or a capacity provider strategy`,
      typeof docLaunchType === 'string' ? 'remove "launchType" or "capacityProviderStrategy" from the document' : 'remove "capacityProviderStrategy" from the document'));
  }

  if (launchType === 'FARGATE') {
    for (const k of ['placementConstraints', 'placementStrategy'] as const) {
      const v = own(value, k);
      if (Array.isArray(v) && v.length > 0) {
        issues.push(issue(k, `placement strategies and constraints are EC2-only (${ltSource} is FARGATE)`, `remove "${k}" or use --launch-type EC2`));
      }
    }
    if (own(value, 'schedulingStrategy') === 'DAEMON') {
      issues.push(issue('schedulingStrategy', `"DAEMON" is not supported on Fargate (${ltSource} is FARGATE); use "REPLICA"`, 'remove "schedulingStrategy" or set it to "REPLICA"'));
    }
  }

  const pcs = own(value, 'placementConstraints');
  if (Array.isArray(pcs)) {
    pcs.forEach((pc, i) => {
      if (!isObject(pc)) return;
      const p = at('placementConstraints', i);
      const type = own(pc, 'type');
      const expr = own(pc, 'expression');
      if (type === 'distinctInstance' && expr !== undefined) {
        issues.push(issue(child(p, 'expression'), 'must be left out for "distinctInstance"', 'remove "expression"'));
      }
      if (type === 'memberOf' && (typeof expr !== 'string' || expr.trim().length === 0)) {
        issues.push(issue(child(p, 'expression'), 'is required for "memberOf" (a cluster query language expression)', 'e.g. "attribute:ecs.instance-type =~ t3.*"'));
      }
    });
  }
  const pss = own(value, 'placementStrategy');
  if (Array.isArray(pss)) {
    pss.forEach((ps, i) => {
      if (!isObject(ps)) return;
      const p = at('placementStrategy', i);
      const type = own(ps, 'type');
      const field = own(ps, 'field');
      if (type === 'random' && field !== undefined) {
        issues.push(issue(child(p, 'field'), 'must be left out for "random"', 'remove "field"'));
      }
      if (type === 'binpack' && field !== 'cpu' && field !== 'memory') {
        issues.push(issue(child(p, 'field'), `must be "cpu" or "memory" for "binpack"${field === undefined ? ' (it is missing)' : ` (got ${describe(field)})`}`));
      }
      if (type === 'spread') {
        if (typeof field !== 'string' || field.length === 0) {
          issues.push(issue(child(p, 'field'), 'is required for "spread": instanceId, host or attribute:NAME', 'e.g. "attribute:ecs.availability-zone"'));
        } else if (field !== 'instanceId' && field !== 'host' && !(field.startsWith('attribute:') && ATTRIBUTE_NAME_RE.test(field.slice(10)))) {
          issues.push(issue(child(p, 'field'), `${quote(field)} cannot be spread over; use instanceId, host or attribute:NAME`, 'e.g. "attribute:ecs.availability-zone"'));
        }
      }
    });
  }

  const subnets = (() => {
    const nc = own(value, 'networkConfiguration');
    const avc = isObject(nc) ? own(nc, 'awsvpcConfiguration') : undefined;
    return isObject(avc) ? avc : undefined;
  })();
  if (subnets) {
    const base = 'networkConfiguration.awsvpcConfiguration';
    const sn = own(subnets, 'subnets');
    if (Array.isArray(sn)) sn.forEach((s, i) => {
      if (typeof s === 'string' && !SUBNET_RE.test(s)) issues.push(issue(`${base}.subnets[${i}]`, `${quote(s)} is not a subnet id; expected subnet- followed by 8 or 17 lowercase hex digits`));
    });
    const sg = own(subnets, 'securityGroups');
    if (Array.isArray(sg)) sg.forEach((s, i) => {
      if (typeof s === 'string' && !SG_RE.test(s)) issues.push(issue(`${base}.securityGroups[${i}]`, `${quote(s)} is not a security group id; expected sg- followed by 8 or 17 lowercase hex digits`));
    });
  }

  const name = own(value, 'serviceName');
  if (typeof name === 'string' && name.length > 0) {
    const p = nameProblem(name, 'a service name');
    if (p) issues.push(issue('serviceName', p.message, p.fix));
  }

  const lbs = own(value, 'loadBalancers');
  if (Array.isArray(lbs)) {
    lbs.forEach((lb, i) => {
      if (!isObject(lb)) return;
      if (own(lb, 'targetGroupArn') === undefined && own(lb, 'loadBalancerName') === undefined) {
        issues.push(issue(at('loadBalancers', i), 'needs "targetGroupArn" (Application/Network Load Balancer) or "loadBalancerName" (Classic Load Balancer)'));
      }
    });
  }

  return { issues, warnings, normalized: { ...value } as unknown as Partial<CreateServiceCommandInput> };
}

/** validateServiceDocument, throwing an InputError listing every issue. */
export function assertServiceDocument(value: JsonValue, source: string, opts: { launchType?: string } = {}): Partial<CreateServiceCommandInput> {
  const r = validateServiceDocument(value, source, opts);
  if (r.issues.length > 0) throw new InputError(source, r.issues);
  return r.normalized;
}
