/**
 * The plan is plain data: the same object is rendered as the confirmation text, the dry-run
 * output and the JSON report, and executed by the apply engine as a dependency graph.
 */
import type { Context } from '../context.js';
import type { Journal, JournalEvent, ResourceType } from '../state/journal.js';

export type Action = 'create' | 'update' | 'delete' | 'none';
export type ChangeStatus = 'done' | 'unchanged' | 'absent' | 'planned' | 'failed' | 'skipped';

/** One AWS call that would change something, as shown by --dry-run. */
export interface PlannedCall {
  operation: string;
  target: string;
  reason: string;
  /** The AWS CLI equivalent (filled in by plan/explain.ts unless a step gives it). */
  cli?: string;
  /** The IAM actions the call needs (plan/explain.ts). */
  iamAction?: string[];
  /** The ARN the call acts on, when it is not the step's. */
  resource?: string;
  /** Roles the call hands to a service (iam:PassRole). */
  passRoles?: string[];
}

export interface StepResult {
  status?: 'done' | 'unchanged' | 'absent';
  arn?: string;
  name?: string;
  /** The action really taken (e.g. a create that found the resource: none). */
  action?: Action;
  /** Any data later steps need (e.g. a policy ARN). */
  value?: unknown;
  note?: string;
}

export interface StepRuntime {
  ctx: Context;
  journal: Journal;
  /** Result of a step this one depends on. */
  result(id: string): StepResult | undefined;
  /** Appends to the journal now (call right after AWS confirms a change). */
  record(event: JournalEvent, rec: { type: ResourceType; name: string; arn?: string; parent?: string; data?: Record<string, unknown> }): void;
  /** Asks a follow-up question (serialized with other steps'); with --yes answers true. */
  confirm(question: string, details?: string[]): Promise<boolean>;
}

export interface Step {
  id: string;
  type: ResourceType | string;
  name: string;
  arn?: string;
  action: Action;
  /** For action none: why nothing will be done. */
  state?: 'unchanged' | 'absent';
  calls: PlannedCall[];
  reason: string;
  /** Extra lines for the confirmation (a document diff, the entities to detach). */
  detail?: string[];
  dependsOn?: string[];
  run?: (rt: StepRuntime) => Promise<StepResult | void>;
}

export interface Plan {
  command: string;
  steps: Step[];
  warnings: string[];
  /** Lines shown above the plan (e.g. "using the default VPC's subnets ..."). */
  notes?: string[];
  account?: string;
}

export interface Change {
  action: Action;
  type: string;
  name: string;
  arn?: string;
  status: ChangeStatus;
  reason?: string;
  error?: { code: string; message: string };
}

export interface Report {
  ok: boolean;
  command: string;
  stack: string;
  dryRun: boolean;
  changes: Change[];
  /** Operation-by-operation plan (dry run), each call with its CLI equivalent and IAM actions. */
  plan?: PlannedCall[];
  /** Dry run: the least-privilege policy the caller needs for the run. */
  permissions?: unknown;
  /** Command-specific results (task list, task exit codes, status...). */
  data?: Record<string, unknown>;
  error?: { code: string; message: string };
  exitCode?: number;
}

/** A step that changes nothing because the resource is already absent (or never existed). */
export function absentStep(s: { id: string; type: string; name: string; arn?: string; reason: string; dependsOn?: string[] }): Step {
  return { ...s, action: 'none', state: 'absent', calls: [] };
}

/** A step that changes nothing because the resource is as wanted. */
export function unchangedStep(s: { id: string; type: string; name: string; arn?: string; reason: string; dependsOn?: string[] }): Step {
  return { ...s, action: 'none', state: 'unchanged', calls: [] };
}

/** A dry-run step whose current state could not be read (no AWS access): its calls, as they would be. */
export function unknownStateStep(s: { id: string; type: string; name: string; arn?: string; action: Exclude<Action, 'none'>; calls: PlannedCall[] }): Step {
  return { ...s, calls: s.calls.map((c) => ({ ...c, reason: `${c.reason} (current state unknown)` })), reason: 'state unknown (dry run without AWS access)' };
}

/** The report of a command that changes nothing (a wait, a list, status): its data only. */
export function readReport(scope: { command: string; stack: string }, data?: Record<string, unknown>): Report {
  return { ok: true, command: scope.command, stack: scope.stack, dryRun: false, changes: [], ...(data ? { data } : {}) };
}
