/**
 * The stack file (`ecsprimer.json`): a whole stack described once — policies, roles, log groups,
 * clusters, task definitions and services, each by its AWS name — and read into a StackSpec with
 * every problem found before any call: the shape (unknown keys with a suggestion), names, the
 * references between resources (by name; a reference to nothing; a cycle), and every document
 * (inline, or `file://` relative to the stack file) through the validators of its kind.
 *
 * References follow the kinds (a role names policies; a task definition its roles; a service its
 * cluster and task definition); `dependsOn` adds an order of one's own, as CloudFormation's does.
 * The file's format is described for editors by schema/stack.schema.json (shipped in the package).
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import * as v from 'valibot';
import type { Context } from '../context.js';
import { InputError, type InputIssue } from '../errors.js';
import { roleArn } from '../iam/arn.js';
import { parsePolicyRef, parseRoleRef, parseTrustPrincipal, validatePermissionsPolicy, validatePolicyName, validateRoleName, validateTrustPolicy, type TrustPrincipalSpec } from '../iam/validate.js';
import { fillDocument, PROBE_ACCOUNT, type RawDocument } from '../input/documents.js';
import { issue, listOr, suggestKey } from '../input/issues.js';
import { isJsonObject, jsonPathOf, parseJsonStrict, type JsonValue } from '../input/json.js';
import { fillPlaceholders, placeholdersUsed } from '../input/placeholders.js';
import { locate, parsePath } from '../input/locate.js';
import { arr, bool, int, map, num, obj, shapeIssues, str, strings, type Shape } from '../input/schema.js';
import { readDocumentText } from '../input/source.js';
import { STACK_TAG } from '../input/tags.js';
import { SUBNET_RE } from '../ecs/launch.js';
import { nameProblem } from '../ecs/names.js';
import { containerFor, containersOfDocument, parseLoadBalancerOptions, type LoadBalancerRequest } from '../ecs/load-balancer.js';
import { parseAutoscale } from '../ecs/autoscale.js';
import { parseStrategyOptions, type StrategyRequest } from '../ecs/blue-green.js';
import { executionRoleNeeds } from '../ecs/execution-role.js';
import { awslogsTargets, LOG_GROUP_NAME, RETENTION_DAYS, DEFAULT_RETENTION_DAYS } from '../ecs/log-groups.js';
import { validateTaskDefinition, type JsonValue as EcsJson } from '../ecs/validate.js';
import { validateRepositoryName } from '../ecs/ecr.js';
import { validateSecretName } from '../ecs/secret.js';
import { parseSecretOptions, withSecretEntries, type SecretOption } from '../ecs/task-secrets.js';

export const DEFAULT_STACK_FILE = 'ecsprimer.json';

export const KINDS = ['policies', 'roles', 'logGroups', 'repositories', 'secrets', 'clusters', 'taskDefinitions', 'services'] as const;
export type Kind = (typeof KINDS)[number];

/** One resource of the file: its kind, AWS name and where it is in the file. */
export interface ResourceSpec {
  kind: Kind;
  name: string;
  /** JSON path in the stack file, e.g. `roles.demo-role`. */
  at: string;
  description?: string;
  dependsOn: Array<{ kind: Kind; name: string }>;
}

/** A document of the file: inline (source is the stack file, `at` its path there) or from file://. */
export interface SpecDocument extends RawDocument {
  /** The document's path in the stack file when inline (prefixed to its issues), else ''. */
  at: string;
  /** Where the stack file names it (`policies["p"].document`). */
  field: string;
}

export interface PolicySpec extends ResourceSpec {
  kind: 'policies';
  document: SpecDocument;
}
export type RoleTrust = { document: SpecDocument } | { principal: TrustPrincipalSpec };
export interface RoleSpec extends ResourceSpec {
  kind: 'roles';
  trust: RoleTrust;
  /** Policies of the file by name, or any policy by ARN (placeholders filled at plan time). */
  policies: Array<{ name: string } | { arn: string }>;
}
export interface LogGroupSpec extends ResourceSpec {
  kind: 'logGroups';
  retentionInDays: number;
}
export interface ClusterSpec extends ResourceSpec {
  kind: 'clusters';
}
export interface RepositorySpec extends ResourceSpec {
  kind: 'repositories';
  scanOnPush: boolean;
  keep: number;
  immutableTags: boolean;
}
/** A secret's value comes from a file (relative to the stack file) or an environment variable, read by up and diff only. */
export type SecretSource = { file: string; shown: string } | { env: string };
export interface SecretSpec extends ResourceSpec {
  kind: 'secrets';
  from: SecretSource;
}
/** A role of the file by name, or one elsewhere by ARN. */
export type RoleUse = { name: string } | { arn: string };
export interface TaskDefinitionSpec extends ResourceSpec {
  kind: 'taskDefinitions';
  document: SpecDocument;
  taskRole?: RoleUse;
  executionRole?: RoleUse;
  /** The log groups its containers' awslogs driver writes to (placeholders filled). */
  logGroupsUsed: string[];
  /** `secrets` of the file: a container variable from a secret or parameter (as `--secret`). */
  secrets: SecretOption[];
  /** The file's secrets among them, by name. */
  secretsUsed: string[];
}
export interface ServiceSpec extends ResourceSpec {
  kind: 'services';
  cluster: string;
  taskDefinition: string;
  desiredCount: number;
  launchType: 'FARGATE' | 'EC2';
  subnets: string[];
  securityGroups: string[];
  assignPublicIp?: boolean;
  /** Behind a load balancer (as `service create --load-balancer`). */
  loadBalancer?: LoadBalancerRequest;
  /** Its desired count kept between min and max (as `service autoscale`). */
  autoscale?: { min: number; max: number; cpu?: number; memory?: number; requestsPerTarget?: number };
  /** How it deploys (as `service update --strategy`): blue/green needs loadBalancer. */
  deployment?: StrategyRequest;
}

export interface StackSpec {
  /** Absolute path of the stack file. */
  path: string;
  /** `file ./ecsprimer.json`: how messages name it. */
  source: string;
  stack: string;
  policies: PolicySpec[];
  roles: RoleSpec[];
  logGroups: LogGroupSpec[];
  repositories: RepositorySpec[];
  secrets: SecretSpec[];
  clusters: ClusterSpec[];
  taskDefinitions: TaskDefinitionSpec[];
  services: ServiceSpec[];
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------
// Shape

const common = { description: str({ max: 1000 }), dependsOn: strings };
const documentField = (what: string): Shape =>
  v.union([v.string(), v.custom(isJsonObject)], () => `must be ${what} as a JSON object, or "file://PATH" (relative to the stack file)`);

const SHAPES: Record<Kind, Shape> = {
  policies: obj('policy', { ...common, document: documentField('the permissions policy') }, ['document']),
  roles: obj('role', { ...common, trustPolicy: documentField('the trust policy'), trustPrincipal: str({ nonEmpty: true }), policies: strings }, [], {
    trust: 'did you mean "trustPolicy" (a document) or "trustPrincipal" (e.g. "ecs-tasks.amazonaws.com")?',
    managedPolicies: 'list every policy in "policies": names of this file\'s policies, or ARNs',
  }),
  logGroups: obj('log group', { ...common, retentionInDays: int({ min: 1 }) }),
  repositories: obj('repository', { ...common, scanOnPush: bool, keep: int({ min: 1, max: 10000 }), immutableTags: bool }),
  secrets: obj('secret', { ...common, fromFile: str({ nonEmpty: true }), fromEnv: str({ nonEmpty: true }) }, [], {
    value: 'a secret\'s value is never written in the stack file: give "fromFile" (a file next to it) or "fromEnv" (an environment variable)',
    secretString: 'a secret\'s value is never written in the stack file: give "fromFile" (a file next to it) or "fromEnv" (an environment variable)',
  }),
  clusters: obj('cluster', { ...common }),
  taskDefinitions: obj(
    'task definition',
    { ...common, document: documentField('the task definition'), taskRole: str({ nonEmpty: true }), executionRole: str({ nonEmpty: true }), secrets: map(str({ nonEmpty: true })) },
    ['document'],
  ),
  services: obj(
    'service',
    {
      ...common,
      cluster: str({ nonEmpty: true }),
      taskDefinition: str({ nonEmpty: true }),
      desiredCount: int({ min: 0, max: 5000 }),
      launchType: str({ enum: ['FARGATE', 'EC2'] }),
      subnets: arr(str(), { max: 16, what: 'subnet ids' }),
      securityGroups: arr(str(), { max: 5, what: 'security group ids' }),
      assignPublicIp: bool,
      loadBalancer: obj(
        'load balancer',
        {
          containerPort: int({ min: 1, max: 65535 }),
          containerName: str({ nonEmpty: true }),
          listenerPort: int({ min: 1, max: 65535 }),
          healthCheckPath: str({ nonEmpty: true }),
          existing: str({ nonEmpty: true }),
          pathPattern: str({ nonEmpty: true }),
        },
        ['containerPort'],
        { port: 'did you mean "containerPort" (the container\'s) or "listenerPort" (the load balancer\'s)?', name: 'an existing load balancer is "existing" (its name or ARN); a new one is named after the stack and service' },
      ),
      autoscale: obj(
        'scaling',
        { min: int({ min: 0, max: 5000 }), max: int({ min: 0, max: 5000 }), cpu: num({ min: 1, max: 100 }), memory: num({ min: 1, max: 100 }), requestsPerTarget: num({ min: 1 }) },
        ['min', 'max'],
        { off: 'remove "autoscale" to stop scaling the service' },
      ),
      deployment: obj('deployment', { strategy: str({ enum: ['blue-green', 'rolling'] }), bakeTime: int({ min: 0, max: 1440 }) }, ['strategy'], { bakeTimeInMinutes: 'did you mean "bakeTime" (minutes)?' }),
    },
    ['cluster', 'taskDefinition'],
  ),
};

const TOP: Shape = obj('stack file', {
  $schema: str(),
  stack: str({ nonEmpty: true }),
  description: str({ max: 1000 }),
  ...Object.fromEntries(KINDS.map((k) => [k, map(SHAPES[k])])),
}, ['stack'], { resources: `list resources by kind: ${KINDS.join(', ')}` });

// ---------------------------------------------------------------------------------------------
// Reading

type Obj = { [k: string]: JsonValue };

const at = (...parts: Array<string | number>) => jsonPathOf(parts);

/** The problems of a name, as issues at `path` (the name validators throw InputErrors). */
function nameIssues(path: string, check: () => unknown): InputIssue[] {
  try {
    check();
    return [];
  } catch (e) {
    if (e instanceof InputError) return e.issues.map((i) => ({ ...i, field: path }));
    throw e;
  }
}

/** Reads and checks a stack file; throws one InputError with every problem found. */
export async function readStackFile(ctx: Context, file: string | undefined): Promise<StackSpec> {
  const spec = file ?? DEFAULT_STACK_FILE;
  const loaded = await readDocumentText(spec.startsWith('file://') ? spec : `file://${spec}`, { option: '--file', cwd: ctx.cwd, readStdin: () => ctx.readStdin() }).catch((e: unknown) => {
    if (e instanceof InputError && !file && /not an existing file|no such file/i.test(e.message)) {
      throw new InputError('--file', { message: `there is no ${DEFAULT_STACK_FILE} in ${ctx.cwd}`, fix: 'write one with `ecsprimer init`, or pass --file PATH' }, 'NoStackFile');
    }
    throw e;
  });
  const source = loaded.source;
  const path = loaded.path!;
  const value = parseJsonStrict(loaded.text, source);
  placeholdersUsed(value, source);
  /** Issues at a path of the stack file get its line and column there. */
  const positioned = (list: InputIssue[]): InputIssue[] =>
    list.map((i) => {
      if (i.line !== undefined || !i.field) return i;
      const parts = parsePath(i.field);
      const pos = parts && locate(loaded.text, parts);
      return pos ? { ...i, ...pos } : i;
    });
  const shapeProblems = shapeIssues(TOP, value);
  if (shapeProblems.length) throw new InputError(source, positioned(shapeProblems));
  const root = value as Obj;
  const issues: InputIssue[] = [];
  const warnings: string[] = [];
  const stack = root.stack as string;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,31}$/.test(stack)) issues.push(issue('stack', `"${stack}" is not a stack name`, 'use 1–32 letters, digits and hyphens, starting with a letter'));

  const entries = (k: Kind): Array<[string, Obj]> => Object.entries((root[k] as Obj | undefined) ?? {}) as Array<[string, Obj]>;
  const names = Object.fromEntries(KINDS.map((k) => [k, entries(k).map(([n]) => n)])) as Record<Kind, string[]>;
  const reader = { cwd: dirname(path), readStdin: () => ctx.readStdin() };

  /** A document field: inline, or file:// relative to the stack file. */
  const documentOf = async (value: JsonValue, where: string): Promise<SpecDocument | undefined> => {
    if (typeof value === 'string') {
      if (!value.startsWith('file://')) {
        issues.push(issue(where, `"${value}" is neither a document nor a file:// path`, 'write the JSON object here, or "file://policy.json" (relative to the stack file)'));
        return undefined;
      }
      try {
        const text = await readDocumentText(value, { option: where, cwd: reader.cwd, readStdin: reader.readStdin });
        const rel = relative(ctx.cwd, text.path ?? value.slice(7)) || value.slice(7);
        const docSource = `file ${rel.startsWith('.') || rel.startsWith('/') ? rel : `./${rel}`}`;
        const parsed = parseJsonStrict(text.text, docSource);
        return { value: parsed, source: docSource, needsAccount: placeholdersUsed(parsed, docSource).has('AWS::AccountId'), at: '', field: where };
      } catch (e) {
        if (e instanceof InputError) {
          issues.push(...e.issues.map((i) => inDocument(where, e.source === where ? undefined : e.source, i)));
          return undefined;
        }
        throw e;
      }
    }
    return { value, source, needsAccount: placeholdersUsed(value, source).has('AWS::AccountId'), at: where, field: where };
  };

  /** Issues of a validated document, placed: inline ones under their path in the stack file. */
  const place = (doc: SpecDocument, found: InputIssue[]): void => {
    for (const i of found) {
      if (doc.at) issues.push({ ...i, field: i.field ? `${doc.at}.${i.field}`.replace('.[', '[') : doc.at });
      else issues.push(inDocument(doc.at || doc.field, doc.source, i));
    }
  };
  const probe = (doc: SpecDocument) => fillDocument(doc, { ...ctx.placeholders(PROBE_ACCOUNT), stack });
  /** An ARN of the file with the stand-in account (nothing is sent with it). */
  const probeArn = (arn: string) => fillPlaceholders(arn, { accountId: PROBE_ACCOUNT, region: ctx.knownRegion, partition: ctx.knownRegion ? ctx.partition : 'aws', stack }) as string;
  const partitionProblems = (value: JsonValue) => {
    try {
      return ctx.wrongPartition(value);
    } catch {
      return [];
    }
  };

  const base = (kind: Kind, name: string, o: Obj): ResourceSpec => {
    const dependsOn: ResourceSpec['dependsOn'] = [];
    ((o.dependsOn as string[] | undefined) ?? []).forEach((d, i) => {
      const where = at(kind, name, 'dependsOn', i);
      const m = /^([A-Za-z]+):(.+)$/.exec(d);
      const k = m?.[1] as Kind | undefined;
      if (!m || !KINDS.includes(k!)) {
        const guess = m ? suggestKey(m[1], KINDS) : undefined;
        issues.push(issue(where, `"${d}" is not a reference`, `write KIND:NAME, KIND one of ${listOr(KINDS)}${guess ? ` (did you mean "${guess}:${m![2]}"?)` : ''}`));
        return;
      }
      if (!names[k!].includes(m[2])) {
        issues.push(refIssue(where, m[2], k!, names[k!]));
        return;
      }
      dependsOn.push({ kind: k!, name: m[2] });
    });
    return { kind, name, at: at(kind, name), ...(typeof o.description === 'string' ? { description: o.description } : {}), dependsOn };
  };

  const policies: PolicySpec[] = [];
  for (const [name, o] of entries('policies')) {
    issues.push(...nameIssues(at('policies', name), () => validatePolicyName(name, 'name')));
    const doc = await documentOf(o.document, at('policies', name, 'document'));
    if (doc) {
      const filled = probe(doc);
      const r = validatePermissionsPolicy(filled, doc.source);
      place(doc, [...r.issues, ...partitionProblems(filled)]);
      warnings.push(...r.warnings.map((w) => `${at('policies', name)}: ${w}`));
      policies.push({ ...base('policies', name, o), kind: 'policies', document: doc });
    }
  }

  const roles: RoleSpec[] = [];
  for (const [name, o] of entries('roles')) {
    const where = at('roles', name);
    issues.push(...nameIssues(where, () => validateRoleName(name, 'name')));
    let trust: RoleTrust | undefined;
    if (o.trustPolicy !== undefined && o.trustPrincipal !== undefined) issues.push(issue(where, 'has both trustPolicy and trustPrincipal', 'keep one: the whole document, or just the principal'));
    else if (o.trustPrincipal !== undefined) {
      try {
        trust = { principal: parseTrustPrincipal(o.trustPrincipal as string, `${where}.trustPrincipal`) };
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        issues.push(...e.issues.map((i) => ({ ...i, field: `${where}.trustPrincipal` })));
      }
    } else if (o.trustPolicy !== undefined) {
      const doc = await documentOf(o.trustPolicy, `${where}.trustPolicy`);
      if (doc) {
        const filled = probe(doc);
        const r = validateTrustPolicy(filled, doc.source);
        place(doc, [...r.issues, ...partitionProblems(filled)]);
        warnings.push(...r.warnings.map((w) => `${where}: ${w}`));
        trust = { document: doc };
      }
    } else issues.push(issue(where, 'has no trust policy', 'add "trustPrincipal": "ecs-tasks.amazonaws.com" (or a whole "trustPolicy" document)'));
    const policyRefs: RoleSpec['policies'] = [];
    ((o.policies as string[] | undefined) ?? []).forEach((p, i) => {
      const w = at('roles', name, 'policies', i);
      if (p.startsWith('arn:')) {
        issues.push(...nameIssues(w, () => parsePolicyRef(probeArn(p), w)));
        policyRefs.push({ arn: p });
      } else if (names.policies.includes(p)) policyRefs.push({ name: p });
      else issues.push(refIssue(w, p, 'policies', names.policies, 'or give the ARN of a policy elsewhere (AWS managed: arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy)'));
    });
    if (trust) roles.push({ ...base('roles', name, o), kind: 'roles', trust, policies: policyRefs });
  }

  const logGroups: LogGroupSpec[] = [];
  for (const [name, o] of entries('logGroups')) {
    if (!LOG_GROUP_NAME.test(name)) issues.push(issue(at('logGroups', name), `"${name}" is not a log group name`, 'use 1–512 letters, digits and _ - / . # (e.g. /ecs/demo-web)'));
    const days = (o.retentionInDays as number | undefined) ?? DEFAULT_RETENTION_DAYS;
    if (!(RETENTION_DAYS as readonly number[]).includes(days)) issues.push(issue(at('logGroups', name, 'retentionInDays'), `${days} is not a retention CloudWatch Logs offers`, `use one of ${RETENTION_DAYS.join(', ')}`));
    logGroups.push({ ...base('logGroups', name, o), kind: 'logGroups', retentionInDays: days });
  }

  const repositories: RepositorySpec[] = [];
  for (const [name, o] of entries('repositories')) {
    issues.push(...nameIssues(at('repositories', name), () => validateRepositoryName(name, 'name')));
    repositories.push({ ...base('repositories', name, o), kind: 'repositories', scanOnPush: o.scanOnPush !== false, keep: (o.keep as number | undefined) ?? 10, immutableTags: o.immutableTags === true });
  }

  const secrets: SecretSpec[] = [];
  for (const [name, o] of entries('secrets')) {
    const where = at('secrets', name);
    issues.push(...nameIssues(where, () => warnings.push(...validateSecretName(name, where))));
    const hasFile = typeof o.fromFile === 'string';
    const hasEnv = typeof o.fromEnv === 'string';
    if (hasFile === hasEnv) {
      issues.push(issue(where, hasFile ? 'has both fromFile and fromEnv' : 'has no value source', 'give one: "fromFile": "db-password.txt" (relative to the stack file) or "fromEnv": "DB_PASSWORD" (the value is never written in the stack file)'));
      continue;
    }
    if (hasEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.fromEnv as string)) {
      issues.push(issue(`${where}.fromEnv`, `"${String(o.fromEnv)}" is not an environment variable name`, 'use letters, digits and _, not starting with a digit'));
      continue;
    }
    let from: SecretSource;
    if (hasFile) {
      const f = (o.fromFile as string).replace(/^file:\/\//, '');
      const full = isAbsolute(f) ? f : resolve(reader.cwd, f);
      const rel = relative(ctx.cwd, full);
      from = { file: full, shown: rel.startsWith('.') || rel.startsWith('/') ? rel : `./${rel}` };
    } else from = { env: o.fromEnv as string };
    secrets.push({ ...base('secrets', name, o), kind: 'secrets', from });
  }

  const clusters: ClusterSpec[] = [];
  for (const [name, o] of entries('clusters')) {
    const p = nameProblem(name, 'a cluster name');
    if (p) issues.push(issue(at('clusters', name), p.message, p.fix));
    clusters.push({ ...base('clusters', name, o), kind: 'clusters' });
  }

  const roleUse = (value: JsonValue | undefined, where: string): RoleUse | undefined => {
    if (typeof value !== 'string') return undefined;
    if (value.startsWith('arn:')) {
      issues.push(...nameIssues(where, () => parseRoleRef(probeArn(value), where)));
      return { arn: value };
    }
    if (!names.roles.includes(value)) {
      issues.push(refIssue(where, value, 'roles', names.roles, 'or give the ARN of a role elsewhere'));
      return undefined;
    }
    return { name: value };
  };

  const taskDefinitions: TaskDefinitionSpec[] = [];
  const families = new Map<string, { compat: string[]; networkMode?: string }>();
  const tdDocs = new Map<string, Obj>();
  for (const [family, o] of entries('taskDefinitions')) {
    const where = at('taskDefinitions', family);
    const p = nameProblem(family, 'a task definition family');
    if (p) issues.push(issue(where, p.message, p.fix));
    const taskRole = roleUse(o.taskRole, `${where}.taskRole`);
    const executionRole = roleUse(o.executionRole, `${where}.executionRole`);
    const doc = await documentOf(o.document, `${where}.document`);
    if (!doc) continue;
    const filled = probe(doc);
    if (!isJsonObject(filled)) {
      place(doc, [issue(undefined, 'must be a task definition (a JSON object)')]);
      continue;
    }
    const own = documentConflicts(filled, family, o);
    const roleArnOf = (r: RoleUse | undefined) => (r ? ('arn' in r ? probeArn(r.arn) : roleArn({ region: ctx.knownRegion ?? 'us-east-1', stack }, PROBE_ACCOUNT, r.name)) : undefined);
    // secrets: { "VARIABLE": "REF" } (or "CONTAINER/VARIABLE"), REF as task register --secret's; a name of this file's secrets refers to it.
    const secretOpts: SecretOption[] = [];
    for (const [k, ref] of Object.entries((o.secrets as Record<string, string> | undefined) ?? {})) {
      const w = at('taskDefinitions', family, 'secrets', k);
      try {
        const [opt] = parseSecretOptions([`${k}=${ref}`]);
        secretOpts.push(opt);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        issues.push(...e.issues.map((i) => ({ ...i, field: w })));
      }
    }
    const secretsUsed = [...new Set(secretOpts.flatMap((x) => (x.ref.kind === 'secretsmanager' && names.secrets.includes(x.ref.id) ? [x.ref.id] : [])))];
    let withSecrets: JsonValue = filled;
    try {
      withSecrets = withSecretEntries(filled, secretOpts, doc.source, () => `arn:aws:secretsmanager:us-east-1:${PROBE_ACCOUNT}:secret:probe-AAAAAA`);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      issues.push(...e.issues.map((i) => ({ ...i, field: `${where}.secrets` })));
    }
    const probeDoc: Obj = { ...(withSecrets as Obj), family, ...(executionRole ? { executionRoleArn: roleArnOf(executionRole)! } : {}), ...(taskRole ? { taskRoleArn: roleArnOf(taskRole)! } : {}) };
    const r = validateTaskDefinition(probeDoc as EcsJson, doc.source);
    place(doc, [...own, ...r.issues, ...partitionProblems(probeDoc)]);
    warnings.push(...r.warnings.map((w) => `${where}: ${w}`));
    if (!executionRole && !('executionRoleArn' in filled)) {
      const needs = executionRoleNeeds(probeDoc);
      if (needs.length && !r.issues.some((x) => /execution role/i.test(x.message))) issues.push(issue(`${where}.executionRole`, `is missing, and ${needs.join(', ')}`, `name a role of this file that ECS tasks may assume with AmazonECSTaskExecutionRolePolicy attached (ecsprimer init writes one: ${stack}-exec)`));
    }
    const logGroupsUsed = [...new Set(awslogsTargets(probeDoc).map((t) => t.group))];
    for (const t of awslogsTargets(probeDoc)) {
      if (t.group && !names.logGroups.includes(t.group)) warnings.push(`${where}: containers log to ${t.group}, which is not in logGroups: up does not create it (tasks fail with ResourceInitializationError if it does not exist); add it to logGroups.`);
    }
    const compat = Array.isArray(filled.requiresCompatibilities) ? (filled.requiresCompatibilities as string[]) : [];
    families.set(family, { compat, networkMode: typeof filled.networkMode === 'string' ? filled.networkMode : undefined });
    tdDocs.set(family, filled);
    taskDefinitions.push({ ...base('taskDefinitions', family, o), kind: 'taskDefinitions', document: doc, logGroupsUsed, secrets: secretOpts, secretsUsed, ...(taskRole ? { taskRole } : {}), ...(executionRole ? { executionRole } : {}) });
  }

  const services: ServiceSpec[] = [];
  for (const [name, o] of entries('services')) {
    const where = at('services', name);
    const p = nameProblem(name, 'a service name');
    if (p) issues.push(issue(where, p.message, p.fix));
    const cluster = o.cluster as string;
    const family = o.taskDefinition as string;
    if (!names.clusters.includes(cluster)) issues.push(refIssue(`${where}.cluster`, cluster, 'clusters', names.clusters));
    if (!names.taskDefinitions.includes(family)) issues.push(refIssue(`${where}.taskDefinition`, family, 'taskDefinitions', names.taskDefinitions));
    const launchType = ((o.launchType as string | undefined) ?? 'FARGATE') as 'FARGATE' | 'EC2';
    const td = families.get(family);
    if (td && td.compat.length && !td.compat.includes(launchType)) {
      issues.push(issue(`${where}.launchType`, `is ${launchType}, but task definition ${family} requires ${td.compat.join(' or ')}`, `set "launchType": "${td.compat[0]}", or add ${launchType} to its requiresCompatibilities`));
    }
    if (launchType === 'FARGATE' && td && td.networkMode && td.networkMode !== 'awsvpc') {
      issues.push(issue(`${where}.launchType`, `is FARGATE, which needs networkMode awsvpc, but task definition ${family} has ${td.networkMode}`, 'set "networkMode": "awsvpc" in the task definition'));
    }
    const subnets = (o.subnets as string[] | undefined) ?? [];
    subnets.forEach((s, i) => {
      if (!SUBNET_RE.test(s)) issues.push(issue(at('services', name, 'subnets', i), `"${s}" is not a subnet id`, 'write subnet- followed by 8 or 17 lowercase hex digits'));
    });
    const securityGroups = (o.securityGroups as string[] | undefined) ?? [];
    securityGroups.forEach((s, i) => {
      if (!/^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(s)) issues.push(issue(at('services', name, 'securityGroups', i), `"${s}" is not a security group id`, 'write sg- followed by 8 or 17 lowercase hex digits'));
    });
    if (launchType === 'EC2' && o.assignPublicIp === true) issues.push(issue(`${where}.assignPublicIp`, 'cannot be true on EC2 (only Fargate tasks get public IPs)', 'remove it, or use FARGATE'));
    const loadBalancer = isJsonObject(o.loadBalancer) ? serviceLoadBalancer(`${where}.loadBalancer`, o.loadBalancer, family, tdDocs.get(family), issues) : undefined;
    if (loadBalancer && launchType === 'EC2' && td?.networkMode !== 'awsvpc') issues.push(issue(`${where}.loadBalancer`, `needs tasks with their own IP (target type ip), but task definition ${family} has networkMode ${td?.networkMode ?? 'bridge'} on EC2`, 'set "networkMode": "awsvpc" in the task definition, or use FARGATE'));
    const autoscale = isJsonObject(o.autoscale) ? serviceScaling(`${where}.autoscale`, o.autoscale, loadBalancer !== undefined, issues) : undefined;
    let deployment: StrategyRequest | undefined;
    if (isJsonObject(o.deployment)) {
      const d = o.deployment;
      deployment = asFileIssues(`${where}.deployment`, issues, () => parseStrategyOptions({ strategy: String(d.strategy), ...(d.bakeTime !== undefined ? { bakeTime: String(d.bakeTime) } : {}) }));
      if (deployment?.strategy === 'BLUE_GREEN' && !loadBalancer) issues.push(issue(`${where}.deployment.strategy`, 'blue-green shifts traffic between two target groups of a load balancer, and the service has none', 'add "loadBalancer" to the service, or deploy "rolling"'));
    }
    if (services.some((s) => s.name === name)) continue;
    services.push({
      ...base('services', name, o),
      kind: 'services',
      cluster,
      taskDefinition: family,
      desiredCount: (o.desiredCount as number | undefined) ?? 1,
      launchType,
      subnets,
      securityGroups,
      ...(typeof o.assignPublicIp === 'boolean' ? { assignPublicIp: o.assignPublicIp } : {}),
      ...(loadBalancer ? { loadBalancer } : {}),
      ...(autoscale ? { autoscale } : {}),
      ...(deployment ? { deployment } : {}),
    });
  }

  const result: StackSpec = { path, source, stack, policies, roles, logGroups, repositories, secrets, clusters, taskDefinitions, services, warnings };
  if (!issues.length) issues.push(...cycleIssues(result));
  if (issues.length) throw new InputError(source, positioned(issues));
  return result;
}

/** Issues of a task definition document's own fields against the file (family, roles set twice, the stack tag). */
function documentConflicts(filled: Obj, family: string, o: Obj): InputIssue[] {
  const out: InputIssue[] = [];
  if (filled.family !== undefined && filled.family !== family) out.push(issue('family', `is "${String(filled.family)}" but the task definition is listed as "${family}"`, 'remove "family" from the document (the key in taskDefinitions names it)'));
  if (o.taskRole !== undefined && 'taskRoleArn' in filled) out.push(issue('taskRoleArn', 'is set here and by taskRole', 'keep one of them'));
  if (o.executionRole !== undefined && 'executionRoleArn' in filled) out.push(issue('executionRoleArn', 'is set here and by executionRole', 'keep one of them'));
  const tags = filled.tags;
  if (Array.isArray(tags)) tags.forEach((t, i) => {
    if (isJsonObject(t) && t.key === STACK_TAG) out.push(issue(`tags[${i}].key`, `the tag key "${STACK_TAG}" is reserved`, 'remove it: ecsprimer sets it from the stack'));
  });
  return out;
}

/** An issue of a document read from its own file: named by the stack file's field, then the file and its position. */
function inDocument(where: string, docSource: string | undefined, i: InputIssue): InputIssue {
  const pos = i.line !== undefined ? `, line ${i.line}${i.column !== undefined ? `, column ${i.column}` : ''}` : '';
  const inner = i.field && i.field !== where ? `${pos ? ',' : ''} ${i.field}` : '';
  const { line: _l, column: _c, ...rest } = i;
  return { ...rest, field: docSource ? `${where} → ${docSource}${pos}${inner}` : `${where}${pos}${inner}` };
}

function refIssue(where: string, name: string, kind: Kind, known: string[], also?: string): InputIssue {
  const guess = suggestKey(name, known);
  return issue(
    where,
    `names ${kind === 'policies' ? 'a policy' : kind === 'roles' ? 'a role' : kind === 'clusters' ? 'a cluster' : kind === 'taskDefinitions' ? 'a task definition' : kind === 'logGroups' ? 'a log group' : 'a service'} "${name}" that is not in ${kind}`,
    guess ? `did you mean "${guess}"?` : `add "${name}" to ${kind}${also ? `, ${also}` : ''}`,
  );
}

// ---------------------------------------------------------------------------------------------
// The graph

/** The key of a resource in the graph (and in messages): `roles:demo-role`. */
export const keyOf = (r: { kind: Kind; name: string }) => `${r.kind}:${r.name}`;

/** What each resource needs to exist first: its references and its dependsOn. */
export function dependenciesOf(spec: StackSpec): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  const add = (r: ResourceSpec, extra: Array<{ kind: Kind; name: string }>) => deps.set(keyOf(r), [...new Set([...extra, ...r.dependsOn].map(keyOf))]);
  const groups = new Set(spec.logGroups.map((g) => g.name));
  for (const r of spec.policies) add(r, []);
  for (const r of spec.roles) add(r, r.policies.flatMap((p) => ('name' in p ? [{ kind: 'policies' as const, name: p.name }] : [])));
  for (const r of spec.logGroups) add(r, []);
  for (const r of spec.repositories) add(r, []);
  for (const r of spec.secrets) add(r, []);
  for (const r of spec.clusters) add(r, []);
  for (const r of spec.taskDefinitions) {
    const roles = [r.taskRole, r.executionRole].flatMap((x) => (x && 'name' in x ? [{ kind: 'roles' as const, name: x.name }] : []));
    const logs = r.logGroupsUsed.filter((g) => groups.has(g)).map((name) => ({ kind: 'logGroups' as const, name }));
    const secrets = r.secretsUsed.map((name) => ({ kind: 'secrets' as const, name }));
    add(r, [...roles, ...logs, ...secrets]);
  }
  for (const r of spec.services) add(r, [{ kind: 'clusters', name: r.cluster }, { kind: 'taskDefinitions', name: r.taskDefinition }]);
  return deps;
}

/** A cycle of references is refused, named as the path around it. */
export function findCycle(deps: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (k: string): string[] | undefined => {
    if (state.get(k) === 'done') return undefined;
    if (state.get(k) === 'open') return [...stack.slice(stack.indexOf(k)), k];
    state.set(k, 'open');
    stack.push(k);
    for (const d of deps.get(k) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(k, 'done');
    return undefined;
  };
  for (const k of deps.keys()) {
    const c = visit(k);
    if (c) return c;
  }
  return undefined;
}

function cycleIssues(spec: StackSpec): InputIssue[] {
  const cycle = findCycle(dependenciesOf(spec));
  if (!cycle) return [];
  const [kind, ...rest] = cycle[0].split(':');
  return [issue(at(kind, rest.join(':'), 'dependsOn'), `is part of a cycle: ${cycle.join(' → ')}`, 'remove one of these dependsOn entries (or references): nothing could be created first')];
}

/** Every resource of the file. */
export function allResources(spec: StackSpec): ResourceSpec[] {
  return [...spec.policies, ...spec.roles, ...spec.logGroups, ...spec.clusters, ...spec.taskDefinitions, ...spec.services];
}

// ---------------------------------------------------------------------------------------------
// A service's load balancer and scaling: the checks of `service create --load-balancer` and
// `service autoscale`, their messages at the file's JSON path.

const FIELD_OF: Record<string, string> = {
  '--load-balancer': 'existing',
  '--container-port': 'containerPort',
  '--container-name': 'containerName',
  '--listener-port': 'listenerPort',
  '--health-check-path': 'healthCheckPath',
  '--path-pattern': 'pathPattern',
  '--min': 'min',
  '--max': 'max',
  '--cpu': 'cpu',
  '--memory': 'memory',
  '--requests-per-target': 'requestsPerTarget',
  '--strategy': 'strategy',
  '--bake-time': 'bakeTime',
};

/** Runs a command-line check, its InputError's issues moved to `where.FIELD`. */
function asFileIssues<T>(where: string, issues: InputIssue[], check: () => T): T | undefined {
  try {
    return check();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    for (const i of e.issues) {
      const field = FIELD_OF[i.field ?? e.source] ?? FIELD_OF[e.source];
      const named = (t: string) => t.replace(/--load-balancer NAME\|ARN/g, '"existing" (a NAME or ARN)').replace(/--([a-z-]+)/g, (m) => (FIELD_OF[m] ? `"${FIELD_OF[m]}"` : m));
      const fix = i.fix === undefined ? undefined : named(i.fix);
      issues.push({ ...i, field: field ? `${where}.${field}` : where, message: named(i.message), ...(fix ? { fix: fix.charAt(0).toUpperCase() + fix.slice(1) } : {}) });
    }
    return undefined;
  }
}

function serviceLoadBalancer(where: string, o: Obj, family: string, td: Obj | undefined, issues: InputIssue[]): LoadBalancerRequest | undefined {
  const text = (k: string) => (o[k] === undefined ? undefined : String(o[k]));
  const req = asFileIssues(where, issues, () =>
    parseLoadBalancerOptions({ loadBalancer: typeof o.existing === 'string' ? o.existing : true, containerPort: text('containerPort'), containerName: text('containerName'), listenerPort: text('listenerPort'), healthCheckPath: text('healthCheckPath'), pathPattern: text('pathPattern') }),
  );
  if (!req || !td) return req;
  // The container the target group sends to, checked against the task definition's document.
  const known = asFileIssues(where, issues, () => containerFor(containersOfDocument(family, td), req));
  return known === undefined ? undefined : req;
}

function serviceScaling(where: string, o: Obj, behindLoadBalancer: boolean, issues: InputIssue[]): ServiceSpec['autoscale'] {
  const text = (k: string) => (o[k] === undefined ? undefined : String(o[k]));
  const want = asFileIssues(where, issues, () => parseAutoscale({ cluster: 'c', name: 's', min: text('min'), max: text('max'), cpu: text('cpu'), memory: text('memory'), requestsPerTarget: text('requestsPerTarget') }));
  if (!want || want === 'off') return undefined;
  if (o.requestsPerTarget !== undefined && !behindLoadBalancer) {
    issues.push(issue(`${where}.requestsPerTarget`, 'needs the service behind a load balancer (requests per target are counted by its target group)', 'add "loadBalancer" to the service, or scale on "cpu" or "memory"'));
    return undefined;
  }
  const n = (k: string) => (typeof o[k] === 'number' ? { [k]: o[k] as number } : {});
  return { min: o.min as number, max: o.max as number, ...n('cpu'), ...n('memory'), ...n('requestsPerTarget') };
}
