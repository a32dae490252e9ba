/**
 * `task run --overrides SRC`: a TaskOverride document (what `aws ecs run-task --overrides` takes).
 * Checked before any request: the shape (the SDK's TaskOverride, see ecs-model.test.ts), then,
 * once the task definition is known, that every container override names one of its containers.
 */
import type { TaskOverride } from '@aws-sdk/client-ecs';
import type { InputIssue } from '../errors.js';
import { issue, listOr, quote } from '../input/issues.js';
import { getOwn, isJsonObject, type JsonValue } from '../input/json.js';
import { anyObject, arr, int, obj, shapeIssues, str, strings, type Shape } from '../input/schema.js';
import { looksLikeSecretName } from './secrets.js';

const KEY_VALUE = obj('KeyValuePair', { name: str({ nonEmpty: true }), value: str({ hide: true }) }, ['name']);

const CONTAINER_OVERRIDE = obj(
  'ContainerOverride',
  {
    name: str({ nonEmpty: true }),
    command: strings,
    environment: arr(KEY_VALUE, { what: 'objects {"name": ..., "value": ...}' }),
    environmentFiles: arr(anyObject),
    cpu: int({ min: 0 }),
    memory: int({ min: 0 }),
    memoryReservation: int({ min: 0 }),
    resourceRequirements: arr(anyObject),
  },
  ['name'],
);

export const TASK_OVERRIDE: Shape = obj('TaskOverride', {
  containerOverrides: arr(CONTAINER_OVERRIDE, { what: 'container overrides' }),
  cpu: str(),
  memory: str(),
  executionRoleArn: str(),
  taskRoleArn: str(),
  ephemeralStorage: obj('EphemeralStorage', { sizeInGiB: int({ min: 21, max: 200, note: '(GiB)' }) }, ['sizeInGiB']),
  inferenceAcceleratorOverrides: arr(anyObject),
});

export interface OverridesValidation {
  issues: InputIssue[];
  warnings: string[];
  overrides: TaskOverride;
}

export function validateOverrides(value: JsonValue, source: string): OverridesValidation {
  if (!isJsonObject(value)) {
    return { issues: [issue(undefined, 'must be a JSON object of TaskOverride fields', 'e.g. {"containerOverrides": [{"name": "web", "command": ["echo", "hi"]}]}')], warnings: [], overrides: {} };
  }
  const issues = shapeIssues(TASK_OVERRIDE, value);
  const warnings: string[] = [];
  const cos = getOwn(value, 'containerOverrides');
  (Array.isArray(cos) ? cos : []).forEach((co, i) => {
    const env = isJsonObject(co) ? getOwn(co, 'environment') : undefined;
    (Array.isArray(env) ? env : []).forEach((e, j) => {
      const name = isJsonObject(e) ? getOwn(e, 'name') : undefined;
      const v = isJsonObject(e) ? getOwn(e, 'value') : undefined;
      if (typeof name === 'string' && typeof v === 'string' && v.length > 0 && looksLikeSecretName(name)) {
        warnings.push(
          `${source}: containerOverrides[${i}].environment[${j}]: ${quote(name)} looks like a secret but has a literal value (not shown); pass secrets through the task definition's "secrets" with "valueFrom" (Secrets Manager or SSM Parameter Store)`,
        );
      }
    });
  });
  return { issues, warnings, overrides: value as unknown as TaskOverride };
}

/** Container overrides that name no container of the task definition. */
export function unknownOverrideContainers(overrides: TaskOverride, containers: string[]): InputIssue[] {
  return (overrides.containerOverrides ?? []).flatMap((co, i) =>
    co.name && !containers.includes(co.name)
      ? [issue(['containerOverrides', i, 'name'], `"${co.name}" is not a container of the task definition; its containers are ${listOr(containers.map((c) => `"${c}"`))}`)]
      : [],
  );
}
