/**
 * `up`, `diff` and `down` of a stack file: the file is a plan like any other command's.
 *
 * resolve: what exists of every resource in the file is read at once (one round trip after the
 * account), with the stack's inventory (journal ∪ tags) for what the file no longer names.
 * plan: one step per resource — create, update (a new policy version, a trust policy, a new
 * task-definition revision and the service moved to it, a desired count, a network) or keep —
 * and the deletes of what the stack owns and the file dropped, after every other change. The
 * steps depend on each other only where AWS needs it (an attachment on its role and policy; a task
 * definition on its roles; a service on its cluster, task definition, log groups and its roles'
 * attachments), so the apply takes the stack's dependency depth: about three round trips.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateServiceCommandInput, NetworkConfiguration, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { Context } from '../context.js';
import { AwsError, ExitCode, InputError, RuntimeError, UsageError } from '../errors.js';
import type { LogGroupInfo } from '../aws/logs-ops.js';
import type { ClusterInfo, ServiceInfo, TaskDefinitionInfo } from '../aws/ecs-types.js';
import type { RoleInfo } from '../aws/iam-ops.js';
import { ecsArn } from '../ecs/arn.js';
import { clusterCreateStep } from '../ecs/cluster.js';
import { networkInput, toEcsTags, type NetworkChoice } from '../ecs/inputs.js';
import { logGroupArn, logGroupCreateStep } from '../ecs/log-groups.js';
import { resolveNetwork, unknownNetwork } from '../ecs/network.js';
import { retryWhileRolePropagates } from '../ecs/propagation.js';
import { serviceData, serviceUpdateStep, startedDeployment } from '../ecs/service.js';
import { taskDefinitionStep } from '../ecs/task-definition.js';
import { validateTaskDefinition, type JsonValue as EcsJson } from '../ecs/validate.js';
import { waitForService } from '../ecs/waiters.js';
import { containerFor, containersOfDocument, loadBalancerNames, loadBalancerSteps, readLoadBalancer, type LoadBalancerNow, type LoadBalancerPlan } from '../ecs/load-balancer.js';
import { alternateName, blueGreenSteps, infraRoleName, readBlueGreen, readBlueGreenParts, strategyUpdate, waitForServiceDeployment, type BlueGreenNow, type BlueGreenPlan } from '../ecs/blue-green.js';
import { readScaling, requestCountLabel, resourceIdOf, scalingSteps, scalingWant, type ScalingNow } from '../ecs/autoscale.js';
import { parseWaitTimeout } from '../ecs/launch.js';
import { policyArn, roleArn } from '../iam/arn.js';
import { attachStep, detachStep, policyCreateStep, readPolicy, roleCreateStep, type PolicyNow } from '../iam/steps.js';
import { trustPolicyFor } from '../iam/validate.js';
import { fillDocument } from '../input/documents.js';
import type { JsonValue } from '../input/json.js';
import { fillPlaceholders } from '../input/placeholders.js';
import { stackOf, stackTags, STACK_TAG } from '../input/tags.js';
import { executePlan } from '../plan/engine.js';
import { explainPlan } from '../plan/explain.js';
import { renderPlanText } from '../plan/render.js';
import { accountAndJournal, resolveState } from '../plan/resolve.js';
import { unchangedStep, type Plan, type Report, type Step, type StepRuntime } from '../plan/types.js';
import { readInventory, type Inventory } from './inventory.js';
import { readRepository, repositoryStep, type RepositoryNow } from '../ecs/ecr.js';
import { readSecret, secretStep, secretValueFromEnv, secretValueFromFile, type SecretNow } from '../ecs/secret.js';
import { grantDocument, grantPolicyName, grantStep, resolveTaskReads, secretRefKey, valueFromOf, withSecretEntries, type ResolvedSecret, type TaskReads } from '../ecs/task-secrets.js';
import { teardownSteps, runTeardown, type TeardownOptions } from './teardown.js';
import { DEFAULT_STACK_FILE, keyOf, readStackFile, type ServiceSpec, type StackSpec, type TaskDefinitionSpec } from './file.js';

type Obj = { [k: string]: JsonValue };

export interface StackFileOptions {
  file?: string;
}

export interface UpOptions extends StackFileOptions {
  /** Commander's --no-wait: false skips waiting for services to become stable. */
  wait?: boolean;
  waitTimeout?: string;
}

/** Reads the file and makes its stack the run's (a different --stack is refused). */
export async function loadStack(ctx: Context, o: StackFileOptions): Promise<StackSpec> {
  const spec = await readStackFile(ctx, o.file);
  if (ctx.opts.stackGiven && ctx.opts.stack !== spec.stack) {
    throw new UsageError(`--stack ${ctx.opts.stack} differs from the stack file's "stack": "${spec.stack}" (${spec.source}). Drop --stack, or change the file.`);
  }
  ctx.opts.stack = spec.stack;
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Resolve

interface Live {
  policies: Map<string, PolicyNow>;
  roles: Map<string, { role?: RoleInfo; attached?: string[] }>;
  logGroups: Map<string, LogGroupInfo | undefined>;
  clusters: Map<string, ClusterInfo | undefined>;
  taskDefinitions: Map<string, TaskDefinitionInfo | undefined>;
  services: Map<string, ServiceInfo | undefined>;
  networks: Map<string, NetworkChoice>;
  /** Policies named by ARN (AWS managed or elsewhere): whether each exists. */
  policyArns: Map<string, boolean>;
  repositories: Map<string, RepositoryNow>;
  secrets: Map<string, SecretNow>;
  /** Per family: the secrets and parameters outside the file its containers read, and its ECR repositories. */
  reads: Map<string, TaskReads>;
  /** Per family: the inline grant on its execution role (a role of the file) now. */
  grants: Map<string, unknown>;
  /** Per service with a loadBalancer: what exists of it. */
  loadBalancers: Map<string, LoadBalancerNow>;
  /** Per service with autoscale: its scalable target and policies now. */
  scaling: Map<string, ScalingNow>;
  /** Per blue/green service: its wiring (an ACTIVE service behind its load balancer), or the parts that exist (a service to create). */
  blueGreen: Map<string, { now?: BlueGreenNow; parts?: Pick<BlueGreenNow, 'alternate' | 'role' | 'attached'> }>;
  inventory?: Inventory;
}

const awsvpc = (spec: StackSpec, s: ServiceSpec) => s.launchType === 'FARGATE' || (spec.taskDefinitions.find((t) => t.name === s.taskDefinition)?.document.value as Obj | undefined)?.networkMode === 'awsvpc';

/** A task definition's references to secrets and parameters that are not the file's own (those are looked up). */
const outsideSecrets = (spec: StackSpec, t: TaskDefinitionSpec) =>
  t.secrets.filter((x) => {
    const ref = x.ref;
    return !(ref.kind === 'secretsmanager' && spec.secrets.some((s) => s.name === ref.id));
  });

/** Whether a task definition's containers pull from ECR (their repositories are granted). */
const readsImages = (t: TaskDefinitionSpec) => /\.dkr\.ecr[.-]/.test(JSON.stringify(t.document.value));

/** The execution role of a task definition when it is a role of the file (the stack's: up keeps its grant). */
const fileExecutionRole = (t: TaskDefinitionSpec) => (t.executionRole && 'name' in t.executionRole ? t.executionRole.name : undefined);

/** The document of a task definition with its `secrets` entries (valueFrom: `arnOf` each). */
function withFileSecrets(spec: StackSpec, t: TaskDefinitionSpec, doc: JsonValue, arnOf: (ref: ResolvedSecret['ref']) => string): JsonValue {
  return withSecretEntries(doc, t.secrets, t.document.source, (o) => arnOf(o.ref));
}

/** Every secret value of the file (files and environment variables), read before any call. */
async function secretValues(ctx: Context, spec: StackSpec): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const s of spec.secrets) {
    const where = `${spec.source}: ${s.at}`;
    out.set(s.name, 'file' in s.from ? await secretValueFromFile(s.from.file, `${where}.fromFile (${s.from.shown})`) : secretValueFromEnv(ctx.env, s.from.env, `${where}.fromEnv`));
  }
  return out;
}

async function readLive(ctx: Context, spec: StackSpec, account: string, journal: Parameters<typeof readInventory>[2], values: Map<string, string>): Promise<Live> {
  // Every client first (their modules load on first use): the reads then leave in one wave.
  const needsEc2 = spec.services.some((s) => awsvpc(spec, s) && (s.subnets.length === 0 || s.securityGroups.length === 0));
  const [iam, ecs, logs] = await Promise.all([ctx.iam(), ctx.ecs(), spec.logGroups.length ? ctx.logs() : undefined, needsEc2 ? ctx.ec2() : undefined, ctx.discovery()]);
  const pairs = <T>(names: string[], read: (n: string) => Promise<T>) => Promise.all(names.map(async (n) => [n, await read(n)] as const)).then((e) => new Map(e));
  const fill = fillerFor(ctx, account, spec.stack);
  const outside = [...new Set(spec.roles.flatMap((r) => r.policies.flatMap((p) => ('arn' in p ? [fill(p.arn)] : []))))];
  const granted = new Set(journal.filter((r) => r.type === 'iam-role-policy' && r.present).map((r) => `${r.parent}|${r.name}`));
  // A service's load balancer is read in the VPC of its network: the network first.
  const networkOf = new Map(
    spec.services.filter((s) => awsvpc(spec, s)).map((s) => [s.name, resolveNetwork(ctx, { subnets: s.subnets, securityGroups: s.securityGroups, assignPublicIp: s.assignPublicIp, launchType: s.launchType })] as const),
  );
  const serviceOf = new Map(spec.services.map((s) => [s.name, ecs.describeService(s.cluster, s.name)] as const));
  const clustersP = ecs.describeClusters(spec.clusters.map((c) => c.name));
  // The inventory finds the file's own clusters and services by their tag too: it reuses these reads.
  const prefetched = {
    cluster: (name: string) => (spec.clusters.some((c) => c.name === name) ? clustersP.then((m) => m.get(name)) : undefined),
    service: (cluster: string, name: string) => (spec.services.some((s) => s.name === name && s.cluster === cluster) ? serviceOf.get(name) : undefined),
  };
  const [policies, roles, logGroups, clusters, taskDefinitions, services, networks, policyArns, inventory, repositories, secrets, reads, grants, loadBalancers, scaling, blueGreen] = await Promise.all([
    pairs(spec.policies.map((p) => p.name), (n) => readPolicy(iam, policyArn(ctx, account, n))),
    pairs(spec.roles.map((r) => r.name), async (n) => {
      const [role, attached] = await Promise.all([iam.getRole(n), iam.listAttachedRolePolicies(n).catch(() => undefined)]);
      return { role, attached: role ? attached : [] };
    }),
    pairs(spec.logGroups.map((g) => g.name), (n) => logs!.describeLogGroup(n, logGroupArn(ctx, account, n))),
    clustersP.then((m) => new Map(spec.clusters.map((c) => [c.name, m.get(c.name)]))),
    pairs(spec.taskDefinitions.map((t) => t.name), (n) => ecs.describeTaskDefinition(n)),
    pairs(spec.services.map((s) => s.name), (n) => serviceOf.get(n)!),
    pairs([...networkOf.keys()], (n) => networkOf.get(n)!),
    pairs(outside, async (arn) => Boolean(await iam.getPolicy(arn))),
    readInventory(ctx, account, journal, prefetched),
    // Repositories, secrets, what the task definitions read, and their grants: the same wave.
    pairs(spec.repositories.map((r) => r.name), (n) => readRepository(ctx, n)),
    pairs(spec.secrets.map((x) => x.name), (n) => readSecret(ctx, n, values.get(n))),
    pairs(spec.taskDefinitions.map((t) => t.name), (n) => {
      const t = spec.taskDefinitions.find((x) => x.name === n)!;
      const own = outsideSecrets(spec, t);
      const doc = withSecretEntries(fill(t.document.value), own, t.document.source, () => 'probe');
      return resolveTaskReads(ctx, doc, own, account);
    }),
    // A grant is read where one may be needed or may be left from an earlier revision.
    pairs(spec.taskDefinitions.filter((t) => fileExecutionRole(t) && (t.secrets.length || readsImages(t) || granted.has(`${fileExecutionRole(t)}|${grantPolicyName(t.name)}`))).map((t) => t.name), (n) => {
      const t = spec.taskDefinitions.find((x) => x.name === n)!;
      return iam.getRolePolicy(fileExecutionRole(t)!, grantPolicyName(n)).catch(() => undefined);
    }),
    pairs(spec.services.filter((s) => s.loadBalancer).map((s) => s.name), async (n) => {
      const s = spec.services.find((x) => x.name === n)!;
      const network = await networkOf.get(n);
      const vpcId = network?.vpcId ?? (network?.subnets[0] ? (await (await ctx.ec2()).subnet(network.subnets[0]))?.vpcId : undefined);
      const now = await readLoadBalancer(ctx, loadBalancerNames(spec.stack, n), vpcId, s.loadBalancer);
      // Blue/green: the rules of its listener (an earlier, interrupted run may have made the production rule).
      const onPort = now.listeners.find((l) => l.port === s.loadBalancer!.listenerPort);
      if (s.deployment?.strategy === 'BLUE_GREEN' && onPort && !now.rules.length) now.rules = await (await ctx.elb()).rules(onPort.arn);
      return now;
    }),
    pairs(spec.services.filter((s) => s.autoscale).map((s) => s.name), (n) => readScaling(ctx, resourceIdOf(spec.services.find((x) => x.name === n)!.cluster, n))),
    pairs(spec.services.filter((s) => s.deployment?.strategy === 'BLUE_GREEN').map((s) => s.name), async (n) => {
      const svc = await serviceOf.get(n);
      if (svc?.status === 'ACTIVE' && svc.loadBalancers?.some((l) => l.targetGroupArn)) return { now: await readBlueGreen(ctx, svc) };
      return { parts: await readBlueGreenParts(ctx, loadBalancerNames(spec.stack, n).targetGroup) };
    }),
  ]);
  return { policies, roles, logGroups, clusters, taskDefinitions, services, networks, policyArns, repositories, secrets, reads, grants, inventory, loadBalancers, scaling, blueGreen };
}

function assumedLive(spec: StackSpec): Live {
  const none = <T>(names: string[], v: T) => new Map(names.map((n) => [n, v]));
  return {
    policies: none(spec.policies.map((p) => p.name), {} as PolicyNow),
    roles: none(spec.roles.map((r) => r.name), { attached: [] as string[] }),
    logGroups: none(spec.logGroups.map((g) => g.name), undefined),
    clusters: none(spec.clusters.map((c) => c.name), undefined),
    taskDefinitions: none(spec.taskDefinitions.map((t) => t.name), undefined),
    services: none(spec.services.map((s) => s.name), undefined),
    networks: new Map(spec.services.map((s) => [s.name, unknownNetwork({ subnets: s.subnets, securityGroups: s.securityGroups, assignPublicIp: s.assignPublicIp, launchType: s.launchType })])),
    policyArns: new Map(),
    repositories: none(spec.repositories.map((r) => r.name), {} as RepositoryNow),
    secrets: none(spec.secrets.map((x) => x.name), {} as SecretNow),
    reads: new Map(),
    grants: new Map(),
    loadBalancers: none(spec.services.filter((s) => s.loadBalancer).map((s) => s.name), { listeners: [], rules: [] } as LoadBalancerNow),
    scaling: none(spec.services.filter((s) => s.autoscale).map((s) => s.name), { policies: [] } as ScalingNow),
    blueGreen: none(spec.services.filter((s) => s.deployment?.strategy === 'BLUE_GREEN').map((s) => s.name), { parts: {} }),
  };
}

// ---------------------------------------------------------------------------------------------
// Plan

/** What `up` waits for after the apply: the services it created or moved, and their deployment. */
interface ServiceWatch {
  cluster: string;
  name: string;
  stepId: string;
  answered?: ServiceInfo;
  /** A blue/green deployment: followed through its stages and this bake time. */
  bakeMinutes?: number;
}

export interface StackPlan {
  plan: Plan;
  watches: ServiceWatch[];
}

const stepId = keyOf;

/** Fills the placeholders of a value of the file for this run. */
function fillerFor(ctx: Context, account: string, stack: string) {
  return <T extends JsonValue>(v: T): T => fillPlaceholders(v, { accountId: account, region: ctx.region, partition: ctx.partition, stack }) as T;
}

/** The file's stack, resolved and planned (shared by up and diff). */
export async function planStack(ctx: Context, spec: StackSpec): Promise<StackPlan> {
  // The SDK clients load (CPU) while the account and journal are read.
  if (!ctx.offline) for (const load of [() => ctx.iam(), () => ctx.ecs(), () => ctx.logs(), () => ctx.ec2(), () => ctx.discovery()]) load().catch(() => undefined);
  const values = await secretValues(ctx, spec);
  const { account, resources } = await accountAndJournal(ctx);
  const { value: live, known } = await resolveState(ctx, () => readLive(ctx, spec, account, resources, values), assumedLive(spec));
  const warnings = [...spec.warnings];
  const notes: string[] = [];
  const steps: Step[] = [];
  const fill = fillerFor(ctx, account, spec.stack);
  const owner = (tags: Record<string, string> | undefined) => stackOf(tags);
  const refuse = (at: string, what: string, tags: Record<string, string> | undefined) => {
    const o = owner(tags);
    throw new AwsError('resolve', 'NotThisStack', `${spec.source}: ${at}: ${what} already exists and ${o ? `belongs to ecsprimer stack "${o}"` : 'was not created by ecsprimer'}, so stack "${spec.stack}" will not take it over. Rename it in the file.`);
  };

  // Policies and roles.
  const policyArns = new Map<string, string>();
  const policySteps = new Map<string, Step>();
  for (const p of spec.policies) {
    const now = live.policies.get(p.name);
    if (now?.info && owner(now.info.tags) && owner(now.info.tags) !== spec.stack) refuse(p.at, `policy ${p.name}`, now.info.tags);
    const step = policyCreateStep(ctx, { name: p.name, doc: fillDocument(p.document, ctx.placeholders(account)), description: p.description, tags: {} }, account, now?.info ? now : undefined, stepId(p));
    policyArns.set(p.name, now?.info?.arn ?? policyArn(ctx, account, p.name));
    policySteps.set(p.name, step);
    steps.push(step);
  }
  const roleArns = new Map<string, string>();
  const attachIds = new Map<string, string[]>();
  for (const r of spec.roles) {
    const now = live.roles.get(r.name);
    if (now?.role && owner(now.role.tags) !== spec.stack) refuse(r.at, `a role named ${r.name}`, now.role.tags);
    const trust = 'document' in r.trust ? fillDocument(r.trust.document, ctx.placeholders(account)) : r.trust.principal.kind === 'me' ? undefined : trustPolicyFor(r.trust.principal, { partition: ctx.partition });
    if (!trust) throw new InputError(spec.source, { field: `${r.at}.trustPrincipal`, message: '"me" is not supported in a stack file (the file would depend on who runs it)', fix: 'give the role or user ARN' });
    const roleStep = roleCreateStep(ctx, { name: r.name, trust, description: r.description, tags: {} }, account, now?.role, stepId(r));
    steps.push(roleStep);
    roleArns.set(r.name, now?.role?.arn ?? roleArn(ctx, account, r.name));
    r.policies.forEach((x, i) => {
      if ('arn' in x && live.policyArns.get(fill(x.arn)) === false) {
        throw new AwsError('iam:GetPolicy', 'NoSuchEntity', `${spec.source}: ${r.at}.policies[${i}]: no policy ${fill(x.arn)} exists. Check the ARN (AWS managed policies: arn:\${AWS::Partition}:iam::aws:policy/..., some under service-role/), or list one of this file's policies by name. Nothing was changed.`);
      }
    });
    const wanted = r.policies.map((x) => ('name' in x ? { name: x.name, arn: policyArns.get(x.name)!, step: policySteps.get(x.name) } : { name: x.arn.slice(x.arn.lastIndexOf('/') + 1), arn: fill(x.arn), step: undefined }));
    const ids: string[] = [];
    for (const w of wanted) {
      const id = `attach:${r.name}|${w.arn}`;
      const s = attachStep(
        ctx,
        {
          role: r.name,
          policyName: w.name,
          policyArn: w.arn,
          policyStep: w.step && w.step.action !== 'none' ? w.step.id : undefined,
          roleStep: roleStep.action !== 'none' ? roleStep.id : undefined,
          attached: now?.attached ? now.attached.includes(w.arn) : undefined,
        },
        id,
      );
      s.dependsOn = [...(s.dependsOn ?? []), ...(w.step ? [w.step.id] : []), roleStep.id];
      steps.push(s);
      ids.push(id);
    }
    attachIds.set(r.name, ids);
    // Attachments the stack made that the file no longer lists.
    const wantedArns = new Set(wanted.map((w) => w.arn));
    for (const a of live.inventory?.attachments ?? []) {
      if (a.role !== r.name || wantedArns.has(a.policyArn) || a.attached === false) continue;
      steps.push(detachStep(ctx, { role: r.name, policyArn: a.policyArn, policyName: a.policyArn.slice(a.policyArn.lastIndexOf('/') + 1), attached: true }, `detach:${r.name}|${a.policyArn}`));
    }
  }

  // Log groups and clusters.
  for (const g of spec.logGroups) {
    const now = live.logGroups.get(g.name);
    const step = logGroupCreateStep(ctx, g.name, now, g.retentionInDays, known, `${g.at}.retentionInDays`);
    step.id = stepId(g);
    if (now && owner(now.tags) === spec.stack && now.retentionDays !== g.retentionInDays) {
      steps.push({
        id: stepId(g),
        type: 'logs-log-group',
        name: g.name,
        arn: now.arn,
        action: 'update',
        calls: [{ operation: 'PutRetentionPolicy', target: `log group ${g.name}`, reason: `keep events ${g.retentionInDays} days (now ${now.retentionDays ?? 'for ever'})` }],
        reason: `retention ${now.retentionDays ?? 'never expire'} → ${g.retentionInDays} days`,
        run: async (rt) => {
          await (await ctx.logs()).putRetention(g.name, g.retentionInDays);
          rt.record('updated', { type: 'logs-log-group', name: g.name, arn: now.arn, data: { retentionInDays: g.retentionInDays } });
          return { arn: now.arn };
        },
      });
    } else steps.push(step);
  }
  // Repositories and secrets.
  for (const r of spec.repositories) {
    const now = live.repositories.get(r.name) ?? {};
    if (now.info && owner(now.info.tags) !== spec.stack) refuse(r.at, `a repository named ${r.name}`, now.info.tags);
    steps.push(repositoryStep(ctx, r.name, { scanOnPush: r.scanOnPush, immutableTags: r.immutableTags, keep: r.keep }, now, account, {}, stepId(r)));
  }
  const secretArns = new Map<string, string | undefined>();
  for (const x of spec.secrets) {
    const now = live.secrets.get(x.name) ?? {};
    if (now.info && owner(now.info.tags) !== spec.stack) refuse(x.at, `a secret named ${x.name}`, now.info.tags);
    steps.push(secretStep(ctx, { name: x.name, description: x.description, value: values.get(x.name)! }, now, account, stepId(x)));
    secretArns.set(x.name, now.info?.arn);
  }
  /** The ARN of a secret of the file: known when it exists, else from its step's result once it ran. */
  const fileSecretArn = (name: string, rt?: StepRuntime) => secretArns.get(name) ?? rt?.result(`secrets:${name}`)?.arn ?? `arn:${ctx.partition}:secretsmanager:${ctx.region}:${account}:secret:${name}-??????`;

  for (const c of spec.clusters) {
    const step = clusterCreateStep(ctx, c.name, live.clusters.get(c.name), account, {});
    step.id = stepId(c);
    steps.push(step);
  }

  // Task definitions.
  const tdSteps = new Map<string, Step>();
  for (const t of spec.taskDefinitions) {
    const arnOf = (u: typeof t.taskRole) => (u ? ('arn' in u ? fill(u.arn) : roleArns.get(u.name)!) : undefined);
    const reads = live.reads.get(t.name) ?? { secrets: [], repositories: [] };
    const refArn = (ref: ResolvedSecret['ref'], rt?: StepRuntime): string => {
      if (ref.kind === 'secretsmanager' && spec.secrets.some((x) => x.name === ref.id)) {
        const arn = fileSecretArn(ref.id, rt);
        return ref.jsonKey ? `${arn}:${ref.jsonKey}::` : arn;
      }
      const r = reads.secrets.find((x) => secretRefKey(x.ref) === secretRefKey(ref));
      return r ? valueFromOf(r) : ref.kind === 'ssm' ? (ref.arn ?? ref.name) : ref.id;
    };
    const filledDoc = fillDocument(t.document, ctx.placeholders(account));
    const doc = withFileSecrets(spec, t, filledDoc, (ref) => refArn(ref)) as Obj;
    const final: Obj = { ...doc, family: t.name, ...(t.executionRole ? { executionRoleArn: arnOf(t.executionRole)! } : {}), ...(t.taskRole ? { taskRoleArn: arnOf(t.taskRole)! } : {}) };
    const v = validateTaskDefinition(final as EcsJson, t.document.source);
    if (v.issues.length) throw new InputError(t.document.source, v.issues);
    const docTags = Array.isArray(doc.tags) ? Object.fromEntries((doc.tags as Obj[]).map((x) => [String(x.key), String(x.value ?? '')])) : {};
    const input: RegisterTaskDefinitionCommandInput = { ...v.normalized, tags: toEcsTags(stackTags(spec.stack, docTags)) };
    const { step } = taskDefinitionStep(ctx, t.name, input, live.taskDefinitions.get(t.name), stepId(t));
    const roleSteps = [t.taskRole, t.executionRole].flatMap((u) => (u && 'name' in u ? [`roles:${u.name}`] : []));
    const secretSteps = t.secretsUsed.map((n) => `secrets:${n}`);
    step.dependsOn = [...roleSteps, ...secretSteps, ...t.dependsOn.map(keyOf)];
    // A secret this run creates has its ARN (with AWS's random suffix) only once created.
    const pending = t.secretsUsed.filter((n) => !secretArns.get(n));
    if (pending.length && step.run) {
      const run = step.run;
      step.run = async (rt) => {
        const sent = withFileSecrets(spec, t, filledDoc, (ref) => refArn(ref, rt)) as Obj;
        const defs = (sent.containerDefinitions as Obj[]).map((c) => (c.secrets ? { secrets: c.secrets } : {}));
        input.containerDefinitions = (input.containerDefinitions ?? []).map((c, i) => ({ ...c, ...defs[i] })) as typeof input.containerDefinitions;
        return run(rt);
      };
    }
    tdSteps.set(t.name, step);
    steps.push(step);

    // The execution role, when it is a role of the file, may read exactly what the task reads.
    const execRole = fileExecutionRole(t);
    if (execRole) {
      const fileReads = (rt?: StepRuntime): TaskReads => ({
        secrets: [
          ...reads.secrets,
          ...t.secretsUsed.map((n): ResolvedSecret => ({ ref: { kind: 'secretsmanager', id: n }, where: `${t.at}.secrets`, arn: fileSecretArn(n, rt) })),
        ],
        repositories: reads.repositories,
      });
      const g = grantStep(ctx, {
        role: execRole,
        family: t.name,
        document: grantDocument(fileReads()),
        current: live.grants.get(t.name),
        id: `grant:${t.name}`,
        dependsOn: [`roles:${execRole}`, ...secretSteps],
        ...(pending.length ? { documentAt: (rt: StepRuntime) => grantDocument(fileReads(rt))! } : {}),
      });
      if (g) steps.push(g);
    }
  }

  // Services.
  const watches: ServiceWatch[] = [];
  const scalingAfter: Step[] = [];
  for (const s of spec.services) {
    const id = stepId(s);
    const tdStep = tdSteps.get(s.taskDefinition)!;
    const tdSpec = spec.taskDefinitions.find((t) => t.name === s.taskDefinition)!;
    const tdArn = (rt: StepRuntime) => rt.result(tdStep.id)?.arn ?? tdStep.arn ?? live.taskDefinitions.get(s.taskDefinition)?.arn ?? s.taskDefinition;
    const roleAttachments = [tdSpec.taskRole, tdSpec.executionRole].flatMap((u) => (u && 'name' in u ? (attachIds.get(u.name) ?? []) : []));
    const deps = [`clusters:${s.cluster}`, tdStep.id, ...tdSpec.logGroupsUsed.filter((g) => spec.logGroups.some((x) => x.name === g)).map((g) => `logGroups:${g}`), ...roleAttachments, ...s.dependsOn.map(keyOf)];
    const network = live.networks.get(s.name);
    if (network && network.source !== 'given' && network.source !== 'unknown') notes.push(`services.${s.name}: ${network.source === 'default-vpc' ? `the default VPC (${network.vpcId}): its default subnets and security group` : `the "default" security group of ${network.vpcId}`}${network.assignPublicIp === 'ENABLED' ? ', with a public IP' : ''}`);
    const now = live.services.get(s.name);
    const watch: ServiceWatch = { cluster: s.cluster, name: s.name, stepId: id };
    // Behind a load balancer: its steps first (each unchanged when there), the service wired to them.
    const lbNames = s.loadBalancer ? loadBalancerNames(spec.stack, s.name) : undefined;
    const lbNow = s.loadBalancer ? live.loadBalancers.get(s.name) : undefined;
    let lbPlan: LoadBalancerPlan | undefined;
    // The container the target group sends to (the file's check found it).
    const lbContainer = s.loadBalancer ? containerFor(containersOfDocument(s.taskDefinition, fill(tdSpec.document.value)), s.loadBalancer) : undefined;
    if (s.loadBalancer && lbNames && lbNow) {
      const vpcId = network?.vpcId ?? lbNow.lb?.vpcId ?? lbNow.tg?.vpcId ?? '<vpc>';
      lbPlan = loadBalancerSteps(ctx, { service: s.name, req: s.loadBalancer, names: lbNames, now: lbNow, vpcId, subnets: network?.subnets ?? [], account, known, prefix: `lb:${s.name}:` });
      for (const st of lbPlan.steps) st.dependsOn = [...(st.dependsOn ?? []), ...s.dependsOn.map(keyOf)];
      steps.push(...lbPlan.steps);
      deps.push(...lbPlan.before);
    }
    const wiredTo = (x: ServiceInfo) => x.loadBalancers?.find((l) => l.targetGroupArn)?.targetGroupArn;
    // Blue/green: its alternate group, production rule and the stack's infrastructure role (shared: once per plan).
    let bgPlan: BlueGreenPlan | undefined;
    const bg = s.deployment?.strategy === 'BLUE_GREEN' ? live.blueGreen.get(s.name) : undefined;
    if (s.deployment?.strategy === 'BLUE_GREEN' && s.loadBalancer && lbNames && lbPlan && bg) {
      const req = { strategy: 'BLUE_GREEN' as const, bakeTime: s.deployment.bakeTime };
      const plan = lbPlan;
      const bgNow: BlueGreenNow = bg.now ?? {
        entry: { containerName: lbContainer!, containerPort: s.loadBalancer.containerPort },
        primary: { name: lbNames.targetGroup, arn: lbNow?.tg?.arn ?? '', port: s.loadBalancer.containerPort, targetType: 'ip', healthCheckPath: s.loadBalancer.healthCheckPath, vpcId: network?.vpcId ?? lbNow?.lb?.vpcId, loadBalancers: [], tags: {} },
        listener: { arn: '', port: s.loadBalancer.listenerPort, loadBalancer: s.loadBalancer.existing ? (lbNow?.lb?.name ?? s.loadBalancer.existing) : lbNames.loadBalancer },
        rules: lbNow?.rules ?? [],
        ...bg.parts,
        pending: { primaryArn: plan.targetGroupArn, listenerArn: plan.listenerArn, ...(plan.ruleArn ? { ownRule: plan.ruleArn } : {}), after: plan.before },
      };
      bgPlan = blueGreenSteps(ctx, account, now?.status === 'ACTIVE' ? now : undefined, req, bgNow, { prefix: `bg:${s.name}:` });
      for (const st of bgPlan.steps) if (!steps.some((x) => x.id === st.id)) steps.push(st);
      deps.push(...bgPlan.before);
    }
    // Scaling after the service (its scalable target names it).
    if (s.autoscale) {
      const resourceId = resourceIdOf(s.cluster, s.name);
      const label = (lbArn: string | undefined, tgArn: string | undefined) => (lbArn && tgArn ? requestCountLabel(lbArn, tgArn) : undefined);
      const plan = lbPlan;
      const labelAt = (rt: StepRuntime | undefined) => (rt && plan ? label(plan.loadBalancerArn(rt), plan.targetGroupArn(rt)) : label(lbNow?.lb?.arn, lbNow?.tg?.arn));
      scalingAfter.push(...scalingSteps(ctx, resourceId, scalingWant(s.autoscale), live.scaling.get(s.name) ?? { policies: [] }, labelAt, { prefix: `scale:${s.name}:`, dependsOn: [id] }));
    }
    if (now && now.status === 'DRAINING') {
      throw new RuntimeError('ServiceDraining', `${spec.source}: services.${s.name}: the service is being deleted (DRAINING); ECS cannot create it again until it is INACTIVE. Wait with \`ecsprimer service wait --cluster ${s.cluster} --name ${s.name} --until inactive\` and run up again.`);
    }
    if (now && now.status === 'ACTIVE') {
      if (owner(now.tags) !== spec.stack) refuse(`services.${s.name}`, `a service named ${s.name} in cluster ${s.cluster}`, now.tags);
      if (now.launchType && now.launchType !== s.launchType) {
        throw new InputError(spec.source, { field: `services.${s.name}.launchType`, message: `is ${s.launchType}, but the service runs on ${now.launchType}, which ECS cannot change in place`, fix: 'give the service a new name in the file (up creates it and deletes the old one), or keep the launch type' });
      }
      // A load balancer is wired when the service is created: one added or dropped later is a new service.
      const tgNow = wiredTo(now);
      // (A blue/green deployment may have swapped the service's group with its alternate.)
      const swapped = lbNow?.tg && now.loadBalancers?.some((l) => l.advancedConfiguration?.alternateTargetGroupArn === lbNow.tg!.arn);
      if (known && s.loadBalancer && (!tgNow || (lbNow?.tg && tgNow !== lbNow.tg.arn && !swapped))) {
        throw new InputError(spec.source, { field: `services.${s.name}.loadBalancer`, message: `the service exists ${tgNow ? 'behind another target group' : 'without a load balancer'}, and ecsprimer wires one when it creates a service`, fix: 'give the service a new name in the file (up creates it behind the load balancer and deletes the old one), or remove "loadBalancer"' });
      }
      if (known && !s.loadBalancer && tgNow && live.inventory?.targetGroups.some((t) => t.ownership === 'owned' && t.live?.arn === tgNow)) {
        throw new InputError(spec.source, { field: `services.${s.name}`, message: "the service is behind the stack's load balancer, which the file does not name", fix: 'add its "loadBalancer" to the service (as service create --load-balancer made it), or give the service a new name' });
      }
      const changes: string[] = [];
      const liveTd = live.taskDefinitions.get(s.taskDefinition);
      const moves = tdStep.action !== 'none' || (liveTd && now.taskDefinition !== liveTd.arn);
      if (moves) changes.push(`taskDefinition ${now.taskDefinition.slice(now.taskDefinition.lastIndexOf('/') + 1)} → ${tdStep.action !== 'none' ? `a new revision of ${s.taskDefinition}` : tdStep.name}`);
      if (now.desiredCount !== s.desiredCount) changes.push(`desiredCount ${now.desiredCount} → ${s.desiredCount}`);
      let networkConfiguration: NetworkConfiguration | undefined;
      if (network && s.subnets.length && now.network) {
        const same = (a: string[], b: string[]) => [...a].sort().join() === [...b].sort().join();
        const wantIp = network.assignPublicIp ?? 'DISABLED';
        if (!same(now.network.subnets, network.subnets) || !same(now.network.securityGroups, network.securityGroups) || (now.network.assignPublicIp ?? 'DISABLED') !== wantIp) {
          changes.push(`network ${now.network.subnets.join(',')} [${now.network.securityGroups.join(',')}] → ${network.subnets.join(',')} [${network.securityGroups.join(',')}]`);
          networkConfiguration = networkInput(network).networkConfiguration;
        }
      }
      const deployment = strategyUpdate(now, s.deployment?.strategy, bgPlan);
      changes.push(...deployment.changes);
      if (bgPlan && deployment.changes.length) watch.bakeMinutes = s.deployment?.bakeTime ?? 0;
      if (changes.length === 0) {
        steps.push({ ...unchangedStep({ id, type: 'ecs-service', name: s.name, arn: now.arn, reason: `exists with this task definition, desired count, network${s.deployment ? ' and deployment' : ''}` }), dependsOn: deps });
        continue;
      }
      if (now.deploymentConfiguration?.strategy === 'BLUE_GREEN' && !watch.bakeMinutes && s.deployment?.strategy !== 'ROLLING') watch.bakeMinutes = now.deploymentConfiguration.bakeTimeInMinutes ?? 0;
      const step = serviceUpdateStep(ctx, s.cluster, now, { taskDefinition: moves ? tdArn : undefined, desiredCount: now.desiredCount !== s.desiredCount ? s.desiredCount : undefined, networkConfiguration, ...deployment.fields }, changes, (x) => (watch.answered = x));
      step.id = id;
      step.dependsOn = deps;
      step.detail = changes.map((c) => `~ ${c}`);
      steps.push(step);
      watches.push(watch);
      continue;
    }
    const tags = stackTags(spec.stack);
    steps.push({
      id,
      type: 'ecs-service',
      name: s.name,
      arn: ecsArn(ctx, account, `service/${s.cluster}/${s.name}`),
      action: 'create',
      dependsOn: deps,
      calls: [
        {
          operation: 'CreateService',
          target: `service ${s.name} in ${s.cluster}`,
          passRoles: [tdSpec.executionRole, tdSpec.taskRole].flatMap((u) => (u ? ['arn' in u ? fill(u.arn) : roleArns.get(u.name)!] : [])),
          reason: `run ${s.desiredCount} × ${s.taskDefinition} on ${s.launchType}${bgPlan ? `, deployed blue/green (bake time ${s.deployment?.bakeTime} min)` : ''}, tagged ${STACK_TAG}=${spec.stack} (propagated to its tasks)`,
        },
      ],
      reason: now ? 'only an INACTIVE (deleted) service has this name' : 'does not exist yet',
      run: async (rt) => {
        const ops = await ctx.ecs();
        const input: CreateServiceCommandInput = {
          cluster: s.cluster,
          serviceName: s.name,
          taskDefinition: tdArn(rt),
          desiredCount: s.desiredCount,
          launchType: s.launchType,
          ...networkInput(network),
          tags: toEcsTags(tags),
          propagateTags: 'SERVICE',
          enableECSManagedTags: true,
          clientToken: randomUUID(),
        };
        if (lbPlan && s.loadBalancer) {
          // What the load balancer steps made: the target group's ARN, the tasks' security group.
          input.loadBalancers = [{ targetGroupArn: lbPlan.targetGroupArn(rt), containerName: lbContainer!, containerPort: s.loadBalancer.containerPort }];
          input.healthCheckGracePeriodSeconds = 60;
          const vpcConfig = input.networkConfiguration?.awsvpcConfiguration;
          if (vpcConfig) vpcConfig.securityGroups = [...s.securityGroups, lbPlan.tasksGroupId(rt)];
        }
        if (bgPlan) {
          // Created blue/green: the strategy, bake time, circuit breaker and the load balancer's advanced configuration.
          input.deploymentConfiguration = bgPlan.deploymentConfiguration;
          input.loadBalancers = bgPlan.loadBalancers(rt);
        }
        rt.record('intent', { type: 'ecs-service', name: s.name, parent: s.cluster });
        const made = await retryWhileRolePropagates(ctx, 'CreateService', () => ops.createService(input));
        rt.record('created', { type: 'ecs-service', name: s.name, parent: s.cluster, arn: made.arn, data: { taskDefinition: made.taskDefinition, desiredCount: s.desiredCount } });
        watch.answered = made;
        if (bgPlan) watch.bakeMinutes = s.deployment?.bakeTime ?? 0;
        return { arn: made.arn };
      },
    });
    watches.push(watch);
  }

  steps.push(...scalingAfter);

  // The file's own order (dependsOn) for the kinds whose steps did not take it above.
  for (const r of [...spec.policies, ...spec.roles, ...spec.logGroups, ...spec.clusters]) {
    const st = steps.find((x) => x.id === keyOf(r));
    if (st && r.dependsOn.length) st.dependsOn = [...new Set([...(st.dependsOn ?? []), ...r.dependsOn.map(keyOf)])];
  }

  // What the stack owns and the file dropped: deleted after every other change.
  if (live.inventory) steps.push(...removalSteps(ctx, spec, live.inventory, steps));
  return { plan: { command: ctx.command, account, warnings, notes, steps }, watches };
}

/**
 * The load-balancing resources of the file's services (by the names ecsprimer gives them): up
 * keeps these and drops the stack's others. The alternate target group and infrastructure role of
 * `service update --strategy blue-green` on such a service are kept too.
 */
function wantedLoadBalancing(spec: StackSpec): { loadBalancers: Set<string>; listeners: Set<string>; targetGroups: Set<string>; securityGroups: Set<string>; roles: Set<string> } {
  const out = { loadBalancers: new Set<string>(), listeners: new Set<string>(), targetGroups: new Set<string>(), securityGroups: new Set<string>(), roles: new Set<string>() };
  for (const s of spec.services) {
    if (!s.loadBalancer) continue;
    const n = loadBalancerNames(spec.stack, s.name);
    // An existing load balancer given by ARN: the journal names its listeners by its name.
    const lbName = s.loadBalancer.existing ? (s.loadBalancer.existing.startsWith('arn:') ? s.loadBalancer.existing.split('/').slice(-2, -1)[0] : s.loadBalancer.existing) : n.loadBalancer;
    if (!s.loadBalancer.existing) {
      out.loadBalancers.add(n.loadBalancer);
      out.securityGroups.add(n.lbGroup);
    }
    out.listeners.add(`${lbName}:${s.loadBalancer.listenerPort}`);
    out.targetGroups.add(n.targetGroup).add(alternateName(n.targetGroup));
    out.securityGroups.add(n.tasksGroup);
    out.roles.add(infraRoleName(spec.stack));
  }
  return out;
}

function removalSteps(ctx: Context, spec: StackSpec, inv: Inventory, planned: Step[]): Step[] {
  const owned = <T extends { ownership: string }>(items: T[]) => items.filter((i) => i.ownership === 'owned');
  const inFile = (names: string[]) => (n: string) => names.includes(n);
  const fileRoles = inFile(spec.roles.map((r) => r.name));
  const filePolicies = inFile(spec.policies.map((p) => p.name));
  const fileServices = new Set(spec.services.map((s) => `${s.cluster}/${s.name}`));
  const families = inFile(spec.taskDefinitions.map((t) => t.name));
  const scaled = new Set(spec.services.filter((s) => s.autoscale).map((s) => `${s.cluster}/${s.name}`));
  const lbWanted = wantedLoadBalancing(spec);
  const dropped: Inventory = {
    ...inv,
    policies: owned(inv.policies).filter((p) => !filePolicies(p.name)),
    roles: owned(inv.roles).filter((r) => !fileRoles(r.name) && !lbWanted.roles.has(r.name)),
    // Attachments of roles that stay are the detaches above; the rest go with their role or policy.
    attachments: inv.attachments.filter((a) => !fileRoles(a.role) && !lbWanted.roles.has(a.role)),
    clusters: owned(inv.clusters).filter((c) => !spec.clusters.some((x) => x.name === c.name)),
    services: owned(inv.services).filter((s) => !fileServices.has(`${s.parent}/${s.name}`)),
    tasks: [],
    taskDefinitions: owned(inv.taskDefinitions).filter((t) => !families(t.name.replace(/:\d+$/, ''))),
    logGroups: owned(inv.logGroups).filter((g) => !spec.logGroups.some((x) => x.name === g.name)),
    repositories: owned(inv.repositories).filter((r) => !spec.repositories.some((x) => x.name === r.name)),
    secrets: owned(inv.secrets).filter((x) => !spec.secrets.some((y) => y.name === x.name)),
    // Scaling is a kind of the file: a service without "autoscale" (or dropped) has none.
    scalingTargets: owned(inv.scalingTargets).filter((t) => !scaled.has(t.name.replace(/^service\//, ''))),
    // Load balancers are too: what the file's services with "loadBalancer" use stays, the rest goes.
    loadBalancers: owned(inv.loadBalancers).filter((x) => !lbWanted.loadBalancers.has(x.name)),
    listeners: owned(inv.listeners).filter((x) => !lbWanted.listeners.has(`${x.parent}:${x.name}`)),
    rules: owned(inv.rules).filter((x) => !lbWanted.targetGroups.has(x.name)),
    targetGroups: owned(inv.targetGroups).filter((x) => !lbWanted.targetGroups.has(x.name)),
    securityGroups: owned(inv.securityGroups).filter((x) => !lbWanted.securityGroups.has(x.live?.name ?? x.name)),
  };
  const changing = planned.filter((s) => s.action !== 'none').map((s) => s.id);
  const ids = new Set(planned.map((s) => s.id));
  return teardownSteps(ctx, dropped)
    .filter((s) => s.action !== 'none')
    .map((s) => ({ ...s, id: ids.has(s.id) ? `remove:${s.id}` : s.id, reason: `not in the file any more; ${s.reason}`, dependsOn: [...(s.dependsOn ?? []), ...changing] }));
}

// ---------------------------------------------------------------------------------------------
// Commands

export async function runUp(o: UpOptions, ctx: Context): Promise<Report> {
  const spec = await loadStack(ctx, o);
  const timeoutMs = parseWaitTimeout(o.waitTimeout);
  ctx.requireConfirmable();
  const { plan, watches } = await planStack(ctx, spec);
  const deletes = plan.steps.filter((s) => s.action === 'delete').length;
  const started = Date.now();
  const report = await executePlan(ctx, plan, { question: `Apply the stack file to stack "${spec.stack}"${deletes ? ` (deleting ${deletes} resource(s) no longer in it)` : ''}?` });
  if (report.dryRun || !report.ok || o.wait === false) return report;
  // Services created or moved: wait until stable, all at once; a rollback is a failure.
  const ops = await ctx.ecs();
  const results = await Promise.allSettled(
    watches.map(async (w) => {
      const resume = `ecsprimer service wait --cluster ${w.cluster} --name ${w.name} --until stable --stack ${spec.stack}`;
      if (w.bakeMinutes !== undefined && w.answered) {
        // Blue/green: the service deployment, through its stages and bake time; a rollback is a failure.
        await waitForServiceDeployment(ctx, ops, { cluster: w.cluster, service: w.name, ...(w.answered.currentServiceDeployment ? { deployment: w.answered.currentServiceDeployment } : {}), since: started, bakeMinutes: w.bakeMinutes, timeoutMs, resume });
        return ops.describeService(w.cluster, w.name);
      }
      return waitForService(ctx, ops, w.cluster, w.name, 'stable', { timeoutMs, deployment: startedDeployment(w.answered), resume });
    }),
  );
  const services = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [serviceData(r.value)] : []));
  if (services.length) report.data = { ...report.data, services };
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw Object.assign(failed.reason as Error, { report: { ...report, ok: false } });
  return report;
}

export async function runDiff(o: StackFileOptions, ctx: Context): Promise<Report> {
  const spec = await loadStack(ctx, o);
  const { plan } = await planStack(ctx, spec);
  for (const w of plan.warnings) ctx.ui.warn(w);
  if (ctx.opts.output === 'text') ctx.io.stdout.write(renderPlanText(ctx, { ...plan, command: `diff ${spec.source.replace(/^file /, '')}` }, { dryRun: false }));
  const changing = plan.steps.filter((s) => s.action !== 'none');
  return {
    ok: true,
    command: ctx.command,
    stack: spec.stack,
    dryRun: true,
    changes: plan.steps.map((s) => ({ action: s.action, type: s.type, name: s.name, ...(s.arn ? { arn: s.arn } : {}), status: s.action === 'none' ? (s.state ?? 'unchanged') : 'planned', reason: s.reason })),
    plan: explainPlan(plan),
    data: { differences: changing.map((s) => ({ action: s.action, type: s.type, name: s.name, reason: s.reason, ...(s.detail?.length ? { diff: s.detail } : {}) })) },
    exitCode: changing.length ? ExitCode.differs : ExitCode.ok,
  };
}

/**
 * The stack file a whole-stack command (down, export) reads: --file, or ./ecsprimer.json when
 * neither --file nor --stack is given and it exists; none when --stack names the stack.
 */
export async function stackFromFileIfAny(ctx: Context, o: StackFileOptions): Promise<void> {
  if (o.file !== undefined || (!ctx.opts.stackGiven && existsSync(join(ctx.cwd, DEFAULT_STACK_FILE)))) await loadStack(ctx, o);
}

export async function runDown(o: StackFileOptions & TeardownOptions, ctx: Context): Promise<Report> {
  await stackFromFileIfAny(ctx, o);
  return runTeardown(o, ctx);
}

