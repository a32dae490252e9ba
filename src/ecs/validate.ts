/**
 * Validation of the documents ecsprimer sends to ECS, before the first AWS call: the task
 * definition (RegisterTaskDefinition) and the `service create --document` (CreateService).
 *
 * The shapes are the SDK's model (test/unit/ecs-model.test.ts holds them to it: a key the model
 * has is never called unknown), as valibot schemas with the value lists the SDK exports; the
 * rules that span fields (Fargate sizes, awsvpc port rules, the essential container, roles a
 * feature needs) are hand-written below. AWS's documented rules are the reference (the API
 * reference of @aws-sdk/client-ecs and the ECS developer guide); the local test server is more
 * lenient and is never the yardstick.
 *
 * Validators collect every problem they find as an InputIssue (field = JSON path, message names
 * the allowed values, fix says what to do), and never throw anything else.
 */
import {
  ApplicationProtocol,
  AssignPublicIp,
  AvailabilityZoneRebalancing,
  Compatibility,
  ContainerCondition,
  CPUArchitecture,
  DeploymentControllerType,
  DeploymentStrategy,
  EnvironmentFileType,
  FirelensConfigurationType,
  IpcMode,
  LaunchType,
  LogDriver,
  NetworkMode,
  OSFamily,
  PidMode,
  PlacementConstraintType,
  PlacementStrategyType,
  PropagateTags,
  ProxyConfigurationType,
  ResourceType,
  SchedulingStrategy,
  TaskDefinitionPlacementConstraintType,
  TransportProtocol,
  UlimitName,
  VersionConsistency,
  type CreateServiceCommandInput,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { InputError, type InputIssue } from '../errors.js';
import { child, describe, issue, quote } from '../input/issues.js';
import { getOwn, isJsonObject, type JsonValue } from '../input/json.js';
import { any, anyObject, arr, bool, int, map, obj, shapeIssues, shapeOf, str, strings, type Shape } from '../input/schema.js';
import { checkFargateSize, normalizeCpu, normalizeMemory } from './fargate.js';
import { ATTRIBUTE_NAME_RE, MAX_DESIRED_COUNT, MAX_PLACEMENT_CONSTRAINTS, MAX_PLACEMENT_STRATEGIES, MAX_SECURITY_GROUPS, MAX_SUBNETS, SG_RE, SUBNET_RE } from './launch.js';
import { nameProblem } from './names.js';
import { literalSecretWarnings } from './secrets.js';

export type { JsonValue };
type JsonObject = { [key: string]: JsonValue };

const INT32_MAX = 2_147_483_647;

/** The values of one of the SDK's enums. */
const values = (e: Record<string, string>): string[] => Object.values(e);

/** Each object in the array at `key` of `doc`, with its path (other values are said by the shapes). */
function eachObject(doc: JsonObject, key: string, fn: (o: JsonObject, path: string) => void): void {
  const list = getOwn(doc, key);
  if (Array.isArray(list)) list.forEach((o, i) => isJsonObject(o) && fn(o, child(key, i)));
}

/** Largest task definition AWS registers: 64 KiB of minified JSON. */
export const MAX_TASK_DEFINITION_BYTES = 65_536;
/** AWS quota "Containers per task definition" (not adjustable). */
export const MAX_CONTAINERS = 10;

/** Keys of describe-task-definition's output that are not inputs, with what to do about them. */
const DESCRIBE_OUTPUT_FIXES: Record<string, string> = {
  taskDefinition: 'this looks like describe-task-definition output; use the object inside "taskDefinition" as the document',
  ...Object.fromEntries(
    ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy', 'deregisteredAt'].map((k) => [
      k,
      'remove it: it is read-only output of describe-task-definition, not an input of RegisterTaskDefinition',
    ]),
  ),
};

// ---------------------------------------------------------------------------------------------
// Task definition
// ---------------------------------------------------------------------------------------------

const TAGS = arr(obj('Tag', { key: str({ nonEmpty: true, max: 128 }), value: str({ max: 256 }) }, ['key']), { max: 50, what: 'tags' });
const SECRET = obj('Secret', { name: str({ nonEmpty: true }), valueFrom: str({ nonEmpty: true }) }, ['name', 'valueFrom']);
const KEY_VALUE = (hide: boolean): Shape => obj('KeyValuePair', { name: str({ nonEmpty: true }), value: str({ hide }) }, ['name']);

const PORT_MAPPING = obj('PortMapping', {
  containerPort: int({ min: 1, max: 65535 }),
  hostPort: int({ min: 0, max: 65535, note: '(0 or left out = dynamic host port, bridge mode only)' }),
  protocol: str({ enum: values(TransportProtocol) }),
  name: str({ nonEmpty: true, max: 64 }),
  appProtocol: str({ enum: values(ApplicationProtocol) }),
  containerPortRange: str({ nonEmpty: true }),
});

const MEMORY_NOTE = '(MiB; Docker needs at least 6)';

const CONTAINER_FIELDS: Record<string, Shape> = {
  name: any, // checked below
  image: any, // checked below
  repositoryCredentials: obj('RepositoryCredentials', { credentialsParameter: str({ nonEmpty: true }) }, ['credentialsParameter']),
  cpu: int({ min: 0, max: INT32_MAX, note: '(CPU units; 1024 = 1 vCPU)' }),
  memory: int({ min: 6, max: INT32_MAX, note: MEMORY_NOTE }),
  memoryReservation: int({ min: 6, max: INT32_MAX, note: MEMORY_NOTE }),
  links: strings,
  portMappings: arr(PORT_MAPPING, { what: 'port mappings' }),
  essential: bool,
  restartPolicy: obj('ContainerRestartPolicy', {
    enabled: bool, ignoredExitCodes: arr(int(), { max: 50, what: 'exit codes' }), restartAttemptPeriod: int({ min: 60, max: 1800 }),
  }, ['enabled']),
  entryPoint: strings,
  command: strings,
  environment: arr(KEY_VALUE(true), { what: 'objects {"name": ..., "value": ...}' }),
  environmentFiles: arr(obj('EnvironmentFile', { value: str({ nonEmpty: true }), type: str({ enum: values(EnvironmentFileType) }) }, ['value', 'type'])),
  mountPoints: arr(obj('MountPoint', { sourceVolume: str(), containerPath: str(), readOnly: bool })),
  volumesFrom: arr(obj('VolumeFrom', { sourceContainer: str(), readOnly: bool })),
  linuxParameters: anyObject,
  secrets: arr(SECRET, { what: 'objects {"name": ..., "valueFrom": ...}' }),
  dependsOn: arr(obj('ContainerDependency', {
    containerName: str({ nonEmpty: true }), condition: str({ enum: values(ContainerCondition) }),
  }, ['containerName', 'condition'])),
  startTimeout: int({ min: 0 }),
  stopTimeout: int({ min: 0 }),
  versionConsistency: str({ enum: values(VersionConsistency) }),
  hostname: str(),
  user: str(),
  workingDirectory: str(),
  disableNetworking: bool,
  privileged: bool,
  readonlyRootFilesystem: bool,
  dnsServers: strings,
  dnsSearchDomains: strings,
  extraHosts: arr(obj('HostEntry', { hostname: str({ nonEmpty: true }), ipAddress: str({ nonEmpty: true }) }, ['hostname', 'ipAddress'])),
  dockerSecurityOptions: strings,
  interactive: bool,
  pseudoTerminal: bool,
  dockerLabels: map(str()),
  ulimits: arr(obj('Ulimit', {
    name: str({ enum: values(UlimitName) }),
    softLimit: int(), hardLimit: int(),
  }, ['name', 'softLimit', 'hardLimit'])),
  logConfiguration: obj('LogConfiguration', {
    logDriver: str({ enum: values(LogDriver) }), options: map(str()), secretOptions: arr(SECRET),
  }, ['logDriver']),
  healthCheck: obj('HealthCheck', {
    command: arr(str(), { min: 1, what: 'strings' }), interval: int({ min: 5, max: 300 }), timeout: int({ min: 2, max: 60 }),
    retries: int({ min: 1, max: 10 }), startPeriod: int({ min: 0, max: 300 }),
  }, ['command']),
  systemControls: arr(obj('SystemControl', { namespace: str(), value: str() })),
  resourceRequirements: arr(obj('ResourceRequirement', {
    value: str({ nonEmpty: true }), type: str({ enum: values(ResourceType) }),
  }, ['value', 'type'])),
  firelensConfiguration: obj('FirelensConfiguration', { type: str({ enum: values(FirelensConfigurationType) }), options: map(str()) }, ['type']),
  credentialSpecs: strings,
};

export const CONTAINER = obj('ContainerDefinition', CONTAINER_FIELDS);

const TASK_DEFINITION_FIELDS: Record<string, Shape> = {
  family: any, // checked below
  taskRoleArn: any,
  executionRoleArn: any,
  networkMode: str({ enum: values(NetworkMode) }),
  containerDefinitions: any,
  volumes: arr(obj('Volume', {
    name: str({ nonEmpty: true, max: 255 }), host: obj('HostVolumeProperties', { sourcePath: str() }),
    dockerVolumeConfiguration: anyObject, efsVolumeConfiguration: anyObject, s3filesVolumeConfiguration: anyObject,
    fsxWindowsFileServerVolumeConfiguration: anyObject, configuredAtLaunch: bool,
  }), { what: 'volumes' }),
  placementConstraints: arr(obj('TaskDefinitionPlacementConstraint', {
    type: str({ enum: values(TaskDefinitionPlacementConstraintType) }), expression: str({ nonEmpty: true, max: 2000 }),
  }, ['type', 'expression']), { max: 10, what: 'placement constraints' }),
  requiresCompatibilities: arr(str({ enum: values(Compatibility) }), { what: 'strings' }),
  cpu: any,
  memory: any,
  tags: TAGS,
  pidMode: str({ enum: values(PidMode) }),
  ipcMode: str({ enum: values(IpcMode) }),
  proxyConfiguration: obj('ProxyConfiguration', {
    type: str({ enum: values(ProxyConfigurationType) }), containerName: str({ nonEmpty: true }), properties: arr(KEY_VALUE(false)),
  }, ['containerName']),
  inferenceAccelerators: arr(obj('InferenceAccelerator', { deviceName: str({ nonEmpty: true }), deviceType: str({ nonEmpty: true }) }, ['deviceName', 'deviceType'])),
  ephemeralStorage: obj('EphemeralStorage', { sizeInGiB: int({ min: 21, max: 200, note: '(GiB)' }) }, ['sizeInGiB']),
  runtimePlatform: obj('RuntimePlatform', {
    cpuArchitecture: str({ enum: values(CPUArchitecture) }),
    operatingSystemFamily: str({ enum: values(OSFamily) }),
  }),
  enableFaultInjection: bool,
};

export const TASK_DEFINITION = obj('RegisterTaskDefinition', TASK_DEFINITION_FIELDS, [], DESCRIBE_OUTPUT_FIXES);

/** The members of RegisterTaskDefinition (what compare.ts compares). */
export const TASK_DEFINITION_KEYS: readonly string[] = shapeOf(TASK_DEFINITION)!.fields;

const ROLE_ARN_RE = /^arn:aws(?:-[a-z]+)*:iam::(?:\d{12}|<account-id>):role\/(?:[\x21-\x7e]{1,511}\/)?[\w+=,.@-]{1,64}$/;
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;

function checkRoleArn(v: JsonValue | undefined, field: 'taskRoleArn' | 'executionRoleArn', out: InputIssue[]): void {
  if (v === undefined) return;
  if (typeof v !== 'string') {
    out.push(issue(field, `must be a string, an IAM role ARN (got ${describe(v)})`));
    return;
  }
  if (ROLE_ARN_RE.test(v)) return;
  // AWS documents taskRoleArn as "the short name or full ARN"; executionRoleArn as an ARN only.
  if (field === 'taskRoleArn' && ROLE_NAME_RE.test(v)) return;
  out.push(issue(field,
    `${quote(v, 120)} is not an IAM role ARN; expected arn:aws:iam::ACCOUNT:role/NAME (ACCOUNT = 12 digits)${field === 'taskRoleArn' ? ' or a role name' : ''}`,
    'use the role\'s full ARN, e.g. "arn:aws:iam::123456789012:role/my-task-role"'));
}

/** The name of container `i` for messages: its name if it has one, else its position. */
function containerLabel(c: JsonValue, i: number): string {
  const name = isJsonObject(c) ? getOwn(c, 'name') : undefined;
  return typeof name === 'string' && name.length > 0 ? quote(name) : `#${i + 1}`;
}

const PRIVATE_ECR_RE = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\//;
const IMAGE_CHARS_RE = /^[A-Za-z0-9\-_:./#]+$/;

function checkImage(v: JsonValue | undefined, path: string, out: InputIssue[]): void {
  if (v === undefined) {
    out.push(issue(path, 'is missing; every container needs an image', 'add "image", e.g. "public.ecr.aws/nginx/nginx:stable-alpine"'));
    return;
  }
  if (typeof v !== 'string') {
    out.push(issue(path, `must be a string, an image reference such as "repository-url/image:tag" (got ${describe(v)})`));
    return;
  }
  if (v.trim().length === 0) {
    out.push(issue(path, 'is empty; every container needs an image', 'set it to an image such as "public.ecr.aws/nginx/nginx:stable-alpine"'));
    return;
  }
  const rule = 'an image is repository-url/image:tag (up to 255 letters, digits, - _ : . / #) or repository-url/image@sha256:<64 hex digits>';
  const atSign = v.indexOf('@');
  const name = atSign >= 0 ? v.slice(0, atSign) : v;
  if (name.length === 0 || name.length > 255 || !IMAGE_CHARS_RE.test(name)) {
    out.push(issue(path, `${quote(v, 120)} is not a valid image reference; ${rule}`,
      /\s/.test(v) ? 'remove the spaces' : 'check for characters other than letters, digits and - _ : . / #'));
    return;
  }
  if (atSign >= 0 && !/^sha256:[A-Fa-f0-9]{64}$/.test(v.slice(atSign + 1))) {
    out.push(issue(path, `${quote(v, 120)} has an invalid digest; ${rule}`, 'use @sha256: followed by exactly 64 hex digits, or a tag'));
  }
}

export interface TaskDefinitionValidation {
  issues: InputIssue[];
  warnings: string[];
  /**
   * The document to send (only meaningful when `issues` is empty): the input with task-level
   * cpu/memory numbers turned into strings; strings (e.g. "0.25 vCPU") are kept as given.
   */
  normalized: RegisterTaskDefinitionCommandInput;
}

export interface TaskDefinitionOptions {
  /** The launch type the task definition will be used with (adds FARGATE or EC2 rules). */
  launchType?: 'FARGATE' | 'EC2';
}

/** Validates a RegisterTaskDefinition document (after placeholders are filled in). */
export function validateTaskDefinition(value: JsonValue, source: string, opts: TaskDefinitionOptions = {}): TaskDefinitionValidation {
  const issues: InputIssue[] = [];
  const warnings: string[] = [];
  const empty: RegisterTaskDefinitionCommandInput = { family: undefined, containerDefinitions: undefined };
  if (!isJsonObject(value)) {
    issues.push(issue(undefined,
      `the task definition must be a JSON object of RegisterTaskDefinition fields (got ${describe(value)})`,
      'start from json/task-definition.json: {"family": "...", "containerDefinitions": [{"name": "...", "image": "..."}]}'));
    return { issues, warnings, normalized: empty };
  }

  // Size: 64 KiB of minified JSON.
  let size: number | undefined;
  try {
    size = Buffer.byteLength(JSON.stringify(value), 'utf8');
  } catch {
    issues.push(issue(undefined, 'the task definition is nested too deeply to be measured or sent', 'simplify the document'));
  }
  if (size !== undefined && size > MAX_TASK_DEFINITION_BYTES) {
    issues.push(issue(undefined,
      `the task definition is ${size} bytes as minified JSON; AWS allows at most ${MAX_TASK_DEFINITION_BYTES} bytes (64 KiB)`,
      'make it smaller: move long environment lists to environmentFiles (S3) or secrets, and scripts into the image'));
  }

  // Types of every known field, unknown keys.
  issues.push(...shapeIssues(TASK_DEFINITION, value));

  // family
  // describe-task-definition output given as it is: one issue (at "taskDefinition") says it all.
  const wrapped = isJsonObject(getOwn(value, 'taskDefinition'));
  const family = getOwn(value, 'family');
  if (family === undefined) {
    if (!wrapped) issues.push(issue('family', 'is missing; a task definition needs a family (1–255 letters, digits, hyphens and underscores)', 'add "family": "my-app"'));
  } else if (typeof family !== 'string') {
    issues.push(issue('family', `must be a string of 1–255 letters, digits, hyphens and underscores (got ${describe(family)})`));
  } else {
    const p = nameProblem(family, 'a family');
    if (p) issues.push(issue('family', p.message, p.fix));
  }

  checkRoleArn(getOwn(value, 'taskRoleArn'), 'taskRoleArn', issues);
  const executionRoleArn = getOwn(value, 'executionRoleArn');
  checkRoleArn(executionRoleArn, 'executionRoleArn', issues);
  const hasExecutionRole = typeof executionRoleArn === 'string' && executionRoleArn.length > 0;

  const nm = getOwn(value, 'networkMode');
  const networkMode = typeof nm === 'string' ? nm : undefined;

  const compat = new Set<string>();
  const rc = getOwn(value, 'requiresCompatibilities');
  if (Array.isArray(rc)) for (const c of rc) if (typeof c === 'string') compat.add(c);

  const isFargate = compat.has('FARGATE') || opts.launchType === 'FARGATE';
  const ec2ByDefault = compat.size === 0 && opts.launchType === undefined;
  const isEc2 = compat.has('EC2') || opts.launchType === 'EC2' || ec2ByDefault;
  const fargateWhy = compat.has('FARGATE') ? 'requiresCompatibilities includes FARGATE' : 'the launch type is FARGATE';
  const ec2Why = compat.has('EC2') ? 'requiresCompatibilities includes EC2'
    : opts.launchType === 'EC2' ? 'the launch type is EC2'
      : 'EC2 is the default when requiresCompatibilities is not set';

  const normalized = { ...value } as JsonObject;

  // Task-level cpu and memory.
  const cpuRaw = getOwn(value, 'cpu');
  const memRaw = getOwn(value, 'memory');
  let cpuUnits: number | null | undefined;
  let memMiB: number | null | undefined;
  if (cpuRaw !== undefined) {
    if (typeof cpuRaw !== 'string' && typeof cpuRaw !== 'number') {
      issues.push(issue('cpu', `must be a string of CPU units ("1024") or vCPUs ("1 vCPU") (got ${describe(cpuRaw)})`));
      cpuUnits = null;
    } else {
      cpuUnits = normalizeCpu(cpuRaw);
      if (typeof cpuRaw === 'number') normalized.cpu = String(cpuRaw);
    }
  }
  if (memRaw !== undefined) {
    if (typeof memRaw !== 'string' && typeof memRaw !== 'number') {
      issues.push(issue('memory', `must be a string of MiB ("512") or GB ("0.5 GB") (got ${describe(memRaw)})`));
      memMiB = null;
    } else {
      memMiB = normalizeMemory(memRaw);
      if (typeof memRaw === 'number') normalized.memory = String(memRaw);
    }
  }
  const cpuOk = (cpuRaw === undefined || typeof cpuRaw === 'string' || typeof cpuRaw === 'number');
  const memOk = (memRaw === undefined || typeof memRaw === 'string' || typeof memRaw === 'number');
  if (isFargate) {
    if (cpuOk && memOk) {
      for (const i of checkFargateSize(cpuRaw as string | number | undefined, memRaw as string | number | undefined)) {
        issues.push({ ...i, message: `${i.message} (${fargateWhy})` });
      }
    }
  } else {
    if (cpuUnits === null && cpuOk) {
      issues.push(issue('cpu', `${quote(String(cpuRaw))} is not a CPU size; write CPU units ("1024") or vCPUs ("1 vCPU"), from 128 to 196608 units (0.125–192 vCPU)`));
    } else if (typeof cpuUnits === 'number' && (cpuUnits < 128 || cpuUnits > 196608)) {
      issues.push(issue('cpu', `is ${cpuUnits} CPU units; AWS allows 128 to 196608 units (0.125–192 vCPU) for a task`));
    }
    if (memMiB === null && memOk) {
      issues.push(issue('memory', `${quote(String(memRaw))} is not a memory size; write MiB ("512") or GB ("0.5 GB")`));
    }
  }

  // Fargate rules on the task level.
  if (isFargate) {
    if (nm === undefined) {
      issues.push(issue('networkMode', `is missing; Fargate requires "awsvpc" (${fargateWhy}; the default is "bridge")`, 'add "networkMode": "awsvpc"'));
    } else if (networkMode !== undefined && networkMode !== 'awsvpc' && values(NetworkMode).includes(networkMode)) {
      issues.push(issue('networkMode', `is ${quote(networkMode)}; Fargate requires "awsvpc" (${fargateWhy})`, 'set "networkMode": "awsvpc"'));
    }
    const pc = getOwn(value, 'placementConstraints');
    if (Array.isArray(pc) && pc.length > 0) {
      issues.push(issue('placementConstraints', `are not supported on Fargate (${fargateWhy}); only EC2 tasks can have placement constraints`,
        'remove "placementConstraints", or use the EC2 launch type'));
    }
    if (getOwn(value, 'ipcMode') !== undefined) {
      issues.push(issue('ipcMode', `is not supported on Fargate (${fargateWhy})`, 'remove "ipcMode"'));
    }
    if (getOwn(value, 'pidMode') === 'host') {
      issues.push(issue('pidMode', `"host" is not supported on Fargate (${fargateWhy}); the only value allowed there is "task"`, 'set "pidMode": "task" or remove it'));
    }
    const rp = getOwn(value, 'runtimePlatform');
    const os = isJsonObject(rp) ? getOwn(rp, 'operatingSystemFamily') : undefined;
    if (typeof os === 'string' && os.startsWith('WINDOWS') && typeof cpuUnits === 'number' && cpuUnits < 1024) {
      issues.push(issue('cpu', `is ${cpuUnits} CPU units; Windows containers on Fargate need at least 1024 (1 vCPU)`, 'set "cpu": "1024" or more'));
    }
  }

  // Containers.
  const cds = getOwn(value, 'containerDefinitions');
  const essentialSeen = { any: false, allObjects: true };
  if (cds === undefined) {
    if (!wrapped) issues.push(issue('containerDefinitions', 'is missing; a task definition needs at least one container', 'add "containerDefinitions": [{"name": "web", "image": "..."}]'));
  } else if (!Array.isArray(cds)) {
    issues.push(issue('containerDefinitions', `must be an array of container definitions (got ${describe(cds)})`, isJsonObject(cds) ? 'wrap the container in [ ]' : undefined));
  } else if (cds.length === 0) {
    issues.push(issue('containerDefinitions', 'is empty; a task definition needs at least one container (at most 10)', 'add a container: {"name": "web", "image": "..."}'));
  } else {
    if (cds.length > MAX_CONTAINERS) {
      issues.push(issue('containerDefinitions', `has ${cds.length} containers; AWS allows at most ${MAX_CONTAINERS} per task definition`, 'split the containers into several task definitions'));
    }
    const names = new Map<string, number>();
    let reservedMemory = 0;
    let oneAboveTask = false;
    let reservedCpu = 0;
    cds.forEach((c, i) => {
      const p = child('containerDefinitions', i);
      issues.push(...shapeIssues(CONTAINER, c, ['containerDefinitions', i]));
      if (!isJsonObject(c)) {
        essentialSeen.allObjects = false;
        return;
      }
      const label = containerLabel(c, i);

      const name = getOwn(c, 'name');
      if (name === undefined) {
        issues.push(issue(child(p, 'name'), 'is missing; every container needs a name (1–255 letters, digits, hyphens and underscores)', 'add "name": "web"'));
      } else if (typeof name !== 'string') {
        issues.push(issue(child(p, 'name'), `must be a string of 1–255 letters, digits, hyphens and underscores (got ${describe(name)})`));
      } else {
        const np = nameProblem(name, 'a container name');
        if (np) issues.push(issue(child(p, 'name'), np.message, np.fix));
        const first = names.get(name);
        if (first !== undefined) {
          issues.push(issue(child(p, 'name'), `${quote(name)} is already the name of containerDefinitions[${first}]; container names must be unique within a task definition`, 'rename one of them'));
        } else {
          names.set(name, i);
        }
      }

      const image = getOwn(c, 'image');
      checkImage(image, child(p, 'image'), issues);

      const essential = getOwn(c, 'essential');
      // Not a boolean (said above): it does not make the task lack an essential container as well.
      if (essential !== false) essentialSeen.any = true;

      // Memory.
      const mem = getOwn(c, 'memory');
      const res = getOwn(c, 'memoryReservation');
      const memN = typeof mem === 'number' && Number.isInteger(mem) ? mem : undefined;
      const resN = typeof res === 'number' && Number.isInteger(res) ? res : undefined;
      if (memN !== undefined && resN !== undefined && resN > memN) {
        issues.push(issue(child(p, 'memoryReservation'),
          `(${resN} MiB) is more than memory (${memN} MiB) of container ${label}; memoryReservation (soft limit) must not exceed memory (hard limit)`,
          'lower memoryReservation or raise memory'));
      }
      if (isEc2 && memRaw === undefined && mem === undefined && res === undefined) {
        issues.push(issue(p,
          `container ${label} sets neither "memory" nor "memoryReservation"; on EC2 (${ec2Why}) each container needs one of them, in MiB, unless the task sets "memory"`,
          'add "memoryReservation": 128 (soft limit) or "memory": 256 (hard limit) to the container, or a task-level "memory"'));
      }
      if (typeof memMiB === 'number' && memN !== undefined && memN > memMiB) {
        issues.push(issue(child(p, 'memory'), `(${memN} MiB) is more than the task's memory (${memMiB} MiB)`, 'lower the container memory or raise the task memory'));
        oneAboveTask = true;
      }
      reservedMemory += resN ?? memN ?? 0;
      const cpu = getOwn(c, 'cpu');
      if (typeof cpu === 'number' && Number.isInteger(cpu) && cpu > 0) reservedCpu += cpu;

      // Ports.
      const pms = getOwn(c, 'portMappings');
      if (Array.isArray(pms)) {
        if (networkMode === 'none' && pms.length > 0) {
          issues.push(issue(child(p, 'portMappings'), 'must be empty with networkMode "none" (the task has no network)', 'remove the port mappings or use another networkMode'));
        }
        const sameAsContainer = networkMode === 'awsvpc' || networkMode === 'host' || isFargate;
        pms.forEach((pm, j) => {
          if (!isJsonObject(pm)) return;
          const pp = child(child(p, 'portMappings'), j);
          const cp = getOwn(pm, 'containerPort');
          const hp = getOwn(pm, 'hostPort');
          const range = getOwn(pm, 'containerPortRange');
          if (cp === undefined && range === undefined) {
            issues.push(issue(child(pp, 'containerPort'), 'is missing; each port mapping needs a containerPort (1–65535)', 'add "containerPort": 80'));
          }
          if (typeof range === 'string' && range.length > 0) {
            const m = /^(\d{1,5})-(\d{1,5})$/.exec(range);
            if (!m || Number(m[1]) < 1 || Number(m[2]) > 65535 || Number(m[1]) >= Number(m[2])) {
              issues.push(issue(child(pp, 'containerPortRange'), `${quote(range)} must be a range "FROM-TO" with 1 ≤ FROM < TO ≤ 65535`, 'e.g. "8000-8010"'));
            }
            if (hp !== undefined) {
              issues.push(issue(child(pp, 'hostPort'), 'must be left out when containerPortRange is set (ECS assigns the host ports)', 'remove hostPort'));
            }
          }
          if (sameAsContainer && typeof hp === 'number' && Number.isInteger(hp) && hp >= 0 && hp <= 65535 && hp !== cp) {
            const mode = networkMode === 'host' ? 'networkMode "host"'
              : networkMode === 'awsvpc' ? `networkMode "awsvpc"${isFargate ? ' (Fargate)' : ''}` : 'Fargate (awsvpc)';
            const cpText = typeof cp === 'number' ? `containerPort ${cp}` : 'containerPort';
            issues.push(issue(child(pp, 'hostPort'),
              `is ${hp} but ${cpText}; with ${mode} hostPort must equal containerPort or be left out`,
              typeof cp === 'number' ? `remove hostPort or set it to ${cp}` : 'remove hostPort'));
          }
        });
      }

      // Fargate container rules.
      if (isFargate) {
        if (getOwn(c, 'privileged') === true) {
          issues.push(issue(child(p, 'privileged'), `is not supported on Fargate (${fargateWhy})`, 'remove "privileged"'));
        }
        const log = getOwn(c, 'logConfiguration');
        if (isJsonObject(log) && getOwn(log, 'logDriver') === 'awslogs' && !hasExecutionRole) {
          issues.push(issue(child(child(p, 'logConfiguration'), 'logDriver'),
            '"awslogs" on Fargate needs a task execution role, and the task definition has no executionRoleArn',
            'add "executionRoleArn" (a role with AmazonECSTaskExecutionRolePolicy) or remove the logConfiguration'));
        }
        if (typeof image === 'string' && PRIVATE_ECR_RE.test(image) && !hasExecutionRole) {
          issues.push(issue(child(p, 'image'),
            'is a private ECR image; Fargate needs a task execution role to pull it, and the task definition has no executionRoleArn',
            'add "executionRoleArn" (a role with AmazonECSTaskExecutionRolePolicy) or use a public image'));
        }
      }
      const secrets = getOwn(c, 'secrets');
      if (Array.isArray(secrets) && secrets.length > 0 && !hasExecutionRole) {
        warnings.push(`${source}: ${child(p, 'secrets')}: container ${label} uses secrets but the task definition has no executionRoleArn; the task will fail to start without a task execution role that can read them`);
      }
      if (getOwn(c, 'repositoryCredentials') !== undefined && !hasExecutionRole) {
        warnings.push(`${source}: ${child(p, 'repositoryCredentials')}: container ${label} uses private registry credentials but the task definition has no executionRoleArn; the task will fail to pull the image without one`);
      }
    });

    if (essentialSeen.allObjects && !essentialSeen.any) {
      issues.push(issue('containerDefinitions',
        'has no essential container; at least one container must be essential ("essential": true, the default when left out)',
        'set "essential": true on the main container, or remove "essential": false from it'));
    }
    // One container above the task's memory is said at that container; the total would say it again.
    if (typeof memMiB === 'number' && reservedMemory > memMiB && !oneAboveTask) {
      issues.push(issue('containerDefinitions',
        `the containers reserve ${reservedMemory} MiB in total (memoryReservation, or memory where no reservation is set) but the task has only ${memMiB} MiB`,
        'lower the containers\' memoryReservation/memory or raise the task memory'));
    }
    if (typeof cpuUnits === 'number' && reservedCpu > cpuUnits) {
      issues.push(issue('containerDefinitions',
        `the containers reserve ${reservedCpu} CPU units in total but the task has only ${cpuUnits}`,
        'lower the containers\' cpu or raise the task cpu'));
    }
  }

  warnings.push(...literalSecretWarnings(value, source));
  return { issues, warnings, normalized: normalized as unknown as RegisterTaskDefinitionCommandInput };
}

/** validateTaskDefinition, throwing an InputError listing every issue. */
export function assertTaskDefinition(value: JsonValue, source: string, opts: TaskDefinitionOptions = {}): { normalized: RegisterTaskDefinitionCommandInput; warnings: string[] } {
  const r = validateTaskDefinition(value, source, opts);
  if (r.issues.length > 0) throw new InputError(source, r.issues);
  return { normalized: r.normalized, warnings: r.warnings };
}

// ---------------------------------------------------------------------------------------------
// service create --document
// ---------------------------------------------------------------------------------------------

const PORT = int({ min: 1, max: 65535 });

const SERVICE_FIELDS: Record<string, Shape> = {
  cluster: str({ nonEmpty: true }),
  serviceName: str({ nonEmpty: true }),
  taskDefinition: str({ nonEmpty: true }),
  availabilityZoneRebalancing: str({ enum: values(AvailabilityZoneRebalancing) }),
  loadBalancers: arr(obj('LoadBalancer', {
    targetGroupArn: str({ nonEmpty: true }), loadBalancerName: str({ nonEmpty: true }), containerName: str({ nonEmpty: true }),
    containerPort: PORT, advancedConfiguration: anyObject,
  }), { what: 'load balancers' }),
  serviceRegistries: arr(obj('ServiceRegistry', {
    registryArn: str({ nonEmpty: true }), port: PORT, containerName: str({ nonEmpty: true }), containerPort: PORT,
  }), { what: 'service registries' }),
  desiredCount: int({ min: 0, max: MAX_DESIRED_COUNT }),
  clientToken: str({ nonEmpty: true, max: 36 }),
  launchType: str({ enum: values(LaunchType) }),
  capacityProviderStrategy: arr(obj('CapacityProviderStrategyItem', {
    capacityProvider: str({ nonEmpty: true }), weight: int({ min: 0, max: 1000 }), base: int({ min: 0, max: 100000 }),
  }, ['capacityProvider']), { max: 20, what: 'capacity provider items' }),
  platformVersion: str({ nonEmpty: true }),
  role: str({ nonEmpty: true }),
  deploymentConfiguration: obj('DeploymentConfiguration', {
    deploymentCircuitBreaker: obj('DeploymentCircuitBreaker', {
      enable: bool, rollback: bool, resetOnHealthyTask: bool, thresholdConfiguration: anyObject,
    }, ['enable', 'rollback']),
    maximumPercent: int({ min: 0, max: INT32_MAX }),
    minimumHealthyPercent: int({ min: 0, max: INT32_MAX }),
    alarms: obj('DeploymentAlarms', { alarmNames: strings, rollback: bool, enable: bool }, ['alarmNames', 'rollback', 'enable']),
    strategy: str({ enum: values(DeploymentStrategy) }),
    bakeTimeInMinutes: int({ min: 0, max: INT32_MAX }),
    lifecycleHooks: arr(anyObject),
    linearConfiguration: anyObject,
    canaryConfiguration: anyObject,
    earlySuccessCriteria: anyObject,
  }),
  placementConstraints: arr(obj('PlacementConstraint', {
    type: str({ enum: values(PlacementConstraintType) }), expression: str({ max: 2000 }),
  }, ['type']), { max: MAX_PLACEMENT_CONSTRAINTS, what: 'placement constraints' }),
  placementStrategy: arr(obj('PlacementStrategy', {
    type: str({ enum: values(PlacementStrategyType) }), field: str({ nonEmpty: true }),
  }, ['type']), { max: MAX_PLACEMENT_STRATEGIES, what: 'placement strategies' }),
  networkConfiguration: obj('NetworkConfiguration', {
    awsvpcConfiguration: obj('AwsVpcConfiguration', {
      subnets: arr(str(), { min: 1, max: MAX_SUBNETS, what: 'subnet ids' }),
      securityGroups: arr(str(), { max: MAX_SECURITY_GROUPS, what: 'security group ids' }),
      assignPublicIp: str({ enum: values(AssignPublicIp) }),
    }, ['subnets']),
  }),
  healthCheckGracePeriodSeconds: int({ min: 0, max: INT32_MAX, note: '(seconds)' }),
  schedulingStrategy: str({ enum: values(SchedulingStrategy) }),
  deploymentController: obj('DeploymentController', { type: str({ enum: values(DeploymentControllerType) }) }, ['type']),
  tags: TAGS,
  enableECSManagedTags: bool,
  propagateTags: str({ enum: values(PropagateTags) }),
  enableExecuteCommand: bool,
  serviceConnectConfiguration: anyObject,
  volumeConfigurations: arr(anyObject),
  vpcLatticeConfigurations: arr(anyObject),
  monitoring: anyObject,
};

export const SERVICE = obj('CreateService', SERVICE_FIELDS, [], { service: 'this looks like describe-services output; use CreateService input fields instead' });

export interface ServiceDocumentValidation {
  issues: InputIssue[];
  warnings: string[];
  /** The document as CreateService input members (only meaningful when `issues` is empty). */
  normalized: Partial<CreateServiceCommandInput>;
}

/** The capacity providers that run tasks on Fargate; every other one is an Auto Scaling group's (EC2). */
export const FARGATE_PROVIDERS: ReadonlySet<string> = new Set(['FARGATE', 'FARGATE_SPOT']);

/**
 * Where a capacity provider strategy runs tasks: FARGATE when every provider is FARGATE or
 * FARGATE_SPOT, EC2 when none is, undefined when it mixes them (ECS refuses that) or is empty.
 */
export function strategyPlatform(strategy: unknown): 'FARGATE' | 'EC2' | undefined {
  if (!Array.isArray(strategy) || strategy.length === 0) return undefined;
  const names = strategy.map((item: unknown) => (isJsonObject(item) ? getOwn(item, 'capacityProvider') : undefined));
  if (names.some((n) => typeof n !== 'string')) return undefined;
  const fargate = names.filter((n) => FARGATE_PROVIDERS.has(n as string)).length;
  return fargate === names.length ? 'FARGATE' : fargate === 0 ? 'EC2' : undefined;
}

/**
 * Validates the optional `service create --document`: an object of CreateService input members.
 * `opts.launchType` is the launch type the command will send (from --launch-type).
 */
export function validateServiceDocument(value: JsonValue, source: string, opts: { launchType?: string } = {}): ServiceDocumentValidation {
  const issues: InputIssue[] = [];
  const warnings: string[] = [];
  if (!isJsonObject(value)) {
    issues.push(issue(undefined, `the service document must be a JSON object of CreateService fields (got ${describe(value)})`,
      'e.g. {"healthCheckGracePeriodSeconds": 60, "enableExecuteCommand": true}'));
    return { issues, warnings, normalized: {} };
  }
  issues.push(...shapeIssues(SERVICE, value));

  const docLaunchType = getOwn(value, 'launchType');
  const launchType = typeof docLaunchType === 'string' ? docLaunchType : typeof opts.launchType === 'string' ? opts.launchType.toUpperCase() : undefined;
  let ltSource = typeof docLaunchType === 'string' ? '"launchType" in the document is FARGATE' : '--launch-type is FARGATE';

  const cps = getOwn(value, 'capacityProviderStrategy');
  if (cps !== undefined && launchType !== undefined) {
    issues.push(issue('capacityProviderStrategy',
      `cannot be combined with a launch type (${typeof docLaunchType === 'string' ? '"launchType" in the document' : '--launch-type'} is ${launchType}); a service uses either a launch type or a capacity provider strategy`,
      typeof docLaunchType === 'string' ? 'remove "launchType" or "capacityProviderStrategy" from the document' : 'remove "capacityProviderStrategy" from the document'));
  }
  // A strategy of FARGATE/FARGATE_SPOT runs on Fargate, with Fargate's rules.
  let platform = launchType;
  if (launchType === undefined && Array.isArray(cps) && cps.length > 0) {
    platform = strategyPlatform(cps);
    ltSource = 'capacityProviderStrategy uses FARGATE/FARGATE_SPOT';
    const names = cps.map((c) => (isJsonObject(c) ? getOwn(c, 'capacityProvider') : undefined));
    if (platform === undefined && names.every((n) => typeof n === 'string')) {
      issues.push(issue('capacityProviderStrategy',
        `mixes Fargate capacity providers (FARGATE, FARGATE_SPOT) with Auto Scaling group ones (${names.filter((n) => !FARGATE_PROVIDERS.has(n as string)).map((n) => quote(n as string)).join(', ')}); ECS refuses a strategy that mixes them`,
        'use only FARGATE and FARGATE_SPOT, or only Auto Scaling group capacity providers'));
    }
  }

  if (platform === 'FARGATE') {
    for (const k of ['placementConstraints', 'placementStrategy'] as const) {
      const v = getOwn(value, k);
      if (Array.isArray(v) && v.length > 0) {
        issues.push(issue(k, `placement strategies and constraints are EC2-only (${ltSource})`, `remove "${k}"${launchType === undefined ? '' : ' or use --launch-type EC2'}`));
      }
    }
    if (getOwn(value, 'schedulingStrategy') === 'DAEMON') {
      issues.push(issue('schedulingStrategy', `"DAEMON" is not supported on Fargate (${ltSource}); use "REPLICA"`, 'remove "schedulingStrategy" or set it to "REPLICA"'));
    }
  }

  eachObject(value, 'placementConstraints', (pc, p) => {
    const type = getOwn(pc, 'type');
    const expr = getOwn(pc, 'expression');
    if (type === 'distinctInstance' && expr !== undefined) issues.push(issue(child(p, 'expression'), 'must be left out for "distinctInstance"', 'remove "expression"'));
    if (type === 'memberOf' && (typeof expr !== 'string' || expr.trim().length === 0)) {
      issues.push(issue(child(p, 'expression'), 'is required for "memberOf" (a cluster query language expression)', 'e.g. "attribute:ecs.instance-type =~ t3.*"'));
    }
  });
  eachObject(value, 'placementStrategy', (ps, p) => {
    const type = getOwn(ps, 'type');
    const field = getOwn(ps, 'field');
    if (type === 'random' && field !== undefined) issues.push(issue(child(p, 'field'), 'must be left out for "random"', 'remove "field"'));
    if (type === 'binpack' && field !== 'cpu' && field !== 'memory') {
      issues.push(issue(child(p, 'field'), `must be "cpu" or "memory" for "binpack"${field === undefined ? ' (it is missing)' : ` (got ${describe(field)})`}`));
    }
    if (type === 'spread') {
      if (typeof field !== 'string' || field.length === 0) {
        issues.push(issue(child(p, 'field'), 'is required for "spread": instanceId, host or attribute:NAME', 'e.g. "attribute:ecs.availability-zone"'));
      } else if (field !== 'instanceId' && field !== 'host' && !(field.startsWith('attribute:') && ATTRIBUTE_NAME_RE.test(field.slice(10)))) {
        issues.push(issue(child(p, 'field'), `${quote(field)} cannot be spread over; use instanceId, host or attribute:NAME`, 'e.g. "attribute:ecs.availability-zone"'));
      }
    }
  });

  const subnets = (() => {
    const nc = getOwn(value, 'networkConfiguration');
    const avc = isJsonObject(nc) ? getOwn(nc, 'awsvpcConfiguration') : undefined;
    return isJsonObject(avc) ? avc : undefined;
  })();
  if (subnets) {
    const base = 'networkConfiguration.awsvpcConfiguration';
    const sn = getOwn(subnets, 'subnets');
    if (Array.isArray(sn)) sn.forEach((s, i) => {
      if (typeof s === 'string' && !SUBNET_RE.test(s)) issues.push(issue(`${base}.subnets[${i}]`, `${quote(s)} is not a subnet id; expected subnet- followed by 8 or 17 lowercase hex digits`));
    });
    const sg = getOwn(subnets, 'securityGroups');
    if (Array.isArray(sg)) sg.forEach((s, i) => {
      if (typeof s === 'string' && !SG_RE.test(s)) issues.push(issue(`${base}.securityGroups[${i}]`, `${quote(s)} is not a security group id; expected sg- followed by 8 or 17 lowercase hex digits`));
    });
  }

  const name = getOwn(value, 'serviceName');
  if (typeof name === 'string' && name.length > 0) {
    const p = nameProblem(name, 'a service name');
    if (p) issues.push(issue('serviceName', p.message, p.fix));
  }

  eachObject(value, 'loadBalancers', (lb, p) => {
    if (getOwn(lb, 'targetGroupArn') === undefined && getOwn(lb, 'loadBalancerName') === undefined) {
      issues.push(issue(p, 'needs "targetGroupArn" (Application/Network Load Balancer) or "loadBalancerName" (Classic Load Balancer)'));
    }
  });


  return { issues, warnings, normalized: { ...value } as unknown as Partial<CreateServiceCommandInput> };
}

/** validateServiceDocument, throwing an InputError listing every issue. */
export function assertServiceDocument(value: JsonValue, source: string, opts: { launchType?: string } = {}): Partial<CreateServiceCommandInput> {
  const r = validateServiceDocument(value, source, opts);
  if (r.issues.length > 0) throw new InputError(source, r.issues);
  return r.normalized;
}
