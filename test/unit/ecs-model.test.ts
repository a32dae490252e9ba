/**
 * The shapes ecsprimer checks are the SDK's model: every closed object of the task definition,
 * service and overrides schemas has exactly the members of the AWS shape of the same name in
 * @aws-sdk/client-ecs (its serialization schema, `<Shape>$`), so a key the model has is never
 * called unknown, and a key it lacks is never let through (the SDK would drop it silently).
 */
import * as ecs from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { TASK_OVERRIDE } from '../../src/ecs/overrides.js';
import { CONTAINER, SERVICE, TASK_DEFINITION, validateTaskDefinition } from '../../src/ecs/validate.js';
import { shapeOf, type Shape } from '../../src/input/schema.js';

interface Found {
  shape: string;
  fields: string[];
  path: string;
}

/** Every obj() shape reachable from `schema` (through pipes, optionals, arrays and records). */
function shapes(schema: Shape, path: string, out: Found[] = []): Found[] {
  const s = schema as unknown as { type: string; pipe?: unknown[]; wrapped?: Shape; item?: Shape; value?: Shape; entries?: Record<string, Shape> };
  const found = shapeOf(schema);
  if (found) {
    if (!out.some((f) => f.shape === found.shape)) out.push({ ...found, path });
    const entries = (s.pipe as Array<{ type: string; entries?: Record<string, Shape> }>).find((p) => p.type === 'object_with_rest')!.entries!;
    for (const [k, v] of Object.entries(entries)) shapes(v, `${path}.${k}`, out);
    return out;
  }
  if (s.type === 'optional' && s.wrapped) return shapes(s.wrapped, path, out);
  for (const p of (s.pipe ?? []) as Shape[]) if (p !== schema) shapes(p, path, out);
  if (s.type === 'array' && s.item) shapes(s.item, `${path}[]`, out);
  if (s.type === 'record' && s.value) shapes(s.value, `${path}.*`, out);
  return out;
}

/** The members of an AWS shape in the SDK's schema: [kind, namespace, name, traits, members, memberSchemas, required]. */
function sdkMembers(shape: string): string[] | undefined {
  const model = ecs as unknown as Record<string, unknown>;
  const s = (model[`${shape}Request$`] ?? model[`${shape}$`]) as unknown[] | undefined; // RegisterTaskDefinition$ is the operation
  return s ? (s[4] as string[]) : undefined;
}

const ROOTS: Array<{ name: string; schema: Shape }> = [
  { name: 'task definition', schema: TASK_DEFINITION },
  // containerDefinitions is checked container by container (with rules of its own):
  { name: 'container definition', schema: CONTAINER },
  { name: 'service document', schema: SERVICE },
  { name: 'task overrides', schema: TASK_OVERRIDE },
];

describe('the ECS shapes follow the SDK model', () => {
  for (const root of ROOTS) {
    const found = shapes(root.schema, root.name);
    it(`${root.name}: finds its shapes (${found.length})`, () => {
      expect(found.length).toBeGreaterThan(root.name === 'task overrides' ? 2 : 5);
    });
    for (const f of found) {
      it(`${root.name}: ${f.shape} (at ${f.path}) has exactly the SDK's members`, () => {
        const members = sdkMembers(f.shape);
        expect(members, `the SDK has a shape ${f.shape}`).toBeDefined();
        expect([...f.fields].sort()).toEqual([...members!].sort());
      });
    }
  }

  it('accepts a volume with s3filesVolumeConfiguration (a member of Volume in the model)', () => {
    const doc = {
      family: 'f',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      volumes: [{ name: 'data', s3filesVolumeConfiguration: { fileSystemArn: 'arn:aws:s3files:us-east-1:123456789012:file-system/fs-1' } }],
      containerDefinitions: [{ name: 'web', image: 'nginx', mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }],
    };
    expect(validateTaskDefinition(doc, 'inline --document').issues).toEqual([]);
  });
});
