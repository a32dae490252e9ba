/**
 * The light path of a start: parse argv with the command tree rebuilt from the manifest
 * (src/cli/manifest.ts) and answer help, version and usage errors there, before any command
 * module, the AWS SDK or the prompts are loaded. When the parse reaches a command's action, the
 * caller (main.ts) runs the real program instead.
 *
 * scripts/build.mjs bundles this file, commander and the manifest into dist/light.js, a plain
 * script that main.ts compiles with node:vm using a V8 code cache made at build time
 * (dist/light.cache): most of what help costs is compiling commander, which the cache skips.
 */
import { fstatSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import type { IoStreams } from '../context.js';
import { commandFromManifest, type CommandManifest } from './manifest.js';
import { isCommanderError, isHelpOrVersion, usageErrorJson, wantsJson } from './usage.js';

/** The manifest, put here by scripts/build.mjs (esbuild `define`) in dist/light.js only. */
declare const __ECSPRIMER_COMMAND_MANIFEST__: string | undefined;

/** The manifest built into dist/light.js, if this is that bundle. */
export function builtManifest(): CommandManifest | undefined {
  return typeof __ECSPRIMER_COMMAND_MANIFEST__ === 'string' ? (JSON.parse(__ECSPRIMER_COMMAND_MANIFEST__) as CommandManifest) : undefined;
}

/** Commander's own colour convention (its useColor()), for output that is not a terminal. */
function colorFromEnv(env: NodeJS.ProcessEnv): boolean | undefined {
  if (env.NO_COLOR || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
  return undefined;
}

/** False when `fd` is certainly not a terminal (a pipe, a file, a socket); true when it may be. */
function mayBeTerminal(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return true;
  }
}

/**
 * Writes help and usage errors straight to the file descriptor: creating process.stdout (a stream)
 * costs several milliseconds of a start that prints one screen. Falls back to the stream should the
 * descriptor be non-blocking and full; a closed pipe (`ecsprimer --help | head -1`) is not an error.
 */
function fdWriter(fd: number, stream: () => NodeJS.WritableStream): (s: string) => void {
  return (s) => {
    let buf = Buffer.from(s);
    while (buf.length > 0) {
      try {
        buf = buf.subarray(writeSync(fd, buf));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') stream().write(buf);
        else if (code !== 'EPIPE') throw e;
        return;
      }
    }
  };
}

/**
 * The output routing of the real program (cli/program.ts: writeOut/writeErr to io) with
 * exitOverride. For the process's own streams, help and errors go straight to the descriptors
 * unless they may be terminals, where Commander's defaults (width, colours) apply unchanged.
 */
function lightConfigure(io: IoStreams, processStreams: boolean, env: NodeJS.ProcessEnv): (c: Command) => void {
  const out: Record<string, unknown> = { writeOut: (s: string) => io.stdout.write(s), writeErr: (s: string) => io.stderr.write(s) };
  if (processStreams) {
    if (!mayBeTerminal(1)) {
      out.writeOut = fdWriter(1, () => process.stdout);
      out.getOutHelpWidth = () => undefined;
      out.getOutHasColors = () => colorFromEnv(env) ?? false;
    }
    if (!mayBeTerminal(2)) {
      out.writeErr = fdWriter(2, () => process.stderr);
      out.getErrHelpWidth = () => undefined;
      out.getErrHasColors = () => colorFromEnv(env) ?? false;
    }
  }
  return (c) => {
    c.exitOverride().configureOutput(out);
  };
}

export interface LightOptions {
  /** Default: the manifest built into this bundle. */
  manifest?: CommandManifest;
  io: IoStreams;
  /** io is the process's own stdout/stderr (then written to the descriptors where possible). */
  processStreams: boolean;
}

/**
 * Parses argv with the tree rebuilt from the manifest. Resolves true when the parse reached a
 * command's action (the real program must run it), or when there is no manifest; throws
 * Commander's error for help, version and usage errors, exactly as the real program would.
 */
export async function reachesAction(argv: string[], o: LightOptions): Promise<boolean> {
  const manifest = o.manifest ?? builtManifest();
  if (!manifest) return true;
  let reached = false;
  const light = commandFromManifest(manifest, {
    configure: lightConfigure(o.io, o.processStreams, process.env),
    onAction: () => {
      reached = true;
    },
  });
  await light.parseAsync(argv, { from: 'user' });
  return reached;
}

/**
 * For bin/ecsprimer.js, which loads this bundle directly when argv may ask for help (skipping
 * dist/main.js): the exit code of help, version or a usage error, answered exactly as main.ts
 * answers them; undefined when a command is to run (then main.ts runs it).
 */
export async function answer(argv: string[]): Promise<number | undefined> {
  const io: IoStreams = {
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    stdinIsTTY: false,
    readStdin: async () => Buffer.alloc(0),
  };
  try {
    return (await reachesAction(argv, { io, processStreams: true })) ? undefined : 0;
  } catch (e) {
    if (!isCommanderError(e)) throw e;
    if (isHelpOrVersion(e)) return 0;
    if (wantsJson(argv)) process.stdout.write(usageErrorJson(argv, e.message));
    return 2;
  }
}
