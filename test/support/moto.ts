/**
 * Start and drive a local moto server (a fake AWS API) for end-to-end tests, fault tests and the
 * benchmark. The server binds 127.0.0.1 only; nothing here talks to anything but loopback.
 *
 * See /work/shared/notes/moto.md for what moto does and does not emulate faithfully.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface MotoServer {
  /** Base URL, e.g. `http://127.0.0.1:51234`; use it as the SDK `endpoint`. */
  readonly url: string;
  readonly port: number;
  /** Process id of the server (for tests of the harness itself). */
  readonly pid: number;
  /** Kills the server and waits until it has exited (and been reaped). Idempotent. */
  stop(): Promise<void>;
  /**
   * Empties every moto backend (POST /moto-api/reset) and restores moto's default ECS task
   * transition: moto's reset does NOT touch the state manager, so a `setTaskTransition` would
   * otherwise leak into the next test.
   */
  reset(): Promise<void>;
  /**
   * How ECS tasks move through their lifecycle (RUNNING → DEACTIVATING → STOPPING →
   * DEPROVISIONING → STOPPED). Moto advances a task's tick on each DescribeTasks that names it and
   * moves it one state further once the tick reaches `times`:
   * - a number N: progression "manual" with times N — the task reads RUNNING on the first N-1
   *   DescribeTasks and one state further on the Nth, then again every N reads;
   * - 'auto': remove any override, back to moto's registered default for `ecs::task`, which is
   *   "manual" with times 1 (one state further on every DescribeTasks);
   * - 'immediate': progression "immediate" — a task reads STOPPED on its first read.
   */
  setTaskTransition(times: number | 'auto' | 'immediate'): Promise<void>;
}

/** How long startMoto waits for `GET /moto-api/` to answer 200. */
const READY_TIMEOUT_MS = 30_000;
/** How much of the server's stderr is kept for error messages (werkzeug logs every request). */
const STDERR_TAIL_BYTES = 16 * 1024;
/** See the readiness loop in startOnce. */
const BANNER_GRACE_MS = 10_000;

interface MotoCommand {
  command: string;
  prefixArgs: string[];
}

let cachedCommand: Promise<MotoCommand | null> | undefined;

/** First executable named `name` on PATH, or null. */
function whichSync(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/**
 * The command that runs moto, checked by actually running its `--help`: a pyenv shim named
 * `moto_server` can be on PATH while the active Python lacks moto.
 */
function resolveMotoCommand(): Promise<MotoCommand | null> {
  cachedCommand ??= (async () => {
    const candidates: MotoCommand[] = [];
    const motoServer = whichSync('moto_server');
    if (motoServer) candidates.push({ command: motoServer, prefixArgs: [] });
    const python = whichSync('python3');
    if (python) candidates.push({ command: python, prefixArgs: ['-m', 'moto.server'] });
    for (const candidate of candidates) {
      const probe = spawnSync(candidate.command, [...candidate.prefixArgs, '--help'], {
        stdio: 'ignore',
        timeout: 20_000,
      });
      if (probe.status === 0) return candidate;
    }
    return null;
  })();
  return cachedCommand;
}

/** True when moto's server can be started on this machine (`moto_server` or `python3 -m moto.server`). */
export async function motoAvailable(): Promise<boolean> {
  return (await resolveMotoCommand()) !== null;
}

/** A port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a loopback listener'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Servers still running, killed synchronously when this process exits. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a plain kill is all we can do there. The child is not
  // detached, so a Ctrl-C in a terminal reaches it as well.
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/**
 * If this process dies without running its 'exit' handlers (SIGKILL, a runner's hard timeout),
 * the moto server would live on, holding its port and ~70 MB. A tiny detached shell polls both
 * processes once a second and stops the server once this process is gone; it exits by itself
 * as soon as the server has ended.
 */
function watchForOrphaning(serverPid: number): void {
  if (process.platform === 'win32') return;
  const script = 'while kill -0 "$1" 2>/dev/null; do kill -0 "$0" 2>/dev/null || { kill -TERM "$1"; exit 0; }; sleep 1; done';
  try {
    spawn('/bin/sh', ['-c', script, String(process.pid), String(serverPid)], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  } catch {
    // best effort: the 'exit' hook and stop() remain
  }
}

async function ping(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer(); // drain, so the connection is released
    return response.status === 200;
  } catch {
    return false;
  }
}

async function motoApi(url: string, pathname: string, body?: unknown): Promise<void> {
  const response = await fetch(`${url}${pathname}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`moto ${pathname} answered HTTP ${response.status}: ${text.slice(0, 500)}`);
  }
}

class StartError extends Error {
  constructor(
    message: string,
    /** True when the server exited because the port was taken (worth retrying on another). */
    readonly portInUse: boolean,
  ) {
    super(message);
  }
}

async function startOnce(cmd: MotoCommand, port: number): Promise<MotoServer> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(cmd.command, [...cmd.prefixArgs, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // AWS's managed policies (AmazonECSTaskExecutionRolePolicy...) exist in every account; moto has them only when asked.
    env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', ...process.env, PYTHONUNBUFFERED: '1' },
  });
  liveChildren.add(child);
  installExitHook();
  if (child.pid !== undefined) watchForOrphaning(child.pid);

  // Drain both pipes all the time: werkzeug writes a log line per request, and a full pipe would
  // block the server. Keep only a tail of stderr for error messages.
  let stderrTail = '';
  let announced = false;
  const bound = () => announced;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    // werkzeug logs " * Running on http://127.0.0.1:PORT" once its socket is bound
    if (!announced && stderrTail.includes(`Running on ${url}`)) announced = true;
  });
  child.stdout!.resume();
  // A forgotten server must not keep this process alive; the 'exit' hook then kills it.
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();

  let exited = false;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      // 'exit' may never come when the spawn itself failed
      if (child.pid === undefined) {
        exited = true;
        liveChildren.delete(child);
        resolve();
      }
    });
    child.once('exit', () => {
      exited = true;
      liveChildren.delete(child);
      resolve();
    });
  });

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const killed = await Promise.race([exitPromise.then(() => true), sleep(5_000).then(() => false)]);
    if (!killed) {
      child.kill('SIGKILL');
      await exitPromise;
    }
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let answeringSince: number | undefined;
  for (;;) {
    if (exited) {
      const detail = spawnError ? String(spawnError) : `exit code ${child.exitCode}, signal ${child.signalCode}`;
      throw new StartError(
        `moto server (${cmd.command}) exited before it was ready (${detail}). stderr:\n${stderrTail}`,
        /address already in use/i.test(stderrTail),
      );
    }
    // Ready = OUR server announced it is listening AND the port answers. Pinging alone is not
    // enough: if the port was taken meanwhile, the ping reaches that other server while ours is
    // still importing, and ours then fails to bind (or, worse, binds later and is never stopped).
    // Should a future werkzeug word its banner differently, a server that answers and has stayed
    // alive for BANNER_GRACE_MS is accepted anyway (a loser of the port race exits well before).
    if (await ping(url)) {
      answeringSince ??= Date.now();
      if (bound() || Date.now() - answeringSince > BANNER_GRACE_MS) break;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new StartError(
        `moto server on ${url} did not answer GET /moto-api/ within ${READY_TIMEOUT_MS / 1000} s. stderr:\n${stderrTail}`,
        false,
      );
    }
    await sleep(100);
  }

  const setTaskTransition = async (times: number | 'auto' | 'immediate'): Promise<void> => {
    if (times === 'auto') {
      await motoApi(url, '/moto-api/state-manager/unset-transition', { model_name: 'ecs::task' });
      return;
    }
    if (times === 'immediate') {
      await motoApi(url, '/moto-api/state-manager/set-transition', {
        model_name: 'ecs::task',
        transition: { progression: 'immediate' },
      });
      return;
    }
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`setTaskTransition: times must be a positive integer, got ${times}`);
    }
    await motoApi(url, '/moto-api/state-manager/set-transition', {
      model_name: 'ecs::task',
      transition: { progression: 'manual', times },
    });
  };

  return {
    url,
    port,
    pid: child.pid!,
    stop,
    async reset() {
      await motoApi(url, '/moto-api/reset');
      await setTaskTransition('auto');
    },
    setTaskTransition,
  };
}

/**
 * Starts `moto_server -H 127.0.0.1 -p PORT` (or `python3 -m moto.server ...`) on a free loopback
 * port and resolves once it answers. Throws with the server's stderr if it does not come up.
 */
export async function startMoto(opts: { port?: number } = {}): Promise<MotoServer> {
  const cmd = await resolveMotoCommand();
  if (!cmd) {
    throw new Error("moto not found: neither `moto_server` nor `python3 -m moto.server` runs; pip install 'moto[server]'");
  }
  // Between closing the probe listener and moto binding the port, something else may take it:
  // retry on a fresh port a few times (only when the port was not imposed).
  const attempts = opts.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freeLoopbackPort());
    try {
      return await startOnce(cmd, port);
    } catch (err) {
      if (err instanceof StartError && err.portInUse && attempt < attempts) continue;
      throw err;
    }
  }
}
