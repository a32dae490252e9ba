/**
 * The binary's first module (dist/boot.cjs, required by bin/ecsprimer.cjs before the CLI itself):
 * installs the compile cache for every built file after it (dist/ecsprimer.cjs and dist/lib/), so
 * that help compiles Commander from the cache too. It imports nothing but Node's built-ins.
 */
import { compileCacheRoot, installCompileCache, type CompileCache } from './cli/compile-cache.js';

export { compileCacheRoot, installCompileCache };

/** A hash of every other built file, written in by scripts/build.mjs ('source' when run unbuilt). */
declare const ECSPRIMER_BUILD_ID: string | undefined;
export const BUILD_ID: string = typeof ECSPRIMER_BUILD_ID === 'string' ? ECSPRIMER_BUILD_ID : 'source';

/** Installs the compile cache for the files of `dir` (the built dist/ directory this file is in). */
export function boot(dir: string = __dirname): CompileCache | undefined {
  return installCompileCache(dir, compileCacheRoot(process.env), BUILD_ID);
}
