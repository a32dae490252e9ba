import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError, type InputIssue } from '../../src/errors.js';
import { FARGATE_CPU_VALUES, FARGATE_TABLE, describeFargateMemory, fargateCpuChoicesForMemory, fargateMemoryChoices, normalizeCpu, normalizeMemory } from '../../src/ecs/fargate.js';
import { assertTaskDefinition, strategyPlatform, validateServiceDocument, validateTaskDefinition, type JsonValue } from '../../src/ecs/validate.js';
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
  it.each<{ input: string | number; expected: number | null }>([
    { input: '256', expected: 256 }, { input: 256, expected: 256 }, { input: '1024', expected: 1024 }, { input: '1 vCPU', expected: 1024 }, { input: '0.25 vCPU', expected: 256 }, { input: '.25 vCPU', expected: 256 },
    { input: '1vcpu', expected: 1024 }, { input: '2 VCPU', expected: 2048 }, { input: '16 vCPU', expected: 16384 }, { input: '0.125 vcpu', expected: 128 },
    { input: 'abc', expected: null }, { input: '0', expected: null }, { input: '-1', expected: null }, { input: '1.5', expected: null }, { input: 0.5, expected: null }, { input: 0, expected: null }, { input: -256, expected: null },
    { input: '0.1 vCPU', expected: null }, { input: '1 GB', expected: null }, { input: '', expected: null }, { input: '1 vCPUs', expected: null }, { input: 'vCPU', expected: null },
  ])('normalizeCpu($input) = $expected', ({ input, expected }) => {
    expect(normalizeCpu(input)).toBe(expected);
  });

  it.each<{ input: string | number; expected: number | null }>([
    { input: '512', expected: 512 }, { input: 512, expected: 512 }, { input: '2 GB', expected: 2048 }, { input: '2GB', expected: 2048 }, { input: '0.5 GB', expected: 512 }, { input: '1gb', expected: 1024 }, { input: '120 GB', expected: 122880 },
    { input: '2 GiB', expected: null }, { input: 'abc', expected: null }, { input: '0', expected: null }, { input: '', expected: null }, { input: '1.5', expected: null }, { input: 1.5, expected: null }, { input: '0.0001 GB', expected: null }, { input: '512 MiB', expected: null },
  ])('normalizeMemory($input) = $expected', ({ input, expected }) => {
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

  it.each<{ cpu: number | string; expected: string }>([
    { cpu: 256, expected: '512, 1024 or 2048 MiB' },
    { cpu: 512, expected: '1024–4096 MiB in 1024 MiB steps' },
    { cpu: 1024, expected: '2048–8192 MiB in 1024 MiB steps' },
    { cpu: 2048, expected: '4096–16384 MiB in 1024 MiB steps' },
    { cpu: 4096, expected: '8192–30720 MiB in 1024 MiB steps' },
    { cpu: 8192, expected: '16384–61440 MiB in 4096 MiB steps' },
    { cpu: 16384, expected: '32768–122880 MiB in 8192 MiB steps' },
    { cpu: '0.25 vCPU', expected: '512, 1024 or 2048 MiB' },
    { cpu: 300, expected: '' },
  ])('describeFargateMemory($cpu) = $expected', ({ cpu, expected }) => {
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
    const filled = JSON.parse(raw.replaceAll('${ecsprimer:stack}', 'demo').replaceAll('${AWS::Region}', 'us-east-1')) as Record<string, JsonValue>;
    // It logs with awslogs, so it needs an execution role: task register adds the stack's.
    expectIssue(validateTaskDefinition(filled, SRC, { launchType: 'FARGATE' }).issues, 'containerDefinitions[0].logConfiguration.logDriver', 'needs a task execution role');
    const doc = { ...filled, executionRoleArn: 'arn:aws:iam::123456789012:role/ecsprimer/demo/demo-exec' } as JsonValue;
    const r = validateTaskDefinition(doc, SRC, { launchType: 'FARGATE' });
    expect(r.issues).toEqual([]);
    expect(r.warnings).toEqual([]);
    // Also valid if it ever runs on EC2 (memoryReservation is set on the container).
    expect(validateTaskDefinition(doc, SRC, { launchType: 'EC2' }).issues).toEqual([]);
  });

  it('reports an unfilled placeholder in the family clearly', () => {
    const raw = readFileSync(new URL('../../json/task-definition.json', import.meta.url), 'utf8');
    const issues = issuesOf({ ...(JSON.parse(raw) as Record<string, JsonValue>), executionRoleArn: 'arn:aws:iam::123456789012:role/x', containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128 }] });
    expectIssue(issues, 'family', '"$"', 'placeholder', 'letters, digits, hyphens');
    expectIssue(issuesOf(fargate({ family: '<stack>-web' })), 'family', '"<"', '">"', 'placeholder');
  });

  it.each<{ doc: JsonValue; got: string }>([{ doc: null, got: 'null' }, { doc: [], got: 'an array' }, { doc: 'x', got: 'the string "x"' }, { doc: 3, got: 'the number 3' }])('rejects a non-object document $doc', ({ doc, got }) => {
    expectIssue(issuesOf(doc), undefined, 'must be a JSON object', got);
  });

  it.each<{ name: string; family: JsonValue | undefined; field: string; fragments: string[] }>([
    { name: 'missing family', family: undefined, field: 'family', fragments: ['is missing', 'letters, digits, hyphens and underscores'] },
    { name: 'empty family', family: '', field: 'family', fragments: ['is empty', '1–255'] },
    { name: 'family with a space', family: 'my app', field: 'family', fragments: ['" "', '1–255 letters, digits, hyphens (-) and underscores (_)'] },
    { name: 'family with a dot', family: 'my.app', field: 'family', fragments: ['"."'] },
    { name: 'family too long', family: 'a'.repeat(256), field: 'family', fragments: ['256 characters', '1–255'] },
    { name: 'family not a string', family: 42, field: 'family', fragments: ['must be a string', 'the number 42'] },
  ])('$name', ({ family, field, fragments }) => {
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

  it.each<{ n: string; overrides: Doc; field: string; fragments: string[] }>([
    { n: 'networkMode not allowed', overrides: { networkMode: 'overlay' }, field: 'networkMode', fragments: ['awsvpc, bridge, host or none', '"overlay"'] },
    { n: 'networkMode wrong case', overrides: { networkMode: 'AWSVPC' }, field: 'networkMode', fragments: ['awsvpc, bridge, host or none', 'Write it as "awsvpc"'] },
    { n: 'requiresCompatibilities value', overrides: { requiresCompatibilities: ['FARGATE', 'LAMBDA'] }, field: 'requiresCompatibilities[1]', fragments: ['EC2, EXTERNAL, FARGATE or MANAGED_INSTANCES'] },
    { n: 'requiresCompatibilities not an array', overrides: { requiresCompatibilities: 'FARGATE' }, field: 'requiresCompatibilities', fragments: ['must be an array', 'Wrap the value in [ ]'] },
    { n: 'pidMode', overrides: { pidMode: 'container' }, field: 'pidMode', fragments: ['host or task'] },
    { n: 'tags type', overrides: { tags: [{ key: 1 }] }, field: 'tags[0].key', fragments: ['must be a string', 'the number 1'] },
    { n: 'tag key missing', overrides: { tags: [{ value: 'x' }] }, field: 'tags[0].key', fragments: ['is required'] },
    { n: 'ephemeralStorage range', overrides: { ephemeralStorage: { sizeInGiB: 10 } }, field: 'ephemeralStorage.sizeInGiB', fragments: ['from 21 to 200'] },
    { n: 'enableFaultInjection type', overrides: { enableFaultInjection: 'true' }, field: 'enableFaultInjection', fragments: ['true or false', 'without quotes'] },
    { n: 'volumes type', overrides: { volumes: {} }, field: 'volumes', fragments: ['must be an array'] },
    { n: 'runtimePlatform arch', overrides: { runtimePlatform: { cpuArchitecture: 'arm64' } }, field: 'runtimePlatform.cpuArchitecture', fragments: ['ARM64 or X86_64', 'Write it as "ARM64"'] },
    { n: 'proxyConfiguration containerName', overrides: { proxyConfiguration: { type: 'APPMESH' } }, field: 'proxyConfiguration.containerName', fragments: ['is required'] },
  ])('types at the top level: $n', ({ overrides, field, fragments }) => {
    expectIssue(issuesOf(fargate(overrides)), field, ...fragments);
  });

  it.each<{ field: string; v: string; ok: boolean }>([
    { field: 'executionRoleArn', v: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole', ok: true },
    { field: 'executionRoleArn', v: 'arn:aws:iam::<account-id>:role/demo-exec', ok: true },
    { field: 'executionRoleArn', v: 'arn:aws-cn:iam::123456789012:role/service-role/demo', ok: true },
    { field: 'executionRoleArn', v: 'arn:aws-us-gov:iam::123456789012:role/a/b/c', ok: true },
    { field: 'executionRoleArn', v: 'ecsTaskExecutionRole', ok: false },
    { field: 'executionRoleArn', v: 'arn:aws:iam::12345:role/x', ok: false },
    { field: 'executionRoleArn', v: 'arn:aws:iam::123456789012:user/x', ok: false },
    { field: 'taskRoleArn', v: 'arn:aws:iam::123456789012:role/demo-task', ok: true },
    { field: 'taskRoleArn', v: 'demo-task', ok: true },
    { field: 'taskRoleArn', v: 'arn:aws:s3:::bucket', ok: false },
    { field: 'taskRoleArn', v: 'bad name with spaces', ok: false },
  ])('$field $v valid=$ok', ({ field, v, ok }) => {
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
  it.each<{ name: string; mutate: (d: Doc) => void; field: string; fragments: string[] }>([
    { name: 'missing containerDefinitions', mutate: (d) => { delete d.containerDefinitions; }, field: 'containerDefinitions', fragments: ['is missing', 'at least one container'] },
    { name: 'empty containerDefinitions', mutate: (d) => { d.containerDefinitions = []; }, field: 'containerDefinitions', fragments: ['is empty', 'at most 10'] },
    { name: 'containerDefinitions not an array', mutate: (d) => { d.containerDefinitions = { name: 'web', image: 'x' }; }, field: 'containerDefinitions', fragments: ['must be an array', 'Wrap the container in [ ]'] },
    { name: 'too many containers', mutate: (d) => {
      d.containerDefinitions = Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: 'nginx', essential: i === 0 }));
    }, field: 'containerDefinitions', fragments: ['has 11 containers', 'at most 10'] },
    { name: 'container not an object', mutate: (d) => { d.containerDefinitions = ['nginx']; }, field: 'containerDefinitions[0]', fragments: ['must be an object', 'ContainerDefinition'] },
    { name: 'missing name', mutate: (d) => { delete container(d).name; }, field: 'containerDefinitions[0].name', fragments: ['is missing', 'letters, digits, hyphens'] },
    { name: 'bad name', mutate: (d) => { container(d).name = 'web server'; }, field: 'containerDefinitions[0].name', fragments: ['" "', '1–255 letters, digits, hyphens (-) and underscores (_)'] },
    { name: 'name not a string', mutate: (d) => { container(d).name = ['web']; }, field: 'containerDefinitions[0].name', fragments: ['must be a string', 'an array'] },
    { name: 'missing image', mutate: (d) => { delete container(d).image; }, field: 'containerDefinitions[0].image', fragments: ['is missing', 'image'] },
    { name: 'empty image', mutate: (d) => { container(d).image = ''; }, field: 'containerDefinitions[0].image', fragments: ['is empty'] },
    { name: 'image with spaces', mutate: (d) => { container(d).image = 'nginx latest'; }, field: 'containerDefinitions[0].image', fragments: ['not a valid image reference', 'Remove the spaces'] },
    { name: 'image with a bad digest', mutate: (d) => { container(d).image = 'nginx@sha256:abc'; }, field: 'containerDefinitions[0].image', fragments: ['invalid digest', '64 hex digits'] },
    { name: 'image not a string', mutate: (d) => { container(d).image = 7; }, field: 'containerDefinitions[0].image', fragments: ['must be a string', 'the number 7'] },
    { name: 'essential not a boolean', mutate: (d) => { container(d).essential = 'yes'; }, field: 'containerDefinitions[0].essential', fragments: ['true or false', 'the string "yes"'] },
    { name: 'no essential container', mutate: (d) => { container(d).essential = false; }, field: 'containerDefinitions', fragments: ['no essential container', '"essential": true'] },
    { name: 'container cpu not an integer', mutate: (d) => { container(d).cpu = 1.5; }, field: 'containerDefinitions[0].cpu', fragments: ['whole number', '0 or more'] },
    { name: 'container memory as a string', mutate: (d) => { container(d).memory = '256'; }, field: 'containerDefinitions[0].memory', fragments: ['whole number', 'Write 256 without quotes'] },
    { name: 'container memory below 6 MiB', mutate: (d) => { container(d).memory = 4; }, field: 'containerDefinitions[0].memory', fragments: ['at least 6'] },
    { name: 'memoryReservation zero', mutate: (d) => { container(d).memoryReservation = 0; }, field: 'containerDefinitions[0].memoryReservation', fragments: ['at least 6'] },
    { name: 'memoryReservation above memory', mutate: (d) => { container(d).memory = 128; container(d).memoryReservation = 256; }, field: 'containerDefinitions[0].memoryReservation', fragments: ['256 MiB', '128 MiB', 'must not exceed memory'] },
    { name: 'container memory above task memory', mutate: (d) => { container(d).memory = 1024; }, field: 'containerDefinitions[0].memory', fragments: ['1024 MiB', "task's memory (512 MiB)"] },
    { name: 'unknown container key', mutate: (d) => { container(d).portMapping = []; }, field: 'containerDefinitions[0].portMapping', fragments: ['not a ContainerDefinition field', 'Did you mean "portMappings"?'] },
    { name: 'environment not an array', mutate: (d) => { container(d).environment = { A: 'b' }; }, field: 'containerDefinitions[0].environment', fragments: ['must be an array', '"name"'] },
    { name: 'environment entry without name', mutate: (d) => { container(d).environment = [{ value: 'x' }]; }, field: 'containerDefinitions[0].environment[0].name', fragments: ['is required'] },
    { name: 'environment value not a string', mutate: (d) => { container(d).environment = [{ name: 'PORT', value: 80 }]; }, field: 'containerDefinitions[0].environment[0].value', fragments: ['must be a string', 'a number', 'double quotes'] },
    { name: 'environment unknown key', mutate: (d) => { container(d).environment = [{ name: 'A', val: 'x' }]; }, field: 'containerDefinitions[0].environment[0].val', fragments: ['not a KeyValuePair field', 'name, value'] },
    { name: 'secret without valueFrom', mutate: (d) => { container(d).secrets = [{ name: 'DB_PASSWORD' }]; }, field: 'containerDefinitions[0].secrets[0].valueFrom', fragments: ['is required'] },
    { name: 'secret valueFrom type', mutate: (d) => { container(d).secrets = [{ name: 'A', valueFrom: 1 }]; }, field: 'containerDefinitions[0].secrets[0].valueFrom', fragments: ['must be a string'] },
    { name: 'log driver', mutate: (d) => { container(d).logConfiguration = { logDriver: 'cloudwatch' }; }, field: 'containerDefinitions[0].logConfiguration.logDriver', fragments: ['awslogs', 'splunk'] },
    { name: 'healthCheck command', mutate: (d) => { container(d).healthCheck = { command: 'curl localhost' }; }, field: 'containerDefinitions[0].healthCheck.command', fragments: ['must be an array'] },
    { name: 'dockerLabels values', mutate: (d) => { container(d).dockerLabels = { a: 1 }; }, field: 'containerDefinitions[0].dockerLabels.a', fragments: ['must be a string'] },
    { name: 'privileged on Fargate', mutate: (d) => { container(d).privileged = true; }, field: 'containerDefinitions[0].privileged', fragments: ['not supported on Fargate'] },
    { name: 'awslogs on Fargate without execution role', mutate: (d) => {
      container(d).logConfiguration = { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' } };
    }, field: 'containerDefinitions[0].logConfiguration.logDriver', fragments: ['execution role', 'executionRoleArn'] },
    { name: 'private ECR image on Fargate without execution role', mutate: (d) => { container(d).image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1'; }, field: 'containerDefinitions[0].image', fragments: ['private ECR image', 'executionRoleArn'] },
  ])('$name', ({ mutate, field, fragments }) => {
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
  it.each<{ name: string; overrides: Doc; mapping: JsonValue; field: string; fragments: string[] }>([
    { name: 'containerPort 0', overrides: {}, mapping: { containerPort: 0 }, field: 'containerDefinitions[0].portMappings[0].containerPort', fragments: ['from 1 to 65535', 'got 0'] },
    { name: 'containerPort 65536', overrides: {}, mapping: { containerPort: 65536 }, field: 'containerDefinitions[0].portMappings[0].containerPort', fragments: ['from 1 to 65535'] },
    { name: 'containerPort as a string', overrides: {}, mapping: { containerPort: '80' }, field: 'containerDefinitions[0].portMappings[0].containerPort', fragments: ['whole number', 'Write 80 without quotes'] },
    { name: 'containerPort fraction', overrides: {}, mapping: { containerPort: 80.5 }, field: 'containerDefinitions[0].portMappings[0].containerPort', fragments: ['whole number'] },
    { name: 'containerPort missing', overrides: {}, mapping: { protocol: 'tcp' }, field: 'containerDefinitions[0].portMappings[0].containerPort', fragments: ['is missing', '1–65535'] },
    { name: 'protocol', overrides: {}, mapping: { containerPort: 80, protocol: 'http' }, field: 'containerDefinitions[0].portMappings[0].protocol', fragments: ['tcp or udp', '"http"'] },
    { name: 'protocol upper case', overrides: {}, mapping: { containerPort: 80, protocol: 'TCP' }, field: 'containerDefinitions[0].portMappings[0].protocol', fragments: ['tcp or udp', 'Write it as "tcp"'] },
    { name: 'hostPort out of range', overrides: {}, mapping: { containerPort: 80, hostPort: 70000 }, field: 'containerDefinitions[0].portMappings[0].hostPort', fragments: ['from 0 to 65535'] },
    { name: 'awsvpc hostPort differs', overrides: {}, mapping: { containerPort: 80, hostPort: 8080 }, field: 'containerDefinitions[0].portMappings[0].hostPort', fragments: ['8080', 'containerPort 80', 'awsvpc', 'must equal containerPort or be left out'] },
    { name: 'awsvpc hostPort 0', overrides: {}, mapping: { containerPort: 80, hostPort: 0 }, field: 'containerDefinitions[0].portMappings[0].hostPort', fragments: ['must equal containerPort'] },
    { name: 'host mode hostPort differs', overrides: { networkMode: 'host', requiresCompatibilities: ['EC2'] }, mapping: { containerPort: 80, hostPort: 81 }, field: 'containerDefinitions[0].portMappings[0].hostPort', fragments: ['networkMode "host"'] },
    { name: 'appProtocol', overrides: {}, mapping: { containerPort: 80, appProtocol: 'https' }, field: 'containerDefinitions[0].portMappings[0].appProtocol', fragments: ['grpc, http or http2'] },
    { name: 'unknown port mapping key', overrides: {}, mapping: { containerPort: 80, port: 80 }, field: 'containerDefinitions[0].portMappings[0].port', fragments: ['not a PortMapping field', 'containerPort'] },
    { name: 'containerPortRange', overrides: {}, mapping: { containerPortRange: '90-80' }, field: 'containerDefinitions[0].portMappings[0].containerPortRange', fragments: ['FROM-TO', '65535'] },
    { name: 'port mapping not an object', overrides: {}, mapping: 80, field: 'containerDefinitions[0].portMappings[0]', fragments: ['must be an object'] },
  ])('$name', ({ overrides, mapping, field, fragments }) => {
    const doc = fargate(overrides);
    if (overrides.requiresCompatibilities) container(doc).memoryReservation = 128;
    container(doc).portMappings = [mapping];
    expectIssue(issuesOf(doc), field, ...fragments);
  });

  it.each<{ name: string; overrides: Doc; mapping: JsonValue }>([
    { name: 'awsvpc, hostPort absent', overrides: {}, mapping: { containerPort: 8080 } },
    { name: 'awsvpc, hostPort equal', overrides: {}, mapping: { containerPort: 8080, hostPort: 8080, protocol: 'udp' } },
    { name: 'bridge, dynamic hostPort 0', overrides: { networkMode: 'bridge' }, mapping: { containerPort: 80, hostPort: 0 } },
    { name: 'bridge, other hostPort', overrides: { networkMode: 'bridge' }, mapping: { containerPort: 80, hostPort: 8080 } },
    { name: 'container port range', overrides: {}, mapping: { containerPortRange: '8000-8010' } },
  ])('accepts $name', ({ overrides, mapping }) => {
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
  it.each<{ name: string; overrides: Overrides; field: string; fragments: string[] }>([
    { name: 'networkMode missing', overrides: { networkMode: undefined }, field: 'networkMode', fragments: ['is missing', 'Fargate requires "awsvpc"', 'default is "bridge"'] },
    { name: 'networkMode bridge', overrides: { networkMode: 'bridge' }, field: 'networkMode', fragments: ['"bridge"', 'Fargate requires "awsvpc"', 'requiresCompatibilities includes FARGATE'] },
    { name: 'placementConstraints', overrides: { placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }] }, field: 'placementConstraints', fragments: ['not supported on Fargate', 'Remove "placementConstraints"'] },
    { name: 'ipcMode', overrides: { ipcMode: 'task' }, field: 'ipcMode', fragments: ['not supported on Fargate'] },
    { name: 'pidMode host', overrides: { pidMode: 'host' }, field: 'pidMode', fragments: ['"task"'] },
  ])('$name', ({ overrides, field, fragments }) => {
    const doc = fargate(overrides as Doc);
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete doc[k];
    expectIssue(issuesOf(doc), field, ...fragments);
  });
});

describe('validateTaskDefinition: EC2 rules', () => {
  it.each<{ name: string; overrides: Overrides; opts: { launchType?: 'FARGATE' | 'EC2' } | undefined; why: string }>([
    { name: 'requiresCompatibilities EC2', overrides: { requiresCompatibilities: ['EC2'] }, opts: undefined, why: 'requiresCompatibilities includes EC2' },
    { name: 'launch type EC2', overrides: { requiresCompatibilities: undefined }, opts: { launchType: 'EC2' }, why: 'the launch type is EC2' },
    { name: 'the default', overrides: { requiresCompatibilities: undefined }, opts: undefined, why: 'EC2 is the default' },
  ])('each container needs memory or memoryReservation ($name)', ({ overrides, opts, why }) => {
    const doc = ec2(overrides as Doc);
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete doc[k];
    delete container(doc).memoryReservation;
    expectIssue(issuesOf(doc, opts), 'containerDefinitions[0]', '"memory"', '"memoryReservation"', why, 'task-level "memory"');
  });

  it.each<{ n: string; fields: Doc }>([
    { n: 'memory', fields: { memory: 256 } },
    { n: 'memoryReservation', fields: { memoryReservation: 64 } },
  ])('a container with $n is fine', ({ fields }) => {
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

  it.each<{ cpu: string; fragments: string[] }>([
    { cpu: '64', fragments: ['128 to 196608'] },
    { cpu: '300000', fragments: ['128 to 196608'] },
    { cpu: 'lots', fragments: ['not a CPU size', '"1 vCPU"'] },
  ])('task cpu $cpu on EC2', ({ cpu, fragments }) => {
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
    expect(w).toContain(`task register --secret ${name}=NAME`);
    expect(w).toContain('ecsprimer secret create');
    expect(w).not.toContain(VALUE);
    expect(w).not.toContain('hunter2');
  });

  it.each<{ name: string; value: JsonValue }>([{ name: 'MODE', value: 'prod' }, { name: 'DB_PASSWORD', value: '' }, { name: 'TOKEN_TTL', value: undefined as unknown as JsonValue }])('$name=$value is not warned about', ({ name, value }) => {
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
  it.each<{ spec: string; expected: ReturnType<typeof parsePlacementStrategy> }>([
    { spec: 'random', expected: { type: 'random' } },
    { spec: 'RANDOM', expected: { type: 'random' } },
    { spec: 'spread:attribute:ecs.availability-zone', expected: { type: 'spread', field: 'attribute:ecs.availability-zone' } },
    { spec: 'spread:instanceId', expected: { type: 'spread', field: 'instanceId' } },
    { spec: 'spread:instanceid', expected: { type: 'spread', field: 'instanceId' } },
    { spec: 'spread:host', expected: { type: 'spread', field: 'host' } },
    { spec: 'spread:attribute:custom/zone_1', expected: { type: 'spread', field: 'attribute:custom/zone_1' } },
    { spec: 'binpack:memory', expected: { type: 'binpack', field: 'memory' } },
    { spec: 'binpack:CPU', expected: { type: 'binpack', field: 'cpu' } },
    { spec: ' spread:host ', expected: { type: 'spread', field: 'host' } },
  ])('parsePlacementStrategy($spec)', ({ spec, expected }) => {
    expect(parsePlacementStrategy(spec)).toEqual(expected);
  });

  it.each<{ spec: string; fragments: string[] }>([
    { spec: '', fragments: ['is not a placement strategy'] },
    { spec: 'pack', fragments: ['"pack"', 'unknown type'] },
    { spec: 'random:cpu', fragments: ['random takes no field'] },
    { spec: 'spread', fragments: ['missing the field'] },
    { spec: 'spread:', fragments: ['missing the field'] },
    { spec: 'spread:zone', fragments: ['"zone"', 'instanceId, host or attribute:NAME'] },
    { spec: 'spread:attribute:', fragments: ['invalid attribute name'] },
    { spec: 'spread:attribute:bad name', fragments: ['invalid attribute name'] },
    { spec: 'binpack', fragments: ['missing the resource', 'cpu or memory'] },
    { spec: 'binpack:disk', fragments: ['"disk"', 'cpu or memory'] },
  ])('parsePlacementStrategy($spec) fails naming the value and the allowed forms', ({ spec, fragments }) => {
    const e = thrown(() => parsePlacementStrategy(spec));
    expect(e.source).toBe('--placement-strategy');
    const msg = text(e.issues[0]);
    expect(msg).toContain(JSON.stringify(spec));
    expect(msg).toContain('random, spread:FIELD');
    expect(msg).toContain('binpack:cpu or binpack:memory');
    for (const f of fragments) expect(msg).toContain(f);
  });

  it.each<{ spec: string; expected: ReturnType<typeof parsePlacementConstraint> }>([
    { spec: 'distinctInstance', expected: { type: 'distinctInstance' } },
    { spec: 'distinctinstance', expected: { type: 'distinctInstance' } },
    { spec: 'memberOf:attribute:ecs.instance-type =~ t3.*', expected: { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' } },
    { spec: 'memberOf:attribute:ecs.availability-zone in [us-east-1a, us-east-1b]', expected: { type: 'memberOf', expression: 'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]' } },
  ])('parsePlacementConstraint($spec)', ({ spec, expected }) => {
    expect(parsePlacementConstraint(spec)).toEqual(expected);
  });

  it.each<{ spec: string; fragments: string[] }>([
    { spec: '', fragments: ['is not a placement constraint'] },
    { spec: 'memberOf', fragments: ['missing the expression'] },
    { spec: 'memberOf:', fragments: ['missing the expression'] },
    { spec: 'memberOf:   ', fragments: ['missing the expression'] },
    { spec: 'distinctInstance:x', fragments: ['takes no expression'] },
    { spec: 'sameHost', fragments: ['"samehost"', 'unknown type'] },
    { spec: `memberOf:${'a'.repeat(2001)}`, fragments: ['2001 characters', 'at most 2000'] },
  ])('parsePlacementConstraint($spec) fails naming the allowed forms', ({ spec, fragments }) => {
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

  it.each<{ count: string | number; n: number }>([{ count: '1', n: 1 }, { count: 10, n: 10 }, { count: '3', n: 3 }, { count: ' 5 ', n: 5 }])('--count $count', ({ count, n }) => {
    expect(run({ count }).count).toBe(n);
  });
  it.each<{ count: string | number }>([{ count: '0' }, { count: 11 }, { count: '-1' }, { count: 'two' }, { count: 2.5 }, { count: '1e1' }, { count: '' }])('--count $count is rejected with the range 1 to 10', ({ count }) => {
    const e = thrown(() => run({ count }));
    expect(e.source).toBe('--count');
    expect(e.message).toContain('from 1 to 10');
  });

  it.each<{ desiredCount: string | number; n: number }>([{ desiredCount: '0', n: 0 }, { desiredCount: 5000, n: 5000 }, { desiredCount: '2', n: 2 }])('--desired-count $desiredCount', ({ desiredCount, n }) => {
    expect(service({ desiredCount }).desiredCount).toBe(n);
  });
  it.each<{ desiredCount: string | number }>([{ desiredCount: '-1' }, { desiredCount: 5001 }, { desiredCount: 'many' }, { desiredCount: 1.5 }])('--desired-count $desiredCount is rejected with the range 0 to 5000', ({ desiredCount }) => {
    const e = thrown(() => service({ desiredCount }));
    expect(e.source).toBe('--desired-count');
    expect(e.message).toContain('from 0 to 5000');
  });

  it('parses placement on EC2', () => {
    const r = run({ launchType: 'EC2', placementStrategies: ['spread:attribute:ecs.availability-zone', 'binpack:memory'], placementConstraints: ['distinctInstance'] });
    expect(r.strategies).toEqual([{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }]);
    expect(r.constraints).toEqual([{ type: 'distinctInstance' }]);
  });

  it.each<{ o: Partial<LaunchOptionsInput> }>([
    { o: { placementStrategies: ['random'] } },
    { o: { placementConstraints: ['distinctInstance'] } },
    { o: { launchType: 'fargate', placementStrategies: ['binpack:cpu'], placementConstraints: ['distinctInstance'] } },
  ])('placement with FARGATE is refused: $o', ({ o }) => {
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

  it.each<{ o: Partial<LaunchOptionsInput>; source: string; fragment: string }>([
    { o: { subnets: ['subnet-12345678', 'subnet-xyz'] }, source: '--subnets', fragment: '"subnet-xyz"' },
    { o: { subnets: ['subnet-0123456789ABCDEF0'] }, source: '--subnets', fragment: 'lowercase hex' },
    { o: { subnets: ['sg-12345678'] }, source: '--subnets', fragment: '"sg-12345678"' },
    { o: { securityGroups: ['sg-1234'] }, source: '--security-groups', fragment: '"sg-1234"' },
    { o: { securityGroups: ['subnet-12345678'] }, source: '--security-groups', fragment: '"subnet-12345678"' },
    { o: { subnets: Array.from({ length: 17 }, (_, i) => `subnet-${(10_000_000 + i).toString(16).padStart(8, '0')}`) }, source: '--subnets', fragment: 'at most 16' },
    { o: { securityGroups: Array.from({ length: 6 }, (_, i) => `sg-${(10_000_000 + i).toString(16).padStart(8, '0')}`) }, source: '--security-groups', fragment: 'at most 5' },
  ])('rejects $o', ({ o, source, fragment }) => {
    const e = thrown(() => run(o));
    expect(e.source).toBe(source);
    expect(e.message).toContain(fragment);
  });

  it.each<{ waitTimeout: string; n: number }>([{ waitTimeout: '1', n: 1 }, { waitTimeout: '600', n: 600 }, { waitTimeout: '86400', n: 86400 }])('--wait-timeout $waitTimeout', ({ waitTimeout, n }) => {
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
  it.each<{ v: string; expected: ReturnType<typeof parseTaskDefinitionRef> }>([
    { v: 'demo-web', expected: { family: 'demo-web' } },
    { v: 'demo-web:3', expected: { family: 'demo-web', revision: 3 } },
    { v: 'arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:3', expected: { family: 'demo-web', revision: 3, arn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:3' } },
    { v: 'arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/x_y:12', expected: { family: 'x_y', revision: 12, arn: 'arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/x_y:12' } },
  ])('$v', ({ v, expected }) => {
    expect(parseTaskDefinitionRef(v, '--task-definition')).toEqual(expected);
  });

  it.each<{ v: string; fragment: string }>([
    { v: '', fragment: 'is empty' },
    { v: 'demo web', fragment: '" "' },
    { v: 'demo:0', fragment: 'invalid revision' },
    { v: 'demo:x', fragment: 'invalid revision' },
    { v: 'demo:', fragment: 'invalid revision' },
    { v: 'demo:1:2', fragment: 'invalid revision' },
    { v: 'arn:aws:ecs:us-east-1:123456789012:task-definition/demo', fragment: 'has no revision' },
    { v: 'arn:aws:ecs:us-east-1:1234:task-definition/demo:1', fragment: 'not a task definition ARN' },
    { v: 'arn:aws:ecs:us-east-1:123456789012:service/demo:1', fragment: 'not a task definition ARN' },
    { v: 'arn:aws:ecs:us-east-1:123456789012:task-definition/de.mo:1', fragment: '"."' },
  ])('$v is rejected', ({ v, fragment }) => {
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
  it.each<{ v: string; fragment: string }>([{ v: '', fragment: 'is empty' }, { v: 'my cluster', fragment: '" "' }, { v: 'a/b', fragment: '"/"' }, { v: 'x'.repeat(256), fragment: '256 characters' }, { v: '${ecsprimer:stack}', fragment: 'placeholder' }])('rejects $v', ({ v, fragment }) => {
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

  it.each<{ name: string; doc: JsonValue; opts: { launchType?: string } | undefined; field: string | undefined; fragments: string[] }>([
    { name: 'not an object', doc: [], opts: undefined, field: undefined, fragments: ['must be a JSON object of CreateService fields'] },
    { name: 'unknown key', doc: { healthCheckGracePeriod: 60 }, opts: undefined, field: 'healthCheckGracePeriod', fragments: ['not a CreateService field', 'Did you mean "healthCheckGracePeriodSeconds"?'] },
    { name: 'grace period type', doc: { healthCheckGracePeriodSeconds: '60' }, opts: undefined, field: 'healthCheckGracePeriodSeconds', fragments: ['whole number', 'Write 60 without quotes'] },
    { name: 'grace period negative', doc: { healthCheckGracePeriodSeconds: -1 }, opts: undefined, field: 'healthCheckGracePeriodSeconds', fragments: ['0 or more'] },
    { name: 'deploymentConfiguration type', doc: { deploymentConfiguration: [] }, opts: undefined, field: 'deploymentConfiguration', fragments: ['must be an object'] },
    { name: 'circuit breaker booleans', doc: { deploymentConfiguration: { deploymentCircuitBreaker: { enable: 'yes', rollback: true } } }, opts: undefined, field: 'deploymentConfiguration.deploymentCircuitBreaker.enable', fragments: ['true or false'] },
    { name: 'loadBalancers type', doc: { loadBalancers: { containerName: 'web' } }, opts: undefined, field: 'loadBalancers', fragments: ['must be an array', 'Wrap the value in [ ]'] },
    { name: 'loadBalancer port', doc: { loadBalancers: [{ targetGroupArn: 'arn:x', containerName: 'web', containerPort: 0 }] }, opts: undefined, field: 'loadBalancers[0].containerPort', fragments: ['from 1 to 65535'] },
    { name: 'loadBalancer target', doc: { loadBalancers: [{ containerName: 'web', containerPort: 80 }] }, opts: undefined, field: 'loadBalancers[0]', fragments: ['targetGroupArn', 'loadBalancerName'] },
    { name: 'serviceRegistries entry', doc: { serviceRegistries: ['arn:x'] }, opts: undefined, field: 'serviceRegistries[0]', fragments: ['must be an object'] },
    { name: 'enableExecuteCommand', doc: { enableExecuteCommand: 1 }, opts: undefined, field: 'enableExecuteCommand', fragments: ['true or false'] },
    { name: 'propagateTags', doc: { propagateTags: 'ALL' }, opts: undefined, field: 'propagateTags', fragments: ['NONE, SERVICE or TASK_DEFINITION'] },
    { name: 'enableECSManagedTags', doc: { enableECSManagedTags: 'false' }, opts: undefined, field: 'enableECSManagedTags', fragments: ['true or false', 'without quotes'] },
    { name: 'platformVersion', doc: { platformVersion: 1.4 }, opts: undefined, field: 'platformVersion', fragments: ['must be a string', 'double quotes'] },
    { name: 'capacityProviderStrategy vs --launch-type', doc: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }, opts: { launchType: 'FARGATE' }, field: 'capacityProviderStrategy', fragments: ['launch type', '--launch-type is FARGATE', 'either a launch type or a capacity provider strategy'] },
    { name: 'capacityProviderStrategy vs launchType', doc: { launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'cp' }] }, opts: undefined, field: 'capacityProviderStrategy', fragments: ['"launchType" in the document'] },
    { name: 'capacityProvider missing', doc: { capacityProviderStrategy: [{ weight: 1 }] }, opts: undefined, field: 'capacityProviderStrategy[0].capacityProvider', fragments: ['is required'] },
    { name: 'placement on Fargate', doc: { placementStrategy: [{ type: 'random' }] }, opts: { launchType: 'FARGATE' }, field: 'placementStrategy', fragments: ['EC2-only'] },
    { name: 'placement with a FARGATE_SPOT strategy', doc: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], placementConstraints: [{ type: 'distinctInstance' }] }, opts: undefined, field: 'placementConstraints', fragments: ['EC2-only', 'capacityProviderStrategy uses FARGATE/FARGATE_SPOT'] },
    { name: 'DAEMON with a FARGATE strategy', doc: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }, { capacityProvider: 'FARGATE_SPOT' }], schedulingStrategy: 'DAEMON' }, opts: undefined, field: 'schedulingStrategy', fragments: ['not supported on Fargate (capacityProviderStrategy uses FARGATE/FARGATE_SPOT)'] },
    { name: 'strategy mixing Fargate and Auto Scaling group providers', doc: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }, { capacityProvider: 'my-asg' }] }, opts: undefined, field: 'capacityProviderStrategy', fragments: ['mixes Fargate capacity providers', '"my-asg"', 'Use only FARGATE and FARGATE_SPOT'] },
    { name: 'binpack field', doc: { placementStrategy: [{ type: 'binpack', field: 'disk' }] }, opts: { launchType: 'EC2' }, field: 'placementStrategy[0].field', fragments: ['"cpu" or "memory"'] },
    { name: 'memberOf expression', doc: { placementConstraints: [{ type: 'memberOf' }] }, opts: { launchType: 'EC2' }, field: 'placementConstraints[0].expression', fragments: ['is required'] },
    { name: 'too many strategies', doc: { placementStrategy: Array(6).fill({ type: 'random' }) }, opts: { launchType: 'EC2' }, field: 'placementStrategy', fragments: ['at most 5'] },
    { name: 'DAEMON on Fargate', doc: { schedulingStrategy: 'DAEMON' }, opts: { launchType: 'FARGATE' }, field: 'schedulingStrategy', fragments: ['not supported on Fargate'] },
    { name: 'desiredCount range', doc: { desiredCount: 5001 }, opts: undefined, field: 'desiredCount', fragments: ['from 0 to 5000'] },
    { name: 'subnet id', doc: { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-zz'] } } }, opts: undefined, field: 'networkConfiguration.awsvpcConfiguration.subnets[0]', fragments: ['not a subnet id'] },
    { name: 'assignPublicIp', doc: { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-12345678'], assignPublicIp: true } } }, opts: undefined, field: 'networkConfiguration.awsvpcConfiguration.assignPublicIp', fragments: ['DISABLED or ENABLED'] },
    { name: 'serviceName', doc: { serviceName: 'my service' }, opts: undefined, field: 'serviceName', fragments: ['" "'] },
  ])('$name', ({ doc, opts, field, fragments }) => {
    expectIssue(validateServiceDocument(doc, SSRC, opts).issues, field, ...fragments);
  });

  it('lists the CreateService members for unknown keys', () => {
    const i = expectIssue(validateServiceDocument({ foo: 1 }, SSRC).issues, 'foo', 'not a CreateService field');
    for (const k of ['healthCheckGracePeriodSeconds', 'deploymentConfiguration', 'loadBalancers', 'serviceRegistries', 'enableExecuteCommand',
      'propagateTags', 'enableECSManagedTags', 'platformVersion', 'capacityProviderStrategy']) {
      expect(i.message).toContain(k);
    }
  });

  it('an Auto Scaling group strategy runs on EC2: placement is accepted', () => {
    expect(validateServiceDocument({ capacityProviderStrategy: [{ capacityProvider: 'my-asg', weight: 1 }], placementStrategy: [{ type: 'binpack', field: 'memory' }] }, SSRC).issues).toEqual([]);
  });

  it.each([
    { strategy: [{ capacityProvider: 'FARGATE' }], runsOn: 'FARGATE' },
    { strategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 3 }, { capacityProvider: 'FARGATE', base: 1 }], runsOn: 'FARGATE' },
    { strategy: [{ capacityProvider: 'asg-a' }, { capacityProvider: 'asg-b' }], runsOn: 'EC2' },
    { strategy: [{ capacityProvider: 'FARGATE' }, { capacityProvider: 'asg-a' }], runsOn: undefined },
    { strategy: [], runsOn: undefined },
    { strategy: undefined, runsOn: undefined },
  ])('strategyPlatform($strategy) is $runsOn', ({ strategy, runsOn }) => {
    expect(strategyPlatform(strategy)).toBe(runsOn);
  });

  it('accepts a capacity provider strategy when no launch type is sent', () => {
    expect(validateServiceDocument({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }] }, SSRC).issues).toEqual([]);
  });
});
