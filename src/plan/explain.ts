/**
 * What each planned call is and needs: its AWS CLI equivalent (`cli`) and the IAM actions it
 * needs (`iamAction`), and for a whole run the least-privilege policy the caller needs
 * (`permissions`): the planned changes' actions on their resources where known, the reads the run
 * made, `iam:PassRole` on the roles it hands to ECS, and the tagging actions a tagged create needs.
 *
 * Shown in every dry run: with `--explain` in text, always in JSON.
 */
import type { Plan, PlannedCall, Step } from './types.js';

/** The AWS CLI's name of a service, from a step's resource type. */
function serviceOf(step: Step): string {
  const t = String(step.type);
  if (t.startsWith('iam-')) return 'iam';
  if (t.startsWith('logs-')) return 'logs';
  if (t.startsWith('ecr-')) return 'ecr';
  if (t.startsWith('secretsmanager-')) return 'secretsmanager';
  if (t.startsWith('autoscaling-')) return 'application-autoscaling';
  if (t.startsWith('elb-')) return 'elasticloadbalancing';
  if (t.startsWith('ec2-')) return 'ec2';
  return 'ecs';
}

/** CreateRole → create-role; the count suffix of "DeregisterTaskDefinition ×3" is dropped. */
export function baseOperation(op: string): string {
  return op.replace(/\s*×\d+$/, '');
}

const kebab = (op: string) => op.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** A value as the shell would need it: quoted when it holds anything but safe characters. */
function sh(v: string): string {
  return /^[\w@%+=:,./<>*-]+$/.test(v) && !/[<>*]/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`;
}

/** `aws SERVICE OPERATION --flag value ...`. */
export function awsCli(service: string, operation: string, args: Array<[string, string | string[] | undefined]>): string {
  const parts = [`aws ${service} ${kebab(baseOperation(operation))}`];
  for (const [flag, v] of args) {
    if (v === undefined) continue;
    parts.push(`--${flag}`, ...(Array.isArray(v) ? v : [v]).map(sh));
  }
  return parts.join(' ');
}

/** The identifiers a call's target names ("service web in demo-c", "role r, policy p", ...). */
function targetArgs(step: Step, call: PlannedCall): Array<[string, string | string[] | undefined]> {
  const op = baseOperation(call.operation);
  const t = call.target;
  let m: RegExpExecArray | null;
  if ((m = /^service (\S+) in (\S+)$/.exec(t))) return op === 'UpdateService' && /scale to 0/.test(call.reason) ? [['cluster', m[2]], ['service', m[1]], ['desired-count', '0']] : [['cluster', m[2]], ['service', m[1]]];
  if ((m = /^task (\S+) in (\S+)$/.exec(t))) return [['cluster', m[2]], ['task', m[1]]];
  if ((m = /^cluster (\S+)$/.exec(t))) return op === 'CreateCluster' ? [['cluster-name', m[1]]] : [['cluster', m[1]]];
  if ((m = /^role (\S+), policy (\S+)$/.exec(t))) return [['role-name', m[1]], ['policy-arn', step.arn ?? m[2]]];
  if ((m = /^log group (\S+)$/.exec(t))) return [['log-group-name', m[1]]];
  if ((m = /^policy (\S+) (v\d+)$/.exec(t))) return [['policy-arn', step.arn ?? m[1]], ['version-id', m[2]]];
  if (step.type === 'iam-role' && (m = /^(?:role|policy|inline policy|instance profile) (\S+)$/.exec(t))) {
    const role = step.name;
    if (op === 'DetachRolePolicy') return [['role-name', role], ['policy-arn', m[1]]];
    if (op === 'DeleteRolePolicy') return [['role-name', role], ['policy-name', m[1]]];
    if (op === 'RemoveRoleFromInstanceProfile') return [['instance-profile-name', m[1]], ['role-name', role]];
    return [['role-name', m[1]]];
  }
  if (step.type === 'iam-policy' && (m = /^(?:role|user|group) (\S+)$/.exec(t))) {
    const who = op === 'DetachRolePolicy' ? 'role-name' : op === 'DetachUserPolicy' ? 'user-name' : 'group-name';
    return [[who, m[1]], ['policy-arn', step.arn]];
  }
  if (/^policy \S+$/.test(t)) return [['policy-arn', step.arn ?? t.slice(7)]];
  if (/^[\w-]+:\d+(, [\w-]+:\d+)*$/.test(t)) return op === 'DeleteTaskDefinitions' ? [['task-definitions', t.split(', ')]] : [['task-definition', t.split(', ')[0]]];
  return [];
}

/** The CLI equivalent of one call (documents as file:// of what the run would send). */
export function cliOf(step: Step, call: PlannedCall): string {
  if (call.cli) return call.cli;
  const service = serviceOf(step);
  const op = baseOperation(call.operation);
  switch (op) {
    case 'CreatePolicy':
      return awsCli('iam', op, [['policy-name', step.name], ['policy-document', 'file://policy.json'], ['tags', `Key=ecsprimer:stack,Value=${stackOfTarget(call)}`]]);
    case 'CreateRole':
      return awsCli('iam', op, [['role-name', step.name], ['assume-role-policy-document', 'file://trust-policy.json'], ['tags', `Key=ecsprimer:stack,Value=${stackOfTarget(call)}`]]);
    case 'CreatePolicyVersion':
      return awsCli('iam', op, [['policy-arn', step.arn], ['policy-document', 'file://policy.json'], ['set-as-default', []]]);
    case 'UpdateAssumeRolePolicy':
      return awsCli('iam', op, [['role-name', step.name], ['policy-document', 'file://trust-policy.json']]);
    case 'TagRole':
    case 'TagPolicy':
      return awsCli('iam', op, [[op === 'TagRole' ? 'role-name' : 'policy-arn', op === 'TagRole' ? step.name : step.arn], ['tags', 'Key=ecsprimer:regions,Value=...']]);
    case 'RegisterTaskDefinition':
      return awsCli('ecs', op, [['cli-input-json', 'file://task-definition.json']]);
    case 'CreateService':
      return awsCli('ecs', op, [['cli-input-json', 'file://create-service.json']]);
    case 'RunTask':
      return awsCli('ecs', op, [['cli-input-json', 'file://run-task.json']]);
    case 'CreateLogGroup':
      return awsCli('logs', op, [['log-group-name', step.name], ['tags', `ecsprimer:stack=${stackOfTarget(call)}`]]);
    case 'DeleteService':
      return awsCli('ecs', op, [...targetArgs(step, call), ...(/with force/.test(call.reason) ? ([['force', []]] as Array<[string, string[]]>) : [])]);
    case 'PutRetentionPolicy':
      return awsCli('logs', op, [['log-group-name', step.name], ['retention-in-days', /(\d+) days/.exec(call.reason)?.[1] ?? '7']]);
    default:
      return awsCli(service, op, targetArgs(step, call));
  }
}

function stackOfTarget(call: PlannedCall): string {
  return /ecsprimer:stack=([\w-]+)/.exec(call.reason)?.[1] ?? 'STACK';
}

/** The IAM actions a call needs: its own, the tagging a tagged create needs, iam:PassRole for roles it hands on. */
export function iamActionsOf(step: Step, call: PlannedCall): string[] {
  const service = serviceOf(step);
  const op = baseOperation(call.operation);
  const own = `${service}:${op}`;
  const tagging: Record<string, string> = {
    'iam:CreateRole': 'iam:TagRole',
    'iam:CreatePolicy': 'iam:TagPolicy',
    'ecs:CreateCluster': 'ecs:TagResource',
    'ecs:RegisterTaskDefinition': 'ecs:TagResource',
    'ecs:CreateService': 'ecs:TagResource',
    'ecs:RunTask': 'ecs:TagResource',
    'logs:CreateLogGroup': 'logs:TagResource',
    'ecr:CreateRepository': 'ecr:TagResource',
    'secretsmanager:CreateSecret': 'secretsmanager:TagResource',
  };
  return [own, ...(tagging[own] ? [tagging[own]] : []), ...(call.passRoles?.length ? ['iam:PassRole'] : [])];
}

/** Every planned call of a plan's changing steps, with `cli` and `iamAction`. */
export function explainPlan(plan: Plan): PlannedCall[] {
  return plan.steps.flatMap((s) => (s.action === 'none' ? [] : s.calls.map((c) => ({ ...c, cli: cliOf(s, c), iamAction: iamActionsOf(s, c) }))));
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Array<{ Sid?: string; Effect: 'Allow'; Action: string[]; Resource: string | string[] }>;
}

/** AWS operations the run read (service:Operation as the clients record them), as IAM actions. */
function readActions(reads: Array<{ service: string; operation: string }>): string[] {
  const prefix: Record<string, string | undefined> = { iam: 'iam', sts: undefined, ecs: 'ecs', ec2: 'ec2', tagging: 'tag', logs: 'logs', ecr: 'ecr', secretsmanager: 'secretsmanager', ssm: 'ssm', kms: 'kms', autoscaling: 'application-autoscaling', elb: 'elasticloadbalancing' };
  return [...new Set(reads.map((r) => (prefix[r.service] ? `${prefix[r.service]}:${r.operation}` : '')).filter(Boolean))].sort();
}

/**
 * The least-privilege policy for the run: one statement per resource of the planned changes
 * (their ARN where the plan knows it, else "*"), one for iam:PassRole on the roles handed to ECS
 * (with the iam:PassedToService condition left to the reader), one for the reads ("*": reads are
 * listed across the account).
 */
/** The ARN a step's calls act on when the step has none yet (a log group, an attachment's role, a family). */
function resourceOf(step: Step, scope: { partition: string; region?: string; account?: string }): string {
  const known = step.arn && !/<account-id>|<region>/.test(step.arn) ? step.arn : undefined;
  const region = scope.region && !scope.region.startsWith('<') ? scope.region : '*';
  const account = scope.account && /^\d{12}$/.test(scope.account) ? scope.account : '*';
  const p = scope.partition;
  switch (step.type) {
    case 'iam-attachment':
      return `arn:${p}:iam::${account}:role/*${step.name.split(' ← ')[0]}`;
    case 'logs-log-group':
      return `arn:${p}:logs:${region}:${account}:log-group:${step.name}`;
    case 'ecs-task-definition':
      return known ?? `arn:${p}:ecs:${region}:${account}:task-definition/${step.name.split(':')[0]}:*`;
    default:
      return known ?? '*';
  }
}

export function permissionsOf(plan: Plan, reads: Array<{ service: string; operation: string }>, scope: { partition: string; region?: string; account?: string } = { partition: 'aws' }): PolicyDocument {
  const byResource = new Map<string, Set<string>>();
  const passRoles = new Set<string>();
  for (const s of plan.steps) {
    if (s.action === 'none') continue;
    for (const c of s.calls) {
      const resource = c.resource ?? resourceOf(s, scope);
      const actions = iamActionsOf(s, c).filter((a) => a !== 'iam:PassRole');
      const set = byResource.get(resource) ?? new Set<string>();
      for (const a of actions) set.add(a);
      byResource.set(resource, set);
      for (const r of c.passRoles ?? []) passRoles.add(r);
    }
  }
  const Statement: PolicyDocument['Statement'] = [...byResource].map(([resource, actions]) => ({ Effect: 'Allow' as const, Action: [...actions].sort(), Resource: resource }));
  if (passRoles.size) Statement.push({ Sid: 'PassRolesToEcs', Effect: 'Allow', Action: ['iam:PassRole'], Resource: [...passRoles].sort() });
  const reading = readActions(reads);
  if (reading.length) Statement.push({ Sid: 'Reads', Effect: 'Allow', Action: reading, Resource: '*' });
  return { Version: '2012-10-17', Statement };
}
