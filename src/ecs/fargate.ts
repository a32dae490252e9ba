/**
 * AWS's Fargate task sizes: which task-level cpu goes with which memory, in both forms AWS
 * accepts ("1024" and "1 vCPU"; "2048" and "2 GB"). A rule of the product, hand-written.
 */
import type { InputIssue } from '../errors.js';
import { issue, listOr, quote } from '../input/issues.js';
import { hasOwn } from '../input/json.js';


function steps(from: number, to: number, step: number): readonly number[] {
  const out: number[] = [];
  for (let m = from; m <= to; m += step) out.push(m);
  return Object.freeze(out);
}

/**
 * AWS's published Fargate task sizes: cpu units → the memory values (MiB) allowed with it.
 * (RegisterTaskDefinition `memory` documentation; 8192 and 16384 need Linux platform 1.4.0.)
 */
export const FARGATE_TABLE: Readonly<Record<number, readonly number[]>> = Object.freeze({
  256: Object.freeze([512, 1024, 2048]),
  512: steps(1024, 4096, 1024),
  1024: steps(2048, 8192, 1024),
  2048: steps(4096, 16384, 1024),
  4096: steps(8192, 30720, 1024),
  8192: steps(16384, 61440, 4096),
  16384: steps(32768, 122880, 8192),
});

/** The Fargate cpu values, ascending. */
export const FARGATE_CPU_VALUES: readonly number[] = Object.freeze([256, 512, 1024, 2048, 4096, 8192, 16384]);

/** "256, 512, 1024, 2048, 4096, 8192 or 16384 CPU units (0.25–16 vCPU)" */
export const FARGATE_CPU_DESCRIPTION = `${listOr(FARGATE_CPU_VALUES)} CPU units (0.25–16 vCPU)`;

/**
 * A size given as a whole number (`"256"`, `256`) or as a number of `unit` (`"1 vCPU"`, `"0.5 GB"`,
 * `"1vcpu"`; case-insensitive), in 1/1024 of the unit. Null unless it is a positive whole number.
 */
function size(v: string | number, unit: 'vcpu' | 'gb'): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  if (/^\d{1,12}$/.test(v)) return Number(v) > 0 ? Number(v) : null;
  const m = new RegExp(`^(\\d{1,6}(?:\\.\\d{1,8})?|\\.\\d{1,8}) ?${unit}$`, 'i').exec(v);
  const n = m ? Number(m[1]) * 1024 : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** CPU units from `"256"`, `256`, `"1 vCPU"`, `"0.25 vCPU"` (vCPU × 1024); null for anything else. */
export function normalizeCpu(v: string | number): number | null {
  return size(v, 'vcpu');
}

/** Memory in MiB from `"512"`, `512`, `"2 GB"`, `"0.5 GB"` (GB × 1024); null for anything else. */
export function normalizeMemory(v: string | number): number | null {
  return size(v, 'gb');
}

/** The memory values (MiB) Fargate allows with `cpu` (units or a vCPU string); [] if cpu is not a Fargate size. */
export function fargateMemoryChoices(cpu: number | string): number[] {
  const units = normalizeCpu(cpu);
  if (units === null || !hasOwn(FARGATE_TABLE, String(units))) return [];
  return [...FARGATE_TABLE[units]];
}

/** The Fargate cpu values (units) that allow `memoryMiB`. */
export function fargateCpuChoicesForMemory(memoryMiB: number): number[] {
  return FARGATE_CPU_VALUES.filter((c) => FARGATE_TABLE[c].includes(memoryMiB));
}

/** Compact list of the memory values for `cpu`: "512, 1024 or 2048 MiB", "2048–8192 MiB in 1024 MiB steps". */
export function describeFargateMemory(cpu: number | string): string {
  const c = fargateMemoryChoices(cpu);
  if (c.length === 0) return '';
  if (c.length <= 3) return `${listOr(c)} MiB`;
  return `${c[0]}–${c[c.length - 1]} MiB in ${c[1] - c[0]} MiB steps`;
}

function asGiven(raw: string | number, n: number, unit: string): string {
  return typeof raw === 'number' || String(n) === raw ? `${raw}` : `${quote(raw)} (${n} ${unit})`;
}

/**
 * Issues for a Fargate cpu/memory pair (either may be missing). `cpuRaw`/`memoryRaw` are the
 * values as written; fields are the top-level `cpu` and `memory`.
 */
export function checkFargateSize(cpuRaw: string | number | undefined, memoryRaw: string | number | undefined): InputIssue[] {
  const out: InputIssue[] = [];
  const cpuFix = 'use one of those values, in CPU units ("256") or vCPUs ("0.25 vCPU")';
  let cpu: number | null = null;
  if (cpuRaw === undefined) {
    out.push(issue('cpu', `is missing; Fargate needs a task-level cpu: ${FARGATE_CPU_DESCRIPTION}`, 'add "cpu": "256" (and "memory": "512"), or another pair from the Fargate table'));
  } else {
    cpu = normalizeCpu(cpuRaw);
    if (cpu === null) {
      out.push(issue('cpu', `${typeof cpuRaw === 'string' ? quote(cpuRaw) : cpuRaw} is not a CPU size; Fargate allows ${FARGATE_CPU_DESCRIPTION}`, cpuFix));
    } else if (!hasOwn(FARGATE_TABLE, String(cpu))) {
      out.push(issue('cpu', `${asGiven(cpuRaw, cpu, 'CPU units')} is not a Fargate CPU size; Fargate allows ${FARGATE_CPU_DESCRIPTION}`, cpuFix));
      cpu = null;
    }
  }
  if (memoryRaw === undefined) {
    out.push(issue('memory', `is missing; Fargate needs a task-level memory${cpu !== null ? `, with cpu ${cpu}: ${describeFargateMemory(cpu)}` : ' (MiB, e.g. "512", or GB, e.g. "0.5 GB")'}`,
      cpu !== null ? `add "memory": "${FARGATE_TABLE[cpu][0]}"` : 'add "memory": "512" (with "cpu": "256")'));
    return out;
  }
  const mem = normalizeMemory(memoryRaw);
  if (mem === null) {
    out.push(issue('memory', `${typeof memoryRaw === 'string' ? quote(memoryRaw) : memoryRaw} is not a memory size; write MiB ("512") or GB ("0.5 GB")${cpu !== null ? `; with cpu ${cpu} Fargate allows ${describeFargateMemory(cpu)}` : ''}`));
    return out;
  }
  if (cpu === null) return out;
  const choices = FARGATE_TABLE[cpu];
  if (!choices.includes(mem)) {
    const others = fargateCpuChoicesForMemory(mem);
    out.push(issue('memory',
      `${asGiven(memoryRaw, mem, 'MiB')} is not valid with cpu ${asGiven(cpuRaw as string | number, cpu, 'CPU units')} on Fargate; with cpu ${cpu} memory must be ${describeFargateMemory(cpu)}`,
      others.length > 0
        ? `set "memory" to one of those values, or use a cpu that allows ${mem} MiB: ${listOr(others)}`
        : `set "memory" to one of those values (no Fargate cpu size allows ${mem} MiB)`));
  }
  return out;
}
