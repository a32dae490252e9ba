/**
 * The error types of ecsprimer and the one table that turns them into exit codes.
 *
 * Every expected failure is one of these classes; main.ts prints its message (one short
 * paragraph, no stack trace) and exits with its code. Anything else is a bug and is shown
 * with its stack under --verbose.
 */

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  declined: 3,
  credentials: 4,
  /** `diff`: the stack file and what runs differ. */
  differs: 5,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class EcsprimerError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  constructor(code: string, message: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Wrong flags or a command that cannot run as asked (nothing was sent to AWS). Exit 2. */
export class UsageError extends EcsprimerError {
  constructor(message: string, code = 'UsageError') {
    super(code, message, ExitCode.usage);
  }
}

/** One problem found in an input document or value. */
export interface InputIssue {
  /** JSON path of the field (e.g. `Statement[0].Effect`), or the option name (`--name`). */
  field?: string;
  line?: number;
  column?: number;
  /** What is wrong, as a sentence fragment: "is missing", "must be one of ...". */
  message: string;
  /** How to fix it. */
  fix?: string;
}

/**
 * An input (document or option value) is invalid. Exit 2, nothing was sent.
 * `source` names where it came from: `file ./policy.json`, `inline --document`, `stdin`, `--name`.
 */
export class InputError extends EcsprimerError {
  readonly source: string;
  readonly issues: InputIssue[];
  constructor(source: string, issues: InputIssue | InputIssue[], code = 'InvalidInput') {
    const list = Array.isArray(issues) ? issues : [issues];
    super(code, formatIssues(source, list), ExitCode.usage);
    this.source = source;
    this.issues = list;
  }
}

function where(issue: InputIssue): string {
  const parts: string[] = [];
  if (issue.line !== undefined) parts.push(`line ${issue.line}${issue.column !== undefined ? `, column ${issue.column}` : ''}`);
  if (issue.field) parts.push(issue.field);
  return parts.join(', ');
}

export function formatIssues(source: string, issues: InputIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => {
    const at = where(i);
    return `${at ? `${at}: ` : ''}${i.message}${i.fix ? `. ${i.fix}` : ''}`;
  });
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  if (shown.length === 1) return `${source}: ${shown[0]}${more}`;
  return `${source}:\n  - ${shown.join('\n  - ')}${more}`;
}

/** Throws an InputError when `issues` is not empty. */
export function assertNoIssues(source: string, issues: InputIssue[]): void {
  if (issues.length > 0) throw new InputError(source, issues);
}

/** AWS refused or failed a call (after the SDK's retries). Exit 1. */
export class AwsError extends EcsprimerError {
  readonly operation: string;
  readonly awsCode: string;
  constructor(operation: string, awsCode: string, message: string, options?: { cause?: unknown }) {
    super(awsCode, message, ExitCode.failure, options);
    this.operation = operation;
    this.awsCode = awsCode;
  }
}

/** A runtime failure that is not AWS's (journal unwritable, lock held, waiter timed out...). Exit 1. */
export class RuntimeError extends EcsprimerError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.failure, options);
  }
}

/** No credentials, or invalid/expired ones. Exit 4. */
export class CredentialsError extends EcsprimerError {
  constructor(message: string, code = 'CredentialsError', options?: { cause?: unknown }) {
    super(code, message, ExitCode.credentials, options);
  }
}

/** The user answered no at a confirmation; nothing changed. Exit 3. */
export class DeclinedError extends EcsprimerError {
  constructor(message = 'Declined at the confirmation; nothing was changed.') {
    super('Declined', message, ExitCode.declined);
  }
}

/** SIGINT/SIGTERM or Ctrl-C in a prompt. Exit 130 (SIGINT) or 143 (SIGTERM). */
export class InterruptedError extends EcsprimerError {
  constructor(message: string, signal: 'SIGINT' | 'SIGTERM' = 'SIGINT') {
    super('Interrupted', message, signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
  }
}

export function isEcsprimerError(e: unknown): e is EcsprimerError {
  return e instanceof EcsprimerError;
}
