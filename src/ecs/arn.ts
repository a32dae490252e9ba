/** ECS ARNs for plans, before AWS answers with the real ones. */
import { UNKNOWN_ACCOUNT } from '../context.js';
import { partitionOf } from '../aws/partition.js';

export function ecsArn(scope: { region: string }, account: string, resource: string): string {
  return `arn:${partitionOf(scope.region)}:ecs:${scope.region}:${account === UNKNOWN_ACCOUNT ? UNKNOWN_ACCOUNT : account}:${resource}`;
}
