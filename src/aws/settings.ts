/**
 * Region, profile and endpoint, resolved once per run without loading the AWS SDK, so that
 * `--dry-run`, journals and placeholders know the region before (or without) any client.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { checkEndpoint, environmentEndpoints, type Endpoint, type ServiceKind } from './endpoints.js';

export { checkEndpoint } from './endpoints.js';

export interface AwsSettings {
  /** The region, or UNKNOWN_REGION when `offline`. */
  region: string;
  /** A dry run with no region configured: nothing can be read, every AWS value is a placeholder. */
  offline?: boolean;
  profile?: string;
  /** --endpoint-url: every service's endpoint. */
  endpoint?: string;
  /** Each service's endpoint from the environment (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL), checked. */
  envEndpoints: Partial<Record<ServiceKind, Endpoint>>;
  /** --allow-insecure-endpoint: plain http off loopback is allowed (for endpoints from the config file too). */
  allowInsecureEndpoint: boolean;
  maxAttempts: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

export interface SettingsInput {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  allowInsecureEndpoint?: boolean;
}

function regionFromConfigFile(env: NodeJS.ProcessEnv, profile: string): string | undefined {
  const file = env.AWS_CONFIG_FILE || join(env.HOME || homedir(), '.aws', 'config');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const wanted = profile === 'default' ? ['default', 'profile default'] : [`profile ${profile}`];
  let section = '';
  for (const line of text.split(/\r?\n/)) {
    const head = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(line);
    if (head) {
      section = head[1];
      continue;
    }
    const kv = /^\s*region\s*=\s*(\S+)\s*$/.exec(line);
    if (kv && wanted.includes(section)) return kv[1];
  }
  return undefined;
}

const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** What a plan shows where the region is not known (a dry run with no AWS configuration). */
export const UNKNOWN_REGION = '<region>';

/** How to give ecsprimer an account: the one paragraph every "needs AWS" error ends with. */
export const HOW_TO_CONFIGURE =
  'ecsprimer reads the same configuration as the AWS CLI: run `aws configure` (it writes ~/.aws/config and ~/.aws/credentials), ' +
  'or set AWS_REGION with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE for a profile), or pass --region and --profile. ' +
  'Without an account, --dry-run still shows the plan, and --endpoint-url http://127.0.0.1:5000 runs it against a local emulator such as moto.';

export function resolveSettings(input: SettingsInput, env: NodeJS.ProcessEnv, opts: { dryRun?: boolean } = {}): AwsSettings {
  const profile = input.profile || env.AWS_PROFILE || undefined;
  const region =
    input.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || regionFromConfigFile(env, profile || 'default');
  if (!region && !opts.dryRun) throw new UsageError(`No AWS region is configured. ${HOW_TO_CONFIGURE}`, 'NoRegion');
  if (region && !REGION.test(region)) {
    throw new UsageError(`${input.region ? '--region' : 'AWS_REGION'}: "${region}" is not an AWS region name (like us-east-1 or eu-west-2).`);
  }
  const allowInsecure = Boolean(input.allowInsecureEndpoint);
  // --endpoint-url overrides every other setting, as in the AWS CLI.
  const endpoint = input.endpointUrl !== undefined ? checkEndpoint(input.endpointUrl, '--endpoint-url', allowInsecure) : undefined;
  const envEndpoints = endpoint ? {} : environmentEndpoints(env, allowInsecure);
  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  return {
    region: region || UNKNOWN_REGION,
    ...(region ? {} : { offline: true }),
    profile,
    endpoint,
    envEndpoints,
    allowInsecureEndpoint: allowInsecure,
    maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : 6,
    connectTimeoutMs: Number(env.ECSPRIMER_CONNECT_TIMEOUT_MS) || 3000,
    requestTimeoutMs: Number(env.ECSPRIMER_REQUEST_TIMEOUT_MS) || 20000,
  };
}
