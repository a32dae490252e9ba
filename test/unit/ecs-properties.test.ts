/**
 * Property tests: for any JSON value and any string, the ECS validators and parsers return a
 * result or throw InputError/UsageError — never anything else, and never hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/errors.js';
import { findLiteralSecrets } from '../../src/ecs/secrets.js';
import { normalizeCpu, normalizeMemory } from '../../src/ecs/fargate.js';
import { parsePlacementConstraint, parsePlacementStrategy, validateLaunchOptions, type LaunchOptionsInput } from '../../src/ecs/launch.js';
import { parseTaskDefinitionRef, validateClusterName, validateServiceName } from '../../src/ecs/names.js';
import { validateServiceDocument, validateTaskDefinition, type JsonValue } from '../../src/ecs/validate.js';

const RUNS = { numRuns: 500 };

/** Runs fn; passes when it returns or throws an InputError/UsageError with a message. */
function returnsOrInputError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) {
      expect(e.issues.length).toBeGreaterThan(0);
      expect(typeof e.message).toBe('string');
      return;
    }
    if (e instanceof UsageError) return;
    throw e;
  }
}

function checkResult(r: { issues: unknown[]; warnings: string[] }): void {
  expect(Array.isArray(r.issues)).toBe(true);
  expect(Array.isArray(r.warnings)).toBe(true);
  for (const i of r.issues as { message: unknown; field?: unknown }[]) {
    expect(typeof i.message).toBe('string');
    if (i.field !== undefined) expect(typeof i.field).toBe('string');
  }
}

const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<JsonValue>;
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

/** JSON values that sometimes look like the real thing, to reach the deeper rules. */
const nearValid = {
  string: fc.oneof(fc.string(), fc.constantFrom('256', '512', '1 vCPU', '0.5 GB', 'awsvpc', 'bridge', 'FARGATE', 'EC2', 'web', 'nginx', 'tcp', 'awslogs')),
  int: fc.oneof(fc.integer(), fc.constantFrom(0, 1, 80, 128, 256, 512, 65535, 65536)),
};
const leaf: fc.Arbitrary<JsonValue> = fc.oneof(json, nearValid.string, nearValid.int, fc.boolean());

const portMapping = fc.record(
  { containerPort: leaf, hostPort: leaf, protocol: leaf, containerPortRange: leaf, name: leaf, appProtocol: leaf, extra: leaf },
  { requiredKeys: [] },
);
const containerArb = fc.record(
  {
    name: leaf, image: leaf, essential: leaf, cpu: leaf, memory: leaf, memoryReservation: leaf,
    portMappings: fc.oneof(leaf, fc.array(fc.oneof(portMapping as fc.Arbitrary<JsonValue>, leaf), { maxLength: 3 })),
    environment: fc.oneof(leaf, fc.array(fc.oneof(fc.record({ name: leaf, value: leaf }, { requiredKeys: [] }) as fc.Arbitrary<JsonValue>, leaf), { maxLength: 3 })),
    secrets: fc.oneof(leaf, fc.array(fc.record({ name: leaf, valueFrom: leaf }, { requiredKeys: [] }) as fc.Arbitrary<JsonValue>, { maxLength: 2 })),
    logConfiguration: fc.oneof(leaf, fc.record({ logDriver: leaf, options: leaf }, { requiredKeys: [] }) as fc.Arbitrary<JsonValue>),
    healthCheck: leaf, dockerLabels: leaf, privileged: leaf, repositoryCredentials: leaf, unknownKey: leaf,
  },
  { requiredKeys: [] },
);
const taskDefArb: fc.Arbitrary<JsonValue> = fc.record(
  {
    family: leaf, taskRoleArn: leaf, executionRoleArn: leaf, networkMode: leaf,
    requiresCompatibilities: fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })),
    cpu: leaf, memory: leaf, placementConstraints: leaf, pidMode: leaf, ipcMode: leaf, tags: leaf,
    runtimePlatform: fc.oneof(leaf, fc.record({ operatingSystemFamily: leaf, cpuArchitecture: leaf }, { requiredKeys: [] }) as fc.Arbitrary<JsonValue>),
    ephemeralStorage: leaf, volumes: leaf, enableFaultInjection: leaf,
    containerDefinitions: fc.oneof(leaf, fc.array(fc.oneof(containerArb as fc.Arbitrary<JsonValue>, leaf), { maxLength: 12 })),
    other: leaf,
  },
  { requiredKeys: [] },
) as fc.Arbitrary<JsonValue>;

const serviceDocArb: fc.Arbitrary<JsonValue> = fc.record(
  {
    launchType: fc.oneof(leaf, fc.constantFrom('FARGATE', 'EC2')),
    capacityProviderStrategy: fc.oneof(leaf, fc.array(fc.record({ capacityProvider: leaf, weight: leaf, base: leaf }, { requiredKeys: [] }) as fc.Arbitrary<JsonValue>, { maxLength: 3 })),
    placementStrategy: fc.oneof(leaf, fc.array(fc.record({ type: fc.oneof(leaf, fc.constantFrom('random', 'spread', 'binpack')), field: leaf }, { requiredKeys: [] }) as fc.Arbitrary<JsonValue>, { maxLength: 6 })),
    placementConstraints: fc.oneof(leaf, fc.array(fc.record({ type: fc.oneof(leaf, fc.constantFrom('memberOf', 'distinctInstance')), expression: leaf }, { requiredKeys: [] }) as fc.Arbitrary<JsonValue>, { maxLength: 3 })),
    networkConfiguration: fc.oneof(leaf, fc.record({ awsvpcConfiguration: fc.oneof(leaf, fc.record({ subnets: leaf, securityGroups: leaf, assignPublicIp: leaf }, { requiredKeys: [] })) }, { requiredKeys: [] }) as fc.Arbitrary<JsonValue>),
    loadBalancers: fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })),
    deploymentConfiguration: leaf, healthCheckGracePeriodSeconds: leaf, serviceName: leaf, schedulingStrategy: leaf, bogus: leaf,
  },
  { requiredKeys: [] },
) as fc.Arbitrary<JsonValue>;

/** A value nested `depth` arrays deep, built without recursion. */
function deep(depth: number): JsonValue {
  let v: JsonValue = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('ECS validators never throw anything but InputError/UsageError', () => {
  it('validateTaskDefinition on any JSON value', () => {
    fc.assert(fc.property(json, fc.constantFrom(undefined, 'FARGATE' as const, 'EC2' as const), (v, lt) => {
      checkResult(validateTaskDefinition(v, 'stdin', lt ? { launchType: lt } : {}));
    }), RUNS);
  });

  it('validateTaskDefinition on task-definition-like documents', () => {
    fc.assert(fc.property(taskDefArb, fc.constantFrom(undefined, 'FARGATE' as const, 'EC2' as const), (v, lt) => {
      checkResult(validateTaskDefinition(v, 'stdin', lt ? { launchType: lt } : {}));
    }), RUNS);
  });

  it('validateTaskDefinition with deeply nested values anywhere', () => {
    const d = deep(100_000);
    for (const doc of [
      d,
      { family: d },
      { cpu: d, memory: d, containerDefinitions: d },
      { containerDefinitions: [{ name: 'web', image: 'nginx', command: d, environment: [d], portMappings: [d], dockerLabels: { a: d } }] },
      { requiresCompatibilities: ['FARGATE'], tags: [{ key: d }], volumes: [d] },
    ] as JsonValue[]) {
      checkResult(validateTaskDefinition(doc, 'stdin', { launchType: 'FARGATE' }));
      checkResult(validateServiceDocument(doc, 'stdin'));
    }
  });

  it('validateServiceDocument on any JSON value and on service-like documents', () => {
    fc.assert(fc.property(fc.oneof(json, serviceDocArb), fc.option(fc.oneof(fc.string(), fc.constantFrom('FARGATE', 'EC2')), { nil: undefined }), (v, lt) => {
      checkResult(validateServiceDocument(v, 'inline --document', lt === undefined ? {} : { launchType: lt }));
    }), RUNS);
  });

  it('findLiteralSecrets on any JSON value', () => {
    fc.assert(fc.property(fc.oneof(json, taskDefArb), (v) => {
      expect(Array.isArray(findLiteralSecrets(v))).toBe(true);
    }), RUNS);
  });

  const specs = fc.oneof(
    fc.string(),
    fc.tuple(fc.constantFrom('random', 'spread', 'binpack', 'memberOf', 'distinctInstance', 'attribute', 'SPREAD'), fc.constantFrom(':', '', ' : '), fc.string())
      .map(([a, b, c]) => `${a}${b}${c}`),
    fc.tuple(fc.constantFrom('spread:attribute:', 'binpack:', 'memberOf:'), fc.string({ unit: 'grapheme' })).map(([a, b]) => a + b),
  );

  it('parsePlacementStrategy / parsePlacementConstraint on any string', () => {
    fc.assert(fc.property(specs, (s) => {
      returnsOrInputError(() => {
        const r = parsePlacementStrategy(s);
        expect(['random', 'spread', 'binpack']).toContain(r.type);
      });
      returnsOrInputError(() => {
        const r = parsePlacementConstraint(s);
        expect(['distinctInstance', 'memberOf']).toContain(r.type);
      });
    }), RUNS);
  });

  it('parsers on non-string values (from untyped callers)', () => {
    fc.assert(fc.property(json, (v) => {
      returnsOrInputError(() => parsePlacementStrategy(v as string));
      returnsOrInputError(() => parsePlacementConstraint(v as string));
      returnsOrInputError(() => parseTaskDefinitionRef(v as string, '--task-definition'));
      returnsOrInputError(() => validateClusterName(v as string, '--cluster'));
      returnsOrInputError(() => validateServiceName(v as string, '--service'));
    }), RUNS);
  });

  const refs = fc.oneof(
    fc.string(),
    fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}:${b}`),
    fc.tuple(fc.constantFrom('arn:aws:ecs:us-east-1:123456789012:task-definition/', 'arn:', 'arn:aws:ecs:'), fc.string()).map(([a, b]) => a + b),
  );

  it('parseTaskDefinitionRef on any string', () => {
    fc.assert(fc.property(refs, (s) => {
      returnsOrInputError(() => {
        const r = parseTaskDefinitionRef(s, '--task-definition');
        expect(r.family).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
        if (r.revision !== undefined) expect(Number.isInteger(r.revision) && r.revision >= 1).toBe(true);
      });
    }), RUNS);
  });

  it('validateClusterName / validateServiceName on any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      returnsOrInputError(() => expect(validateClusterName(s, '--cluster')).toBe(s));
      returnsOrInputError(() => expect(validateServiceName(s, '--service')).toBe(s));
    }), RUNS);
  });

  it('validateLaunchOptions on arbitrary option values', () => {
    const strs = fc.array(fc.oneof(fc.string(), fc.constantFrom('random', 'binpack:cpu', 'distinctInstance', 'subnet-12345678', 'sg-12345678')), { maxLength: 12 });
    const opts = fc.record(
      {
        launchType: fc.oneof(fc.string(), fc.constantFrom('FARGATE', 'ec2')),
        count: fc.oneof(fc.string(), fc.integer(), fc.double()),
        desiredCount: fc.oneof(fc.string(), fc.integer(), fc.double()),
        placementStrategies: strs,
        placementConstraints: strs,
        subnets: strs,
        securityGroups: strs,
        waitTimeout: fc.string(),
        command: fc.constantFrom('run' as const, 'service' as const),
      },
      { requiredKeys: ['command'] },
    );
    fc.assert(fc.property(opts, (o) => {
      returnsOrInputError(() => {
        const r = validateLaunchOptions(o as LaunchOptionsInput);
        expect(['FARGATE', 'EC2']).toContain(r.launchType);
        if (r.count !== undefined) expect(r.count >= 1 && r.count <= 10).toBe(true);
        if (r.desiredCount !== undefined) expect(r.desiredCount >= 0 && r.desiredCount <= 5000).toBe(true);
      });
    }), RUNS);
    fc.assert(fc.property(json, (v) => {
      returnsOrInputError(() => validateLaunchOptions(v as unknown as LaunchOptionsInput));
      returnsOrInputError(() => validateLaunchOptions({ command: 'run', placementStrategies: v as unknown as string[], subnets: v as unknown as string[], count: v as unknown as string }));
    }), RUNS);
  });

  it('normalizeCpu / normalizeMemory return a positive whole number or null', () => {
    const vals = fc.oneof(
      fc.string(), fc.double(), fc.integer(),
      fc.tuple(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.constantFrom(' vCPU', 'vcpu', ' GB', 'gb', '')).map(([n, u]) => `${n}${u}`),
    );
    fc.assert(fc.property(vals, (v) => {
      for (const r of [normalizeCpu(v), normalizeMemory(v)]) {
        if (r !== null) expect(Number.isSafeInteger(r) && r > 0).toBe(true);
      }
    }), RUNS);
  });

  it('secret-looking environment values never appear in warnings or issues', () => {
    const secretName = fc.tuple(fc.constantFrom('PASSWORD', 'token', 'Api_Key', 'SECRET', 'CREDENTIAL'), fc.stringMatching(/^[A-Z_]{0,8}$/))
      .map(([a, b]) => `${b}${a}`);
    const secretValue = fc.stringMatching(/^[a-f0-9]{20,40}$/).map((s) => `zq${s}`);
    fc.assert(fc.property(secretName, secretValue, leaf, (name, value, extra) => {
      const doc: JsonValue = {
        family: 'demo', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
        containerDefinitions: [{ name: 'web', image: 'nginx', environment: [{ name, value }, { name: 'X', value: extra }] }],
      };
      const r = validateTaskDefinition(doc, 'stdin');
      expect(r.warnings.some((w) => w.includes(name))).toBe(true);
      expect(r.warnings.join('\n')).not.toContain(value);
      expect(JSON.stringify(r.issues)).not.toContain(value);
    }), RUNS);
  });
});
