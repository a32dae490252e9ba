/**
 * One AWS configuration, lazily built clients. Each SDK client module is imported on first use
 * only (importing one costs tens of milliseconds), so `--help` loads none and a command loads
 * only the services it talks to. Every call is timed; --verbose prints it on stderr.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsSettings } from './settings.js';
import type { Ui } from '../io/ui.js';
import { configFileEndpoints, type Endpoint, type ServiceKind } from './endpoints.js';

export type { ServiceKind } from './endpoints.js';

export interface CallRecord {
  service: ServiceKind;
  operation: string;
  ms: number;
  ok: boolean;
  attempts?: number;
}

interface ClientTypes {
  iam: IAMClient;
  sts: STSClient;
  ecs: ECSClient;
  ec2: EC2Client;
  tagging: ResourceGroupsTaggingAPIClient;
  logs: CloudWatchLogsClient;
  ecr: ECRClient;
  secretsmanager: SecretsManagerClient;
  ssm: SSMClient;
  kms: KMSClient;
  autoscaling: ApplicationAutoScalingClient;
  elb: ElasticLoadBalancingV2Client;
}

type AnyClient = ClientTypes[ServiceKind];

/**
 * How each client is built: its SDK module is imported on first use, from the module of the
 * service's operations (one module per service to load, not two; STS has no operations module).
 */
const CLIENTS: { [K in ServiceKind]: (config: object) => Promise<ClientTypes[K]> } = {
  iam: async (c) => new (await import('./iam-ops.js')).IAMClient(c),
  sts: async (c) => new (await import('./sdk/sts.js')).STSClient(c),
  ecs: async (c) => new (await import('./ecs-ops.js')).ECSClient(c),
  ec2: async (c) => new (await import('./ec2-ops.js')).EC2Client(c),
  tagging: async (c) => new (await import('./discovery-ops.js')).ResourceGroupsTaggingAPIClient(c),
  logs: async (c) => new (await import('./logs-ops.js')).CloudWatchLogsClient(c),
  ecr: async (c) => new (await import('./ecr-ops.js')).ECRClient(c),
  secretsmanager: async (c) => new (await import('./secrets-ops.js')).SecretsManagerClient(c),
  ssm: async (c) => new (await import('./ssm-ops.js')).SSMClient(c),
  kms: async (c) => new (await import('./kms-ops.js')).KMSClient(c),
  autoscaling: async (c) => new (await import('./autoscaling-ops.js')).ApplicationAutoScalingClient(c),
  elb: async (c) => new (await import('./elb-ops.js')).ElasticLoadBalancingV2Client(c),
};

export class AwsClients {
  readonly calls: CallRecord[] = [];
  private readonly made = new Map<ServiceKind, Promise<AnyClient>>();
  private fromConfigFile?: Promise<Partial<Record<ServiceKind, Endpoint>>>;

  constructor(
    readonly settings: AwsSettings,
    private readonly ui: Ui,
  ) {}

  /**
   * The client of a service. `{ retries: false }` gives a second client that makes one attempt
   * only: for creates that have no idempotency token (see ./once.ts), where a retry after a lost
   * answer would create a second resource.
   */
  get<K extends ServiceKind>(kind: K, opts: { retries?: boolean } = {}): Promise<ClientTypes[K]> {
    const once = opts.retries === false;
    const key = once ? (`${kind}!` as ServiceKind) : kind;
    let p = this.made.get(key);
    if (!p) {
      p = this.build(kind, once);
      this.made.set(key, p);
    }
    return p as Promise<ClientTypes[K]>;
  }

  /**
   * Where a service's requests go (see ./endpoints.ts): --endpoint-url, the environment, the
   * profile in the config file (read once, when the first client needs it), else undefined (AWS's).
   */
  async endpoint(kind: ServiceKind): Promise<string | undefined> {
    const s = this.settings;
    if (s.endpoint) return s.endpoint;
    const fromEnv = s.envEndpoints[kind];
    if (fromEnv) return fromEnv.url;
    this.fromConfigFile ??= configFileEndpoints(process.env, s.profile || 'default', s.allowInsecureEndpoint);
    return (await this.fromConfigFile)[kind]?.url;
  }

  private async build(kind: ServiceKind, once = false): Promise<AnyClient> {
    const s = this.settings;
    const endpoint = await this.endpoint(kind);
    const config = {
      region: s.region,
      ...(s.profile ? { profile: s.profile } : {}),
      ...(endpoint ? { endpoint } : {}),
      maxAttempts: once ? 1 : s.maxAttempts,
      retryMode: 'standard',
      // throwOnRequestTimeout: without it, @smithy/node-http-handler 4.x only logs a warning when
      // requestTimeout passes and the call waits for ever on an endpoint that accepts but never answers.
      requestHandler: { connectionTimeout: s.connectTimeoutMs, requestTimeout: s.requestTimeoutMs, throwOnRequestTimeout: true },
      customUserAgent: 'ecsprimer/0.1.0',
    };
    const client = await CLIENTS[kind](config);
    this.instrument(kind, client);
    return client;
  }

  private instrument(kind: ServiceKind, client: AnyClient): void {
    const { ui, calls } = this;
    (client.middlewareStack as { add: (mw: unknown, opts: unknown) => void }).add(
      (next: (a: unknown) => Promise<{ output?: { $metadata?: { attempts?: number } } }>, context: { commandName?: string }) =>
        async (args: unknown) => {
          const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          const start = performance.now();
          ui.debug(`→ ${kind}:${operation}`);
          try {
            const out = await next(args);
            const ms = Math.round(performance.now() - start);
            const attempts = out.output?.$metadata?.attempts;
            calls.push({ service: kind, operation, ms, ok: true, attempts });
            ui.debug(`← ${kind}:${operation} ${ms} ms${attempts && attempts > 1 ? ` (${attempts} attempts)` : ''}`);
            return out;
          } catch (e) {
            const ms = Math.round(performance.now() - start);
            calls.push({ service: kind, operation, ms, ok: false });
            ui.debug(`← ${kind}:${operation} ${ms} ms failed: ${(e as Error)?.name ?? 'Error'}`);
            throw e;
          }
        },
      { step: 'initialize', name: 'ecsprimerTiming', override: true },
    );
  }

  /**
   * The access key id of the credentials the clients will use. With no profile and static keys in
   * the environment that is AWS_ACCESS_KEY_ID: the first link of the SDK's default chain (fromEnv)
   * uses exactly that, so no client (and no SDK module) is loaded just to learn it. Otherwise the
   * chain is run through the STS client.
   */
  async accessKeyId(): Promise<string> {
    const env = process.env; // what the SDK's credential chain reads, not the context's env
    if (!this.settings.profile && !env.AWS_PROFILE && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return env.AWS_ACCESS_KEY_ID;
    const sts = await this.get('sts');
    const creds = await (sts.config.credentials as () => Promise<{ accessKeyId: string }>)();
    return creds.accessKeyId;
  }
}
