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
    let found = networks.find((x) => key(x.subnets) === key(n.subnets) && key(x.securityGroups) === key(n.securityGroups));
    if (!found) {
      found = { ...n, suffix: networks.length ? String(networks.length + 1) : '' };
      networks.push(found);
      parameters[`Subnets${found.suffix}`] = { Type: 'List<AWS::EC2::Subnet::Id>', Default: n.subnets.join(','), Description: "the services' subnets (live value when exported)" };
      parameters[`SecurityGroups${found.suffix}`] = { Type: 'List<AWS::EC2::SecurityGroup::Id>', Default: n.securityGroups.join(','), Description: "the services' security groups (live value when exported)" };
    }
    return { Subnets: { Ref: `Subnets${found.suffix}` }, SecurityGroups: { Ref: `SecurityGroups${found.suffix}` } };
  };
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
    const tags = userTags(svc.tags);
    if (tags.length) props.Tags = tags;
    add('Service', s.name, 'AWS::ECS::Service', props, { ServiceArn: svc.arn, Cluster: cluster });
  }
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
