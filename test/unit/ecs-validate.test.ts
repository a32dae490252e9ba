import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError, type InputIssue } from '../../src/errors.js';
import { FARGATE_CPU_VALUES, FARGATE_TABLE, describeFargateMemory, fargateCpuChoicesForMemory, fargateMemoryChoices, normalizeCpu, normalizeMemory } from '../../src/ecs/fargate.js';
import { assertTaskDefinition, validateServiceDocument, validateTaskDefinition, type JsonValue } from '../../src/ecs/validate.js';
import { findLiteralSecrets } from '../../src/ecs/secrets.js';
import { parsePlacementConstraint, parsePlacementStrategy, validateLaunchOptions, type LaunchOptionsInput } from '../../src/ecs/launch.js';
import { parseTaskDefinitionRef, validateClusterName, validateServiceName } from '../../src/ecs/names.js';

type Doc = { [key: string]: JsonValue };
type Overrides = { [key: string]: JsonValue | undefined };
const SRC = 'file json/task-definition.json';

function fargate(overrides: Doc = {}): Doc {
  return {
    family: 'demo-web',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'web', image: 'public.ecr.aws/nginx/nginx:stable-alpine', essential: true, portMappings: [{ containerPort: 80, protocol: 'tcp' }] }],
    ...overrides,
  };
}

function ec2(overrides: Doc = {}): Doc {
  return {
    family: 'demo-web',
    networkMode: 'bridge',
    requiresCompatibilities: ['EC2'],
    containerDefinitions: [{ name: 'web', image: 'nginx:latest', memoryReservation: 128, portMappings: [{ containerPort: 80, hostPort: 8080 }] }],
    ...overrides,
  };
}

function container(doc: Doc, i = 0): Doc {
  return (doc.containerDefinitions as Doc[])[i];
}

function text(i: InputIssue): string {
  return `${i.message} ${i.fix ?? ''}`;
}

/**
 * The one issue found: at `field`, its message + fix containing every fragment. Any other issue
 * fails the test (a document made wrong in one place must be reported in that place only).
 */
function expectIssue(issues: InputIssue[], field: string | undefined, ...fragments: string[]): InputIssue {
  expect(issues, `exactly one issue, at ${String(field)}; got ${JSON.stringify(issues, null, 1)}`).toHaveLength(1);
  const [only] = issues;
  expect(only.field, `the issue is at ${String(field)}: ${JSON.stringify(only)}`).toBe(field);
  for (const f of fragments) expect(text(only), `the issue says ${JSON.stringify(f)}`).toContain(f);
  return only;
}

/** An issue among several (for documents wrong in several places): at `field`, with every fragment. */
function expectIssueAmong(issues: InputIssue[], field: string | undefined, ...fragments: string[]): InputIssue {
  const match = issues.find((i) => i.field === field && fragments.every((f) => text(i).includes(f)));
  expect(match, `no issue at ${String(field)} with ${JSON.stringify(fragments)}; got ${JSON.stringify(issues, null, 1)}`).toBeDefined();
  return match!;
}

function issuesOf(doc: JsonValue, opts?: { launchType?: 'FARGATE' | 'EC2' }): InputIssue[] {
  return validateTaskDefinition(doc, SRC, opts).issues;
}

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

// -------------------------------------------------------------------------------------------------

describe('normalizeCpu / normalizeMemory', () => {
  it.each<[string | number, number | null]>([
    ['256', 256], [256, 256], ['1024', 1024], ['1 vCPU', 1024], ['0.25 vCPU', 256], ['.25 vCPU', 256],
    ['1vcpu', 1024], ['2 VCPU', 2048], ['16 vCPU', 16384], ['0.125 vcpu', 128],
    ['abc', null], ['0', null], ['-1', null], ['1.5', null], [0.5, null], [0, null], [-256, null],
    ['0.1 vCPU', null], ['1 GB', null], ['', null], ['1 vCPUs', null], ['vCPU', null],
  ])('normalizeCpu(%j) = %j', (input, expected) => {
    expect(normalizeCpu(input)).toBe(expected);
  });

  it.each<[string | number, number | null]>([
    ['512', 512], [512, 512], ['2 GB', 2048], ['2GB', 2048], ['0.5 GB', 512], ['1gb', 1024], ['120 GB', 122880],
    ['2 GiB', null], ['abc', null], ['0', null], ['', null], ['1.5', null], [1.5, null], ['0.0001 GB', null], ['512 MiB', null],
  ])('normalizeMemory(%j) = %j', (input, expected) => {
    expect(normalizeMemory(input)).toBe(expected);
  });
});

describe('Fargate table', () => {
  it('matches AWS\'s published table', () => {
    expect(FARGATE_TABLE[256]).toEqual([512, 1024, 2048]);
    expect(FARGATE_TABLE[512]).toEqual([1024, 2048, 3072, 4096]);
    expect(FARGATE_TABLE[1024]).toEqual([2048, 3072, 4096, 5120, 6144, 7168, 8192]);
    expect(FARGATE_TABLE[2048][0]).toBe(4096);
    expect(FARGATE_TABLE[2048].at(-1)).toBe(16384);
    expect(FARGATE_TABLE[2048]).toHaveLength(13);
    expect(FARGATE_TABLE[4096][0]).toBe(8192);
    expect(FARGATE_TABLE[4096].at(-1)).toBe(30720);
    expect(FARGATE_TABLE[4096]).toHaveLength(23);
    expect(FARGATE_TABLE[8192]).toEqual([16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440]);
    expect(FARGATE_TABLE[16384][0]).toBe(32768);
    expect(FARGATE_TABLE[16384].at(-1)).toBe(122880);
    expect(FARGATE_TABLE[16384]).toHaveLength(12);
    expect(Object.keys(FARGATE_TABLE).map(Number)).toEqual([...FARGATE_CPU_VALUES]);
  });

  it.each<[number | string, string]>([
    [256, '512, 1024 or 2048 MiB'],
    [512, '1024–4096 MiB in 1024 MiB steps'],
    [1024, '2048–8192 MiB in 1024 MiB steps'],
    [2048, '4096–16384 MiB in 1024 MiB steps'],
    [4096, '8192–30720 MiB in 1024 MiB steps'],
    [8192, '16384–61440 MiB in 4096 MiB steps'],
    [16384, '32768–122880 MiB in 8192 MiB steps'],
    ['0.25 vCPU', '512, 1024 or 2048 MiB'],
    [300, ''],
  ])('describeFargateMemory(%j) = %j', (cpu, expected) => {
    expect(describeFargateMemory(cpu)).toBe(expected);
  });

  it('fargateMemoryChoices accepts both forms and returns [] for non-Fargate cpu', () => {
    expect(fargateMemoryChoices('1 vCPU')).toEqual(FARGATE_TABLE[1024]);
    expect(fargateMemoryChoices(1024)).toEqual(FARGATE_TABLE[1024]);
    expect(fargateMemoryChoices(128)).toEqual([]);
    expect(fargateMemoryChoices('nonsense')).toEqual([]);
    expect(fargateCpuChoicesForMemory(4096)).toEqual([512, 1024, 2048]);
  });

  const validPairs = FARGATE_CPU_VALUES.flatMap((cpu) => FARGATE_TABLE[cpu].map((mem) => [cpu, mem] as const));
  it.each(validPairs)('cpu %i with memory %i is valid (number strings)', (cpu, mem) => {
    expect(issuesOf(fargate({ cpu: String(cpu), memory: String(mem) }))).toEqual([]);
  });
  it.each(validPairs)('cpu %i with memory %i is valid (vCPU / GB forms)', (cpu, mem) => {
    const r = validateTaskDefinition(fargate({ cpu: `${cpu / 1024} vCPU`, memory: `${mem / 1024} GB` }), SRC);
    expect(r.issues).toEqual([]);
    // AWS accepts both forms: the document keeps the strings as given.
    expect(r.normalized.cpu).toBe(`${cpu / 1024} vCPU`);
    expect(r.normalized.memory).toBe(`${mem / 1024} GB`);
  });

  // Invalid neighbours of every row: one step below the smallest, one step above the largest,
  // and (for the rows with coarse steps) a value between two allowed ones.
  const invalidPairs: [number, number][] = [];
  for (const cpu of FARGATE_CPU_VALUES) {
    const row = FARGATE_TABLE[cpu];
    const step = row[1] - row[0];
    if (row[0] - 1024 > 0) invalidPairs.push([cpu, row[0] - 1024]);
    invalidPairs.push([cpu, row[row.length - 1] + step]);
    if (step > 1024) invalidPairs.push([cpu, row[0] + 1024]);
  }
  invalidPairs.push([256, 1536], [256, 256]);
  it.each(invalidPairs)('cpu %i with memory %i is invalid; the message lists the valid memory', (cpu, mem) => {
    for (const [c, m] of [[String(cpu), String(mem)], [`${cpu / 1024} vCPU`, `${mem / 1024} GB`]]) {
      const issues = issuesOf(fargate({ cpu: c, memory: m }));
      expect(issues).toHaveLength(1);
      expectIssue(issues, 'memory', `cpu ${cpu}`, describeFargateMemory(cpu), 'Fargate');
    }
  });

  it('suggests the cpu values that allow the given memory', () => {
    expectIssue(issuesOf(fargate({ cpu: '256', memory: '4096' })), 'memory', 'use a cpu that allows 4096 MiB: 512, 1024 or 2048');
  });

  it.each(['128', '300', '32768', '3 vCPU', '196608'])('cpu %j is not a Fargate size; the message lists the valid cpu values', (cpu) => {
    expectIssue(issuesOf(fargate({ cpu })), 'cpu', '256, 512, 1024, 2048, 4096, 8192 or 16384', 'not a Fargate CPU size');
  });

  it.each(['abc', '1 GB', '1.5'])('cpu %j is not a CPU size at all', (cpu) => {
    expectIssue(issuesOf(fargate({ cpu })), 'cpu', 'not a CPU size', '256, 512');
  });

  it.each(['abc', '512 MiB', '2 GiB'])('memory %j is not a memory size; names the allowed forms and values', (memory) => {
    expectIssue(issuesOf(fargate({ memory })), 'memory', 'not a memory size', '"0.5 GB"', '512, 1024 or 2048 MiB');
  });

  it('requires cpu and memory on Fargate', () => {
    const doc = fargate();
    delete doc.cpu;
    delete doc.memory;
    const issues = issuesOf(doc);
    expect(issues.map((i) => i.field)).toEqual(['cpu', 'memory']);
    expectIssueAmong(issues, 'cpu', 'is missing', '256, 512, 1024');
    expectIssueAmong(issues, 'memory', 'is missing');
  });

  it('requires memory and names the choices for the given cpu', () => {
    const doc = fargate({ cpu: '1024' });
    delete doc.memory;
    expectIssue(issuesOf(doc), 'memory', 'is missing', '2048–8192 MiB in 1024 MiB steps');
  });

  it('applies the Fargate rules when the launch type is FARGATE even without requiresCompatibilities', () => {
    const doc = fargate({ cpu: '256', memory: '4096' });
    delete doc.requiresCompatibilities;
    expectIssue(issuesOf(doc, { launchType: 'FARGATE' }), 'memory', 'the launch type is FARGATE');
  });

  it('turns number cpu/memory into strings (the API type is a string)', () => {
    const r = validateTaskDefinition(fargate({ cpu: 512, memory: 1024 }), SRC);
    expect(r.issues).toEqual([]);
    expect(r.normalized.cpu).toBe('512');
    expect(r.normalized.memory).toBe('1024');
  });

  it('wants at least 1 vCPU for Windows on Fargate', () => {
    const doc = fargate({ runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE', cpuArchitecture: 'X86_64' } });
    expectIssue(issuesOf(doc), 'cpu', 'Windows', '1024');
  });
});

describe('validateTaskDefinition: document level', () => {
  it('accepts the default json/task-definition.json once the placeholder is filled in', () => {
    const raw = readFileSync(new URL('../../json/task-definition.json', import.meta.url), 'utf8');
    const doc = JSON.parse(raw.replaceAll('${ecsprimer:stack}', 'demo')) as JsonValue;
    const r = validateTaskDefinition(doc, SRC, { launchType: 'FARGATE' });
    expect(r.issues).toEqual([]);
    expect(r.warnings).toEqual([]);
    // Also valid if it ever runs on EC2 (memoryReservation is set on the container).
    expect(validateTaskDefinition(doc, SRC, { launchType: 'EC2' }).issues).toEqual([]);
  });

  it('reports an unfilled placeholder in the family clearly', () => {
    const raw = readFileSync(new URL('../../json/task-definition.json', import.meta.url), 'utf8');
    const issues = issuesOf(JSON.parse(raw) as JsonValue);
    expectIssue(issues, 'family', '"$"', 'placeholder', 'letters, digits, hyphens');
    expectIssue(issuesOf(fargate({ family: '<stack>-web' })), 'family', '"<"', '">"', 'placeholder');
  });

  it.each<[JsonValue, string]>([[null, 'null'], [[], 'an array'], ['x', 'the string "x"'], [3, 'the number 3']])('rejects a non-object document %j', (doc, got) => {
    expectIssue(issuesOf(doc), undefined, 'must be a JSON object', got);
  });

  it.each<[string, JsonValue | undefined, string, string[]]>([
    ['missing family', undefined, 'family', ['is missing', 'letters, digits, hyphens and underscores']],
    ['empty family', '', 'family', ['is empty', '1–255']],
    ['family with a space', 'my app', 'family', ['" "', '1–255 letters, digits, hyphens (-) and underscores (_)']],
    ['family with a dot', 'my.app', 'family', ['"."']],
    ['family too long', 'a'.repeat(256), 'family', ['256 characters', '1–255']],
    ['family not a string', 42, 'family', ['must be a string', 'the number 42']],
  ])('%s', (_name, family, field, fragments) => {
    const doc = fargate();
    if (family === undefined) delete doc.family;
    else doc.family = family;
    expectIssue(issuesOf(doc), field, ...fragments);
  });

  it('accepts a family of exactly 255 characters', () => {
    expect(issuesOf(fargate({ family: 'a'.repeat(255) }))).toEqual([]);
  });

  it('names unknown top-level keys and lists the RegisterTaskDefinition keys', () => {
    const i = expectIssue(issuesOf(fargate({ famly: 'x' })), 'famly', 'not a RegisterTaskDefinition field', 'Did you mean "family"?');
    for (const k of ['family', 'taskRoleArn', 'executionRoleArn', 'networkMode', 'containerDefinitions', 'volumes', 'placementConstraints',
      'requiresCompatibilities', 'cpu', 'memory', 'tags', 'pidMode', 'ipcMode', 'proxyConfiguration', 'inferenceAccelerators',
      'ephemeralStorage', 'runtimePlatform', 'enableFaultInjection']) {
      expect(i.message).toContain(k);
    }
  });

  it('explains describe-task-definition output keys', () => {
    const issues = issuesOf(fargate({ taskDefinitionArn: 'arn:...', revision: 3, status: 'ACTIVE' }));
    expect(issues.map((i) => i.field)).toEqual(['taskDefinitionArn', 'revision', 'status']);
    expectIssueAmong(issues, 'taskDefinitionArn', 'read-only output of describe-task-definition');
    expectIssueAmong(issues, 'revision', 'read-only');
    expectIssueAmong(issues, 'status', 'read-only');
    expectIssue(issuesOf({ taskDefinition: fargate() }), 'taskDefinition', 'use the object inside "taskDefinition"');
  });

  it('quotes odd keys in paths', () => {
    expectIssue(issuesOf(fargate({ 'bad key': 1 })), '["bad key"]', 'not a RegisterTaskDefinition field');
  });

  it.each<[string, Doc, string, string[]]>([
    ['networkMode not allowed', { networkMode: 'overlay' }, 'networkMode', ['awsvpc, bridge, host or none', '"overlay"']],
    ['networkMode wrong case', { networkMode: 'AWSVPC' }, 'networkMode', ['awsvpc, bridge, host or none', 'Write it as "awsvpc"']],
    ['requiresCompatibilities value', { requiresCompatibilities: ['FARGATE', 'LAMBDA'] }, 'requiresCompatibilities[1]', ['EC2, EXTERNAL, FARGATE or MANAGED_INSTANCES']],
    ['requiresCompatibilities not an array', { requiresCompatibilities: 'FARGATE' }, 'requiresCompatibilities', ['must be an array', 'Wrap the value in [ ]']],
    ['pidMode', { pidMode: 'container' }, 'pidMode', ['host or task']],
    ['tags type', { tags: [{ key: 1 }] }, 'tags[0].key', ['must be a string', 'the number 1']],
    ['tag key missing', { tags: [{ value: 'x' }] }, 'tags[0].key', ['is required']],
    ['ephemeralStorage range', { ephemeralStorage: { sizeInGiB: 10 } }, 'ephemeralStorage.sizeInGiB', ['from 21 to 200']],
    ['enableFaultInjection type', { enableFaultInjection: 'true' }, 'enableFaultInjection', ['true or false', 'without quotes']],
    ['volumes type', { volumes: {} }, 'volumes', ['must be an array']],
    ['runtimePlatform arch', { runtimePlatform: { cpuArchitecture: 'arm64' } }, 'runtimePlatform.cpuArchitecture', ['ARM64 or X86_64', 'Write it as "ARM64"']],
    ['proxyConfiguration containerName', { proxyConfiguration: { type: 'APPMESH' } }, 'proxyConfiguration.containerName', ['is required']],
  ])('types at the top level: %s', (_n, overrides, field, fragments) => {
    expectIssue(issuesOf(fargate(overrides)), field, ...fragments);
  });

  it.each<[string, string, boolean]>([
    ['executionRoleArn', 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole', true],
    ['executionRoleArn', 'arn:aws:iam::<account-id>:role/demo-exec', true],
    ['executionRoleArn', 'arn:aws-cn:iam::123456789012:role/service-role/demo', true],
    ['executionRoleArn', 'arn:aws-us-gov:iam::123456789012:role/a/b/c', true],
    ['executionRoleArn', 'ecsTaskExecutionRole', false],
    ['executionRoleArn', 'arn:aws:iam::12345:role/x', false],
    ['executionRoleArn', 'arn:aws:iam::123456789012:user/x', false],
    ['taskRoleArn', 'arn:aws:iam::123456789012:role/demo-task', true],
    ['taskRoleArn', 'demo-task', true],
    ['taskRoleArn', 'arn:aws:s3:::bucket', false],
    ['taskRoleArn', 'bad name with spaces', false],
  ])('%s %j valid=%s', (field, v, ok) => {
    const issues = issuesOf(fargate({ [field]: v }));
    if (ok) expect(issues).toEqual([]);
    else expectIssue(issues, field, 'is not an IAM role ARN', 'arn:aws:iam::ACCOUNT:role/NAME');
  });

  it('reports a document over 64 KiB with its measured size', () => {
    const doc = fargate();
    container(doc).command = ['echo', 'x'.repeat(70_000)];
    const size = Buffer.byteLength(JSON.stringify(doc));
    expectIssue(issuesOf(doc), undefined, `${size} bytes`, '65536 bytes (64 KiB)');
  });

  it('accepts a document of exactly 65,536 bytes and rejects 65,537', () => {
    const doc = fargate();
    container(doc).command = [''];
    const pad = 65_536 - Buffer.byteLength(JSON.stringify(doc));
    container(doc).command = ['x'.repeat(pad)];
    expect(Buffer.byteLength(JSON.stringify(doc))).toBe(65_536);
    expect(issuesOf(doc)).toEqual([]);
    container(doc).command = ['x'.repeat(pad + 1)];
    expectIssue(issuesOf(doc), undefined, '65537 bytes');
  });
});

describe('validateTaskDefinition: containers', () => {
  it.each<[string, (d: Doc) => void, string, string[]]>([
    ['missing containerDefinitions', (d) => { delete d.containerDefinitions; }, 'containerDefinitions', ['is missing', 'at least one container']],
    ['empty containerDefinitions', (d) => { d.containerDefinitions = []; }, 'containerDefinitions', ['is empty', 'at most 10']],
    ['containerDefinitions not an array', (d) => { d.containerDefinitions = { name: 'web', image: 'x' }; }, 'containerDefinitions', ['must be an array', 'Wrap the container in [ ]']],
    ['too many containers', (d) => {
      d.containerDefinitions = Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: 'nginx', essential: i === 0 }));
    }, 'containerDefinitions', ['has 11 containers', 'at most 10']],
    ['container not an object', (d) => { d.containerDefinitions = ['nginx']; }, 'containerDefinitions[0]', ['must be an object', 'ContainerDefinition']],
    ['missing name', (d) => { delete container(d).name; }, 'containerDefinitions[0].name', ['is missing', 'letters, digits, hyphens']],
    ['bad name', (d) => { container(d).name = 'web server'; }, 'containerDefinitions[0].name', ['" "', '1–255 letters, digits, hyphens (-) and underscores (_)']],
    ['name not a string', (d) => { container(d).name = ['web']; }, 'containerDefinitions[0].name', ['must be a string', 'an array']],
    ['missing image', (d) => { delete container(d).image; }, 'containerDefinitions[0].image', ['is missing', 'image']],
    ['empty image', (d) => { container(d).image = ''; }, 'containerDefinitions[0].image', ['is empty']],
    ['image with spaces', (d) => { container(d).image = 'nginx latest'; }, 'containerDefinitions[0].image', ['not a valid image reference', 'Remove the spaces']],
    ['image with a bad digest', (d) => { container(d).image = 'nginx@sha256:abc'; }, 'containerDefinitions[0].image', ['invalid digest', '64 hex digits']],
    ['image not a string', (d) => { container(d).image = 7; }, 'containerDefinitions[0].image', ['must be a string', 'the number 7']],
    ['essential not a boolean', (d) => { container(d).essential = 'yes'; }, 'containerDefinitions[0].essential', ['true or false', 'the string "yes"']],
    ['no essential container', (d) => { container(d).essential = false; }, 'containerDefinitions', ['no essential container', '"essential": true']],
    ['container cpu not an integer', (d) => { container(d).cpu = 1.5; }, 'containerDefinitions[0].cpu', ['whole number', '0 or more']],
    ['container memory as a string', (d) => { container(d).memory = '256'; }, 'containerDefinitions[0].memory', ['whole number', 'Write 256 without quotes']],
    ['container memory below 6 MiB', (d) => { container(d).memory = 4; }, 'containerDefinitions[0].memory', ['at least 6']],
    ['memoryReservation zero', (d) => { container(d).memoryReservation = 0; }, 'containerDefinitions[0].memoryReservation', ['at least 6']],
    ['memoryReservation above memory', (d) => { container(d).memory = 128; container(d).memoryReservation = 256; }, 'containerDefinitions[0].memoryReservation', ['256 MiB', '128 MiB', 'must not exceed memory']],
    ['container memory above task memory', (d) => { container(d).memory = 1024; }, 'containerDefinitions[0].memory', ['1024 MiB', "task's memory (512 MiB)"]],
    ['unknown container key', (d) => { container(d).portMapping = []; }, 'containerDefinitions[0].portMapping', ['not a ContainerDefinition field', 'Did you mean "portMappings"?']],
    ['environment not an array', (d) => { container(d).environment = { A: 'b' }; }, 'containerDefinitions[0].environment', ['must be an array', '"name"']],
    ['environment entry without name', (d) => { container(d).environment = [{ value: 'x' }]; }, 'containerDefinitions[0].environment[0].name', ['is required']],
    ['environment value not a string', (d) => { container(d).environment = [{ name: 'PORT', value: 80 }]; }, 'containerDefinitions[0].environment[0].value', ['must be a string', 'a number', 'double quotes']],
    ['environment unknown key', (d) => { container(d).environment = [{ name: 'A', val: 'x' }]; }, 'containerDefinitions[0].environment[0].val', ['not a KeyValuePair field', 'name, value']],
    ['secret without valueFrom', (d) => { container(d).secrets = [{ name: 'DB_PASSWORD' }]; }, 'containerDefinitions[0].secrets[0].valueFrom', ['is required']],
    ['secret valueFrom type', (d) => { container(d).secrets = [{ name: 'A', valueFrom: 1 }]; }, 'containerDefinitions[0].secrets[0].valueFrom', ['must be a string']],
    ['log driver', (d) => { container(d).logConfiguration = { logDriver: 'cloudwatch' }; }, 'containerDefinitions[0].logConfiguration.logDriver', ['awslogs', 'splunk']],
    ['healthCheck command', (d) => { container(d).healthCheck = { command: 'curl localhost' }; }, 'containerDefinitions[0].healthCheck.command', ['must be an array']],
    ['dockerLabels values', (d) => { container(d).dockerLabels = { a: 1 }; }, 'containerDefinitions[0].dockerLabels.a', ['must be a string']],
    ['privileged on Fargate', (d) => { container(d).privileged = true; }, 'containerDefinitions[0].privileged', ['not supported on Fargate']],
    ['awslogs on Fargate without execution role', (d) => {
      container(d).logConfiguration = { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' } };
    }, 'containerDefinitions[0].logConfiguration.logDriver', ['execution role', 'executionRoleArn']],
    ['private ECR image on Fargate without execution role', (d) => { container(d).image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1'; }, 'containerDefinitions[0].image', ['private ECR image', 'executionRoleArn']],
  ])('%s', (_name, mutate, field, fragments) => {
    const doc = fargate();
    mutate(doc);
    expectIssue(issuesOf(doc), field, ...fragments);
  });

  it('rejects duplicate container names and names the first one', () => {
    const doc = fargate();
    doc.containerDefinitions = [{ name: 'web', image: 'nginx' }, { name: 'sidecar', image: 'busybox' }, { name: 'web', image: 'busybox' }];
    expectIssue(issuesOf(doc), 'containerDefinitions[2].name', '"web"', 'containerDefinitions[0]', 'unique');
  });

  it('accepts memoryReservation equal to memory, and essential defaulting to true', () => {
    const doc = fargate();
    delete container(doc).essential;
    container(doc).memory = 256;
    container(doc).memoryReservation = 256;
    expect(issuesOf(doc)).toEqual([]);
  });

  it('checks the containers\' total reservation against the task size', () => {
    const doc = fargate();
    doc.containerDefinitions = [
      { name: 'a', image: 'nginx', memoryReservation: 300, cpu: 200 },
      { name: 'b', image: 'nginx', memory: 300, cpu: 100 },
    ];
    const issues = issuesOf(doc);
    expect(issues).toHaveLength(2);
    expectIssueAmong(issues, 'containerDefinitions', '600 MiB', 'only 512 MiB');
    expectIssueAmong(issues, 'containerDefinitions', '300 CPU units', 'only 256');
  });

  it('accepts well-formed optional container fields', () => {
    const doc = fargate({ executionRoleArn: 'arn:aws:iam::123456789012:role/exec' });
    Object.assign(container(doc), {
      cpu: 0,
      command: ['nginx', '-g', 'daemon off;'],
      environment: [{ name: 'MODE', value: 'prod' }],
      secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf' }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/demo' } },
      healthCheck: { command: ['CMD-SHELL', 'wget -q -O - http://localhost/ || exit 1'], interval: 30, retries: 3 },
      dockerLabels: { team: 'web' },
      ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
      dependsOn: [],
      stopTimeout: 30,
    });
    const r = validateTaskDefinition(doc, SRC);
    expect(r.issues).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});

describe('validateTaskDefinition: ports', () => {
  it.each<[string, Doc, JsonValue, string, string[]]>([
    ['containerPort 0', {}, { containerPort: 0 }, 'containerDefinitions[0].portMappings[0].containerPort', ['from 1 to 65535', 'got 0']],
    ['containerPort 65536', {}, { containerPort: 65536 }, 'containerDefinitions[0].portMappings[0].containerPort', ['from 1 to 65535']],
    ['containerPort as a string', {}, { containerPort: '80' }, 'containerDefinitions[0].portMappings[0].containerPort', ['whole number', 'Write 80 without quotes']],
    ['containerPort fraction', {}, { containerPort: 80.5 }, 'containerDefinitions[0].portMappings[0].containerPort', ['whole number']],
    ['containerPort missing', {}, { protocol: 'tcp' }, 'containerDefinitions[0].portMappings[0].containerPort', ['is missing', '1–65535']],
    ['protocol', {}, { containerPort: 80, protocol: 'http' }, 'containerDefinitions[0].portMappings[0].protocol', ['tcp or udp', '"http"']],
    ['protocol upper case', {}, { containerPort: 80, protocol: 'TCP' }, 'containerDefinitions[0].portMappings[0].protocol', ['tcp or udp', 'Write it as "tcp"']],
    ['hostPort out of range', {}, { containerPort: 80, hostPort: 70000 }, 'containerDefinitions[0].portMappings[0].hostPort', ['from 0 to 65535']],
    ['awsvpc hostPort differs', {}, { containerPort: 80, hostPort: 8080 }, 'containerDefinitions[0].portMappings[0].hostPort', ['8080', 'containerPort 80', 'awsvpc', 'must equal containerPort or be left out']],
    ['awsvpc hostPort 0', {}, { containerPort: 80, hostPort: 0 }, 'containerDefinitions[0].portMappings[0].hostPort', ['must equal containerPort']],
    ['host mode hostPort differs', { networkMode: 'host', requiresCompatibilities: ['EC2'] }, { containerPort: 80, hostPort: 81 }, 'containerDefinitions[0].portMappings[0].hostPort', ['networkMode "host"']],
    ['appProtocol', {}, { containerPort: 80, appProtocol: 'https' }, 'containerDefinitions[0].portMappings[0].appProtocol', ['grpc, http or http2']],
    ['unknown port mapping key', {}, { containerPort: 80, port: 80 }, 'containerDefinitions[0].portMappings[0].port', ['not a PortMapping field', 'containerPort']],
    ['containerPortRange', {}, { containerPortRange: '90-80' }, 'containerDefinitions[0].portMappings[0].containerPortRange', ['FROM-TO', '65535']],
    ['port mapping not an object', {}, 80, 'containerDefinitions[0].portMappings[0]', ['must be an object']],
  ])('%s', (_name, overrides, mapping, field, fragments) => {
    const doc = fargate(overrides);
    if (overrides.requiresCompatibilities) container(doc).memoryReservation = 128;
    container(doc).portMappings = [mapping];
    expectIssue(issuesOf(doc), field, ...fragments);
  });

  it.each<[string, Doc, JsonValue]>([
    ['awsvpc, hostPort absent', {}, { containerPort: 8080 }],
    ['awsvpc, hostPort equal', {}, { containerPort: 8080, hostPort: 8080, protocol: 'udp' }],
    ['bridge, dynamic hostPort 0', { networkMode: 'bridge' }, { containerPort: 80, hostPort: 0 }],
    ['bridge, other hostPort', { networkMode: 'bridge' }, { containerPort: 80, hostPort: 8080 }],
    ['container port range', {}, { containerPortRange: '8000-8010' }],
  ])('accepts %s', (_name, overrides, mapping) => {
    const doc = overrides.networkMode === 'bridge' ? ec2(overrides) : fargate(overrides);
    container(doc).portMappings = [mapping];
    expect(issuesOf(doc)).toEqual([]);
  });

  it('rejects port mappings with networkMode none', () => {
    const doc = ec2({ networkMode: 'none' });
    expectIssue(issuesOf(doc), 'containerDefinitions[0].portMappings', 'networkMode "none"');
  });
});

describe('validateTaskDefinition: Fargate task rules', () => {
  it.each<[string, Overrides, string, string[]]>([
    ['networkMode missing', { networkMode: undefined }, 'networkMode', ['is missing', 'Fargate requires "awsvpc"', 'default is "bridge"']],
    ['networkMode bridge', { networkMode: 'bridge' }, 'networkMode', ['"bridge"', 'Fargate requires "awsvpc"', 'requiresCompatibilities includes FARGATE']],
    ['placementConstraints', { placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }] }, 'placementConstraints', ['not supported on Fargate', 'Remove "placementConstraints"']],
    ['ipcMode', { ipcMode: 'task' }, 'ipcMode', ['not supported on Fargate']],
    ['pidMode host', { pidMode: 'host' }, 'pidMode', ['"task"']],
  ])('%s', (_name, overrides, field, fragments) => {
    const doc = fargate(overrides as Doc);
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete doc[k];
    expectIssue(issuesOf(doc), field, ...fragments);
  });
});

describe('validateTaskDefinition: EC2 rules', () => {
  it.each<[string, Overrides, { launchType?: 'FARGATE' | 'EC2' } | undefined, string]>([
    ['requiresCompatibilities EC2', { requiresCompatibilities: ['EC2'] }, undefined, 'requiresCompatibilities includes EC2'],
    ['launch type EC2', { requiresCompatibilities: undefined }, { launchType: 'EC2' }, 'the launch type is EC2'],
    ['the default', { requiresCompatibilities: undefined }, undefined, 'EC2 is the default'],
  ])('each container needs memory or memoryReservation (%s)', (_name, overrides, opts, why) => {
    const doc = ec2(overrides as Doc);
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete doc[k];
    delete container(doc).memoryReservation;
    expectIssue(issuesOf(doc, opts), 'containerDefinitions[0]', '"memory"', '"memoryReservation"', why, 'task-level "memory"');
  });

  it.each<[string, Doc]>([
    ['memory', { memory: 256 }],
    ['memoryReservation', { memoryReservation: 64 }],
  ])('a container with %s is fine', (_n, fields) => {
    const doc = ec2();
    delete container(doc).memoryReservation;
    Object.assign(container(doc), fields);
    expect(issuesOf(doc)).toEqual([]);
  });

  it('task-level memory replaces the container memory on EC2', () => {
    const doc = ec2({ memory: '1 GB', cpu: '1 vCPU' });
    delete container(doc).memoryReservation;
    expect(issuesOf(doc)).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['64', ['128 to 196608']],
    ['300000', ['128 to 196608']],
    ['lots', ['not a CPU size', '"1 vCPU"']],
  ])('task cpu %j on EC2', (cpu, fragments) => {
    expectIssue(issuesOf(ec2({ cpu })), 'cpu', ...fragments);
  });

  it('Fargate-only rules do not apply to EC2', () => {
    expect(issuesOf(ec2({ cpu: '300', memory: '700', placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }] }))).toEqual([]);
  });

  it('task definition placement constraints only allow memberOf with an expression', () => {
    const issues = issuesOf(ec2({ placementConstraints: [{ type: 'distinctInstance' }] }));
    expect(issues).toHaveLength(2);
    expectIssueAmong(issues, 'placementConstraints[0].type', 'memberOf');
    expectIssueAmong(issues, 'placementConstraints[0].expression', 'is required');
  });
});

describe('secret warnings', () => {
  const VALUE = 'hunter2-super-secret-value';
  it.each(['DB_PASSWORD', 'db_passwd', 'CLIENT_SECRET', 'GITHUB_TOKEN', 'STRIPE_API_KEY', 'SENDGRIDAPIKEY', 'SSH_PRIVATE_KEY', 'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY', 'GOOGLE_CREDENTIALS', 'apiKey'.toUpperCase()])('%s with a literal value is warned about, without the value', (name) => {
    const doc = fargate();
    container(doc).environment = [{ name: 'MODE', value: 'prod' }, { name, value: VALUE }];
    const r = validateTaskDefinition(doc, SRC);
    expect(r.issues).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    const w = r.warnings[0];
    expect(w).toContain(name);
    expect(w).toContain('"web"');
    expect(w).toContain('containerDefinitions[0].environment[1]');
    expect(w).toContain('secrets');
    expect(w).toContain('valueFrom');
    expect(w).toContain('Secrets Manager');
    expect(w).toContain('SSM Parameter Store');
    expect(w).not.toContain(VALUE);
    expect(w).not.toContain('hunter2');
  });

  it.each<[string, JsonValue]>([['MODE', 'prod'], ['DB_PASSWORD', ''], ['TOKEN_TTL', undefined as unknown as JsonValue]])('%s=%j is not warned about', (name, value) => {
    const doc = fargate();
    container(doc).environment = [value === undefined ? { name } : { name, value }];
    const r = validateTaskDefinition(doc, SRC);
    expect(r.warnings).toEqual([]);
  });

  it('findLiteralSecrets lists container, variable and path only', () => {
    const doc = fargate();
    doc.containerDefinitions = [
      { name: 'web', image: 'nginx', environment: [{ name: 'API_TOKEN', value: VALUE }] },
      { name: 'worker', image: 'nginx', essential: false, environment: [{ name: 'X', value: 'y' }, { name: 'db_password', value: VALUE }] },
    ];
    const found = findLiteralSecrets(doc);
    expect(found).toEqual([
      { container: 'web', containerIndex: 0, variable: 'API_TOKEN', path: 'containerDefinitions[0].environment[0]' },
      { container: 'worker', containerIndex: 1, variable: 'db_password', path: 'containerDefinitions[1].environment[1]' },
    ]);
    expect(JSON.stringify(found)).not.toContain(VALUE);
    expect(findLiteralSecrets(null)).toEqual([]);
    expect(findLiteralSecrets({ containerDefinitions: 'x' })).toEqual([]);
  });

  it('never prints environment values in errors either', () => {
    const doc = fargate();
    container(doc).environment = [{ name: 'DB_PASSWORD', value: 123456789 }];
    const r = validateTaskDefinition(doc, SRC);
    expect(JSON.stringify(r.issues)).not.toContain('123456789');
  });

  it('warns when secrets are used without an execution role', () => {
    const doc = fargate();
    container(doc).secrets = [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/db' }];
    const r = validateTaskDefinition(doc, SRC);
    expect(r.issues).toEqual([]);
    expect(r.warnings.join('\n')).toContain('executionRoleArn');
  });
});

describe('assertTaskDefinition', () => {
  it('throws an InputError naming the source and every issue', () => {
    const e = thrown(() => assertTaskDefinition(fargate({ family: '', memory: '4096' }), SRC));
    expect(e.source).toBe(SRC);
    expect(e.exitCode).toBe(2);
    expect(e.issues.map((i) => i.field)).toEqual(['family', 'memory']);
    expect(e.message).toContain(SRC);
    expect(e.message).toContain('memory: ');
  });
});

describe('placement parsing', () => {
  it.each<[string, ReturnType<typeof parsePlacementStrategy>]>([
    ['random', { type: 'random' }],
    ['RANDOM', { type: 'random' }],
    ['spread:attribute:ecs.availability-zone', { type: 'spread', field: 'attribute:ecs.availability-zone' }],
    ['spread:instanceId', { type: 'spread', field: 'instanceId' }],
    ['spread:instanceid', { type: 'spread', field: 'instanceId' }],
    ['spread:host', { type: 'spread', field: 'host' }],
    ['spread:attribute:custom/zone_1', { type: 'spread', field: 'attribute:custom/zone_1' }],
    ['binpack:memory', { type: 'binpack', field: 'memory' }],
    ['binpack:CPU', { type: 'binpack', field: 'cpu' }],
    [' spread:host ', { type: 'spread', field: 'host' }],
  ])('parsePlacementStrategy(%j)', (spec, expected) => {
    expect(parsePlacementStrategy(spec)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ['', ['is not a placement strategy']],
    ['pack', ['"pack"', 'unknown type']],
    ['random:cpu', ['random takes no field']],
    ['spread', ['missing the field']],
    ['spread:', ['missing the field']],
    ['spread:zone', ['"zone"', 'instanceId, host or attribute:NAME']],
    ['spread:attribute:', ['invalid attribute name']],
    ['spread:attribute:bad name', ['invalid attribute name']],
    ['binpack', ['missing the resource', 'cpu or memory']],
    ['binpack:disk', ['"disk"', 'cpu or memory']],
  ])('parsePlacementStrategy(%j) fails naming the value and the allowed forms', (spec, fragments) => {
    const e = thrown(() => parsePlacementStrategy(spec));
    expect(e.source).toBe('--placement-strategy');
    const msg = text(e.issues[0]);
    expect(msg).toContain(JSON.stringify(spec));
    expect(msg).toContain('random, spread:FIELD');
    expect(msg).toContain('binpack:cpu or binpack:memory');
    for (const f of fragments) expect(msg).toContain(f);
  });

  it.each<[string, ReturnType<typeof parsePlacementConstraint>]>([
    ['distinctInstance', { type: 'distinctInstance' }],
    ['distinctinstance', { type: 'distinctInstance' }],
    ['memberOf:attribute:ecs.instance-type =~ t3.*', { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }],
    ['memberOf:attribute:ecs.availability-zone in [us-east-1a, us-east-1b]', { type: 'memberOf', expression: 'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]' }],
  ])('parsePlacementConstraint(%j)', (spec, expected) => {
    expect(parsePlacementConstraint(spec)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ['', ['is not a placement constraint']],
    ['memberOf', ['missing the expression']],
    ['memberOf:', ['missing the expression']],
    ['memberOf:   ', ['missing the expression']],
    ['distinctInstance:x', ['takes no expression']],
    ['sameHost', ['"samehost"', 'unknown type']],
    [`memberOf:${'a'.repeat(2001)}`, ['2001 characters', 'at most 2000']],
  ])('parsePlacementConstraint(%j) fails naming the allowed forms', (spec, fragments) => {
    const e = thrown(() => parsePlacementConstraint(spec));
    expect(e.source).toBe('--placement-constraint');
    const msg = text(e.issues[0]);
    expect(msg).toContain('distinctInstance or memberOf:EXPRESSION');
    for (const f of fragments) expect(msg).toContain(f);
  });
});

describe('validateLaunchOptions', () => {
  const run = (o: Partial<LaunchOptionsInput>) => validateLaunchOptions({ command: 'run', ...o });
  const service = (o: Partial<LaunchOptionsInput>) => validateLaunchOptions({ command: 'service', ...o });

  it('defaults to FARGATE and normalizes the launch type', () => {
    expect(run({}).launchType).toBe('FARGATE');
    expect(run({ launchType: 'ec2' }).launchType).toBe('EC2');
    expect(run({ launchType: 'Fargate' }).launchType).toBe('FARGATE');
  });

  it.each(['EXTERNAL', 'lambda', '', 'MANAGED_INSTANCES'])('rejects launch type %j naming FARGATE and EC2', (lt) => {
    const e = thrown(() => run({ launchType: lt }));
    expect(e.source).toBe('--launch-type');
    expect(e.message).toContain('FARGATE or EC2');
  });

  it.each<[string | number, number]>([['1', 1], [10, 10], ['3', 3], [' 5 ', 5]])('--count %j', (count, n) => {
    expect(run({ count }).count).toBe(n);
  });
  it.each<[string | number]>([['0'], [11], ['-1'], ['two'], [2.5], ['1e1'], ['']])('--count %j is rejected with the range 1 to 10', (count) => {
    const e = thrown(() => run({ count }));
    expect(e.source).toBe('--count');
    expect(e.message).toContain('from 1 to 10');
  });

  it.each<[string | number, number]>([['0', 0], [5000, 5000], ['2', 2]])('--desired-count %j', (desiredCount, n) => {
    expect(service({ desiredCount }).desiredCount).toBe(n);
  });
  it.each<[string | number]>([['-1'], [5001], ['many'], [1.5]])('--desired-count %j is rejected with the range 0 to 5000', (desiredCount) => {
    const e = thrown(() => service({ desiredCount }));
    expect(e.source).toBe('--desired-count');
    expect(e.message).toContain('from 0 to 5000');
  });

  it('parses placement on EC2', () => {
    const r = run({ launchType: 'EC2', placementStrategies: ['spread:attribute:ecs.availability-zone', 'binpack:memory'], placementConstraints: ['distinctInstance'] });
    expect(r.strategies).toEqual([{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }]);
    expect(r.constraints).toEqual([{ type: 'distinctInstance' }]);
  });

  it.each<[Partial<LaunchOptionsInput>]>([
    [{ placementStrategies: ['random'] }],
    [{ placementConstraints: ['distinctInstance'] }],
    [{ launchType: 'fargate', placementStrategies: ['binpack:cpu'], placementConstraints: ['distinctInstance'] }],
  ])('placement with FARGATE is refused: %j', (o) => {
    const e = thrown(() => run(o));
    expect(e.message).toContain('placement strategies and constraints are EC2-only; remove them or use --launch-type EC2');
  });

  it('limits strategies to 5 and constraints to 10', () => {
    const e1 = thrown(() => run({ launchType: 'EC2', placementStrategies: Array(6).fill('random') }));
    expect(e1.message).toContain('at most 5');
    const e2 = thrown(() => run({ launchType: 'EC2', placementConstraints: Array(11).fill('distinctInstance') }));
    expect(e2.message).toContain('at most 10');
    expect(run({ launchType: 'EC2', placementStrategies: Array(5).fill('random'), placementConstraints: Array(10).fill('distinctInstance') }).strategies).toHaveLength(5);
  });

  it('reports a bad placement value under its option', () => {
    const e = thrown(() => run({ launchType: 'EC2', placementStrategies: ['binpack:disk'] }));
    expect(e.source).toBe('--placement-strategy');
    expect(e.message).toContain('"binpack:disk"');
  });

  it('accepts subnet and security group ids (also comma-separated)', () => {
    const r = run({ subnets: ['subnet-0123456789abcdef0,subnet-12345678'], securityGroups: ['sg-0123456789abcdef0'] });
    expect(r.subnets).toEqual(['subnet-0123456789abcdef0', 'subnet-12345678']);
    expect(r.securityGroups).toEqual(['sg-0123456789abcdef0']);
  });

  it.each<[Partial<LaunchOptionsInput>, string, string]>([
    [{ subnets: ['subnet-12345678', 'subnet-xyz'] }, '--subnets', '"subnet-xyz"'],
    [{ subnets: ['subnet-0123456789ABCDEF0'] }, '--subnets', 'lowercase hex'],
    [{ subnets: ['sg-12345678'] }, '--subnets', '"sg-12345678"'],
    [{ securityGroups: ['sg-1234'] }, '--security-groups', '"sg-1234"'],
    [{ securityGroups: ['subnet-12345678'] }, '--security-groups', '"subnet-12345678"'],
    [{ subnets: Array.from({ length: 17 }, (_, i) => `subnet-${(10_000_000 + i).toString(16).padStart(8, '0')}`) }, '--subnets', 'at most 16'],
    [{ securityGroups: Array.from({ length: 6 }, (_, i) => `sg-${(10_000_000 + i).toString(16).padStart(8, '0')}`) }, '--security-groups', 'at most 5'],
  ])('rejects %j', (o, source, fragment) => {
    const e = thrown(() => run(o));
    expect(e.source).toBe(source);
    expect(e.message).toContain(fragment);
  });

  it.each<[string, number]>([['1', 1], ['600', 600], ['86400', 86400]])('--wait-timeout %j', (waitTimeout, n) => {
    expect(run({ waitTimeout }).waitTimeoutSeconds).toBe(n);
  });
  it.each(['0', '86401', '10m', '-5', '1.5'])('--wait-timeout %j is rejected', (waitTimeout) => {
    const e = thrown(() => run({ waitTimeout }));
    expect(e.source).toBe('--wait-timeout');
    expect(e.message).toContain('from 1 to 86400');
  });

  it('does not blame placement on a launch type it could not read', () => {
    const e = thrown(() => run({ launchType: 'ECS', placementStrategies: ['random'] }));
    expect(e.source).toBe('--launch-type');
    expect(e.issues).toHaveLength(1);
  });

  it('lists problems with several options at once', () => {
    const e = thrown(() => run({ launchType: 'x', count: 0, waitTimeout: 'soon' }));
    expect(e.source).toBe('options');
    expect(e.issues.map((i) => i.field)).toEqual(['--launch-type', '--count', '--wait-timeout']);
  });
});

describe('parseTaskDefinitionRef', () => {
  it.each<[string, ReturnType<typeof parseTaskDefinitionRef>]>([
    ['demo-web', { family: 'demo-web' }],
    ['demo-web:3', { family: 'demo-web', revision: 3 }],
    ['arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:3',
      { family: 'demo-web', revision: 3, arn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:3' }],
    ['arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/x_y:12',
      { family: 'x_y', revision: 12, arn: 'arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/x_y:12' }],
  ])('%j', (v, expected) => {
    expect(parseTaskDefinitionRef(v, '--task-definition')).toEqual(expected);
  });

  it.each<[string, string]>([
    ['', 'is empty'],
    ['demo web', '" "'],
    ['demo:0', 'invalid revision'],
    ['demo:x', 'invalid revision'],
    ['demo:', 'invalid revision'],
    ['demo:1:2', 'invalid revision'],
    ['arn:aws:ecs:us-east-1:123456789012:task-definition/demo', 'has no revision'],
    ['arn:aws:ecs:us-east-1:1234:task-definition/demo:1', 'not a task definition ARN'],
    ['arn:aws:ecs:us-east-1:123456789012:service/demo:1', 'not a task definition ARN'],
    ['arn:aws:ecs:us-east-1:123456789012:task-definition/de.mo:1', '"."'],
  ])('%j is rejected', (v, fragment) => {
    const e = thrown(() => parseTaskDefinitionRef(v, '--task-definition'));
    expect(e.source).toBe('--task-definition');
    expect(e.message).toContain(fragment);
    expect(e.message).toContain('FAMILY:REVISION');
  });
});

describe('cluster and service names', () => {
  it.each(['demo', 'demo-cluster_1', 'A'.repeat(255)])('accepts %j', (v) => {
    expect(validateClusterName(v, '--cluster')).toBe(v);
    expect(validateServiceName(v, '--service')).toBe(v);
  });
  it.each<[string, string]>([['', 'is empty'], ['my cluster', '" "'], ['a/b', '"/"'], ['x'.repeat(256), '256 characters'], ['${ecsprimer:stack}', 'placeholder']])('rejects %j', (v, fragment) => {
    const e = thrown(() => validateClusterName(v, '--cluster'));
    expect(e.source).toBe('--cluster');
    expect(e.message).toContain(fragment);
    expect(e.message).toContain('1–255 letters, digits, hyphens (-) and underscores (_)');
    const s = thrown(() => validateServiceName(v, '--service'));
    expect(s.source).toBe('--service');
    expect(s.message).toContain('service name');
  });
});

describe('validateServiceDocument', () => {
  const SSRC = 'inline --document';
  it('accepts common CreateService fields', () => {
    const r = validateServiceDocument({
      healthCheckGracePeriodSeconds: 60,
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
      loadBalancers: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/abc', containerName: 'web', containerPort: 80 }],
      serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-abc' }],
      enableExecuteCommand: true,
      propagateTags: 'SERVICE',
      enableECSManagedTags: true,
      platformVersion: 'LATEST',
      tags: [{ key: 'team', value: 'web' }],
    }, SSRC, { launchType: 'FARGATE' });
    expect(r.issues).toEqual([]);
  });

  it.each<[string, JsonValue, { launchType?: string } | undefined, string | undefined, string[]]>([
    ['not an object', [], undefined, undefined, ['must be a JSON object of CreateService fields']],
    ['unknown key', { healthCheckGracePeriod: 60 }, undefined, 'healthCheckGracePeriod', ['not a CreateService field', 'Did you mean "healthCheckGracePeriodSeconds"?']],
    ['grace period type', { healthCheckGracePeriodSeconds: '60' }, undefined, 'healthCheckGracePeriodSeconds', ['whole number', 'Write 60 without quotes']],
    ['grace period negative', { healthCheckGracePeriodSeconds: -1 }, undefined, 'healthCheckGracePeriodSeconds', ['0 or more']],
    ['deploymentConfiguration type', { deploymentConfiguration: [] }, undefined, 'deploymentConfiguration', ['must be an object']],
    ['circuit breaker booleans', { deploymentConfiguration: { deploymentCircuitBreaker: { enable: 'yes', rollback: true } } }, undefined, 'deploymentConfiguration.deploymentCircuitBreaker.enable', ['true or false']],
    ['loadBalancers type', { loadBalancers: { containerName: 'web' } }, undefined, 'loadBalancers', ['must be an array', 'Wrap the value in [ ]']],
    ['loadBalancer port', { loadBalancers: [{ targetGroupArn: 'arn:x', containerName: 'web', containerPort: 0 }] }, undefined, 'loadBalancers[0].containerPort', ['from 1 to 65535']],
    ['loadBalancer target', { loadBalancers: [{ containerName: 'web', containerPort: 80 }] }, undefined, 'loadBalancers[0]', ['targetGroupArn', 'loadBalancerName']],
    ['serviceRegistries entry', { serviceRegistries: ['arn:x'] }, undefined, 'serviceRegistries[0]', ['must be an object']],
    ['enableExecuteCommand', { enableExecuteCommand: 1 }, undefined, 'enableExecuteCommand', ['true or false']],
    ['propagateTags', { propagateTags: 'ALL' }, undefined, 'propagateTags', ['NONE, SERVICE or TASK_DEFINITION']],
    ['enableECSManagedTags', { enableECSManagedTags: 'false' }, undefined, 'enableECSManagedTags', ['true or false', 'without quotes']],
    ['platformVersion', { platformVersion: 1.4 }, undefined, 'platformVersion', ['must be a string', 'double quotes']],
    ['capacityProviderStrategy vs --launch-type', { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }, { launchType: 'FARGATE' }, 'capacityProviderStrategy', ['launch type', '--launch-type is FARGATE', 'either a launch type or a capacity provider strategy']],
    ['capacityProviderStrategy vs launchType', { launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'cp' }] }, undefined, 'capacityProviderStrategy', ['"launchType" in the document']],
    ['capacityProvider missing', { capacityProviderStrategy: [{ weight: 1 }] }, undefined, 'capacityProviderStrategy[0].capacityProvider', ['is required']],
    ['placement on Fargate', { placementStrategy: [{ type: 'random' }] }, { launchType: 'FARGATE' }, 'placementStrategy', ['EC2-only']],
    ['binpack field', { placementStrategy: [{ type: 'binpack', field: 'disk' }] }, { launchType: 'EC2' }, 'placementStrategy[0].field', ['"cpu" or "memory"']],
    ['memberOf expression', { placementConstraints: [{ type: 'memberOf' }] }, { launchType: 'EC2' }, 'placementConstraints[0].expression', ['is required']],
    ['too many strategies', { placementStrategy: Array(6).fill({ type: 'random' }) }, { launchType: 'EC2' }, 'placementStrategy', ['at most 5']],
    ['DAEMON on Fargate', { schedulingStrategy: 'DAEMON' }, { launchType: 'FARGATE' }, 'schedulingStrategy', ['not supported on Fargate']],
    ['desiredCount range', { desiredCount: 5001 }, undefined, 'desiredCount', ['from 0 to 5000']],
    ['subnet id', { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-zz'] } } }, undefined, 'networkConfiguration.awsvpcConfiguration.subnets[0]', ['not a subnet id']],
    ['assignPublicIp', { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-12345678'], assignPublicIp: true } } }, undefined, 'networkConfiguration.awsvpcConfiguration.assignPublicIp', ['DISABLED or ENABLED']],
    ['serviceName', { serviceName: 'my service' }, undefined, 'serviceName', ['" "']],
  ])('%s', (_name, doc, opts, field, fragments) => {
    expectIssue(validateServiceDocument(doc, SSRC, opts).issues, field, ...fragments);
  });

  it('lists the CreateService members for unknown keys', () => {
    const i = expectIssue(validateServiceDocument({ foo: 1 }, SSRC).issues, 'foo', 'not a CreateService field');
    for (const k of ['healthCheckGracePeriodSeconds', 'deploymentConfiguration', 'loadBalancers', 'serviceRegistries', 'enableExecuteCommand',
      'propagateTags', 'enableECSManagedTags', 'platformVersion', 'capacityProviderStrategy']) {
      expect(i.message).toContain(k);
    }
  });

  it('accepts a capacity provider strategy when no launch type is sent', () => {
    expect(validateServiceDocument({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }] }, SSRC).issues).toEqual([]);
  });
});
