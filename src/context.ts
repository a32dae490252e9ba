/**
 * The run context: streams, prompter, ui, AWS clients and the operations on them, account,
 * journal and interruption state, resolved lazily and passed to every command instead of
 * module-level globals.
 */
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { AwsClients } from './aws/clients.js';
import { partitionOf } from './aws/partition.js';
import type { DiscoveryOps } from './aws/discovery-ops.js';
import type { Ec2Ops } from './aws/ec2-ops.js';
import type { LogsOps } from './aws/logs-ops.js';
import type { EcrOps } from './aws/ecr-ops.js';
import type { SecretsOps } from './aws/secrets-ops.js';
import type { SsmOps } from './aws/ssm-ops.js';
import type { KmsOps } from './aws/kms-ops.js';
import type { AutoScalingOps } from './aws/autoscaling-ops.js';
import type { ElbOps } from './aws/elb-ops.js';
import type { EcsOps } from './aws/ecs-ops.js';
import type { IamOps } from './aws/iam-ops.js';
import type { PlaceholderValues } from './input/documents.js';
import { translateAwsError } from './aws/errors.js';
import { HOW_TO_CONFIGURE, resolveSettings, type AwsSettings } from './aws/settings.js';
import { CredentialsError, EcsprimerError, UsageError, type InputIssue } from './errors.js';
import { partitionIssues } from './input/issues.js';
import type { JsonValue } from './input/json.js';
import type { Prompter } from './io/prompter.js';
import { createUi, type Ui } from './io/ui.js';
import { paint, type Paint } from './output/color.js';
import { ensurePrivateDir, Journal, journalPath, StackLock, stateDir } from './state/journal.js';

export type OutputFormat = 'text' | 'json';

export interface GlobalOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  stack: string;
  /** --stack was given (a stack file's own name must then agree with it). */
  stackGiven?: boolean;
  yes: boolean;
  dryRun: boolean;
  output: OutputFormat;
  verbose: boolean;
  color: boolean;
  allowInsecureEndpoint: boolean;
  /** Show each planned call's AWS CLI equivalent and the IAM actions it needs. */
  explain?: boolean;
}

export interface IoStreams {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
  stdinIsTTY: boolean;
  readStdin(): Promise<Buffer>;
}

export const UNKNOWN_ACCOUNT = '<account-id>';

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,31}$/;

export function validateStackName(stack: string): void {
  if (!STACK_NAME.test(stack)) {
    throw new UsageError(
      `--stack: "${stack}" is not a valid stack name. Use 1–32 letters, digits and hyphens, starting with a letter (it becomes part of resource names, tags and an IAM path).`,
    );
  }
}

export class Context {
  readonly ui: Ui;
  readonly paint: Paint;
  readonly state: string;
  private settingsCache?: AwsSettings;
  private clients?: AwsClients;
  private readonly ops = new Map<string, Promise<unknown>>();
  private accountPromise?: Promise<string>;
  private journalCache?: Journal;
  private lock?: StackLock;
  private interruptedBy?: 'SIGINT' | 'SIGTERM';
  private readonly interruptListeners = new Set<() => void>();
  /** Set while a command runs its resolve phase in dry-run mode: failures to read become warnings. */
  command = '';

  constructor(
    readonly opts: GlobalOptions,
    readonly io: IoStreams,
    readonly prompter: Prompter,
    readonly env: NodeJS.ProcessEnv,
    readonly cwd: string,
  ) {
    this.ui = createUi(io.stderr, { verbose: opts.verbose, color: opts.color });
    this.paint = paint(opts.color);
    this.state = stateDir(env);
  }

  get stack(): string {
    return this.opts.stack;
  }

  /** Region, profile and endpoint; validated on first use (exit 2 if wrong). */
  settings(): AwsSettings {
    if (!this.settingsCache) {
      const s = resolveSettings(
        { region: this.opts.region, profile: this.opts.profile, endpointUrl: this.opts.endpointUrl, allowInsecureEndpoint: this.opts.allowInsecureEndpoint },
        this.env,
        { dryRun: this.opts.dryRun },
      );
      // A dry run must answer quickly even with no reachable endpoint: no retries, short timeouts.
      this.settingsCache = this.opts.dryRun ? { ...s, maxAttempts: 1, connectTimeoutMs: 1500, requestTimeoutMs: 5000 } : s;
    }
    return this.settingsCache;
  }

  get region(): string {
    return this.settings().region;
  }

  /** The partition of the region (`aws`, `aws-cn`, ...): the one every ARN of this run is in. */
  get partition(): string {
    return partitionOf(this.region);
  }

  /** ARNs of a document in another partition than the region's (none checked offline: the region is unknown). */
  wrongPartition(value: JsonValue): InputIssue[] {
    return this.offline ? [] : partitionIssues(value, this.partition);
  }

  /** The region, or undefined where none is configured (only a dry run gets that far). */
  get knownRegion(): string | undefined {
    try {
      return this.region;
    } catch {
      return undefined;
    }
  }

  /**
   * A dry run with no AWS configuration (no region): nothing is read, the plan shows
   * `<region>` and `<account-id>` where AWS would tell.
   */
  get offline(): boolean {
    try {
      return Boolean(this.settings().offline);
    } catch {
      return false;
    }
  }

  /** Reads standard input (a document given as `-`). */
  readStdin(): Promise<Buffer> {
    return this.io.readStdin();
  }

  /** The values of a document's placeholders in this run; an unknown account is left unfilled. */
  placeholders(account: string | undefined): PlaceholderValues {
    return { account: account && account !== UNKNOWN_ACCOUNT ? account : undefined, region: this.region, partition: this.partition, stack: this.stack };
  }

  /** The AWS calls this run made so far (none when no client was built). */
  callsMade(): Array<{ service: string; operation: string }> {
    return this.clients?.calls ?? [];
  }

  aws(): AwsClients {
    if (this.offline) throw new UsageError(`No AWS region is configured. ${HOW_TO_CONFIGURE}`, 'NoRegion');
    if (!this.clients) this.clients = new AwsClients(this.settings(), this.ui);
    return this.clients;
  }

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.ops.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      this.ops.set(key, p);
    }
    return p;
  }

  /** The IAM operations of this run, built on first use (that loads the IAM client). */
  iam(): Promise<IamOps> {
    return this.once('iam', async () => {
      const [{ IamOps }, client] = await Promise.all([import('./aws/iam-ops.js'), this.aws().get('iam')]);
      return new IamOps(client, await this.aws().endpoint('iam'), () => this.aws().get('iam', { retries: false }), this.settings().maxAttempts);
    });
  }

  /** The ECS operations of this run, built on first use (that loads the ECS client). */
  ecs(): Promise<EcsOps> {
    return this.once('ecs', async () => {
      const [{ EcsOps }, client] = await Promise.all([import('./aws/ecs-ops.js'), this.aws().get('ecs')]);
      return new EcsOps(client, await this.aws().endpoint('ecs'), () => this.aws().get('ecs', { retries: false }), this.settings().maxAttempts);
    });
  }

  /**
   * The operations of a service whose class takes (client, endpoint), built on first use: its
   * module (which also holds the client class, see aws/clients.ts) and its client load together.
   */
  private opsOf<O>(kind: 'ec2' | 'logs' | 'ecr' | 'secretsmanager' | 'ssm' | 'kms' | 'autoscaling' | 'elb', load: () => Promise<new (client: never, endpoint?: string) => O>): Promise<O> {
    return this.once(kind, async () => {
      const [Ops, client] = await Promise.all([load(), this.aws().get(kind)]);
      return new Ops(client as never, await this.aws().endpoint(kind));
    });
  }

  /** EC2: default VPC lookups, security groups. */
  ec2(): Promise<Ec2Ops> {
    return this.opsOf('ec2', async () => (await import('./aws/ec2-ops.js')).Ec2Ops);
  }
  /** CloudWatch Logs: log groups, log events. */
  logs(): Promise<LogsOps> {
    return this.opsOf('logs', async () => (await import('./aws/logs-ops.js')).LogsOps);
  }
  /** ECR: repositories, image checks, login. */
  ecr(): Promise<EcrOps> {
    return this.opsOf('ecr', async () => (await import('./aws/ecr-ops.js')).EcrOps);
  }
  /** Secrets Manager: the stack's secrets. */
  secrets(): Promise<SecretsOps> {
    return this.opsOf('secretsmanager', async () => (await import('./aws/secrets-ops.js')).SecretsOps);
  }
  /** SSM Parameter Store reads (task secrets). */
  ssm(): Promise<SsmOps> {
    return this.opsOf('ssm', async () => (await import('./aws/ssm-ops.js')).SsmOps);
  }
  /** Application Auto Scaling (service autoscale). */
  autoscaling(): Promise<AutoScalingOps> {
    return this.opsOf('autoscaling', async () => (await import('./aws/autoscaling-ops.js')).AutoScalingOps);
  }
  /** Elastic Load Balancing v2 (service create --load-balancer). */
  elb(): Promise<ElbOps> {
    return this.opsOf('elb', async () => (await import('./aws/elb-ops.js')).ElbOps);
  }
  /** KMS reads: the key ARN behind an alias. */
  kms(): Promise<KmsOps> {
    return this.opsOf('kms', async () => (await import('./aws/kms-ops.js')).KmsOps);
  }

  /** Finding a stack's resources by their tags (the tagging API, or an ECS scan). */
  discovery(): Promise<DiscoveryOps> {
    return this.once('discovery', async () => {
      const { DiscoveryOps } = await import('./aws/discovery-ops.js');
      return new DiscoveryOps(() => this.aws().get('tagging'), () => this.aws().get('ecs'), await this.aws().endpoint('tagging'));
    });
  }

  /**
   * The account id of the caller. Cached per access key (an access key belongs to one account
   * for ever) in the state directory, so most runs need no STS call at all.
   */
  account(): Promise<string> {
    if (!this.accountPromise) this.accountPromise = this.lookupAccount();
    return this.accountPromise;
  }

  /** Like account(), but in a dry run a failure gives `<account-id>` and a warning. */
  async accountOrPlaceholder(): Promise<string> {
    if (this.offline) return UNKNOWN_ACCOUNT;
    try {
      return await this.account();
    } catch (e) {
      if (this.opts.dryRun && e instanceof EcsprimerError) {
        this.ui.warn(`dry run: could not learn the account (${e.message.split('. ')[0]}); showing ${UNKNOWN_ACCOUNT}.`);
        return UNKNOWN_ACCOUNT;
      }
      throw e;
    }
  }

  private async lookupAccount(): Promise<string> {
    const aws = this.aws();
    let keyId: string;
    try {
      keyId = await aws.accessKeyId();
    } catch (e) {
      const err = translateAwsError('loading credentials', e, await aws.endpoint('sts').catch(() => undefined));
      const profile = this.settings().profile;
      if (profile && err.code === 'CredentialsProviderError') {
        // The generic advice ("pass --profile NAME") would be wrong: a profile was named and gave nothing.
        throw new CredentialsError(
          `loading credentials: the AWS profile "${profile}" (from ${this.opts.profile ? '--profile' : 'AWS_PROFILE'}) gave no credentials (${String((e as Error)?.message ?? e).replace(/\s+/g, ' ').trim()}). Check that it exists in ~/.aws/config or ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) and has keys, SSO or a role (aws configure --profile ${profile}); for an SSO profile run aws sso login --profile ${profile}.`,
          err.code,
          { cause: e },
        );
      }
      throw err;
    }
    const cacheFile = join(this.state, 'identity-cache.json');
    const { createHash } = await import('node:crypto');
    const fingerprint = createHash('sha256').update(`${keyId}|${(await aws.endpoint('sts')) ?? 'aws'}`).digest('hex').slice(0, 32);
    let cache: Record<string, string> = {};
    try {
      cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, string>;
      if (typeof cache[fingerprint] === 'string' && /^\d{12}$/.test(cache[fingerprint])) return cache[fingerprint];
    } catch {
      cache = {};
    }
    const sts = await aws.get('sts');
    const { GetCallerIdentityCommand } = await import('./aws/sdk/sts.js');
    let account: string | undefined;
    try {
      account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
    } catch (e) {
      throw translateAwsError('sts:GetCallerIdentity', e, await aws.endpoint('sts'));
    }
    if (!account) throw new CredentialsError('sts:GetCallerIdentity returned no account for these credentials.');
    try {
      ensurePrivateDir(this.state);
      cache[fingerprint] = account;
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(cache), { mode: 0o600 });
      renameSync(tmp, cacheFile);
    } catch {
      /* a cache only */
    }
    return account;
  }

  /** Learns the account from an ARN AWS returned (saves an STS call). */
  noteAccountFromArn(arn: string | undefined): void {
    const m = arn && /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn);
    if (m && !this.accountPromise) this.accountPromise = Promise.resolve(m[1]);
  }

  /** The journal of this account, region and stack (opened once the account is known). */
  async journal(): Promise<Journal> {
    if (!this.journalCache) {
      const account = await this.account();
      this.journalCache = new Journal(journalPath(this.state, account, this.region, this.stack), this.command);
    }
    return this.journalCache;
  }

  /** Journal for reading only; in a dry run with unknown account there is none. */
  async journalIfKnown(): Promise<Journal | undefined> {
    const account = await this.accountOrPlaceholder();
    if (account === UNKNOWN_ACCOUNT) return undefined;
    return this.journal();
  }

  async lockStack(): Promise<void> {
    const j = await this.journal();
    if (!this.lock) {
      this.lock = new StackLock(j.file.replace(/\.jsonl$/, '.lock'));
      this.lock.acquire(this.stack);
    }
  }

  releaseLock(): void {
    this.lock?.release();
  }

  // --- interruption -------------------------------------------------------------------------

  interrupt(signal: 'SIGINT' | 'SIGTERM'): void {
    if (!this.interruptedBy) this.interruptedBy = signal;
    for (const l of this.interruptListeners) l();
  }

  get interrupted(): 'SIGINT' | 'SIGTERM' | undefined {
    return this.interruptedBy;
  }

  onInterrupt(listener: () => void): () => void {
    this.interruptListeners.add(listener);
    return () => this.interruptListeners.delete(listener);
  }

  /** Sleeps, but wakes early (resolving false) when interrupted. */
  sleep(ms: number): Promise<boolean> {
    if (this.interruptedBy) return Promise.resolve(false);
    return new Promise((resolve) => {
      const off = this.onInterrupt(() => {
        clearTimeout(t);
        off();
        resolve(false);
      });
      const t = setTimeout(() => {
        off();
        resolve(true);
      }, ms);
    });
  }

  /** In an interactive, non --yes, non dry run: is there a TTY to ask on? (Checked before any AWS call.) */
  requireConfirmable(): void {
    if (this.opts.yes || this.opts.dryRun) return;
    if (!this.io.stdinIsTTY) {
      throw new UsageError(
        `"${this.command}" changes your AWS account and needs a confirmation, but stdin is not a terminal. Pass --yes to confirm in scripts, or --dry-run to see the plan.`,
        'ConfirmationRequired',
      );
    }
  }
}
