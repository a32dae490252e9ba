/**
 * `ecsprimer export --format cloudformation`: the stack's live resources as a CloudFormation
 * template, to graduate to infrastructure as code — a copy in another account or region
 * (create-stack), or adoption in place (an IMPORT change set with `--import-file`).
 *
 * What is exported is what the stack owns (the inventory: journal ∪ tags), as AWS has it now:
 * the policy's default version, the role's trust and attachments, the latest ACTIVE revision of
 * each task definition family. References become Ref/Fn::GetAtt; the account, region and
 * partition inside documents become ${AWS::AccountId}, ${AWS::Region}, ${AWS::Partition} (Fn::Sub),
 * so the template works anywhere; the services' network becomes the Parameters Subnets and
 * SecurityGroups, defaulting to the live values. Every resource is Retain on delete and replace,
 * as CloudFormation requires for an import and as a first template should be. ecsprimer's own
 * tags (ecsprimer:*) are left out: the resources are CloudFormation's from then on.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { InputError, UsageError } from '../errors.js';
import type { TaskDefinitionInfo } from '../aws/ecs-types.js';
import { HOW_TO_CONFIGURE } from '../aws/settings.js';
import { isJsonObject, type JsonValue } from '../input/json.js';
import { findLiteralSecrets } from '../ecs/secrets.js';
import { readReport, type Report } from '../plan/types.js';
import { readInventory, type Inventory } from './inventory.js';
import { stackFromFileIfAny } from './up.js';

export interface ExportOptions {
  format?: string;
  file?: string;
  importFile?: string;
  out?: string;
}

type Obj = { [k: string]: JsonValue };

export interface ImportEntry {
  ResourceType: string;
  LogicalResourceId: string;
  ResourceIdentifier: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// ECS API shapes → CloudFormation properties

/** Where the CloudFormation name is not the API name with a capital first letter. */
const RENAMED: Record<string, string> = {
  efsVolumeConfiguration: 'EFSVolumeConfiguration',
  fsxWindowsFileServerVolumeConfiguration: 'FSxWindowsFileServerVolumeConfiguration',
  properties: 'ProxyConfigurationProperties',
};
/** Members whose keys are data (labels, driver options), not property names. */
const FREE_FORM = new Set(['options', 'dockerLabels', 'driverOpts', 'labels']);

export function pascalCase(value: JsonValue, key?: string): JsonValue {
  if (Array.isArray(value)) return value.map((v) => pascalCase(v));
  if (!isJsonObject(value)) return value;
  if (key && FREE_FORM.has(key)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) out[RENAMED[k] ?? k.charAt(0).toUpperCase() + k.slice(1)] = pascalCase(v, k);
  return out;
}

/** The RegisterTaskDefinition members of a described definition (what AWS added left out). */
const TD_MEMBERS = ['containerDefinitions', 'volumes', 'placementConstraints', 'requiresCompatibilities', 'cpu', 'memory', 'networkMode', 'pidMode', 'ipcMode', 'proxyConfiguration', 'inferenceAccelerators', 'ephemeralStorage', 'runtimePlatform'];

// ---------------------------------------------------------------------------------------------
// Template

const logicalId = (kind: string, name: string) => `${kind}${name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`.slice(0, 255);

/** Tags other than ecsprimer's, as CloudFormation lists them. */
const userTags = (tags: Record<string, string> | undefined) => Object.entries(tags ?? {}).filter(([k]) => !k.startsWith('ecsprimer:')).map(([Key, Value]) => ({ Key, Value }));

export interface ExportedTemplate {
  template: Obj;
  imports: ImportEntry[];
}

export async function buildTemplate(ctx: Context, inv: Inventory): Promise<ExportedTemplate> {
  const account = inv.account;
  const resources: Obj = {};
  const imports: ImportEntry[] = [];
  const used = new Set<string>();
  /** Known ARNs and names of exported resources → the intrinsic that gives them. */
  const refs = new Map<string, JsonValue>();
  const secretRefs = new Map<string, JsonValue>();
  const add = (kind: string, name: string, type: string, properties: Obj, identifier: Record<string, string>, extra: Obj = {}): string => {
    let id = logicalId(kind, name);
    for (let i = 2; used.has(id); i++) id = `${logicalId(kind, name)}${i}`;
    used.add(id);
    resources[id] = { Type: type, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', ...extra, Properties: properties };
    imports.push({ ResourceType: type, LogicalResourceId: id, ResourceIdentifier: identifier });
    return id;
  };
  const region = ctx.region;
  const partition = ctx.partition;
  /** A string of a document: a known resource's ARN becomes its intrinsic; account/region/partition become pseudo parameters. */
  const portable = (v: JsonValue): JsonValue => {
    if (Array.isArray(v)) return v.map(portable);
    if (isJsonObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, portable(x)]));
    if (typeof v !== 'string') return v;
    const ref = refs.get(v);
    if (ref !== undefined) return ref;
    // A valueFrom of one key of an exported secret: ARN:json-key:stage:version.
    for (const [arn, r] of secretRefs) if (v.startsWith(`${arn}:`)) return { 'Fn::Join': ['', [r, v.slice(arn.length)]] };
    if (v === region) return { Ref: 'AWS::Region' };
    if (v === account) return { Ref: 'AWS::AccountId' };
    if (!v.includes(account) && !v.includes(`arn:${partition}:`) && !(v.includes(region) && v.startsWith('arn:'))) return v;
    const sub = v
      .replace(/\$\{/g, '${!')
      .replaceAll(`arn:${partition}:`, 'arn:${AWS::Partition}:')
      .replaceAll(`:${region}:`, ':${AWS::Region}:')
      .replaceAll(account, '${AWS::AccountId}');
    return { 'Fn::Sub': sub };
  };

  const iam = await ctx.iam();
  const parameters: Obj = {};

  // Repositories and secrets first: roles' grants and task definitions name them.
  const ownedFirst = <T extends { ownership: string }>(items: T[]) => items.filter((i) => i.ownership === 'owned');
  for (const r of ownedFirst(inv.repositories)) {
    if (!r.live) continue;
    const info = r.live.info;
    const lifecycle = await (await ctx.ecr()).lifecyclePolicy(r.name);
    const tags = userTags(info.tags);
    const id = add(
      'Repository',
      r.name,
      'AWS::ECR::Repository',
      {
        RepositoryName: r.name,
        ImageScanningConfiguration: { ScanOnPush: info.scanOnPush },
        ImageTagMutability: info.immutableTags ? 'IMMUTABLE' : 'MUTABLE',
        ...(lifecycle ? { LifecyclePolicy: { LifecyclePolicyText: lifecycle } } : {}),
        ...(tags.length ? { Tags: tags } : {}),
      },
      { RepositoryName: r.name },
    );
    refs.set(info.arn, { 'Fn::GetAtt': [id, 'Arn'] });
  }
  for (const x of ownedFirst(inv.secrets)) {
    if (!x.live) continue;
    const tags = userTags(x.live.tags);
    const param = logicalId('SecretValue', x.name);
    // The value is never exported: CloudFormation asks for it (NoEcho).
    parameters[param] = { Type: 'String', NoEcho: true, Description: `the value of secret ${x.name} (not exported)` };
    const id = add('Secret', x.name, 'AWS::SecretsManager::Secret', { Name: x.name, ...(x.live.description ? { Description: x.live.description } : {}), SecretString: { Ref: param }, ...(tags.length ? { Tags: tags } : {}) }, { Id: x.live.arn });
    refs.set(x.live.arn, { Ref: id });
    secretRefs.set(x.live.arn, { Ref: id });
  }
  const owned = <T extends { ownership: string }>(items: T[]) => items.filter((i) => i.ownership === 'owned');

  // Policies, then roles (which list them), log groups, clusters, task definitions, services.
  for (const p of owned(inv.policies)) {
    if (!p.live) continue;
    const doc = (await iam.getPolicyDocument(p.live.info.arn, p.live.info.defaultVersionId)) as JsonValue;
    const id = add('Policy', p.name, 'AWS::IAM::ManagedPolicy', { ManagedPolicyName: p.name, Path: p.live.info.path, PolicyDocument: portable(doc) }, { PolicyArn: p.live.info.arn });
    refs.set(p.live.info.arn, { Ref: id });
  }
  const roleIds = new Map<string, string>();
  for (const r of owned(inv.roles)) {
    if (!r.live) continue;
    const info = r.live.info;
    const tags = userTags(info.tags);
    // Inline policies (the grants up and task register give execution roles) go with the role.
    const inline = await Promise.all(r.live.inline.map(async (name) => ({ PolicyName: name, PolicyDocument: portable((await iam.getRolePolicy(r.name, name)) as JsonValue) })));
    const id = add(
      'Role',
      r.name,
      'AWS::IAM::Role',
      {
        RoleName: r.name,
        Path: info.path,
        AssumeRolePolicyDocument: portable(info.trust as JsonValue),
        ...(info.description ? { Description: info.description } : {}),
        ...(r.live.attached.length ? { ManagedPolicyArns: r.live.attached.map((a) => portable(a)) } : {}),
        ...(inline.length ? { Policies: inline } : {}),
        ...(tags.length ? { Tags: tags } : {}),
      },
      { RoleName: r.name },
    );
    roleIds.set(r.name, id);
    refs.set(info.arn, { 'Fn::GetAtt': [id, 'Arn'] });
  }
  const groupIds = new Map<string, string>();
  for (const g of owned(inv.logGroups)) {
    if (!g.live) continue;
    const tags = userTags(g.live.tags);
    const id = add('LogGroup', g.name, 'AWS::Logs::LogGroup', { LogGroupName: g.name, ...(g.live.retentionDays ? { RetentionInDays: g.live.retentionDays } : {}), ...(tags.length ? { Tags: tags } : {}) }, { LogGroupName: g.name });
    groupIds.set(g.name, id);
  }
  const clusterIds = new Map<string, string>();
  for (const c of owned(inv.clusters)) {
    if (!c.live || c.live.status === 'INACTIVE') continue;
    const tags = userTags(c.live.tags);
    const id = add('Cluster', c.name, 'AWS::ECS::Cluster', { ClusterName: c.name, ...(tags.length ? { Tags: tags } : {}) }, { ClusterName: c.name });
    clusterIds.set(c.name, id);
    refs.set(c.live.arn, { 'Fn::GetAtt': [id, 'Arn'] });
  }
  // The latest ACTIVE revision of each family.
  const latest = new Map<string, TaskDefinitionInfo>();
  for (const t of owned(inv.taskDefinitions)) {
    if (!t.live || t.live.status !== 'ACTIVE') continue;
    const prev = latest.get(t.live.family);
    if (!prev || prev.revision < t.live.revision) latest.set(t.live.family, t.live);
  }
  const tdIds = new Map<string, string>();
  for (const td of latest.values()) {
    const d = structuredClone(td.definition) as unknown as Obj;
    // A literal secret in a container's environment is never written out: it becomes a NoEcho
    // parameter, to be given to CloudFormation (better: move it to Secrets Manager).
    for (const secret of findLiteralSecrets(d)) {
      const ei = Number(/environment\[(\d+)\]$/.exec(secret.path)![1]);
      const entry = ((d.containerDefinitions as Obj[])[secret.containerIndex].environment as Obj[])[ei];
      const name = logicalId('Secret', `${td.family} ${secret.container} ${secret.variable}`);
      parameters[name] = { Type: 'String', NoEcho: true, Description: `${secret.variable} of container ${secret.container} in ${td.family} (a literal secret: not exported; better kept in Secrets Manager)` };
      entry.value = { Ref: name } as unknown as JsonValue;
    }
    const props: Obj = { Family: td.family };
    for (const m of TD_MEMBERS) if (d[m] !== undefined && !(Array.isArray(d[m]) && (d[m] as JsonValue[]).length === 0)) props[m.charAt(0).toUpperCase() + m.slice(1)] = pascalCase(portable(d[m]), m);
    if (typeof d.taskRoleArn === 'string') props.TaskRoleArn = portable(d.taskRoleArn);
    if (typeof d.executionRoleArn === 'string') props.ExecutionRoleArn = portable(d.executionRoleArn);
    const tags = userTags(td.tags);
    if (tags.length) props.Tags = tags;
    const groups = [...new Set(((d.containerDefinitions as Obj[] | undefined) ?? []).map((c) => (c.logConfiguration as Obj | undefined)?.options as Obj | undefined).map((o) => o?.['awslogs-group']).filter((g): g is string => typeof g === 'string'))];
    const dependsOn = groups.flatMap((g) => (groupIds.has(g) ? [groupIds.get(g)!] : []));
    const id = add('TaskDefinition', td.family, 'AWS::ECS::TaskDefinition', props, { TaskDefinitionArn: td.arn }, dependsOn.length ? { DependsOn: dependsOn } : {});
    tdIds.set(td.arn, id);
    refs.set(td.arn, { Ref: id });
  }
  const networks: Array<{ subnets: string[]; securityGroups: string[]; suffix: string }> = [];
  const networkParams = (n: { subnets: string[]; securityGroups: string[] }): { Subnets: JsonValue; SecurityGroups: JsonValue } => {
    const key = (x: string[]) => [...x].sort().join(',');
    // Groups the template makes itself (the tasks' group of a load balancer) are theirs, not a Parameter's.
    const made = n.securityGroups.length > 0 && n.securityGroups.every((g) => refs.has(g));
    const groups = made ? [] : n.securityGroups;
    let found = networks.find((x) => key(x.subnets) === key(n.subnets) && key(x.securityGroups) === key(groups));
    if (!found) {
      found = { subnets: n.subnets, securityGroups: groups, suffix: networks.length ? String(networks.length + 1) : '' };
      networks.push(found);
      parameters[`Subnets${found.suffix}`] = { Type: 'List<AWS::EC2::Subnet::Id>', Default: n.subnets.join(','), Description: "the services' subnets (live value when exported)" };
      if (!made) parameters[`SecurityGroups${found.suffix}`] = { Type: 'List<AWS::EC2::SecurityGroup::Id>', Default: n.securityGroups.join(','), Description: "the services' security groups (live value when exported)" };
    }
    return { Subnets: { Ref: `Subnets${found.suffix}` }, SecurityGroups: made ? n.securityGroups.map((g) => refs.get(g)!) : { Ref: `SecurityGroups${found.suffix}` } };
  };
  const lbx = await exportLoadBalancing(ctx, inv, { add, refs, parameters });
  const serviceIds = new Map<string, string>();
  for (const s of owned(inv.services)) {
    if (!s.live || s.live.status !== 'ACTIVE') continue;
    const svc = s.live;
    const cluster = s.parent ?? 'default';
    const props: Obj = {
      ServiceName: s.name,
      Cluster: clusterIds.has(cluster) ? { Ref: clusterIds.get(cluster)! } : cluster,
      TaskDefinition: portable(svc.taskDefinition),
      DesiredCount: svc.desiredCount,
      ...(svc.launchType ? { LaunchType: svc.launchType } : {}),
      ...(svc.capacityProviderStrategy ? { CapacityProviderStrategy: svc.capacityProviderStrategy.map((c) => ({ CapacityProvider: c.capacityProvider })) } : {}),
      ...(svc.network ? { NetworkConfiguration: { AwsvpcConfiguration: { ...networkParams(svc.network), ...(svc.network.assignPublicIp ? { AssignPublicIp: svc.network.assignPublicIp } : {}) } } } : {}),
      PropagateTags: 'SERVICE',
      EnableECSManagedTags: true,
    };
    const balanced = (svc.loadBalancers ?? []).filter((l) => l.targetGroupArn);
    if (balanced.length) {
      props.LoadBalancers = balanced.map((l) => ({
        TargetGroupArn: portable(l.targetGroupArn!),
        ...(l.containerName ? { ContainerName: l.containerName } : {}),
        ...(l.containerPort !== undefined ? { ContainerPort: l.containerPort } : {}),
        ...(l.advancedConfiguration?.alternateTargetGroupArn
          ? { AdvancedConfiguration: { AlternateTargetGroupArn: portable(l.advancedConfiguration.alternateTargetGroupArn), ...(l.advancedConfiguration.productionListenerRule ? { ProductionListenerRule: portable(l.advancedConfiguration.productionListenerRule) } : {}), ...(l.advancedConfiguration.roleArn ? { RoleArn: portable(l.advancedConfiguration.roleArn) } : {}) } }
          : {}),
      }));
      props.HealthCheckGracePeriodSeconds = 60;
    }
    const dc = svc.deploymentConfiguration;
    if (dc?.strategy === 'BLUE_GREEN') {
      props.DeploymentConfiguration = { Strategy: 'BLUE_GREEN', ...(dc.bakeTimeInMinutes !== undefined ? { BakeTimeInMinutes: dc.bakeTimeInMinutes } : {}), ...(dc.circuitBreaker ? { DeploymentCircuitBreaker: { Enable: dc.circuitBreaker.enable, Rollback: dc.circuitBreaker.rollback } } : {}) };
    }
    const tags = userTags(svc.tags);
    if (tags.length) props.Tags = tags;
    // ECS attaches a service to a target group that a listener already forwards to.
    const id = add('Service', s.name, 'AWS::ECS::Service', props, { ServiceArn: svc.arn, Cluster: cluster }, balanced.length && lbx.forwarding.length ? { DependsOn: lbx.forwarding } : {});
    serviceIds.set(`${cluster}/${s.name}`, id);
  }
  await exportScaling(ctx, inv, { add, refs, serviceIds, lbNames: lbx.fullNames });
  return {
    template: {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: `ecsprimer stack ${ctx.stack} (ecsprimer export)`,
      ...(Object.keys(parameters).length ? { Parameters: parameters } : {}),
      Resources: resources,
    },
    imports,
  };
}

type Add = (kind: string, name: string, type: string, properties: Obj, identifier: Record<string, string>, extra?: Obj) => string;

/**
 * The stack's security groups, load balancers, target groups, listeners and listener rules. The
 * VPC and the load balancers' subnets become Parameters (VpcId, LoadBalancerSubnets) defaulting to
 * the live values; a load balancer the stack did not make (a listener or rule of the stack on it)
 * is named by its ARN. Returns the logical ids that forward traffic (a service depends on them) and
 * the full names of exported load balancers and target groups (for the requests metric's label).
 */
async function exportLoadBalancing(ctx: Context, inv: Inventory, t: { add: Add; refs: Map<string, JsonValue>; parameters: Obj }): Promise<{ forwarding: string[]; fullNames: Map<string, JsonValue> }> {
  const owned = <T extends { ownership: string; live?: unknown }>(items: T[]) => items.filter((i) => i.ownership === 'owned' && i.live);
  const forwarding: string[] = [];
  const fullNames = new Map<string, JsonValue>();
  if (![owned(inv.securityGroups), owned(inv.loadBalancers), owned(inv.targetGroups), owned(inv.listeners), owned(inv.rules)].some((x) => x.length)) return { forwarding, fullNames };
  const vpcRef = (vpc: string): JsonValue => {
    t.parameters.VpcId ??= { Type: 'AWS::EC2::VPC::Id', Default: vpc, Description: 'the VPC of the load balancers, target groups and security groups (live value when exported)' };
    return { Ref: 'VpcId' };
  };
  const ec2 = await ctx.ec2();
  const elb = await ctx.elb();
  const groups = (await Promise.all(owned(inv.securityGroups).map((g) => ec2.securityGroupById(g.live!.id)))).filter((g): g is NonNullable<typeof g> => Boolean(g));
  // The load balancer's group before the tasks' (whose rule names it).
  groups.sort((a, b) => Number(a.ingress.some((r) => r.groups.length)) - Number(b.ingress.some((r) => r.groups.length)));
  for (const g of groups) {
    const tags = userTags(g.tags);
    const id = t.add(
      'SecurityGroup',
      g.name,
      'AWS::EC2::SecurityGroup',
      {
        GroupName: g.name,
        GroupDescription: g.description || g.name,
        VpcId: vpcRef(g.vpcId),
        SecurityGroupIngress: g.ingress.flatMap((r) => [
          ...r.cidrs.map((c) => ({ IpProtocol: 'tcp', FromPort: r.port, ToPort: r.port, CidrIp: c })),
          ...r.groups.map((x) => ({ IpProtocol: 'tcp', FromPort: r.port, ToPort: r.port, SourceSecurityGroupId: t.refs.get(x) ?? x })),
        ]) as JsonValue,
        ...(tags.length ? { Tags: tags } : {}),
      },
      { GroupId: g.id },
    );
    t.refs.set(g.id, { 'Fn::GetAtt': [id, 'GroupId'] });
  }
  const lbArnOf = new Map<string, string>();
  for (const b of owned(inv.loadBalancers)) {
    const lb = b.live!;
    lbArnOf.set(lb.name, lb.arn);
    t.parameters.LoadBalancerSubnets ??= { Type: 'List<AWS::EC2::Subnet::Id>', Default: (lb.subnets ?? []).join(','), Description: "the load balancers' subnets (live value when exported)" };
    const tags = userTags(lb.tags);
    const id = t.add('LoadBalancer', lb.name, 'AWS::ElasticLoadBalancingV2::LoadBalancer', { Name: lb.name, Type: 'application', Scheme: lb.scheme ?? 'internet-facing', Subnets: { Ref: 'LoadBalancerSubnets' }, SecurityGroups: lb.securityGroups.map((g) => t.refs.get(g) ?? g), ...(tags.length ? { Tags: tags } : {}) }, { LoadBalancerArn: lb.arn });
    t.refs.set(lb.arn, { Ref: id });
    fullNames.set(lb.arn, { 'Fn::GetAtt': [id, 'LoadBalancerFullName'] });
  }
  for (const x of owned(inv.targetGroups)) {
    const tg = x.live!;
    const tags = userTags(tg.tags);
    const id = t.add(
      'TargetGroup',
      tg.name,
      'AWS::ElasticLoadBalancingV2::TargetGroup',
      { Name: tg.name, Protocol: 'HTTP', Port: tg.port ?? 80, TargetType: tg.targetType ?? 'ip', VpcId: vpcRef(tg.vpcId ?? ''), HealthCheckProtocol: 'HTTP', HealthCheckPath: tg.healthCheckPath ?? '/', Matcher: { HttpCode: '200-399' }, ...(tags.length ? { Tags: tags } : {}) },
      { TargetGroupArn: tg.arn },
    );
    t.refs.set(tg.arn, { Ref: id });
    fullNames.set(tg.arn, { 'Fn::GetAtt': [id, 'TargetGroupFullName'] });
  }
  const forward = (to: Array<{ targetGroupArn: string; weight: number }>): JsonValue =>
    to.length === 1 ? { Type: 'forward', TargetGroupArn: t.refs.get(to[0].targetGroupArn) ?? to[0].targetGroupArn } : { Type: 'forward', ForwardConfig: { TargetGroups: to.map((g) => ({ TargetGroupArn: t.refs.get(g.targetGroupArn) ?? g.targetGroupArn, Weight: g.weight })) } };
  for (const l of owned(inv.listeners)) {
    const lbArn = lbArnOf.get(l.parent ?? '') ?? (await elb.loadBalancer(l.parent ?? '', { tags: false }))?.arn;
    const live = lbArn ? (await elb.listeners(lbArn)).find((x) => x.arn === l.live!.arn) : undefined;
    if (!lbArn || !live) continue;
    const action = live.fixedResponse ? { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not Found' } } : forward(live.forwardsTo ? [{ targetGroupArn: live.forwardsTo, weight: 1 }] : []);
    const id = t.add('Listener', `${l.parent} ${l.name}`, 'AWS::ElasticLoadBalancingV2::Listener', { LoadBalancerArn: t.refs.get(lbArn) ?? lbArn, Port: live.port ?? Number(l.name), Protocol: 'HTTP', DefaultActions: [action] }, { ListenerArn: live.arn });
    t.refs.set(live.arn, { Ref: id });
    forwarding.push(id);
  }
  for (const r of owned(inv.rules)) {
    const rule = await elb.rule(r.live!.arn);
    if (!rule) continue;
    const listenerArn = rule.arn.replace(':listener-rule/', ':listener/').replace(/\/[^/]+$/, '');
    const id = t.add(
      'ListenerRule',
      `${r.parent} ${r.name}`,
      'AWS::ElasticLoadBalancingV2::ListenerRule',
      { ListenerArn: t.refs.get(listenerArn) ?? listenerArn, Priority: Number(rule.priority), Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: rule.pathPatterns } }], Actions: [forward(rule.forwards)] },
      { RuleArn: rule.arn },
    );
    t.refs.set(rule.arn, { Ref: id });
    forwarding.push(id);
  }
  return { forwarding, fullNames };
}

/** The services' scalable targets and their target-tracking policies. */
async function exportScaling(ctx: Context, inv: Inventory, t: { add: Add; refs: Map<string, JsonValue>; serviceIds: Map<string, string>; lbNames: Map<string, JsonValue> }): Promise<void> {
  const targets = inv.scalingTargets.filter((x) => x.ownership === 'owned' && x.live);
  if (!targets.length) return;
  const as = await ctx.autoscaling();
  const dimension = 'ecs:service:DesiredCount';
  for (const x of targets) {
    const target = x.live!;
    const service = t.serviceIds.get(target.resourceId.replace(/^service\//, ''));
    const id = t.add(
      'ScalableTarget',
      target.resourceId,
      'AWS::ApplicationAutoScaling::ScalableTarget',
      { ServiceNamespace: 'ecs', ScalableDimension: dimension, ResourceId: target.resourceId, MinCapacity: target.min, MaxCapacity: target.max },
      { ResourceId: target.resourceId, ScalableDimension: dimension, ServiceNamespace: 'ecs' },
      service ? { DependsOn: [service] } : {},
    );
    for (const p of await as.policies(target.resourceId)) {
      if (!p.metric || p.targetValue === undefined) continue;
      // app/LB/ID/targetgroup/TG/ID: the full names of the exported load balancer and target group.
      let label: JsonValue | undefined = p.resourceLabel;
      if (p.resourceLabel) {
        const [lbPart, tgPart] = [p.resourceLabel.slice(0, p.resourceLabel.indexOf('/targetgroup/')), p.resourceLabel.slice(p.resourceLabel.indexOf('/targetgroup/') + 1)];
        const lb = [...t.lbNames.entries()].find(([arn]) => arn.endsWith(`:loadbalancer/${lbPart}`))?.[1];
        const tg = [...t.lbNames.entries()].find(([arn]) => arn.endsWith(`:${tgPart}`))?.[1];
        if (lb && tg) label = { 'Fn::Join': ['/', [lb, tg]] };
      }
      t.add(
        'ScalingPolicy',
        `${target.resourceId} ${p.name}`,
        'AWS::ApplicationAutoScaling::ScalingPolicy',
        { PolicyName: p.name, PolicyType: 'TargetTrackingScaling', ScalingTargetId: { Ref: id }, TargetTrackingScalingPolicyConfiguration: { TargetValue: p.targetValue, PredefinedMetricSpecification: { PredefinedMetricType: p.metric, ...(label !== undefined ? { ResourceLabel: label } : {}) } } },
        { Arn: p.arn, ScalableDimension: dimension },
      );
    }
  }
}

export async function runExport(o: ExportOptions, ctx: Context): Promise<Report> {
  if (o.format !== undefined && o.format !== 'cloudformation') throw new UsageError(`--format ${o.format}: only cloudformation is supported.`);
  await stackFromFileIfAny(ctx, { file: o.file });
  if (ctx.offline) throw new UsageError(`export reads the stack's live resources, and no AWS region is configured. ${HOW_TO_CONFIGURE}`, 'NoRegion');
  const account = await ctx.account();
  const journal = await ctx.journal();
  const inv = await readInventory(ctx, account, journal.resources());
  const { template, imports } = await buildTemplate(ctx, inv);
  if (imports.length === 0) throw new InputError('--stack', { message: `stack "${ctx.stack}" holds nothing to export in ${ctx.region}`, fix: 'Check --stack, --region and the account (ecsprimer stacks lists the stacks with a journal)' }, 'EmptyStack');
  for (const w of inv.warnings) ctx.ui.warn(w);
  const text = `${JSON.stringify(template, null, 2)}\n`;
  const written: string[] = [];
  if (o.importFile) {
    await writeFile(resolve(ctx.cwd, o.importFile), `${JSON.stringify(imports, null, 2)}\n`);
    written.push(o.importFile);
  }
  if (o.out) {
    await writeFile(resolve(ctx.cwd, o.out), text);
    written.push(o.out);
  } else if (ctx.opts.output === 'text') ctx.io.stdout.write(text);
  if (written.length) ctx.ui.info(`wrote ${written.join(' and ')} (${imports.length} resources)`);
  return { ...readReport({ command: ctx.command, stack: ctx.stack }, ctx.opts.output === 'json' ? { template, resourcesToImport: imports } : undefined), changes: [] };
}
