/**
 * KMS: the key ARN behind a key id or alias (IAM grants kms:Decrypt on key ARNs, not aliases),
 * and whether AWS or the customer manages it.
 *
 * Loaded with `await import()` only: it imports the KMS client module statically.
 */
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { named, ServiceOps } from './ops.js';

export class KmsOps extends ServiceOps<KMSClient> {
  constructor(client: KMSClient, endpoint?: string) {
    super(client, 'kms', endpoint);
  }

  /** The key's ARN and manager; undefined when there is no such key. */
  async describeKey(id: string): Promise<{ arn: string; awsManaged: boolean } | undefined> {
    const out = await this.maybe('DescribeKey', named('NotFoundException'), () => this.client.send(new DescribeKeyCommand({ KeyId: id })));
    const k = out?.KeyMetadata;
    if (!k?.Arn) return undefined;
    return { arn: k.Arn, awsManaged: k.KeyManager === 'AWS' };
  }
}

/** The client class, for clients.ts (one module per service: the client and its operations). */
export { KMSClient };
