// See ec2.ts: one SDK client class per module, loaded with import() by clients.ts.
export { KMSClient } from '@aws-sdk/client-kms';
