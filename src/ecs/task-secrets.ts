/**
 * What a task definition's execution role must read, and the grant that allows exactly that.
 *
 * `task register --secret NAME=REF` (repeatable; `CONTAINER/NAME=REF` for a container other than
 * the first) gives the container a `secrets` entry. REF is a Secrets Manager secret (name or ARN,
 * with `:json-key` for one key of a JSON secret) or `ssm:/parameter/name` (a Parameter Store
 * parameter). Every referenced secret and parameter — those of --secret and those the document
 * names itself — is looked up before any change (a missing one stops the run, named), and its
 * full ARN goes into `valueFrom`.
 *
 * The stack's execution role then gets an inline policy per task-definition family,
 * `ecsprimer-<family>`, that allows exactly:
 *   - secretsmanager:GetSecretValue on those secrets' ARNs, ssm:GetParameters on those parameters',
 *   - kms:Decrypt on the customer-managed KMS keys that encrypt them (AWS-managed keys need none),
 *   - the image pulls (ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer,
 *     ecr:BatchGetImage) on the ECR repositories the containers' images are in, and
 *     ecr:GetAuthorizationToken (an action IAM grants on "*" only).
 * Never a secret or parameter on "*". The policy goes with the role at teardown.
 */
import type { Context } from '../context.js';
import { AwsError, InputError } from '../errors.js';
import { canonicalJson, isJsonObject, type JsonValue } from '../input/json.js';
import { quote } from '../input/issues.js';
import type { Step, StepRuntime } from '../plan/types.js';
import { parseEcrImage } from '../aws/ecr-image.js';

type Obj = { [k: string]: JsonValue };

export type SecretRef = { kind: 'secretsmanager'; id: string; jsonKey?: string } | { kind: 'ssm'; name: string; arn?: string };

export interface SecretOption {
  /** The container's name; undefined: the first container. */
  container?: string;
  variable: string;
  ref: SecretRef;
  /** As given, for messages. */
  raw: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SM_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SSM_NAME = /^[A-Za-z0-9_.\-/]{1,2048}$/;
const SM_ARN = /^(arn:[\w-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+)(?::([^:]*))?(?::([^:]*))?(?::([^:]*))?$/;
const SSM_ARN = /^arn:[\w-]+:ssm:[a-z0-9-]+:\d{12}:parameter\/(.+)$/;
/** The parameter name of a parameter ARN: `parameter/prod/db` is `/prod/db` (a path), `parameter/db` is `db`. */
const ssmNameOf = (rest: string) => (rest.includes('/') ? `/${rest}` : rest);

/** A reference to a secret or parameter: Secrets Manager name or ARN (`:json-key`), or `ssm:NAME`. */
export function parseSecretRef(ref: string, source: string): SecretRef {
  const bad = (message: string): never => {
    throw new InputError(source, { message, fix: 'give a Secrets Manager secret name or ARN (add :json-key for one key of a JSON secret), or ssm:/parameter/name for a Parameter Store parameter' });
  };
  if (ref.startsWith('ssm:')) {
    const name = ref.slice(4);
    if (!SSM_NAME.test(name)) bad(`${quote(name)} is not a Parameter Store parameter name (letters, digits and _ . - /)`);
    return { kind: 'ssm', name };
  }
  let m: RegExpExecArray | null;
  if ((m = SSM_ARN.exec(ref))) return { kind: 'ssm', name: ssmNameOf(m[1]), arn: ref };
  if (ref.startsWith('arn:')) {
    if (!(m = SM_ARN.exec(ref))) bad(`${quote(ref)} is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX)`);
    return { kind: 'secretsmanager', id: m![1], ...(m![2] ? { jsonKey: m![2] } : {}) };
  }
  const colon = ref.indexOf(':');
  const name = colon < 0 ? ref : ref.slice(0, colon);
  const jsonKey = colon < 0 ? undefined : ref.slice(colon + 1);
  if (!SM_NAME.test(name)) bad(`${quote(name)} is not a Secrets Manager secret name (letters, digits and / _ + = . @ -)`);
  if (jsonKey !== undefined && (jsonKey.length === 0 || jsonKey.includes(':'))) bad(`${quote(jsonKey)} is not a JSON key`);
  return { kind: 'secretsmanager', id: name, ...(jsonKey ? { jsonKey } : {}) };
}

/** `--secret [CONTAINER/]NAME=REF`, checked. */
export function parseSecretOptions(values: string[] | undefined): SecretOption[] {
  const out: SecretOption[] = [];
  for (const v of values ?? []) {
    const source = `--secret ${v}`;
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InputError(source, { message: 'is not NAME=REF', fix: 'write --secret DB_PASSWORD=prod/db-password (the variable, =, the secret), or CONTAINER/NAME=REF for another container' });
    const left = v.slice(0, eq);
    const slash = left.indexOf('/');
    const container = slash >= 0 ? left.slice(0, slash) : undefined;
    const variable = slash >= 0 ? left.slice(slash + 1) : left;
    if (!ENV_NAME.test(variable)) throw new InputError(source, { message: `${quote(variable)} is not an environment variable name`, fix: 'use letters, digits and _, not starting with a digit (e.g. DB_PASSWORD)' });
    if (container !== undefined && !container) throw new InputError(source, { message: 'names no container before /', fix: 'write CONTAINER/NAME=REF, or NAME=REF for the first container' });
    const dup = out.find((o) => o.variable === variable && o.container === container);
    if (dup) throw new InputError(source, { message: `sets ${variable} again (also ${quote(dup.raw)})`, fix: 'give each variable once' });
    out.push({ container, variable, ref: parseSecretRef(v.slice(eq + 1), source), raw: v });
  }
  return out;
}

/** The document with the --secret entries added to their containers (valueFrom filled later); errors name a missing container. */
export function withSecretEntries(doc: JsonValue, secrets: SecretOption[], source: string, valueFrom: (s: SecretOption) => string): JsonValue {
  if (secrets.length === 0 || !isJsonObject(doc) || !Array.isArray(doc.containerDefinitions)) return doc;
  const containers = doc.containerDefinitions.map((c) => (isJsonObject(c) ? { ...c } : c));
  for (const s of secrets) {
    const i = s.container === undefined ? 0 : containers.findIndex((c) => isJsonObject(c) && c.name === s.container);
    if (i < 0 || !isJsonObject(containers[i])) {
      const names = containers.map((c) => (isJsonObject(c) && typeof c.name === 'string' ? c.name : '?')).join(', ');
      throw new InputError(`--secret ${s.raw}`, { message: `the task definition (${source}) has no container named ${quote(s.container ?? '')}`, fix: `use one of: ${names}` });
    }
    const c = containers[i] as Obj;
    const existing = Array.isArray(c.secrets) ? c.secrets.filter((e) => !(isJsonObject(e) && e.name === s.variable)) : [];
    const env = Array.isArray(c.environment) ? c.environment.filter((e) => !(isJsonObject(e) && e.name === s.variable)) : undefined;
    containers[i] = { ...c, ...(env ? { environment: env } : {}), secrets: [...existing, { name: s.variable, valueFrom: valueFrom(s) }] };
  }
  return { ...doc, containerDefinitions: containers };
}

// ---------------------------------------------------------------------------------------------
// What the containers read

interface Needed {
  secrets: Map<string, { ref: SecretRef; where: string }>;
  repositories: Set<string>;
}

/** Every secret and parameter the document's containers read (after --secret entries were added), and their ECR repositories. */
function needed(doc: JsonValue, fromOptions: SecretOption[]): Needed {
  const secrets = new Map<string, { ref: SecretRef; where: string }>();
  const repositories = new Set<string>();
  const containers = isJsonObject(doc) && Array.isArray(doc.containerDefinitions) ? doc.containerDefinitions : [];
  containers.forEach((c, ci) => {
    if (!isJsonObject(c)) return;
    const img = typeof c.image === 'string' ? parseEcrImage(c.image) : undefined;
    if (img) repositories.add(`${img.registryId}|${img.region}|${img.repository}`);
    if (!Array.isArray(c.secrets)) return;
    c.secrets.forEach((e, ei) => {
      if (!isJsonObject(e) || typeof e.valueFrom !== 'string') return;
      const opt = fromOptions.find((o) => o.variable === e.name && (o.container === undefined ? ci === 0 : o.container === c.name));
      const where = opt ? `--secret ${opt.raw}` : `containerDefinitions[${ci}].secrets[${ei}].valueFrom`;
      const ref = opt ? opt.ref : refOfValueFrom(e.valueFrom);
      secrets.set(secretRefKey(ref), { ref, where });
    });
  });
  return { secrets, repositories };
}

/** A valueFrom of a document: a secret ARN, a parameter ARN, or (ECS's rule) a parameter name. */
function refOfValueFrom(v: string): SecretRef {
  let m: RegExpExecArray | null;
  if ((m = SM_ARN.exec(v))) return { kind: 'secretsmanager', id: m[1], ...(m[2] ? { jsonKey: m[2] } : {}) };
  if ((m = SSM_ARN.exec(v))) return { kind: 'ssm', name: ssmNameOf(m[1]), arn: v };
  return { kind: 'ssm', name: v };
}

export const secretRefKey = (r: SecretRef) => (r.kind === 'ssm' ? `ssm|${r.arn ?? r.name}` : `sm|${r.id}|${r.jsonKey ?? ''}`);

export interface ResolvedSecret {
  ref: SecretRef;
  where: string;
  /** The ARN of the secret or parameter (what IAM grants on). */
  arn: string;
  /** The customer-managed KMS key ARN that encrypts it. */
  keyArn?: string;
}

export interface TaskReads {
  secrets: ResolvedSecret[];
  /** ECR repository ARNs the images are in. */
  repositories: string[];
}

const AWS_MANAGED_ALIAS = /^(alias\/aws\/|arn:[\w-]+:kms:[a-z0-9-]+:\d{12}:alias\/aws\/)/;

/**
 * Looks up every secret and parameter the document reads (one round trip; a second only for the
 * KMS keys behind aliases). A missing one (or a secret scheduled for deletion) stops the run
 * before any change, named with where it is referenced.
 */
export async function resolveTaskReads(ctx: Context, doc: JsonValue, fromOptions: SecretOption[], account: string): Promise<TaskReads> {
  const need = needed(doc, fromOptions);
  const repositories = [...need.repositories].sort().map((k) => {
    const [registry, region, repo] = k.split('|');
    return `arn:${ctx.partition}:ecr:${region}:${registry}:repository/${repo}`;
  });
  const entries = [...need.secrets.values()];
  if (entries.length === 0) return { secrets: [], repositories };
  const missing: string[] = [];
  const found = await Promise.all(
    entries.map(async ({ ref, where }): Promise<(ResolvedSecret & { keyId?: string }) | undefined> => {
      if (ref.kind === 'secretsmanager') {
        const info = await (await ctx.secrets()).describeSecret(ref.id);
        if (!info) return void missing.push(`${where}: no Secrets Manager secret ${quote(ref.id)} in ${ctx.region}`);
        if (info.deletedDate) return void missing.push(`${where}: secret ${quote(info.name)} is scheduled for deletion (aws secretsmanager restore-secret --secret-id ${info.name} brings it back)`);
        return { ref, where, arn: info.arn, ...(info.kmsKeyId ? { keyId: info.kmsKeyId } : {}) };
      }
      const name = ref.name;
      const info = await (await ctx.ssm()).describeParameter(name);
      if (!info) return void missing.push(`${where}: no Parameter Store parameter ${quote(name)} in ${ctx.region}`);
      const arn = ref.arn ?? info.arn ?? `arn:${ctx.partition}:ssm:${ctx.region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
      return { ref, where, arn, ...(info.type === 'SecureString' && info.keyId ? { keyId: info.keyId } : {}) };
    }),
  );
  if (missing.length) {
    throw new AwsError(entries.some((e) => e.ref.kind === 'ssm') ? 'ssm:DescribeParameters' : 'secretsmanager:DescribeSecret', 'SecretNotFound', `The task reads secrets that do not exist: ${missing.join('; ')}. Create them first (ecsprimer secret create --name NAME for Secrets Manager). Nothing was changed.`);
  }
  // Customer-managed keys: the execution role needs kms:Decrypt on their ARNs (aliases resolved).
  const keyIds = [...new Set(found.map((f) => f?.keyId).filter((k): k is string => Boolean(k) && !AWS_MANAGED_ALIAS.test(k!)))];
  const keys = new Map<string, string | undefined>();
  await Promise.all(
    keyIds.map(async (id) => {
      const k = await (await ctx.kms()).describeKey(id);
      keys.set(id, k && !k.awsManaged ? k.arn : undefined);
    }),
  );
  return {
    secrets: found.map((f) => {
      const { keyId, ...rest } = f!;
      const keyArn = keyId ? keys.get(keyId) : undefined;
      return { ...rest, ...(keyArn ? { keyArn } : {}) };
    }),
    repositories,
  };
}

/** The valueFrom of a resolved reference: the ARN, with `:json-key::` for one key of a JSON secret. */
export function valueFromOf(r: { ref: SecretRef; arn: string }): string {
  return r.ref.kind === 'secretsmanager' && r.ref.jsonKey ? `${r.arn}:${r.ref.jsonKey}::` : r.arn;
}

// ---------------------------------------------------------------------------------------------
// The grant

/** Each statement of a grant as "ACTIONS on RESOURCES" (for plans and warnings). */
export function grantLines(doc: JsonValue): string[] {
  return ((doc as Obj).Statement as Obj[]).map((s) => `${(s.Action as string[]).join(', ')} on ${Array.isArray(s.Resource) ? s.Resource.join(', ') : s.Resource}`);
}

export const grantPolicyName = (family: string) => `ecsprimer-${family}`.slice(0, 128);

/** The inline policy that lets the execution role read exactly what the task reads; undefined when it reads nothing. */
export function grantDocument(reads: TaskReads): JsonValue | undefined {
  const statements: Obj[] = [];
  const sm = [...new Set(reads.secrets.filter((s) => s.ref.kind === 'secretsmanager').map((s) => s.arn))].sort();
  const ssm = [...new Set(reads.secrets.filter((s) => s.ref.kind === 'ssm').map((s) => s.arn))].sort();
  const keys = [...new Set(reads.secrets.map((s) => s.keyArn).filter((k): k is string => Boolean(k)))].sort();
  if (reads.repositories.length) {
    statements.push({ Sid: 'PullImages', Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: reads.repositories });
    statements.push({ Sid: 'RegistryLogin', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' });
  }
  if (sm.length) statements.push({ Sid: 'ReadSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: sm });
  if (ssm.length) statements.push({ Sid: 'ReadParameters', Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: ssm });
  if (keys.length) statements.push({ Sid: 'DecryptSecrets', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: keys });
  return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
}

/**
 * Puts (or replaces, or removes) the family's grant on the stack's execution role. `current` is
 * the inline policy's document now (undefined: none).
 */
export function grantStep(
  ctx: Context,
  o: {
    role: string;
    family: string;
    document: JsonValue | undefined;
    current: unknown;
    roleStep?: string;
    id?: string;
    /** The document as sent, when it holds ARNs known only once earlier steps ran (secrets the same run creates). */
    documentAt?: (rt: StepRuntime) => JsonValue;
    dependsOn?: string[];
  },
): Step | undefined {
  const name = grantPolicyName(o.family);
  const id = o.id ?? 'exec-grant';
  const label = `${o.role}/${name}`;
  if (o.document === undefined) {
    if (o.current === undefined) return undefined;
    return {
      id,
      type: 'iam-role-policy',
      name: label,
      action: 'delete',
      calls: [{ operation: 'DeleteRolePolicy', target: `inline policy ${name} of role ${o.role}`, reason: 'the task definition no longer reads secrets or private images', cli: `aws iam delete-role-policy --role-name ${o.role} --policy-name ${name}` }],
      reason: 'exists',
      run: async (rt) => {
        await (await ctx.iam()).deleteRolePolicy(o.role, name);
        rt.record('deleted', { type: 'iam-role-policy', name, parent: o.role });
      },
    };
  }
  const text = JSON.stringify(o.document);
  if (o.current !== undefined && canonicalJson(o.current as JsonValue) === canonicalJson(o.document)) {
    return { id, type: 'iam-role-policy', name: label, action: 'none', state: 'unchanged', calls: [], reason: 'allows exactly what the task reads' };
  }
  const what = grantLines(o.document);
  return {
    id,
    type: 'iam-role-policy',
    name: label,
    action: o.current === undefined ? 'create' : 'update',
    calls: [{ operation: 'PutRolePolicy', target: `inline policy ${name} of role ${o.role}`, reason: 'allow the execution role exactly what the task reads (below)', cli: `aws iam put-role-policy --role-name ${o.role} --policy-name ${name} --policy-document file://grant.json` }],
    reason: o.current === undefined ? 'the task reads secrets or private images' : 'what the task reads changed',
    detail: what.map((w) => `allows ${w}`),
    ...(o.roleStep || o.dependsOn ? { dependsOn: [...(o.roleStep ? [o.roleStep] : []), ...(o.dependsOn ?? [])] } : {}),
    run: async (rt) => {
      await (await ctx.iam()).putRolePolicy(o.role, name, o.documentAt ? JSON.stringify(o.documentAt(rt)) : text);
      rt.record(o.current === undefined ? 'created' : 'updated', { type: 'iam-role-policy', name, parent: o.role });
    },
  };
}
