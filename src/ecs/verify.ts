/**
 * `ecsprimer task verify`: before a run, read-only, everything a task needs around it — what makes
 * a first real run fail with a stopped reason a learner cannot read. One line per check (ok, warn
 * or fail, with the fix); exit 1 when a check fails. `task run --verify` and
 * `service create --verify` run it first and start nothing when a check fails.
 *
 * Checks: the task definition; its roles exist and trust ecs-tasks.amazonaws.com; the execution
 * role's policies (attached and inline, judged from their documents, see iam/evaluate.ts) allow
 * what the definition needs (its log groups, its private ECR images, its secrets); the ECR images
 * exist; the log groups exist; the subnets exist and have a way out (an internet gateway with a
 * public IP, a NAT gateway, or the VPC endpoints the task needs); the security groups allow HTTPS
 * out; the cluster is ACTIVE and, for EC2, has container instances with room for the task.
 */
import type { Context } from '../context.js';
import { isJsonObject, type JsonValue } from '../input/json.js';
import type { TaskDefinitionInfo } from '../aws/ecs-types.js';
import { parseEcrImage } from '../aws/ecr-image.js';
import { evaluate, type Verdict } from '../iam/evaluate.js';
import { readReport, type Report } from '../plan/types.js';
import { resolveNetwork, type NetworkRequest } from './network.js';
import type { NetworkChoice } from './inputs.js';
import { ECR_IMAGE, executionRoleNeeds } from './execution-role.js';
import { awslogsTargets } from './log-groups.js';
import { taskDefinitionRefText } from './compare.js';
import type { TaskDefinitionRef } from './names.js';
import type { LaunchType } from './launch.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  status: CheckStatus;
  /** What was checked: "execution role", "image", "log group", "subnet", ... */
  what: string;
  detail: string;
  fix?: string;
}

export interface VerifyRequest {
  ref: TaskDefinitionRef;
  cluster?: string;
  launchType: LaunchType;
  network: NetworkRequest;
}

const ok = (what: string, detail: string): Check => ({ status: 'ok', what, detail });
const warn = (what: string, detail: string, fix?: string): Check => ({ status: 'warn', what, detail, ...(fix ? { fix } : {}) });
const fail = (what: string, detail: string, fix: string): Check => ({ status: 'fail', what, detail, fix });

const roleNameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** Does a trust policy let ECS tasks assume the role? */
function trustsEcsTasks(trust: unknown): boolean {
  const st = isJsonObject(trust as JsonValue) ? (trust as Record<string, JsonValue>).Statement : undefined;
  return (Array.isArray(st) ? st : [st]).some((s) => {
    if (!isJsonObject(s as JsonValue)) return false;
    const x = s as Record<string, JsonValue>;
    const p = x.Principal;
    const services = isJsonObject(p) ? p.Service : undefined;
    const list = typeof services === 'string' ? [services] : Array.isArray(services) ? services : [];
    const actions = typeof x.Action === 'string' ? [x.Action] : Array.isArray(x.Action) ? x.Action : [];
    return x.Effect === 'Allow' && (list.includes('ecs-tasks.amazonaws.com') || p === '*') && actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*');
  });
}

/** The identity policies of a role: attached (their default versions) and inline. */
async function roleDocuments(ctx: Context, role: string): Promise<unknown[]> {
  const iam = await ctx.iam();
  const [attached, inline] = await Promise.all([iam.listAttachedRolePolicies(role), iam.listRolePolicies(role)]);
  const docs = await Promise.all([
    ...(attached ?? []).map(async (arn) => {
      const p = await iam.getPolicy(arn);
      return p ? iam.getPolicyDocument(arn, p.defaultVersionId) : undefined;
    }),
    ...inline.map((name) => iam.getRolePolicy(role, name)),
  ]);
  return docs.filter(Boolean);
}

/** What the execution role must be allowed, each as action + resource + why. */
function executionNeeds(ctx: Context, account: string, td: TaskDefinitionInfo): Array<{ action: string; resource: string; why: string }> {
  const out: Array<{ action: string; resource: string; why: string }> = [];
  const p = ctx.partition;
  for (const t of awslogsTargets(td.definition)) {
    const region = t.region ?? ctx.region;
    const group = `arn:${p}:logs:${region}:${account}:log-group:${t.group}`;
    if (t.createdByEcs) out.push({ action: 'logs:CreateLogGroup', resource: group, why: `container ${t.container} lets ECS create ${t.group}` });
    out.push({ action: 'logs:CreateLogStream', resource: `${group}:log-stream:*`, why: `container ${t.container} logs to ${t.group}` });
    out.push({ action: 'logs:PutLogEvents', resource: `${group}:log-stream:*`, why: `container ${t.container} logs to ${t.group}` });
  }
  const containers = td.definition.containerDefinitions ?? [];
  const ecr = containers.map((c) => parseEcrImage(c.image ?? '')).filter((x): x is NonNullable<typeof x> => Boolean(x));
  if (ecr.length) out.push({ action: 'ecr:GetAuthorizationToken', resource: '*', why: 'it pulls from ECR' });
  for (const i of ecr) {
    const repo = `arn:${p}:ecr:${i.region}:${i.registryId}:repository/${i.repository}`;
    out.push({ action: 'ecr:BatchGetImage', resource: repo, why: `it pulls ${i.repository}` }, { action: 'ecr:GetDownloadUrlForLayer', resource: repo, why: `it pulls ${i.repository}` });
  }
  for (const c of containers) {
    for (const s of c.secrets ?? []) {
      const from = s.valueFrom ?? '';
      if (/^arn:[^:]+:secretsmanager:/.test(from)) out.push({ action: 'secretsmanager:GetSecretValue', resource: from.split(':').slice(0, 7).join(':'), why: `secret ${s.name} of container ${c.name}` });
      else if (from) {
        const arn = from.startsWith('arn:') ? from : `arn:${p}:ssm:${ctx.region}:${account}:parameter${from.startsWith('/') ? '' : '/'}${from}`;
        out.push({ action: 'ssm:GetParameters', resource: arn, why: `secret ${s.name} of container ${c.name}` });
      }
    }
  }
  return out;
}

const VERDICT_TEXT: Record<Verdict, string> = { allowed: 'allowed', conditional: 'allowed under a condition', denied: 'explicitly denied', 'not-allowed': 'not allowed' };

async function roleChecks(ctx: Context, account: string, td: TaskDefinitionInfo): Promise<Check[]> {
  const checks: Check[] = [];
  const iam = await ctx.iam();
  const needs = executionRoleNeeds(td.definition as JsonValue);
  const exec = td.definition.executionRoleArn;
  const roles: Array<{ kind: string; arn?: string }> = [
    { kind: 'execution role', arn: exec },
    { kind: 'task role', arn: td.definition.taskRoleArn },
  ];
  if (!exec && needs.length) checks.push(fail('execution role', `none, but ${needs.join(', ')}`, 'register the task definition with ecsprimer task register (it gives it the stack\'s execution role), or --execution-role NAME'));
  for (const r of roles) {
    if (!r.arn) continue;
    const name = roleNameOf(r.arn);
    const info = await iam.getRole(name);
    if (!info) {
      checks.push(fail(r.kind, `${name} does not exist`, `create it: ecsprimer iam role create --name ${name} --trust-principal ecs-tasks.amazonaws.com`));
      continue;
    }
    if (info.arn !== r.arn) checks.push(warn(r.kind, `${name} exists as ${info.arn}, not ${r.arn}`, 'register the task definition again with the role\'s ARN'));
    checks.push(trustsEcsTasks(info.trust) ? ok(r.kind, `${name} exists and trusts ecs-tasks.amazonaws.com`) : fail(r.kind, `${name} does not trust ecs-tasks.amazonaws.com, so ECS cannot assume it`, `let ECS tasks assume it: its trust policy needs {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}`));
  }
  if (exec) {
    const name = roleNameOf(exec);
    const wanted = executionNeeds(ctx, account, td);
    if (wanted.length && (await iam.getRole(name))) {
      const docs = await roleDocuments(ctx, name);
      for (const w of wanted) {
        const v = evaluate(docs, w.action, w.resource);
        const line = `${name}: ${w.action} on ${w.resource} (${w.why}) is ${VERDICT_TEXT[v]}`;
        checks.push(v === 'allowed' ? ok('execution role permissions', line) : v === 'conditional' ? warn('execution role permissions', line, 'check that the condition holds for ECS') : fail('execution role permissions', line, `allow it: {"Effect": "Allow", "Action": "${w.action}", "Resource": "${w.resource}"}${w.action.startsWith('logs:') || w.action.startsWith('ecr:') ? ' (AmazonECSTaskExecutionRolePolicy grants it)' : ''}`));
      }
    }
  }
  return checks;
}

async function imageChecks(ctx: Context, td: TaskDefinitionInfo): Promise<Check[]> {
  const checks: Check[] = [];
  for (const c of td.definition.containerDefinitions ?? []) {
    const image = c.image ?? '';
    const ecr = parseEcrImage(image);
    if (!ecr) {
      checks.push(ok('image', `${image} (container ${c.name}): on a public registry, not checked; pulling it needs a route to the internet`));
      continue;
    }
    if (ecr.region !== ctx.region) {
      checks.push(warn('image', `${image} is in ECR in ${ecr.region}, not ${ctx.region}: not checked`, `check it with --region ${ecr.region}`));
      continue;
    }
    try {
      const state = await (await ctx.ecr()).image(ecr.registryId, ecr.repository, ecr);
      const ref = ecr.digest ?? ecr.tag ?? 'latest';
      checks.push(
        state === 'exists'
          ? ok('image', `${image} exists`)
          : state === 'no-repository'
            ? fail('image', `ECR has no repository ${ecr.repository} in account ${ecr.registryId}`, `create it (aws ecr create-repository --repository-name ${ecr.repository}) and push the image`)
            : fail('image', `repository ${ecr.repository} has no image ${ref}`, `push it: docker push ${image}`),
      );
    } catch (e) {
      checks.push(warn('image', `${image}: could not be checked (${(e as Error).message.split('. ')[0]})`, 'the caller may need ecr:DescribeImages'));
    }
  }
  return checks;
}

async function logGroupChecks(ctx: Context, td: TaskDefinitionInfo): Promise<Check[]> {
  const targets = awslogsTargets(td.definition);
  if (!targets.length) {
    return (td.definition.containerDefinitions ?? []).length ? [warn('logs', 'no container logs to CloudWatch Logs: when the task fails, its output is lost', 'give the containers an awslogs logConfiguration (the default task definition has one)')] : [];
  }
  const logs = await ctx.logs();
  const checks: Check[] = [];
  for (const group of new Set(targets.filter((t) => !t.createdByEcs && (!t.region || t.region === ctx.region)).map((t) => t.group))) {
    const g = await logs.describeLogGroup(group);
    checks.push(g ? ok('log group', `${group} exists`) : fail('log group', `${group} does not exist: the task stops with ResourceInitializationError`, `run ecsprimer task register (it creates it), or aws logs create-log-group --log-group-name ${group}`));
  }
  return checks;
}

/** What the task reaches over the network, for the route checks: the registries and AWS APIs. */
function endpointNeeds(ctx: Context, td: TaskDefinitionInfo): Array<{ service: string; why: string }> {
  const r = ctx.region;
  const out: Array<{ service: string; why: string }> = [];
  const images = (td.definition.containerDefinitions ?? []).map((c) => c.image ?? '');
  if (images.some((i) => ECR_IMAGE.test(i))) out.push({ service: `com.amazonaws.${r}.ecr.api`, why: 'ECR' }, { service: `com.amazonaws.${r}.ecr.dkr`, why: 'ECR' }, { service: `com.amazonaws.${r}.s3`, why: "ECR's image layers" });
  if (awslogsTargets(td.definition).length) out.push({ service: `com.amazonaws.${r}.logs`, why: 'awslogs' });
  const secrets = (td.definition.containerDefinitions ?? []).flatMap((c) => c.secrets ?? []);
  if (secrets.some((s) => /secretsmanager/.test(s.valueFrom ?? ''))) out.push({ service: `com.amazonaws.${r}.secretsmanager`, why: 'secrets' });
  if (secrets.some((s) => !/secretsmanager/.test(s.valueFrom ?? ''))) out.push({ service: `com.amazonaws.${r}.ssm`, why: 'parameters' });
  return out;
}

async function networkChecks(ctx: Context, td: TaskDefinitionInfo, network: NetworkChoice, launchType: LaunchType): Promise<Check[]> {
  const ec2 = await ctx.ec2();
  const checks: Check[] = [];
  const publicImages = (td.definition.containerDefinitions ?? []).some((c) => !ECR_IMAGE.test(c.image ?? ''));
  const publicIp = launchType === 'FARGATE' && network.assignPublicIp === 'ENABLED';
  for (const id of network.subnets) {
    const subnet = await ec2.subnet(id);
    if (!subnet) {
      checks.push(fail('subnet', `${id} does not exist`, 'give subnets of this region (aws ec2 describe-subnets), or leave --subnets out for the default VPC'));
      continue;
    }
    const routes = await ec2.routesOf(subnet.id, subnet.vpcId);
    const out = routes.find((r) => r.destination === '0.0.0.0/0');
    if (out?.target.startsWith('igw-')) {
      checks.push(publicIp ? ok('subnet', `${id}: 0.0.0.0/0 → internet gateway ${out.target}, and the task gets a public IP`) : fail('subnet', `${id}: 0.0.0.0/0 → internet gateway ${out.target}, but the task gets no public IP, so it cannot use it`, launchType === 'FARGATE' ? 'add --assign-public-ip, or use private subnets with a NAT gateway' : 'on EC2 the instance needs a public IP; or use private subnets with a NAT gateway'));
      continue;
    }
    if (out?.target.startsWith('nat-')) {
      checks.push(ok('subnet', `${id}: 0.0.0.0/0 → NAT gateway ${out.target}`));
      continue;
    }
    const have = new Set(await ec2.endpointServices(subnet.vpcId));
    const needs = endpointNeeds(ctx, td);
    const missing = needs.filter((n) => !have.has(n.service));
    if (publicImages) checks.push(fail('subnet', `${id}: no route to the internet (no 0.0.0.0/0 route), and an image is on a public registry`, 'route 0.0.0.0/0 to an internet gateway (with --assign-public-ip) or to a NAT gateway, or use private subnets that have one'));
    else if (missing.length) checks.push(fail('subnet', `${id}: no route to the internet, and VPC ${subnet.vpcId} lacks the endpoints ${missing.map((m) => `${m.service} (${m.why})`).join(', ')}`, 'add those VPC endpoints, or route 0.0.0.0/0 to a NAT gateway'));
    else checks.push(ok('subnet', `${id}: no route to the internet, but VPC ${subnet.vpcId} has every endpoint the task needs`));
  }
  // Subnets with the same verdict are one line (the default VPC has one subnet per zone).
  const merged: Check[] = [];
  for (const k of checks) {
    const m = /^(subnet-[0-9a-f]+)(: .*)$/.exec(k.detail);
    const same = m && merged.find((x) => x.status === k.status && x.what.startsWith('subnet') && x.detail.endsWith(m[2]) && x.fix === k.fix);
    if (m && same) {
      same.what = 'subnets';
      same.detail = same.detail.replace(/^(.*?)(: .*)$/, `$1, ${m[1]}$2`);
    } else merged.push({ ...k });
  }
  checks.splice(0, checks.length, ...merged);
  const https = await ec2.allowsHttpsOut(network.securityGroups);
  if (https === false) checks.push(fail('security groups', `${network.securityGroups.join(', ')} allow no outbound HTTPS (443)`, 'allow outbound TCP 443 (to 0.0.0.0/0, or to the VPC endpoints\' prefix lists): ECS pulls images and writes logs over it'));
  else if (https) checks.push(ok('security groups', `${network.securityGroups.join(', ')} allow outbound HTTPS (443)`));
  return checks;
}

async function clusterChecks(ctx: Context, cluster: string, td: TaskDefinitionInfo, launchType: LaunchType): Promise<Check[]> {
  const ecs = await ctx.ecs();
  const c = await ecs.describeCluster(cluster);
  if (!c || c.status !== 'ACTIVE') return [fail('cluster', `${cluster} ${c ? `is ${c.status}` : 'does not exist'}`, `create it: ecsprimer cluster create --name ${cluster}`)];
  const checks = [ok('cluster', `${cluster} is ACTIVE`)];
  if (launchType === 'EC2') {
    const room = await ecs.containerInstanceRoom(cluster);
    const cpu = Number(td.definition.cpu ?? 0) || (td.definition.containerDefinitions ?? []).reduce((n, x) => n + (x.cpu ?? 0), 0);
    const memory = Number(td.definition.memory ?? 0) || (td.definition.containerDefinitions ?? []).reduce((n, x) => n + (x.memory ?? x.memoryReservation ?? 0), 0);
    const fits = room.filter((r) => r.connected && r.cpu >= cpu && r.memory >= memory);
    checks.push(
      room.length === 0
        ? fail('container instances', `${cluster} has none: an EC2 task has nowhere to run`, 'register EC2 instances with the ECS agent in the cluster (an Auto Scaling group with the ECS-optimized AMI), or run on FARGATE')
        : fits.length
          ? ok('container instances', `${fits.length} of ${room.length} have room for ${cpu} CPU units and ${memory} MiB`)
          : fail('container instances', `none of ${room.length} has room for ${cpu} CPU units and ${memory} MiB (or its agent is disconnected)`, 'add instances, stop other tasks, or make the task smaller'),
    );
  }
  return checks;
}

/** Every check, concurrently where they do not depend on each other. */
export async function verifyTask(ctx: Context, account: string, req: VerifyRequest): Promise<{ checks: Check[]; td?: TaskDefinitionInfo }> {
  const ecs = await ctx.ecs();
  const text = taskDefinitionRefText(req.ref);
  const td = await ecs.describeTaskDefinition(text);
  if (!td || td.status !== 'ACTIVE') {
    return { checks: [fail('task definition', `${text} ${td ? `is ${td.status}` : 'does not exist'}`, 'register it: ecsprimer task register --document ...')] };
  }
  const awsvpc = td.networkMode === 'awsvpc' || req.launchType === 'FARGATE';
  const guard = async (what: string, f: () => Promise<Check[]>): Promise<Check[]> => {
    try {
      return await f();
    } catch (e) {
      return [warn(what, `could not be checked: ${(e as Error).message.split('. ')[0]}`)];
    }
  };
  const groups = await Promise.all([
    guard('roles', () => roleChecks(ctx, account, td)),
    guard('images', () => imageChecks(ctx, td)),
    guard('log groups', () => logGroupChecks(ctx, td)),
    awsvpc ? guard('network', async () => networkChecks(ctx, td, await resolveNetwork(ctx, req.network), req.launchType)) : Promise.resolve([]),
    req.cluster ? guard('cluster', () => clusterChecks(ctx, req.cluster!, td, req.launchType)) : Promise.resolve([]),
  ]);
  return { checks: [ok('task definition', `${td.family}:${td.revision} is ACTIVE`), ...groups.flat()], td };
}

/** The checks as lines: `ok   what: detail`, and `     fix: ...` under a warn or fail. */
export function checkLines(ctx: Context, checks: Check[]): string[] {
  const c = ctx.paint;
  const mark = { ok: c.green('ok  '), warn: c.yellow('warn'), fail: c.red('fail') };
  return checks.flatMap((k) => [`${mark[k.status]} ${k.what}: ${k.detail}`, ...(k.fix ? [`     fix: ${k.fix}`] : [])]);
}

export function verifyReport(ctx: Context, checks: Check[]): Report {
  const failed = checks.filter((k) => k.status === 'fail').length;
  const report = readReport(ctx, { checks, failed, warnings: checks.filter((k) => k.status === 'warn').length });
  if (failed) {
    report.ok = false;
    report.exitCode = 1;
    report.error = { code: 'VerifyFailed', message: `${failed} check(s) failed` };
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// task verify

export interface TaskVerifyOptions {
  taskDefinition: string;
  cluster?: string;
  launchType?: string;
  subnets?: string[];
  securityGroups?: string[];
  assignPublicIp?: boolean;
}

export async function runTaskVerify(o: TaskVerifyOptions, ctx: Context): Promise<Report> {
  const { parseTaskDefinitionRef, validateClusterName } = await import('./names.js');
  const { validateLaunchOptions, sharedLaunchOptions } = await import('./launch.js');
  const ref = parseTaskDefinitionRef(o.taskDefinition, '--task-definition');
  if (o.cluster !== undefined) validateClusterName(o.cluster, '--cluster');
  const launch = validateLaunchOptions({ command: 'run', launchType: o.launchType, ...sharedLaunchOptions(o) });
  const account = await ctx.account();
  const { checks } = await verifyTask(ctx, account, {
    ref,
    cluster: o.cluster,
    launchType: launch.launchType,
    network: { subnets: launch.subnets, securityGroups: launch.securityGroups, assignPublicIp: o.assignPublicIp, launchType: launch.launchType },
  });
  if (ctx.opts.output === 'text') ctx.io.stdout.write(`${checkLines(ctx, checks).join('\n')}\n`);
  return verifyReport(ctx, checks);
}

/**
 * `--verify` of task run and service create: the checks before the plan; a failed one stops the
 * command (exit 1) before anything is started.
 */
export async function verifyFirst(ctx: Context, req: VerifyRequest): Promise<void> {
  const { RuntimeError } = await import('../errors.js');
  const account = await ctx.account();
  const { checks } = await verifyTask(ctx, account, req);
  for (const l of checkLines(ctx, checks)) ctx.ui.info(l);
  const failed = checks.filter((k) => k.status === 'fail');
  if (failed.length) {
    throw new RuntimeError('VerifyFailed', `--verify: ${failed.length} check(s) failed, so nothing was started: ${failed.map((f) => `${f.what}: ${f.detail} (fix: ${f.fix})`).join('; ')}.`);
  }
}
