/**
 * IAM is eventually consistent: for 10–30 s after a role is created (or a policy attached), ECS
 * may refuse it ("ECS was unable to assume the role ...", "Role is not valid"). RunTask,
 * CreateService and RegisterTaskDefinition go through retryWhileRolePropagates, which retries
 * exactly those answers with backoff for up to 60 s and says on stderr that it is waiting for IAM.
 *
 * Throttling and transient network errors are not handled here: the SDK retries those.
 */
import type { Context } from '../context.js';
import { AwsError } from '../errors.js';
import { errorName } from '../aws/errors.js';
import { RETRY_MAX_MS, retryWhile, type RetrySpec } from '../plan/retry.js';

/** Messages ECS gives while a new role is not usable yet. */
export const ROLE_PROPAGATION_MESSAGES: readonly RegExp[] = [
  /unable to assume (?:the )?role/i,
  /role is not valid/i,
  /invalid role/i,
  /not authorized to perform:? ?sts:AssumeRole/i,
  /cannot be assumed/i,
  /unable to assume role and validate/i,
  /does not have (?:the )?(?:proper|required|sufficient) (?:trust|permissions)[^.]*role/i,
];

const CODES = new Set(['InvalidParameterException', 'ClientException']);

/** True for an ECS refusal that means "the role is not visible to ECS yet" (raw SDK error or its AwsError translation). */
export function isRolePropagationError(e: unknown): boolean {
  const raw = e instanceof AwsError && e.cause ? e.cause : e;
  const code = e instanceof AwsError ? e.awsCode : errorName(raw);
  if (!CODES.has(code) && !CODES.has(errorName(raw))) return false;
  const message = `${(raw as Error)?.message ?? ''}`;
  return ROLE_PROPAGATION_MESSAGES.some((r) => r.test(message));
}

/** ECS creates its service-linked role on first use in an account; until then it answers this. */
const SERVICE_LINKED_ROLE = /unable to assume the service linked role/i;

/** True for ECS's "Unable to assume the service linked role. Please verify that the ECS service linked role exists." */
export function isServiceLinkedRoleNotReady(e: unknown): boolean {
  const raw = e instanceof AwsError && e.cause ? e.cause : e;
  return SERVICE_LINKED_ROLE.test(`${(raw as Error)?.message ?? ''}`);
}

export type PropagationOptions = Pick<RetrySpec, 'maxWaitMs' | 'firstDelayMs' | 'maxDelayMs' | 'clock'>;

export const ROLE_PROPAGATION_MAX_MS = RETRY_MAX_MS;

/**
 * Runs `fn`; while it fails with a role-propagation error, waits and tries again, for up to
 * `maxWaitMs`. Other errors, and the last propagation error, are thrown as they are (the last one
 * with a hint). Ctrl-C while waiting throws InterruptedError (nothing was created).
 */
export function retryWhileRolePropagates<T>(ctx: Context, operation: string, fn: () => Promise<T>, o: PropagationOptions = {}): Promise<T> {
  return retryWhile(
    ctx,
    {
      ...o,
      operation,
      // CreateCluster and CreateService also meet ECS's first use in an account.
      transient: (e) => isRolePropagationError(e) || isServiceLinkedRoleNotReady(e),
      waitingFor: (e) => (isServiceLinkedRoleNotReady(e) ? "ECS to create its service-linked role (ECS's first use in this account)" : 'IAM to propagate the role'),
      accepted: 'IAM role accepted by ECS',
      giveUp:
        'ECS still refused the role after {waited} of waiting for IAM to propagate it: check that the role exists, that its trust policy lets ecs-tasks.amazonaws.com assume it, and that you may pass it (iam:PassRole). If ECS named its service-linked role, create it once with `aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com`.',
    },
    fn,
  );
}
