/**
 * The compile cache of the built files (src/cli/compile-cache.ts, installed by dist/boot.cjs), in
 * child processes (it replaces the CommonJS loader's `.cjs` compiler and writes at exit): what it
 * writes, that a second run uses it, and that it never runs other code than the file's — a file
 * edited to the same length, another build, corrupt data, a directory others can write to. Then
 * the built CLI with it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLI_BIN, REPO_ROOT, cliEnv, tempDir } from '../support/cli.js';

const BUILT = path.join(REPO_ROOT, 'dist', 'boot.cjs');
const V8_DIR = `v8-${process.versions.v8}-${process.arch}`;
const BUILD = 'test-build';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the child printed: the cache's counts (null when not installed) and the modules' values. */
  result: { installed: boolean; hits: number; misses: number; values: unknown } | undefined;
}

let work: string;
let lib: string;
let root: string;

/** A child that installs the cache for `lib` under `root`, requires lib/main.cjs (and `extra`) and prints what it saw. */
function child(opts: { env?: Record<string, string>; extra?: string; build?: string } = {}): Run {
  const script = path.join(work, 'child.cjs');
  writeFileSync(
    script,
    `const { installCompileCache, compileCacheRoot } = require(${JSON.stringify(BUILT)});
const cache = installCompileCache(${JSON.stringify(lib)}, compileCacheRoot(process.env), ${JSON.stringify(opts.build ?? BUILD)});
const values = { main: require(${JSON.stringify(path.join(lib, 'main.cjs'))}).value() };
${opts.extra ?? ''}
process.on('exit', () => { cache?.flush(); console.log(JSON.stringify({ installed: Boolean(cache), hits: cache?.hits ?? 0, misses: cache?.misses ?? 0, values })); });
`,
  );
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ECSPRIMER_CACHE_DIR: root, ...opts.env } });
  let result: Run['result'];
  try {
    result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    result = undefined;
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, result };
}

const buildDir = (build = BUILD) => path.join(root, V8_DIR, build);
const cacheFiles = (build = BUILD) => (existsSync(buildDir(build)) ? readdirSync(buildDir(build)).filter((f) => f.endsWith('.bin')).sort() : []);
const mtimes = () => cacheFiles().map((f) => statSync(path.join(buildDir(), f)).mtimeMs);

beforeEach(() => {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` first');
  work = tempDir('ecsprimer-ccache-');
  lib = path.join(work, 'lib');
  root = path.join(work, 'cache');
  mkdirSync(path.join(lib, 'chunks'), { recursive: true });
  // Two modules as the build writes them: CommonJS, one requiring the other by a relative path,
  // exports as getters, a function that runs only when called (compiled lazily by V8).
  writeFileSync(path.join(lib, 'chunks', 'shared.cjs'), `"use strict";exports.greet=(n)=>"hello "+n;exports.where=()=>require("node:path").basename(__dirname);`);
  writeFileSync(path.join(lib, 'main.cjs'), `"use strict";const s=require("./chunks/shared.cjs");exports.value=()=>({text:s.greet("AAAA"),dir:s.where(),file:require("node:path").basename(__filename)});`);
});

describe('compile cache', () => {
  it('first run compiles and writes one file per module; the second uses them and writes nothing', () => {
    const first = child();
    expect(first.code, first.stderr).toBe(0);
    expect(first.result).toEqual({ installed: true, hits: 0, misses: 2, values: { main: { text: 'hello AAAA', dir: 'chunks', file: 'main.cjs' } } });
    expect(cacheFiles()).toHaveLength(2);
    const before = mtimes();

    const second = child();
    expect(second.result).toEqual({ installed: true, hits: 2, misses: 0, values: first.result!.values });
    expect(mtimes()).toEqual(before);
  });

  it('a file edited to the same length runs its new code (the data is keyed by size, modification time and inode, not by name)', () => {
    expect(child().result?.misses).toBe(2);
    const file = path.join(lib, 'main.cjs');
    writeFileSync(file, readFileSync(file, 'utf8').replace('AAAA', 'BBBB'));
    const after = child();
    expect(after.result?.values).toEqual({ main: { text: 'hello BBBB', dir: 'chunks', file: 'main.cjs' } });
    expect(after.result).toMatchObject({ hits: 1, misses: 1 });
    expect(cacheFiles()).toHaveLength(3);
  });

  it('corrupt data is refused by V8: the module compiles as without a cache and the data is written again', () => {
    child();
    for (const f of cacheFiles()) writeFileSync(path.join(buildDir(), f), Buffer.from('not a code cache at all, just bytes'));
    const r = child();
    expect(r.code, r.stderr).toBe(0);
    expect(r.result).toMatchObject({ hits: 0, misses: 2, values: { main: { text: 'hello AAAA' } } });
    expect(child().result).toMatchObject({ hits: 2, misses: 0 });
  });

  it("an error thrown while a cached module loads names that module, at the file's own line and column", () => {
    writeFileSync(path.join(lib, 'broken.cjs'), `"use strict";throw new Error("broken at load");`);
    const extra = `try { require(${JSON.stringify(path.join(lib, 'broken.cjs'))}); } catch (e) { values.broken = [e.message, /broken\\.cjs:1:20\\b/.test(e.stack)]; }`;
    // Compiled from the cache the second time: the same place.
    for (let run = 0; run < 2; run++) expect(child({ extra }).result?.values).toMatchObject({ broken: ['broken at load', true] });
  });

  it('files outside the directory it serves are compiled by Node as usual (no data written for them)', () => {
    const outside = path.join(work, 'outside.cjs');
    writeFileSync(outside, `exports.n = 42;`);
    const r = child({ extra: `values.outside = require(${JSON.stringify(outside)}).n;` });
    expect(r.result).toMatchObject({ misses: 2, values: { outside: 42 } });
    expect(cacheFiles()).toHaveLength(2);
  });

  it('is not used in a directory others can write to, nor with ECSPRIMER_COMPILE_CACHE=0; the modules load all the same', () => {
    mkdirSync(root, { recursive: true });
    chmodSync(root, 0o777);
    const open = child();
    expect(open.result).toEqual({ installed: false, hits: 0, misses: 0, values: { main: { text: 'hello AAAA', dir: 'chunks', file: 'main.cjs' } } });
    chmodSync(root, 0o700);
    const off = child({ env: { ECSPRIMER_COMPILE_CACHE: '0' } });
    expect(off.result).toMatchObject({ installed: false, values: { main: { text: 'hello AAAA' } } });
    expect(cacheFiles()).toEqual([]);
  });

  it('another build never reads this one\'s data (a new version installed over it)', () => {
    expect(child().result?.misses).toBe(2);
    const other = child({ build: 'next-build' });
    expect(other.result).toMatchObject({ hits: 0, misses: 2, values: { main: { text: 'hello AAAA' } } });
    expect(child({ build: 'next-build' }).result).toMatchObject({ hits: 2, misses: 0 });
  });

  it("removes other V8 versions' and other builds' data when it writes its own", () => {
    mkdirSync(path.join(root, 'v8-1.2.3-x64', 'b1'), { recursive: true });
    writeFileSync(path.join(root, 'v8-1.2.3-x64', 'b1', 'old.bin'), 'old');
    mkdirSync(buildDir('older-build'), { recursive: true });
    writeFileSync(path.join(buildDir('older-build'), 'old.bin'), 'old');
    writeFileSync(path.join(root, 'README'), 'not ours to remove');
    child();
    expect(readdirSync(root).sort()).toEqual(['README', V8_DIR]);
    expect(readdirSync(path.join(root, V8_DIR))).toEqual([BUILD]);
  });
});

describe('the built CLI with its compile cache', () => {
  /** Every data file under a cache root, relative to it, with its modification time. */
  const stamps = (cache: string) =>
    readdirSync(cache, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name))
      .sort()
      .map((f) => [path.relative(cache, f), statSync(f).mtimeMs] as const);

  it('a command run twice answers the same; the second run reads the data the first wrote', () => {
    const cache = tempDir('ecsprimer-cli-ccache-');
    const env = cliEnv({ ECSPRIMER_CACHE_DIR: cache });
    const run = (file: string) => spawnSync(process.execPath, [CLI_BIN, 'init', '--stack', 'demo', '--file', file], { encoding: 'utf8', env });
    const dir = tempDir('ecsprimer-cli-ccache-files-');
    const first = run(path.join(dir, 'a.json'));
    expect(first.status, first.stderr).toBe(0);
    const written = stamps(cache);
    expect(written.length).toBeGreaterThan(3);
    expect(written.map(([f]) => f).every((f) => f.startsWith(`${V8_DIR}${path.sep}`))).toBe(true);
    const second = run(path.join(dir, 'b.json'));
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout.replaceAll('b.json', 'a.json')).toBe(first.stdout);
    expect(readFileSync(path.join(dir, 'b.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'a.json'), 'utf8'));
    // Nothing rewritten: every file was read and accepted.
    expect(stamps(cache)).toEqual(written);
  });

  it('help caches dist/ecsprimer.cjs only (it loads no command module), and the next help reads it', () => {
    const cache = tempDir('ecsprimer-cli-ccache-help-');
    const help = () => spawnSync(process.execPath, [CLI_BIN, 'up', '--help'], { encoding: 'utf8', env: cliEnv({ ECSPRIMER_CACHE_DIR: cache }) });
    const first = help();
    expect(first.status).toBe(0);
    const written = stamps(cache);
    expect(written.map(([f]) => path.basename(f).split('-')[0])).toEqual(['ecsprimer.cjs']);
    const second = help();
    expect(second.stdout).toBe(first.stdout);
    expect(stamps(cache)).toEqual(written);
  });
});
