/**
 * The JSON Schema shipped for editors (schema/stack.schema.json) says what ecsprimer's own reader
 * says: the starter file of `init` is valid under both, and the corpus's stack files with a shape
 * error (an unknown kind, an unknown field, a wrong enum value, a bad subnet id, a malformed
 * dependsOn) are refused by both.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { starterFile } from '../../src/stack/init.js';
import { REPO_ROOT } from '../support/cli.js';

const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schema', 'stack.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const fixture = (name: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'bad-input', 'stack', name), 'utf8')) as unknown;

describe('schema/stack.schema.json', () => {
  it("accepts init's starter file, for any stack name", async () => {
    for (const stack of ['demo', 'a', 'My-App-2']) {
      const ok = validate(await starterFile(stack, './schema/stack.schema.json'));
      expect(validate.errors ?? [], stack).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('accepts the corpus good file', () => {
    expect(validate(fixture('good.json')), JSON.stringify(validate.errors)).toBe(true);
  });

  it("accepts a service's loadBalancer and autoscale, and refuses a scaling with no metric", () => {
    const f = fixture('good.json') as { services: Record<string, Record<string, unknown>> };
    f.services['demo-web'].loadBalancer = { containerPort: 80, healthCheckPath: '/health', existing: 'shared-alb', pathPattern: '/api/*' };
    f.services['demo-web'].autoscale = { min: 1, max: 4, cpu: 60, requestsPerTarget: 1000 };
    f.services['demo-web'].deployment = { strategy: 'blue-green', bakeTime: 10 };
    expect(validate(f), JSON.stringify(validate.errors)).toBe(true);
    f.services['demo-web'].autoscale = { min: 1, max: 4 };
    expect(validate(f)).toBe(false);
  });

  for (const [file, path] of [
    ['unknown-kind.json', ''],
    ['unknown-field.json', '/services/demo-web'],
    ['launch-type-case.json', '/services/demo-web/launchType'],
    ['bad-subnet.json', '/services/demo-web/subnets/0'],
    ['bad-depends-on.json', '/services/demo-web/dependsOn/0'],
    ['lb-unknown-field.json', '/services/demo-web/loadBalancer'],
    ['lb-scaling-percent.json', '/services/demo-web/autoscale/cpu'],
  ] as const) {
    it(`refuses ${file} at ${path || 'the top'}, as ecsprimer does`, () => {
      expect(validate(fixture(file))).toBe(false);
      expect((validate.errors ?? []).map((e) => e.instancePath)).toContain(path);
    });
  }
});
