/**
 * SSM Parameter Store reads for task secrets: does a parameter exist, of which type, encrypted
 * with which key. DescribeParameters never returns a value, so none is ever read here.
 *
 * Loaded with `await import()` only: it imports the SSM client module statically.
 */
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ServiceOps } from './ops.js';

export interface ParameterInfo {
  name: string;
  /** String, StringList or SecureString. */
  type: string;
  /** SecureString: the KMS key (usually an alias, e.g. alias/aws/ssm). */
  keyId?: string;
  arn?: string;
}

export class SsmOps extends ServiceOps<SSMClient> {
  constructor(client: SSMClient, endpoint?: string) {
    super(client, 'ssm', endpoint);
  }

  async describeParameter(name: string): Promise<ParameterInfo | undefined> {
    const out = await this.call('DescribeParameters', () =>
      this.client.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }], MaxResults: 1 })),
    );
    const p = (out.Parameters ?? []).find((x) => x.Name === name) ?? out.Parameters?.[0];
    if (!p?.Name) return undefined;
    return { name: p.Name, type: p.Type ?? 'String', ...(p.KeyId ? { keyId: p.KeyId } : {}), ...(p.ARN ? { arn: p.ARN } : {}) };
  }
}

/** The client class, for clients.ts (one module per service: the client and its operations). */
export { SSMClient };
