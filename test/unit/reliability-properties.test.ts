/**
 * Property tests that top up input-properties and ecs-properties (issue 6, item 4): the option
 * validators and loaders those files do not reach. For any input they return a value or throw an
 * InputError/UsageError (exit 2) — never another exception — and finish (fast-check's time limit
 * per run makes a hang a failure). Also: the diff redaction never lets a secret's value through.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkEndpoint, resolveSettings } from '../../src/aws/settings.js';
import { parseTags } from '../../src/input/tags.js';
import { validateStackName } from '../../src/context.js';
import { validateOverrides } from '../../src/ecs/overrides.js';
import { parseWaitTimeout } from '../../src/ecs/launch.js';
import { EcsprimerError, InputError, UsageError } from '../../src/errors.js';
import { looksLikeSecretName, redactLiteralSecretsForDiff } from '../../src/ecs/secrets.js';
import { type JsonValue } from '../../src/ecs/validate.js';
import { loadJsonDocument } from '../../src/input/source.js';

/** Runs f; passes when it returns or throws an exit-2 error (InputError or UsageError). */
function valueOrUsageError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof InputError || e instanceof UsageError)) throw e;
    expect((e as EcsprimerError).exitCode).toBe(2);
    expect(e.message.length).toBeGreaterThan(0);
  }
}

const TIME = { interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true } as const;

describe('option validators: a value or an exit-2 error, for any input', () => {
  it('checkEndpoint', () => {
    const urlish = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.webUrl(),
      fc.tuple(fc.constantFrom('http://', 'https://', 'ftp://', 'file://', 'HTTP://', ''), fc.domain(), fc.option(fc.integer({ min: 0, max: 70000 }))).map(([s, d, p]) => `${s}${d}${p === null ? '' : `:${p}`}`),
      fc.constantFrom('http://127.0.0.1:5000', 'http://localhost', 'http://[::1]:80', 'http://127.1', 'http://0x7f.0.0.1', 'http://127.0.0.1.nip.invalid', 'http://moto.invalid:5000'),
    );
    fc.assert(
      fc.property(urlish, fc.boolean(), (raw, allow) => {
        let out: string | undefined;
        valueOrUsageError(() => (out = checkEndpoint(raw, '--endpoint-url', allow)));
        if (out === undefined) return;
        // Accepted: http(s) only, and plain http only to loopback unless allowed.
        const u = new URL(out);
        expect(['http:', 'https:']).toContain(u.protocol);
        if (u.protocol === 'http:' && !allow) expect(u.hostname).toMatch(/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i);
      }),
      { numRuns: 1000, ...TIME },
    );
  });

  it('resolveSettings (region, endpoint, attempts, timeouts from options and environment)', () => {
    fc.assert(
      fc.property(
        fc.record({ region: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), endpointUrl: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), allowInsecureEndpoint: fc.boolean() }),
        fc.dictionary(fc.constantFrom('AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_MAX_ATTEMPTS', 'ECSPRIMER_CONNECT_TIMEOUT_MS', 'ECSPRIMER_REQUEST_TIMEOUT_MS'), fc.string({ maxLength: 20 })),
        (input, env) => {
          let s: ReturnType<typeof resolveSettings> | undefined;
          valueOrUsageError(() => (s = resolveSettings(input, { ...env, AWS_CONFIG_FILE: '/nonexistent/config', HOME: '/nonexistent' })));
          if (!s) return;
          expect(Number.isInteger(s.maxAttempts) && s.maxAttempts >= 1).toBe(true);
          expect(s.connectTimeoutMs).toBeGreaterThan(0);
          expect(s.requestTimeoutMs).toBeGreaterThan(0);
        },
      ),
      { numRuns: 1000, ...TIME },
    );
  });

  it('validateStackName', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,40}$/)), (name) => {
        let ok = false;
        valueOrUsageError(() => {
          validateStackName(name);
          ok = true;
        });
        if (ok) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9-]{0,31}$/);
      }),
      { numRuns: 1000, ...TIME },
    );
  });

  it('parseTags', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 300 }), fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([k, v]) => `${k}=${v}`)), { maxLength: 5 }), (values) => {
        let tags: Record<string, string> | undefined;
        valueOrUsageError(() => (tags = parseTags(values)));
        if (!tags) return;
        expect(Object.keys(tags)).not.toContain('ecsprimer:stack');
        for (const k of Object.keys(tags)) expect(k.toLowerCase().startsWith('aws:')).toBe(false);
      }),
      { numRuns: 1000, ...TIME },
    );
  });

  it('parseWaitTimeout', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String), fc.double().map(String)), (v) => {
        let ms: number | undefined;
        valueOrUsageError(() => (ms = parseWaitTimeout(v)));
        if (ms !== undefined) expect(Number.isInteger(ms) && ms >= 1000 && ms <= 86_400_000).toBe(true);
      }),
      { numRuns: 1000, ...TIME },
    );
  });

  it('validateOverrides returns issues, never throws, on any JSON value', () => {
    const overrideLike = fc.record(
      {
        containerOverrides: fc.oneof(
          fc.jsonValue(),
          fc.array(fc.record({ name: fc.oneof(fc.string(), fc.jsonValue()), environment: fc.oneof(fc.jsonValue(), fc.array(fc.record({ name: fc.jsonValue(), value: fc.jsonValue() }))), command: fc.jsonValue() }, { requiredKeys: [] })),
        ),
        cpu: fc.jsonValue(),
        memory: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), overrideLike), (v) => {
        const r = validateOverrides(v as JsonValue, 'property');
        expect(Array.isArray(r.issues)).toBe(true);
        expect(Array.isArray(r.warnings)).toBe(true);
      }),
      { numRuns: 1000, ...TIME },
    );
  });
});

describe('loadJsonDocument: a value or an InputError for any option value', () => {
  const dir = mkdtempSync(path.join(process.env.ECSPRIMER_TEST_TMPDIR ?? os.tmpdir(), 'load-prop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(path.join(dir, 'good.json'), '{"a": 1}');
  writeFileSync(path.join(dir, 'bad.json'), '{"a": 1,}');
  writeFileSync(path.join(dir, 'bin.dat'), Buffer.from([0xff, 0xfe, 0x00, 0x41]));

  it('on arbitrary specs (inline text, file:// and bare paths, URLs, stdin)', async () => {
    const spec = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom('good.json', 'bad.json', 'bin.dat', 'sub', 'missing.json', '-', '~', '~/', 'file://', 'fileb://good.json', 'FILE://good.json', 's3://bucket/key'),
      fc.tuple(fc.constantFrom('file://', 'fileb://', './', '../', '/', ''), fc.string({ maxLength: 30 })).map(([a, b]) => a + b),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
    );
    await fc.assert(
      fc.asyncProperty(spec, fc.uint8Array({ maxLength: 50 }), async (s, stdin) => {
        try {
          const r = await loadJsonDocument(s, { option: '--document', cwd: dir, readStdin: async () => Buffer.from(stdin) });
          expect(typeof r.source).toBe('string');
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
      }),
      { numRuns: 500, ...TIME },
    );
  });
});

describe('redactLiteralSecretsForDiff never lets a secret-looking value through', () => {
  const secretName = fc.tuple(fc.constantFrom('', 'DB_', 'my_', 'X'), fc.constantFrom('PASSWORD', 'Secret', 'token', 'API_KEY', 'ACCESS_KEY', 'credential'), fc.constantFrom('', '_1', 'S')).map((p) => p.join(''));
  const env = fc.array(fc.oneof(fc.record({ name: secretName, value: fc.string({ minLength: 1, maxLength: 20 }) }), fc.record({ name: fc.string({ maxLength: 10 }), value: fc.jsonValue() }), fc.jsonValue()), { maxLength: 5 });
  const taskDef = fc.record({ family: fc.string(), containerDefinitions: fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fc.jsonValue(), fc.record({ name: fc.oneof(fc.string({ maxLength: 5 }), fc.jsonValue()), environment: env })), { maxLength: 3 })) }, { requiredKeys: [] });

  function secretValues(doc: unknown): string[] {
    const out: string[] = [];
    const cds = (doc as { containerDefinitions?: unknown })?.containerDefinitions;
    if (!Array.isArray(cds)) return out;
    for (const c of cds) {
      const e = (c as { environment?: unknown })?.environment;
      if (!Array.isArray(e)) continue;
      for (const v of e) {
        const { name, value } = (v ?? {}) as { name?: unknown; value?: unknown };
        if (typeof name === 'string' && typeof value === 'string' && value.length > 0 && looksLikeSecretName(name)) out.push(value);
      }
    }
    return out;
  }

  it('on any pair of documents, and leaves the inputs unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(taskDef, fc.jsonValue()), fc.oneof(taskDef, fc.jsonValue()), (before, after) => {
        const snapshot = JSON.stringify([before, after]);
        const [b, a] = redactLiteralSecretsForDiff(before as JsonValue, after as JsonValue);
        expect(JSON.stringify([before, after])).toBe(snapshot);
        // Every secret-looking env entry of the output carries a marker, not a value.
        for (const [input, output] of [[before, b], [after, a]] as const) {
          const values = secretValues(output);
          expect(values.every((v) => v.startsWith('(literal value not shown'))).toBe(true);
          expect(values.length).toBe(secretValues(input).length);
        }
      }),
      { numRuns: 1000, ...TIME },
    );
  });
});
