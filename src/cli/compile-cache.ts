/**
 * A V8 code cache for the built CLI (dist/ecsprimer.cjs and the command modules in dist/lib/), so
 * that a run does not compile the same code again: what Node 22 does with
 * `module.enableCompileCache()`, which Node 20 lacks. dist/boot.cjs (src/boot.ts) installs it
 * before anything else loads (see README, The compile cache and Performance).
 *
 * - Each file is compiled as Node's CommonJS loader compiles it (Module.wrap, run in this
 *   context), with the cached data of a previous run when there is one. V8 checks that data
 *   against its own version and flags only (and the source's length), so the data is kept per
 *   build (a hash of every built file, fixed by scripts/build.mjs: another version or a rebuild
 *   never reads it) and per file, size, modification time and inode (a file edited by hand is
 *   another key). Not a hash of each file's contents: node:crypto alone costs help ~3 ms.
 * - The data is made at exit from the scripts compiled this run (after they ran, so it holds the
 *   functions the command used, not only the top level), and written atomically (a temporary
 *   file, then rename). Runs after that read it and write nothing.
 * - Where: ECSPRIMER_CACHE_DIR, else $XDG_CACHE_HOME/ecsprimer, else ~/.cache/ecsprimer, in a
 *   directory per V8 version and architecture, then per build (other versions' and builds' data
 *   is removed when this one is written).
 *   A directory that another user owns or others can write to is not used (its data would be code
 *   run as this user). ECSPRIMER_COMPILE_CACHE=0 turns the cache off. Any failure to read or write
 *   it only means compiling as without it.
 * - On Node 22.1 and later, Node's own compile cache is used instead, in the same directory.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { Script } from 'node:vm';

/** What Node's CommonJS loader exposes and @types/node does not declare. */
interface CjsLoader {
  _extensions: Record<string, (module: NodeModule, filename: string) => void>;
  wrap(source: string): string;
  enableCompileCache?: (dir: string) => unknown;
}

export interface CompileCache {
  /** Where the cached data of this V8 and this build lives. */
  dir: string;
  /** Files compiled with cached data / without (new, changed, or data V8 refused). */
  hits: number;
  misses: number;
  /** Writes the data of the scripts compiled without it (also done at exit). */
  flush(): void;
}

export function compileCacheRoot(env: NodeJS.ProcessEnv): string | undefined {
  if (env.ECSPRIMER_COMPILE_CACHE === '0') return undefined;
  if (env.ECSPRIMER_CACHE_DIR) return env.ECSPRIMER_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'ecsprimer');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'ecsprimer', 'Cache');
  return join(env.HOME || homedir(), '.cache', 'ecsprimer');
}

/** How many characters Module.wrap puts before a file's first line. */
const WRAPPER_PREFIX = (loader: CjsLoader): number => loader.wrap('\u0000').indexOf('\u0000');

/** Whether a directory is safe to load code from: ours, and not writable by others. Missing: yes (we create it). */
function trusted(dir: string): boolean {
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) return false;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
    return process.platform === 'win32' || (st.mode & 0o022) === 0;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Compiles the CommonJS files under `dir` with a code cache under `root`, for the build
 * `build` (a name for these files' versions: scripts/build.mjs's hash of them). Returns undefined
 * when there is nothing to do (no root, an untrusted directory, or Node's own cache in use).
 */
export function installCompileCache(dir: string, root: string | undefined, build: string): CompileCache | undefined {
  if (!root || !trusted(root)) return undefined;
  const loader = Module as unknown as CjsLoader;
  if (typeof loader.enableCompileCache === 'function') {
    loader.enableCompileCache(root);
    return undefined;
  }
  const version = `v8-${process.versions.v8}-${process.arch}`;
  const versionDir = join(root, version);
  const buildDir = join(versionDir, build);
  if (!trusted(versionDir) || !trusted(buildDir)) return undefined;
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const previous = loader._extensions['.cjs'] ?? loader._extensions['.js'];
  let fresh: Array<{ file: string; script: Script }> = [];
  const cache: CompileCache = {
    dir: buildDir,
    hits: 0,
    misses: 0,
    flush() {
      if (!fresh.length) return;
      const todo = fresh;
      fresh = [];
      try {
        mkdirSync(buildDir, { recursive: true, mode: 0o700 });
        for (const { file, script } of todo) {
          const tmp = `${file}.${process.pid}.tmp`;
          writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
          renameSync(tmp, file);
        }
        // The data of other V8 versions (an upgraded Node) and other builds is never read again.
        for (const other of readdirSync(root)) if (other !== version && other.startsWith('v8-')) rmSync(join(root, other), { recursive: true, force: true });
        for (const other of readdirSync(versionDir)) if (other !== build) rmSync(join(versionDir, other), { recursive: true, force: true });
      } catch {
        /* a cache we cannot write: the next run compiles again */
      }
    },
  };
  loader._extensions['.cjs'] = function compileCached(module, filename) {
    if (!filename.startsWith(prefix)) return previous.call(this, module, filename);
    const source = readFileSync(filename, 'utf8');
    const st = statSync(filename);
    const file = join(buildDir, `${relative(prefix, filename).replace(/[\\/]/g, '_')}-${st.size}-${st.mtimeMs}-${st.ino}.bin`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      /* not cached yet */
    }
    // columnOffset: positions in stack traces are the file's own, not shifted by the wrapper.
    const script = new Script(loader.wrap(source), { filename, cachedData, columnOffset: -WRAPPER_PREFIX(loader) });
    if (cachedData && !script.cachedDataRejected) cache.hits++;
    else {
      cache.misses++;
      fresh.push({ file, script });
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as (exports: unknown, require: NodeJS.Require, module: NodeModule, filename: string, dirname: string) => void;
    const require = ((id: string) => module.require(id)) as NodeJS.Require;
    wrapper.call(module.exports, module.exports, require, module, filename, dirname(filename));
  };
  process.once('exit', () => cache.flush());
  return cache;
}
