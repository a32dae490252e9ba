/**
 * Helpers of the benchmark (bench/run.ts): timing whole processes, their peak memory, the
 * round trips in sequence seen by the proxy, statistics and the printed table.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProxyLogEntry } from '../test/support/proxy.js';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole process, spawn to exit, in milliseconds. */
  wallMs: number;
  /** Peak resident set size in KiB, when measured. */
  maxRssKb?: number;
}

export interface RunOptions {
  env: Record<string, string>;
  cwd?: string;
  /** Measure peak RSS (with /usr/bin/time when present, else a preload hook). */
  rss?: boolean;
  timeoutMs?: number;
}

const TIME_BIN = '/usr/bin/time';

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let scratch: string | undefined;
/** A temp directory of this benchmark run, removed at exit. */
export function scratchDir(): string {
  if (!scratch) {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'ecsprimer-bench-'));
    const dir = scratch;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

/** GNU time's %M (peak RSS in KiB) works here: checked once by running it. */
let timeWorks: boolean | undefined;
function gnuTimeWorks(): boolean {
  if (timeWorks === undefined) {
    timeWorks = false;
    if (executable(TIME_BIN)) {
      const out = path.join(scratchDir(), 'time-probe.txt');
      const r = spawnSync(TIME_BIN, ['-f', '%M', '-o', out, process.execPath, '-e', '0'], { stdio: 'ignore' });
      try {
        timeWorks = r.status === 0 && /^\d+\s*$/.test(readFileSync(out, 'utf8'));
      } catch {
        timeWorks = false;
      }
    }
  }
  return timeWorks;
}

/** A preload that writes process.resourceUsage().maxRSS (KiB) at exit: for Node processes without GNU time. */
function rssPreload(): string {
  const file = path.join(scratchDir(), 'rss-preload.mjs');
  writeFileSync(
    file,
    "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { try { writeFileSync(process.env.ECSPRIMER_BENCH_RSS_OUT, String(process.resourceUsage().maxRSS)); } catch {} });\n",
  );
  return pathToFileURL(file).href;
}

export function rssMethod(): string {
  return gnuTimeWorks() ? `${TIME_BIN} -f %M` : 'process.resourceUsage().maxRSS from a --import preload (Node processes only)';
}

let seq = 0;

/** Runs a command to completion; wall time measured around the whole process. */
export function runProcess(command: string, args: string[], o: RunOptions): Promise<ProcessResult> {
  let cmd = command;
  let argv = args;
  let rssFile: string | undefined;
  const env = { ...o.env };
  if (o.rss) {
    rssFile = path.join(scratchDir(), `rss-${process.pid}-${++seq}.txt`);
    if (gnuTimeWorks()) {
      cmd = TIME_BIN;
      argv = ['-f', '%M', '-o', rssFile, command, ...args];
    } else if (command === process.execPath) {
      argv = ['--import', rssPreload(), ...args];
      env.ECSPRIMER_BENCH_RSS_OUT = rssFile;
    } else {
      rssFile = undefined;
    }
  }
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, argv, { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 180_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - start;
      let maxRssKb: number | undefined;
      if (rssFile) {
        try {
          const n = Number.parseInt(readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '', 10);
          if (Number.isFinite(n)) maxRssKb = n;
        } catch {
          /* not written: the process died early */
        }
      }
      resolve({ code, stdout, stderr, wallMs, maxRssKb });
    });
  });
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Round trips in sequence, from the proxy's log of one process: requests that reach the proxy
 * within `gapMs` of the first of a wave travel together (the proxy holds each for its latency, so
 * a request that depends on an answer arrives at least that long after the request it waited for).
 */
export function sequentialRounds(log: ProxyLogEntry[], gapMs: number): { rounds: number; waves: string[][] } {
  const sorted = [...log].sort((a, b) => a.at - b.at);
  const waves: string[][] = [];
  let waveStart = -Infinity;
  for (const e of sorted) {
    if (e.at - waveStart >= gapMs) {
      waves.push([]);
      waveStart = e.at;
    }
    waves[waves.length - 1].push(`${e.service}:${e.operation}`);
  }
  return { rounds: waves.length, waves };
}

export interface Row {
  scenario: string;
  ecsprimer: string;
  baseline: string;
  ratio: string;
  target: string;
  result: 'PASS' | 'FAIL' | 'info' | 'NOT MEASURED';
  calls: string;
}

export function printTable(rows: Row[], out: (s: string) => void): void {
  const head: Row = { scenario: 'scenario', ecsprimer: 'ecsprimer (median)', baseline: 'baseline (median)', ratio: 'ratio', target: 'target', result: 'result' as Row['result'], calls: 'calls (ecsprimer / baseline)' };
  const cols: Array<keyof Row> = ['scenario', 'ecsprimer', 'baseline', 'ratio', 'target', 'result', 'calls'];
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(...[head, ...rows].map((r) => String(r[c]).length))])) as Record<keyof Row, number>;
  const line = (r: Row) => cols.map((c) => String(r[c]).padEnd(width[c])).join(' | ').trimEnd();
  out(line(head));
  out(cols.map((c) => '-'.repeat(width[c])).join('-|-'));
  for (const r of rows) out(line(r));
}

/** The same table in Markdown (for bench/PERFORMANCE.md and the README). */
export function markdownTable(rows: Row[]): string {
  const cols: Array<keyof Row> = ['scenario', 'ecsprimer', 'baseline', 'ratio', 'target', 'result', 'calls'];
  const head = ['Scenario', 'ecsprimer (median)', 'baseline (median)', 'ratio', 'target', 'result', 'calls (ecsprimer / baseline)'];
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${cols.map((c) => esc(String(r[c]))).join(' | ')} |`)].join('\n');
}

export const ms = (x: number) => `${Math.round(x)} ms`;
export const sec = (x: number) => `${(x / 1000).toFixed(2)} s`;
export const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;
