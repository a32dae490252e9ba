/**
 * `task run --overrides SRC`: a TaskOverride document (what `aws ecs run-task --overrides` takes).
 * Checked before any request: the shape, then (once the task definition is known) that every
 * container override names a container of the task definition.
 */
import type { TaskOverride } from '@aws-sdk/client-ecs';
import type { InputIssue } from '../errors.js';
import type { JsonValue } from '../input/json.js';
import { listOr, looksLikeSecretName } from './validate.js';

type Obj = { [k: string]: JsonValue };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const TASK_KEYS = ['containerOverrides', 'cpu', 'memory', 'executionRoleArn', 'taskRoleArn', 'ephemeralStorage', 'inferenceAcceleratorOverrides'];
const CONTAINER_KEYS = ['name', 'command', 'environment', 'environmentFiles', 'cpu', 'memory', 'memoryReservation', 'resourceRequirements'];

export interface OverridesValidation {
  issues: InputIssue[];
  warnings: string[];
  overrides: TaskOverride;
}

export function validateOverrides(value: JsonValue, source: string): OverridesValidation {
  const issues: InputIssue[] = [];
  const warnings: string[] = [];
  if (!isObj(value)) {
    issues.push({ message: 'must be a JSON object of TaskOverride fields', fix: 'e.g. {"containerOverrides": [{"name": "web", "command": ["echo", "hi"]}]}' });
    return { issues, warnings, overrides: {} };
  }
  for (const k of Object.keys(value)) {
    if (!TASK_KEYS.includes(k)) issues.push({ field: k, message: `is not a TaskOverride field; allowed: ${TASK_KEYS.join(', ')}`, fix: 'remove it' });
  }
  for (const k of ['cpu', 'memory', 'executionRoleArn', 'taskRoleArn'] as const) {
    const v = value[k];
    if (v !== undefined && typeof v !== 'string') {
      issues.push({ field: k, message: `must be a string (got ${JSON.stringify(v)})`, fix: typeof v === 'number' ? `write "${v}" in quotes` : undefined });
    }
  }
  const eph = value.ephemeralStorage;
  if (eph !== undefined && (!isObj(eph) || typeof eph.sizeInGiB !== 'number' || !Number.isInteger(eph.sizeInGiB) || eph.sizeInGiB < 21 || eph.sizeInGiB > 200)) {
    issues.push({ field: 'ephemeralStorage.sizeInGiB', message: 'must be a whole number from 21 to 200 (GiB)' });
  }
  const cos = value.containerOverrides;
  if (cos !== undefined) {
    if (!Array.isArray(cos)) issues.push({ field: 'containerOverrides', message: 'must be an array of container overrides', fix: 'wrap it in [ ]' });
    else {
      cos.forEach((co, i) => {
        const p = `containerOverrides[${i}]`;
        if (!isObj(co)) {
          issues.push({ field: p, message: 'must be an object {"name": ..., ...}' });
          return;
        }
        for (const k of Object.keys(co)) {
          if (!CONTAINER_KEYS.includes(k)) issues.push({ field: `${p}.${k}`, message: `is not a ContainerOverride field; allowed: ${CONTAINER_KEYS.join(', ')}`, fix: 'remove it' });
        }
        if (typeof co.name !== 'string' || co.name.length === 0) issues.push({ field: `${p}.name`, message: 'is required: the name of the container to override' });
        if (co.command !== undefined && (!Array.isArray(co.command) || co.command.some((c) => typeof c !== 'string'))) {
          issues.push({ field: `${p}.command`, message: 'must be an array of strings', fix: 'e.g. ["sh", "-c", "echo hello"]' });
        }
        for (const k of ['cpu', 'memory', 'memoryReservation'] as const) {
          const v = co[k];
          if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) issues.push({ field: `${p}.${k}`, message: 'must be a whole number (0 or more)' });
        }
        const env = co.environment;
        if (env !== undefined) {
          if (!Array.isArray(env)) issues.push({ field: `${p}.environment`, message: 'must be an array of {"name": ..., "value": ...}' });
          else env.forEach((e, j) => {
            if (!isObj(e) || typeof e.name !== 'string' || (e.value !== undefined && typeof e.value !== 'string')) {
              issues.push({ field: `${p}.environment[${j}]`, message: 'must be {"name": "NAME", "value": "text"}' });
            } else if (typeof e.value === 'string' && e.value.length > 0 && looksLikeSecretName(e.name)) {
              warnings.push(`${source}: ${p}.environment[${j}]: "${e.name}" looks like a secret but has a literal value (not shown); pass secrets through the task definition's "secrets" with "valueFrom" (Secrets Manager or SSM Parameter Store)`);
            }
          });
        }
      });
    }
  }
  return { issues, warnings, overrides: value as unknown as TaskOverride };
}

/** Container overrides that name no container of the task definition. */
export function unknownOverrideContainers(overrides: TaskOverride, containers: string[]): InputIssue[] {
  return (overrides.containerOverrides ?? []).flatMap((co, i) =>
    co.name && !containers.includes(co.name)
      ? [{ field: `containerOverrides[${i}].name`, message: `"${co.name}" is not a container of the task definition; its containers are ${listOr(containers.map((c) => `"${c}"`))}` }]
      : [],
  );
}
