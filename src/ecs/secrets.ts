/**
 * Literal secrets: environment variables whose names look like secrets (PASSWORD, TOKEN,
 * API_KEY...) with a value in the task definition itself. They are warned about, and their values
 * never shown, not even in a diff.
 */
import { quote } from '../input/issues.js';
import { getOwn, isJsonObject, setOwn, type JsonValue } from '../input/json.js';

type JsonObject = { [key: string]: JsonValue };

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
  if (!isJsonObject(taskDef)) return found;
  const cds = getOwn(taskDef, 'containerDefinitions');
  if (!Array.isArray(cds)) return found;
  cds.forEach((c, ci) => {
    if (!isJsonObject(c)) return;
    const env = getOwn(c, 'environment');
    if (!Array.isArray(env)) return;
    env.forEach((e, ei) => {
      if (!isJsonObject(e)) return;
      const name = getOwn(e, 'name');
      const value = getOwn(e, 'value');
      if (typeof name === 'string' && typeof value === 'string' && value.length > 0 && looksLikeSecretName(name)) {
        const cname = getOwn(c, 'name');
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
    `move it to Secrets Manager: ecsprimer secret create --name NAME (the value on stdin), then task register --secret ${s.variable}=NAME, or --secret ${s.variable}=ssm:/PARAMETER for an SSM Parameter Store parameter (the container's "secrets" then hold its ARN in "valueFrom", and the stack's execution role is allowed to read exactly that)`);
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
    const cds = isJsonObject(doc as JsonValue) ? getOwn(doc as JsonObject, 'containerDefinitions') : undefined;
    if (!Array.isArray(cds)) return m;
    cds.forEach((c, ci) => {
      if (!isJsonObject(c)) return;
      const env = getOwn(c, 'environment');
      if (!Array.isArray(env)) return;
      const cname = getOwn(c, 'name');
      env.forEach((e) => {
        if (isJsonObject(e) && typeof getOwn(e, 'name') === 'string') m.set(`${typeof cname === 'string' ? cname : `#${ci}`}\u0000${getOwn(e, 'name')}`, getOwn(e, 'value'));
      });
    });
    return m;
  };
  const old = valuesOf(before);
  const redact = (doc: T, other?: Map<string, unknown>): T => {
    if (!isJsonObject(doc as JsonValue)) return doc;
    const cds = getOwn(doc as JsonObject, 'containerDefinitions');
    if (!Array.isArray(cds)) return doc;
    const copy: JsonObject = { ...(doc as JsonObject) };
    setOwn(copy, 'containerDefinitions', cds.map((c, ci) => {
      if (!isJsonObject(c)) return c;
      const env = getOwn(c, 'environment');
      if (!Array.isArray(env)) return c;
      const cname = getOwn(c, 'name');
      const out: JsonObject = { ...c };
      setOwn(out, 'environment', env.map((e) => {
        if (!isJsonObject(e)) return e;
        const name = getOwn(e, 'name');
        const value = getOwn(e, 'value');
        if (typeof name !== 'string' || typeof value !== 'string' || value.length === 0 || !looksLikeSecretName(name)) return e;
        const key = `${typeof cname === 'string' ? cname : `#${ci}`}\u0000${name}`;
        const changed = other !== undefined && other.has(key) && other.get(key) !== value;
        const entry: JsonObject = { ...e };
        setOwn(entry, 'value', changed ? SECRET_CHANGED_NOT_SHOWN : SECRET_NOT_SHOWN);
        return entry;
      }));
      return out;
    }));
    return copy as T;
  };
  return [redact(before), redact(after, old)];
}
