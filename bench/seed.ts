/**
 * Fills a moto account for the account-size scenario, directly with the SDK (no proxy, many
 * requests in flight): customer-managed policies, roles, and task definition families with many
 * revisions. None of it is tagged for an ecsprimer stack.
 */
import { CreatePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';

const CREDS = { accessKeyId: 'test', secretAccessKey: 'test' };

async function pool<T>(items: T[], width: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

export interface SeedSpec {
  policies: number;
  roles: number;
  /** Families and how many revisions each gets. */
  families: Array<{ family: string; revisions: number }>;
}

export async function seedAccount(endpoint: string, spec: SeedSpec): Promise<void> {
  const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: CREDS });
  const ecs = new ECSClient({ endpoint, region: 'us-east-1', credentials: CREDS });
  const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::seed/*' }] });
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const n = (i: number) => String(i).padStart(4, '0');
  await Promise.all([
    pool([...Array(spec.policies).keys()], 16, (i) => iam.send(new CreatePolicyCommand({ PolicyName: `bench-seed-policy-${n(i)}`, PolicyDocument: doc }))),
    pool([...Array(spec.roles).keys()], 16, (i) => iam.send(new CreateRoleCommand({ RoleName: `bench-seed-role-${n(i)}`, AssumeRolePolicyDocument: trust }))),
    // Revisions of one family are registered one after another (their numbers are sequential).
    pool(spec.families, 4, async (f) => {
      for (let r = 0; r < f.revisions; r++) {
        await ecs.send(
          new RegisterTaskDefinitionCommand({
            family: f.family,
            networkMode: 'awsvpc',
            requiresCompatibilities: ['FARGATE'],
            cpu: '256',
            memory: '512',
            containerDefinitions: [{ name: 'web', image: `public.ecr.aws/nginx/nginx:seed-${r}`, essential: true, memoryReservation: 128 }],
          }),
        );
      }
    }),
  ]);
  iam.destroy();
  ecs.destroy();
}
