/**
 * Secrets Manager: the stack's secrets. A secret's value goes in (CreateSecret, PutSecretValue)
 * and is compared (GetSecretValue), but never comes out of this module: `sameValue` answers
 * whether the stored value equals a given one, nothing more.
 *
 * Loaded with `await import()` only: it imports the Secrets Manager client module statically.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { named, ServiceOps } from './ops.js';

export interface SecretInfo {
  name: string;
  arn: string;
  description?: string;
  /** The customer KMS key (id, ARN or alias) that encrypts it; undefined: AWS's aws/secretsmanager key. */
  kmsKeyId?: string;
  tags: Record<string, string>;
  /** Scheduled for deletion (DeleteSecret with a recovery window): when. */
  deletedDate?: Date;
}

const notFound = named('ResourceNotFoundException');

export class SecretsOps extends ServiceOps<SecretsManagerClient> {
  constructor(client: SecretsManagerClient, endpoint?: string) {
    super(client, 'secretsmanager', endpoint);
  }

  /** The secret named or ARN'd `id`; undefined when there is none (a secret scheduled for deletion is returned, with deletedDate). */
  async describeSecret(id: string): Promise<SecretInfo | undefined> {
    const s = await this.maybe('DescribeSecret', notFound, () => this.client.send(new DescribeSecretCommand({ SecretId: id })));
    if (!s?.ARN) return undefined;
    return {
      name: s.Name ?? id,
      arn: s.ARN,
      ...(s.Description ? { description: s.Description } : {}),
      ...(s.KmsKeyId ? { kmsKeyId: s.KmsKeyId } : {}),
      tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      ...(s.DeletedDate ? { deletedDate: s.DeletedDate } : {}),
    };
  }

  /** Whether the current value of the secret is `value` (false when it has none, or a binary one). */
  async sameValue(id: string, value: string): Promise<boolean> {
    const out = await this.maybe('GetSecretValue', named('ResourceNotFoundException', 'InvalidRequestException'), () => this.client.send(new GetSecretValueCommand({ SecretId: id })));
    return out?.SecretString !== undefined && out.SecretString === value;
  }

  /** Creates the secret with its first value; the SDK fills ClientRequestToken, so a retried call creates one version. */
  async createSecret(o: { name: string; description?: string; value: string; tags: Record<string, string> }): Promise<{ arn: string }> {
    const out = await this.call('CreateSecret', () =>
      this.client.send(
        new CreateSecretCommand({
          Name: o.name,
          ...(o.description !== undefined ? { Description: o.description } : {}),
          SecretString: o.value,
          Tags: Object.entries(o.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
    return { arn: out.ARN ?? '' };
  }

  async putSecretValue(id: string, value: string): Promise<void> {
    await this.call('PutSecretValue', () => this.client.send(new PutSecretValueCommand({ SecretId: id, SecretString: value })));
  }

  /** Cancels a scheduled deletion. */
  async restoreSecret(id: string): Promise<void> {
    await this.call('RestoreSecret', () => this.client.send(new RestoreSecretCommand({ SecretId: id })));
  }

  /** Deletes (schedules the deletion of) a secret; false when it was gone already. */
  async deleteSecret(id: string, how: { recoveryDays: number } | { force: true }): Promise<boolean> {
    const out = await this.maybe('DeleteSecret', notFound, () =>
      this.client.send(new DeleteSecretCommand({ SecretId: id, ...('force' in how ? { ForceDeleteWithoutRecovery: true } : { RecoveryWindowInDays: how.recoveryDays }) })),
    );
    return out !== undefined;
  }
}

/** The client class, for clients.ts (one module per service: the client and its operations). */
export { SecretsManagerClient };
