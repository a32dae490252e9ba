/**
 * The stack's execution role: what ECS's agent acts as to start a task (pull a private image,
 * write to CloudWatch Logs, read secrets). A task definition that needs one and names none gets
 * `<stack>-exec`: trusted by ecs-tasks.amazonaws.com with the plain trust policy AWS documents for
 * execution roles, and AWS's managed AmazonECSTaskExecutionRolePolicy attached.
 *
 * Why the managed policy and not a scoped one: it is what AWS's documentation and console give an
 * execution role, it covers exactly the agent's image pulls (ECR) and log writes (logs:CreateLogStream,
 * logs:PutLogEvents), and AWS keeps it current; a policy scoped to the stack's log groups would have
 * to be rewritten for every group and repository a later revision adds. It grants no secrets: what a
 * task definition reads (secrets, parameters, their KMS keys, its ECR repositories) is granted
 * exactly, per family, by an inline policy (see task-secrets.ts).
 */
import type { Context } from '../context.js';
import type { RoleInfo } from '../aws/iam-ops.js';
import { roleArn } from '../iam/arn.js';
import { attachStep, roleCreateStep } from '../iam/steps.js';
import { trustPolicyFor, validateRoleName } from '../iam/validate.js';
import { isJsonObject, type JsonValue } from '../input/json.js';
import { stackOf } from '../input/tags.js';
import { unchangedStep, type Step } from '../plan/types.js';
import { awslogsTargets } from './log-groups.js';

export const EXECUTION_POLICY_NAME = 'AmazonECSTaskExecutionRolePolicy';
export const executionPolicyArn = (partition: string) => `arn:${partition}:iam::aws:policy/service-role/${EXECUTION_POLICY_NAME}`;
export const executionRoleName = (stack: string) => `${stack}-exec`;

/** A private ECR image: ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/REPO. */
export const ECR_IMAGE = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

/** Why a task definition needs an execution role (empty: it does not). */
export function executionRoleNeeds(doc: JsonValue): string[] {
  const needs = new Set<string>();
  if (awslogsTargets(doc).length) needs.add('its containers log with awslogs');
  const containers = isJsonObject(doc) && Array.isArray(doc.containerDefinitions) ? doc.containerDefinitions : [];
  for (const c of containers) {
    if (!isJsonObject(c)) continue;
    if (typeof c.image === 'string' && ECR_IMAGE.test(c.image)) needs.add('it pulls a private ECR image');
    if (Array.isArray(c.secrets) && c.secrets.length) needs.add('it reads secrets');
    if (isJsonObject(c.repositoryCredentials)) needs.add('it pulls with private registry credentials');
  }
  return [...needs];
}

export interface ExecutionRoleNow {
  role?: RoleInfo;
  attached?: string[];
  /** The document of its inline grant policy (see task-secrets.ts), when asked for and present. */
  grant?: unknown;
}

/** Reads the stack's execution role and its attached policies (and an inline grant policy): concurrently. */
export async function readExecutionRole(ctx: Context, grantPolicy?: string): Promise<ExecutionRoleNow> {
  const iam = await ctx.iam();
  const name = executionRoleName(ctx.stack);
  const [role, attached, grant] = await Promise.all([
    iam.getRole(name),
    iam.listAttachedRolePolicies(name).catch(() => undefined),
    grantPolicy ? iam.getRolePolicy(name, grantPolicy).catch(() => undefined) : undefined,
  ]);
  return { role, attached: role ? attached : undefined, ...(role && grant !== undefined ? { grant } : {}) };
}

/**
 * The steps that give the stack its execution role: the role (created, or ours and kept current)
 * and the managed policy's attachment. A same-named role ecsprimer did not make is used as it is.
 */
export function executionRoleSteps(ctx: Context, account: string, now: ExecutionRoleNow, warnings: string[]): { steps: Step[]; arn: string } {
  const name = executionRoleName(ctx.stack);
  validateRoleName(name, '--stack (execution role name)');
  const policyArn = executionPolicyArn(ctx.partition);
  if (now.role && stackOf(now.role.tags) !== ctx.stack) {
    if (!now.attached?.includes(policyArn)) warnings.push(`role ${name} exists and was not made by stack ${ctx.stack}: it is used as the execution role as it is (without ${EXECUTION_POLICY_NAME} attached, tasks may fail to pull images or write logs).`);
    return { steps: [unchangedStep({ id: 'exec-role', type: 'iam-role', name, arn: now.role.arn, reason: 'exists, not made by this stack: used as the execution role as it is' })], arn: now.role.arn };
  }
  const role = roleCreateStep(ctx, { name, trust: trustPolicyFor({ kind: 'service', service: 'ecs-tasks.amazonaws.com' }, { partition: ctx.partition }), description: `ECS task execution role of stack ${ctx.stack}`, tags: {} }, account, now.role, 'exec-role');
  const attach = attachStep(
    ctx,
    { role: name, policyName: EXECUTION_POLICY_NAME, policyArn, roleStep: role.action === 'none' ? undefined : 'exec-role', attached: now.role ? Boolean(now.attached?.includes(policyArn)) : undefined, adopt: { policy: EXECUTION_POLICY_NAME } },
    'exec-attach',
  );
  return { steps: [role, attach], arn: now.role?.arn ?? roleArn(ctx, account, name) };
}
