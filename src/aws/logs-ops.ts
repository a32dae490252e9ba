/**
 * CloudWatch Logs: the log groups a stack's containers write to (awslogs), and reading their
 * streams (`task logs`, `task run --follow`).
 *
 * Loaded with `await import()` only: it imports the CloudWatch Logs client module statically.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { named, ServiceOps } from './ops.js';

export interface LogGroupInfo {
  name: string;
  /** Without the trailing `:*` DescribeLogGroups puts on `arn`. */
  arn: string;
  retentionDays?: number;
  tags: Record<string, string>;
}

export interface LogLine {
  timestamp: number;
  message: string;
}

const notFound = named('ResourceNotFoundException');

export class LogsOps extends ServiceOps<CloudWatchLogsClient> {
  constructor(client: CloudWatchLogsClient, endpoint?: string) {
    super(client, 'logs', endpoint);
  }

  /**
   * The log group of exactly this name, with its tags; undefined when there is none. Given its
   * ARN (known from the account and region), the tags are read at the same time, not after.
   */
  async describeLogGroup(name: string, arnHint?: string): Promise<LogGroupInfo | undefined> {
    const tagsOf = (arn: string) => this.maybe('ListTagsForResource', notFound, () => this.client.send(new ListTagsForResourceCommand({ resourceArn: arn })));
    const early = arnHint ? tagsOf(arnHint) : undefined;
    early?.catch(() => undefined);
    let nextToken: string | undefined;
    do {
      const page = await this.call('DescribeLogGroups', () => this.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken, limit: 50 })));
      const g = (page.logGroups ?? []).find((x) => x.logGroupName === name);
      if (g) {
        const arn = (g.arn ?? '').replace(/:\*$/, '');
        const tags = early && arn === arnHint ? await early : await tagsOf(arn);
        return { name, arn, ...(g.retentionInDays ? { retentionDays: g.retentionInDays } : {}), tags: tags?.tags ?? {} };
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  /** Log groups whose names start with `prefix` (names only). */
  async logGroupNames(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('DescribeLogGroups', () => this.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, nextToken, limit: 50 })));
      out.push(...(page.logGroups ?? []).map((g) => g.logGroupName!).filter(Boolean));
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }

  /** Creates a log group with tags; false when it exists already. */
  async createLogGroup(name: string, tags: Record<string, string>): Promise<boolean> {
    try {
      await this.client.send(new CreateLogGroupCommand({ logGroupName: name, tags }));
      return true;
    } catch (e) {
      if (named('ResourceAlreadyExistsException')(e)) return false;
      return this.call('CreateLogGroup', () => Promise.reject(e));
    }
  }

  async putRetention(name: string, days: number): Promise<void> {
    await this.call('PutRetentionPolicy', () => this.client.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: days })));
  }

  /** Deletes a log group; false when it was already gone. */
  async deleteLogGroup(name: string): Promise<boolean> {
    const out = await this.maybe('DeleteLogGroup', notFound, () => this.client.send(new DeleteLogGroupCommand({ logGroupName: name })).then(() => true));
    return out ?? false;
  }

  /**
   * The events of one stream after `token` (GetLogEvents, oldest first); `token` undefined starts
   * at the stream's beginning (or at `startTime`). A stream that does not exist yet gives none.
   */
  async events(group: string, stream: string, o: { token?: string; startTime?: number } = {}): Promise<{ lines: LogLine[]; token?: string }> {
    const out = await this.maybe('GetLogEvents', notFound, () =>
      this.client.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          startFromHead: true,
          ...(o.token ? { nextToken: o.token } : {}),
          ...(o.startTime !== undefined && !o.token ? { startTime: o.startTime } : {}),
        }),
      ),
    );
    if (!out) return { lines: [], token: o.token };
    const lines = (out.events ?? []).map((e) => ({ timestamp: e.timestamp ?? 0, message: e.message ?? '' }));
    return { lines, token: out.nextForwardToken ?? o.token };
  }

  /** The last `n` events of a stream (none when it does not exist). */
  async lastEvents(group: string, stream: string, n: number): Promise<LogLine[]> {
    const out = await this.maybe('GetLogEvents', notFound, () => this.client.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: false, limit: n })));
    return (out?.events ?? []).map((e) => ({ timestamp: e.timestamp ?? 0, message: e.message ?? '' }));
  }
}

/** The client class, for clients.ts (one module per service: the client and its operations). */
export { CloudWatchLogsClient };
