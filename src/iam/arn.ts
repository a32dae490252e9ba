/**
 * ARNs and paths of the IAM resources of a stack. They live under the path `/ecsprimer/<stack>/`,
 * so a stack's roles and policies are listed in O(stack), whatever the size of the account.
 */
import { partitionOf } from '../aws/partition.js';

/** What an ARN of the stack depends on (a Context is one). */
export interface ArnScope {
  readonly region: string;
  readonly stack: string;
}

export function iamPath(stack: string): string {
  return `/ecsprimer/${stack}/`;
}

export function policyArn(scope: ArnScope, account: string, name: string, path = iamPath(scope.stack)): string {
  return `arn:${partitionOf(scope.region)}:iam::${account}:policy${path}${name}`;
}

export function roleArn(scope: ArnScope, account: string, name: string, path = iamPath(scope.stack)): string {
  return `arn:${partitionOf(scope.region)}:iam::${account}:role${path}${name}`;
}

export const defaultPolicyName = (stack: string): string => `${stack}-policy`;
export const defaultRoleName = (stack: string): string => `${stack}-role`;
