/**
 * Turns SDK errors into ecsprimer's: credentials problems exit 4, everything else from AWS exits 1
 * with the operation that failed and, where we know one, what to do about it.
 */
import { AwsError, CredentialsError, EcsprimerError } from '../errors.js';
import { HOW_TO_CONFIGURE } from './settings.js';

const CREDENTIAL_CODES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'AuthFailure',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidAccessKeyId',
  'CredentialsProviderError',
  'TokenProviderError',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

const HINTS: Record<string, string> = {
  AccessDenied: 'Your credentials lack this permission: use a profile or role that has it (--profile), or ask an administrator to grant it.',
  AccessDeniedException: 'Your credentials lack this permission: use a profile or role that has it (--profile), or ask an administrator to grant it.',
  LimitExceeded: 'An IAM quota is reached in this account: delete unused resources or request a quota increase.',
  Throttling: 'AWS kept throttling the requests after retries: wait a little and run the command again (it resumes where it stopped).',
  ThrottlingException: 'AWS kept throttling the requests after retries: wait a little and run the command again (it resumes where it stopped).',
  RequestLimitExceeded: 'AWS kept throttling the requests after retries: wait a little and run the command again (it resumes where it stopped).',
  MalformedPolicyDocument: 'IAM rejected the document: check it against the IAM policy grammar.',
  DeleteConflict: 'The resource is still in use: detach or delete what depends on it first (ecsprimer teardown does this in order).',
};

/** Creates that tag what they create (the stack tag): AWS authorizes the tagging as its own action. */
const TAG_ON_CREATE: Record<string, string> = {
  'ecs:CreateCluster': 'ecs:TagResource',
  'ecs:RegisterTaskDefinition': 'ecs:TagResource',
  'ecs:CreateService': 'ecs:TagResource',
  'ecs:RunTask': 'ecs:TagResource',
  'iam:CreateRole': 'iam:TagRole',
  'iam:CreatePolicy': 'iam:TagPolicy',
};

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

export function errorName(e: unknown): string {
  if (e instanceof AwsError) return e.awsCode;
  const err = e as SdkLikeError;
  return err?.name || err?.code || 'Error';
}

/** True when the error means the resource is not there. */
export function isNotFound(e: unknown): boolean {
  const n = errorName(e);
  return n === 'NoSuchEntity' || n === 'NoSuchEntityException' || n === 'ClusterNotFoundException' || n === 'ServiceNotFoundException';
}

export function translateAwsError(operation: string, e: unknown, endpoint?: string): EcsprimerError {
  if (e instanceof EcsprimerError) return e;
  const err = e as SdkLikeError;
  const name = errorName(e);
  const message = (err?.message || String(e)).replace(/\s+/g, ' ').trim();
  if (CREDENTIAL_CODES.has(name) || /Could not load credentials|Token is expired|credentials? (?:are|is) (?:missing|expired)/i.test(message)) {
    const how =
      name === 'ExpiredToken' || name === 'ExpiredTokenException'
        ? 'Your session token has expired: refresh your credentials (aws sso login, or new temporary keys) and run again.'
        : name === 'CredentialsProviderError'
          ? `No AWS credentials found. ${HOW_TO_CONFIGURE}`
          : 'AWS did not accept your credentials: check the access key, secret and session token (or --profile).';
    return new CredentialsError(`${operation}: ${name}: ${sentence(message)} ${how}`, name, { cause: e });
  }
  const sysCode = (e as { code?: string })?.code;
  if ((sysCode && NETWORK_CODES.has(sysCode)) || name === 'TimeoutError' || /socket hang up|ECONNREFUSED|ENOTFOUND|timed? ?out/i.test(message)) {
    return new AwsError(
      operation,
      'EndpointUnreachable',
      `${operation}: could not reach ${endpoint ?? 'AWS'} (${sysCode || name}: ${message}). Check --endpoint-url / AWS_ENDPOINT_URL, the network and the region; run again when it is reachable (the command resumes where it stopped).`,
      { cause: e },
    );
  }
  const tagAction = TAG_ON_CREATE[operation];
  const denied = name === 'AccessDenied' || name === 'AccessDeniedException';
  const tagging = tagAction && denied ? `ecsprimer creates it tagged with its stack, which needs ${tagAction} as well as ${operation} (tagging on create is authorized separately)` : undefined;
  // The message names the action refused: the tagging one gets the tagging explanation alone.
  if (tagging && message.includes(tagAction)) {
    return new AwsError(operation, name, `${operation} failed: ${name}: ${sentence(message)} ${tagging}: add both to the caller's policy.`, { cause: e });
  }
  const hint = [HINTS[name], tagging && `${tagging[0].toUpperCase()}${tagging.slice(1)}.`].filter(Boolean).join(' ');
  return new AwsError(operation, name, `${operation} failed: ${name}: ${hint ? `${sentence(message)} ${hint}` : message}`, { cause: e });
}

/** AWS messages end with or without a full stop; a hint after one must start a new sentence. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
