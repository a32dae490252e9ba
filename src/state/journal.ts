/**
 * The journal: an append-only NDJSON file per account, region and stack that records every
 * change AWS confirmed, written and fsynced before the next dependent step starts. It is what
 * makes resume and teardown possible after a crash, a Ctrl-C or a SIGKILL.
 *
 * An `intent` line is written just before each creating call, so that even a kill between AWS's
 * answer and our write leaves the name of what may exist (teardown checks it and its tag).
 */
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeSync, constants, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { RuntimeError } from '../errors.js';

export type ResourceType =
  | 'iam-policy'
  | 'iam-policy-version'
  | 'iam-role'
  | 'iam-attachment'
  | 'ecs-cluster'
  | 'ecs-task-definition'
  | 'ecs-service'
  | 'ecs-task'
  | 'logs-log-group'
  | 'ecr-repository'
  | 'secretsmanager-secret'
  /** An inline policy the stack put on a role (name: the policy name; parent: the role). */
  | 'iam-role-policy'
  /** A service's Application Auto Scaling target (name: service/CLUSTER/NAME). */
  | 'autoscaling-target'
  | 'elb-load-balancer'
  | 'elb-target-group'
  /** name: the listener's port; parent: the load balancer's name. */
  | 'elb-listener'
  /** A listener rule forwarding to a target group of the stack (name: the target group; parent: LOAD-BALANCER:PORT). */
  | 'elb-rule'
  /** name: the group's name; parent: its VPC. */
  | 'ec2-security-group';

export type JournalEvent = 'intent' | 'created' | 'adopted' | 'updated' | 'deleted' | 'attached' | 'detached';

export interface JournalRecord {
  v: 1;
  ts: string;
  run: string;
  command: string;
  event: JournalEvent;
  type: ResourceType;
  /** Resource name; for attachments `role|policyArn`; for task definitions `family:revision`. */
  name: string;
  arn?: string;
  /** Cluster of a service or task; role of an attachment. */
  parent?: string;
  data?: Record<string, unknown>;
}

export interface TrackedResource {
  type: ResourceType;
  name: string;
  arn?: string;
  parent?: string;
  /** created: the stack made it; adopted: it pre-existed and was only used; intent: a create was sent, answer unknown. */
  origin: 'created' | 'adopted' | 'intent';
  present: boolean;
  order: number;
  data?: Record<string, unknown>;
}

export function stateDir(env: NodeJS.ProcessEnv): string {
  if (env.ECSPRIMER_STATE_DIR) return env.ECSPRIMER_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'ecsprimer');
  return join(env.HOME || homedir(), '.local', 'state', 'ecsprimer');
}

export function journalPath(dir: string, account: string, region: string, stack: string): string {
  return join(dir, account, region, `${stack}.jsonl`);
}

export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dir, 0o700);
  } catch {
    /* not ours to change: reading still works */
  }
}

export function resourceKey(r: { type: ResourceType; name: string; parent?: string }): string {
  return `${r.type}|${r.parent ?? ''}|${r.name}`;
}

export class Journal {
  private readonly runId: string;

  constructor(
    readonly file: string,
    readonly command: string,
  ) {
    this.runId = `${Date.now().toString(36)}-${process.pid}`;
  }

  /** Appends one record and forces it to disk. */
  append(rec: Omit<JournalRecord, 'v' | 'ts' | 'run' | 'command'>): void {
    ensurePrivateDir(dirname(this.file));
    const line = JSON.stringify({ v: 1, ts: new Date().toISOString(), run: this.runId, command: this.command, ...rec }) + '\n';
    const fd = openSync(this.file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
    try {
      writeSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  read(): JournalRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const out: JournalRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const rec = JSON.parse(line) as JournalRecord;
        if (rec && rec.v === 1 && rec.type && rec.name) out.push(rec);
      } catch {
        /* a torn last line from a kill mid-write: the previous lines still hold */
      }
    }
    return out;
  }

  /** Folds the records into the resources the stack tracks, in creation order. */
  resources(): TrackedResource[] {
    return foldRecords(this.read());
  }

  exists(): boolean {
    try {
      return statSync(this.file).isFile();
    } catch {
      return false;
    }
  }
}

export function foldRecords(records: JournalRecord[]): TrackedResource[] {
  const map = new Map<string, TrackedResource>();
  let order = 0;
  for (const rec of records) {
    const key = resourceKey(rec);
    const prev = map.get(key);
    switch (rec.event) {
      case 'intent':
        if (!prev || !prev.present) {
          map.set(key, { type: rec.type, name: rec.name, parent: rec.parent, arn: rec.arn ?? prev?.arn, origin: 'intent', present: true, order: order++, data: rec.data });
        }
        break;
      case 'created':
      case 'attached':
        map.set(key, { type: rec.type, name: rec.name, parent: rec.parent, arn: rec.arn ?? prev?.arn, origin: 'created', present: true, order: prev?.present ? prev.order : order++, data: { ...prev?.data, ...rec.data } });
        break;
      case 'adopted':
        if (!prev || !prev.present || prev.origin === 'intent') {
          map.set(key, { type: rec.type, name: rec.name, parent: rec.parent, arn: rec.arn ?? prev?.arn, origin: prev?.present && prev.origin === 'created' ? 'created' : 'adopted', present: true, order: order++, data: rec.data });
        }
        break;
      case 'updated':
        if (prev) map.set(key, { ...prev, arn: rec.arn ?? prev.arn, present: true, data: { ...prev.data, ...rec.data } });
        else map.set(key, { type: rec.type, name: rec.name, parent: rec.parent, arn: rec.arn, origin: 'created', present: true, order: order++, data: rec.data });
        break;
      case 'deleted':
      case 'detached':
        if (prev) map.set(key, { ...prev, present: false });
        break;
    }
  }
  return [...map.values()].sort((a, b) => a.order - b.order);
}

/** Lists the stacks with a journal for this account and region. */
export function listStacks(dir: string, account: string, region: string): string[] {
  try {
    return readdirSync(join(dir, account, region))
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => f.slice(0, -'.jsonl'.length))
      .sort();
  } catch {
    return [];
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock next to the journal, so two runs never change one stack at once.
 * A lock left by a dead process (SIGKILL) is taken over.
 */
export class StackLock {
  private held = false;
  constructor(readonly file: string) {}

  acquire(stack: string): void {
    ensurePrivateDir(dirname(this.file));
    for (let tries = 0; tries < 3; tries++) {
      try {
        const fd = openSync(this.file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.held = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        let pid = NaN;
        try {
          pid = Number(readFileSync(this.file, 'utf8').trim());
        } catch {
          continue;
        }
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) {
          throw new RuntimeError(
            'StackLocked',
            `Stack "${stack}" is being changed by another ecsprimer run (pid ${pid}); wait for it to finish and run again. If no such run exists, remove ${this.file}.`,
          );
        }
        try {
          unlinkSync(this.file);
        } catch {
          /* someone else took it over first; try again */
        }
      }
    }
    throw new RuntimeError('StackLocked', `Could not take the lock ${this.file}; run again.`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      unlinkSync(this.file);
    } catch {
      /* already gone */
    }
  }
}

export function appendText(file: string, text: string): void {
  appendFileSync(file, text, { mode: 0o600 });
}
