#!/usr/bin/env node
'use strict';
// The router of every start. bin/package.json makes this file CommonJS: an ES module entry would
// start Node's ES module loader first, which costs about a fifth of `node -e 0` (see bench/).
// - `ecsprimer --version` alone prints dist/version.txt (written by the build from the program's
//   own version option);
// - `<command> --help` (-h, help <command>) with stdout not a terminal prints dist/help.json's text;
// - other argv that may ask for help goes to dist/light.js (commander and the command tree as
//   data, src/cli/light.ts): help, version and usage errors, with no command module, AWS SDK or
//   prompt;
// - a command runs from dist/app-<hash>.js, the whole program as one script, compiled with the V8
//   code cache the build made for it (dist/app.json says which script and caches, and for which
//   Node: the cache is only used by the Node that made it);
// - anything else (no usable cache, ECSPRIMER_CODE_CACHE=0, an older build) goes to main() in
//   dist/main.js, the same program as ES module chunks, each SDK client a chunk of its own.
const fs = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
const argv = process.argv.slice(2);

/** Same rule as mayAskForHelp in src/main.ts (a routing guess: a wrong one costs time, not answers). */
function mayAskForHelp(args) {
  return args.length === 0 || args.some((a) => a === '--help' || a === '--version' || a === 'help' || /^-[A-Za-z]*h/.test(a));
}

/** The command words of argv (`service create`), up to the first option. */
function commandOf(args) {
  const words = [];
  for (const a of args) {
    if (a.startsWith('-') || words.length === 2) break;
    words.push(a);
  }
  return words.join(' ');
}

/** Runs one of dist's plain scripts (a function expression) compiled with its V8 code cache. */
function loadScript(file, cacheFile, ...extra) {
  const vm = require('node:vm');
  const { createRequire } = require('node:module');
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    /* compiled without it */
  }
  const script = new vm.Script(fs.readFileSync(file, 'utf8'), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file), ...extra);
  return module.exports;
}

function printVersion() {
  try {
    const v = fs.readFileSync(path.join(dist, 'version.txt'), 'utf8').trim();
    if (!v) return false;
    fs.writeSync(1, `${v}\n`);
    return true;
  } catch (e) {
    return Boolean(e && e.code === 'EPIPE'); // a closed stdout is not an error
  }
}

/**
 * Help as the light path prints it when stdout is not a terminal (dist/help.json, made by the
 * build from that path): printed without running commander. Only for stdout that is certainly
 * not a terminal (a pipe, a file): on a terminal Commander wraps to its width.
 * ECSPRIMER_HELP_CACHE=0 leaves every help to commander (tests, bench).
 */
function printHelp(args) {
  if (process.env.ECSPRIMER_HELP_CACHE === '0') return false;
  try {
    if (fs.fstatSync(1).isCharacterDevice()) return false;
    const help = JSON.parse(fs.readFileSync(path.join(dist, 'help.json'), 'utf8'));
    const i = help.keys[args.join(' ')];
    if (i === undefined) return false;
    const buf = Buffer.from(help.texts[i]);
    for (let off = 0; off < buf.length; ) off += fs.writeSync(1, buf, off);
    return true;
  } catch (e) {
    return Boolean(e && e.code === 'EPIPE');
  }
}

function light() {
  try {
    const m = loadScript(path.join(dist, 'light.js'), path.join(dist, 'light.cache'));
    return typeof m.answer === 'function' ? m : undefined;
  } catch {
    return undefined;
  }
}

function app(args) {
  if (process.env.ECSPRIMER_CODE_CACHE === '0') return undefined;
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dist, 'app.json'), 'utf8'));
    if (meta.versionTag !== require('node:v8').cachedDataVersionTag()) return undefined;
    // Commands that use more (the EC2 client) have a cache of their own, so the others do not load it.
    const command = commandOf(args);
    const cache = (meta.caches || []).find((c) => c.commands.includes(command)) || meta.cache;
    const file = path.join(dist, meta.script);
    const m = loadScript(file, path.join(dist, cache.file), require('node:url').pathToFileURL(file).href);
    return typeof m.main === 'function' ? m : undefined;
  } catch {
    return undefined;
  }
}

async function run() {
  if (argv.length === 1 && argv[0] === '--version' && printVersion()) return 0;
  if (mayAskForHelp(argv)) {
    if (printHelp(argv)) return 0;
    const code = await light()?.answer(argv).catch(() => undefined);
    if (code !== undefined) return code;
  } else {
    const program = app(argv);
    if (program) return program.main(argv, { handleSignals: true });
  }
  const { main } = await import('../dist/main.js');
  return main(argv, { handleSignals: true });
}

run().then((code) => {
  process.exitCode = code;
});
