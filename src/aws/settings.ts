/**
 * Region, profile and endpoint, resolved once per run without loading the AWS SDK, so that
 * `--dry-run`, journals and placeholders know the region before (or without) any client.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

export interface AwsSettings {
  /** The region, or UNKNOWN_REGION when `offline`. */
  region: string;
  /** A dry run with no region configured: nothing can be read, every AWS value is a placeholder. */
  offline?: boolean;
  profile?: string;
  /** --endpoint-url, else AWS_ENDPOINT_URL (the SDK would honour it too; we resolve it to validate it). */
  endpoint?: string;
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
  let endpoint: string | undefined;
  if (input.endpointUrl !== undefined) endpoint = checkEndpoint(input.endpointUrl, '--endpoint-url', Boolean(input.allowInsecureEndpoint));
  else if (env.AWS_ENDPOINT_URL) endpoint = checkEndpoint(env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL', Boolean(input.allowInsecureEndpoint));
  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  return {
    region: region || UNKNOWN_REGION,
    ...(region ? {} : { offline: true }),
    profile,
    endpoint,
    maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : 6,
    connectTimeoutMs: Number(env.ECSPRIMER_CONNECT_TIMEOUT_MS) || 3000,
    requestTimeoutMs: Number(env.ECSPRIMER_REQUEST_TIMEOUT_MS) || 20000,
  };
}
