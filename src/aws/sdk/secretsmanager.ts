// See ec2.ts: one SDK client class per module, loaded with import() by clients.ts.
export { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
