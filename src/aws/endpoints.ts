/**
 * Where each service's requests go, resolved as the AWS SDKs and the AWS CLI do:
 *
 *   1. --endpoint-url (every service; the CLI's flag overrides all configuration);
 *   2. AWS_ENDPOINT_URL_<SERVICE>, e.g. AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API;
 *   3. AWS_ENDPOINT_URL;
 *   4. the profile's `services` section in the config file (`ecs =` / `  endpoint_url = ...`);
 *   5. the profile's `endpoint_url`;
 *   6. AWS's own endpoint for the region.
 *
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or `ignore_configured_endpoint_urls = true` in the
 * profile) skips 2–5. ecsprimer resolves the endpoint itself (and passes it to the client) so that
 * it can refuse plain http off loopback before sending anything and name the endpoint in errors.
 * The environment is read at start-up (and checked before any call); the config file when a
 * service's client is first built, with the SDK's own parser of it.
 */
import { UsageError } from '../errors.js';

export type ServiceKind = 'iam' | 'sts' | 'ecs' | 'ec2' | 'tagging' | 'logs' | 'ecr' | 'secretsmanager' | 'ssm' | 'kms' | 'autoscaling' | 'elb';

/** Each service's id in the SDK's models: its AWS_ENDPOINT_URL_ suffix and its key in a services section. */
export const SERVICE_IDS: Record<ServiceKind, string> = {
  iam: 'IAM',
  sts: 'STS',
  ecs: 'ECS',
  ec2: 'EC2',
  tagging: 'Resource Groups Tagging API',
  logs: 'CloudWatch Logs',
  ecr: 'ECR',
  secretsmanager: 'Secrets Manager',
  ssm: 'SSM',
  kms: 'KMS',
  autoscaling: 'Application Auto Scaling',
  elb: 'Elastic Load Balancing v2',
};

export const SERVICE_KINDS = Object.keys(SERVICE_IDS) as ServiceKind[];

export interface Endpoint {
  url: string;
  /** Where it came from, for messages: `--endpoint-url`, `AWS_ENDPOINT_URL_ECS`, ... */
  source: string;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Throws UsageError for an endpoint that is not an http(s) URL, or plain http off loopback. */
export function checkEndpoint(raw: string, source: string, allowInsecure: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${source}: "${raw}" is not a URL. Give a full URL such as http://127.0.0.1:5000 or https://ecs.eu-west-1.amazonaws.com.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source}: "${raw}" must start with http:// or https://.`);
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !allowInsecure) {
    throw new UsageError(
      `${source}: plain http to ${url.hostname} would send signed requests across the network in clear. Use https, a loopback address (127.0.0.1, localhost), or pass --allow-insecure-endpoint.`,
    );
  }
  return raw.replace(/\/+$/, '');
}

export const envEndpointName = (kind: ServiceKind): string => `AWS_ENDPOINT_URL_${SERVICE_IDS[kind].toUpperCase().replace(/ /g, '_')}`;

const isTrue = (v: unknown) => typeof v === 'string' && v.trim().toLowerCase() === 'true';

/** Steps 2–3 for every service, checked: what the environment says (nothing when told to ignore it). */
export function environmentEndpoints(env: NodeJS.ProcessEnv, allowInsecure: boolean): Partial<Record<ServiceKind, Endpoint>> {
  if (isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)) return {};
  const out: Partial<Record<ServiceKind, Endpoint>> = {};
  for (const kind of SERVICE_KINDS) {
    const name = env[envEndpointName(kind)] ? envEndpointName(kind) : env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : undefined;
    if (name) out[kind] = { url: checkEndpoint(env[name]!, name, allowInsecure), source: name };
  }
  return out;
}

/**
 * Steps 4–5: the profile's endpoints in the config file (AWS_CONFIG_FILE or ~/.aws/config), read
 * with the SDK's parser; checked. A profile naming a services section that does not exist is an
 * error, as in the SDK.
 */
export async function configFileEndpoints(env: NodeJS.ProcessEnv, profile: string, allowInsecure: boolean): Promise<Partial<Record<ServiceKind, Endpoint>>> {
  if (isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)) return {};
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  const { configFile } = await loadSharedConfigFiles({ ...(env.AWS_CONFIG_FILE ? { configFilepath: env.AWS_CONFIG_FILE } : {}), ignoreCache: true });
  const p = configFile[profile];
  if (!p || isTrue(p.ignore_configured_endpoint_urls)) return {};
  const out: Partial<Record<ServiceKind, Endpoint>> = {};
  const where = `profile ${profile} in ${env.AWS_CONFIG_FILE || '~/.aws/config'}`;
  let section: Record<string, string | undefined> | undefined;
  if (p.services) {
    section = configFile[`services.${p.services}`];
    if (!section) throw new UsageError(`The ${where} names the services section "${p.services}", which is not in the file. Add [services ${p.services}] or remove "services" from the profile.`);
  }
  for (const kind of SERVICE_KINDS) {
    const key = `${SERVICE_IDS[kind].toLowerCase().replace(/ /g, '_')}.endpoint_url`;
    const [url, source] = section?.[key] ? [section[key]!, `${key.replace('.', ' ')} in [services ${p.services}] (${where})`] : p.endpoint_url ? [p.endpoint_url, `endpoint_url of ${where}`] : [];
    if (url && source) out[kind] = { url: checkEndpoint(url, source, allowInsecure), source };
  }
  return out;
}
