// Bundles src/ into dist/ with esbuild, for a fast start:
// - bin/ecsprimer.js (CommonJS, not built) routes each start, see there;
// - dist/light.js answers --help, --version and usage errors: commander and the command tree as
//   data (a manifest, see src/cli/manifest.ts and src/cli/light.ts), as a plain script compiled
//   with the V8 code cache dist/light.cache, made here by running it once;
// - dist/main.js is small: the entry point of the ES module build;
// - dist/app-<hash>.js is the whole program as one plain script, which bin/ecsprimer.js compiles
//   with a V8 code cache made here by running each command once against a closed local port
//   (dist/app-<hash>.cache; dist/app-<hash>.ec2.cache for the commands that use the EC2 client;
//   dist/app.json names them): how commands run;
// - the same program is also split into ES module chunks under dist/chunks/ (the commands, each
//   AWS SDK client, @inquirer/prompts), loaded with import() only when needed: used when
//   ECSPRIMER_CODE_CACHE=0, and by the start-up test to check what a command loads;
// - dist/version.txt and dist/help.json serve the `--version` and help fast paths of
//   bin/ecsprimer.js (help when stdout is not a terminal: see helpTexts);
// - dist/bundle-contents.json lists the packages in each output file (the start-up test uses it
//   to prove that help loads no AWS SDK code).
// dist/ is replaced file by file (chunks first, main.js last, each by an atomic rename), so a CLI
// started while a build runs never finds dist/ half-empty; old chunks are removed once they are
// older than STALE_MS (a process started before the build may still import them).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import v8 from 'node:v8';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const STALE_MS = 10 * 60 * 1000;

const banner = {
  // Some bundled CommonJS dependencies call require(); give ESM chunks one.
  js: "import { createRequire as __ecsprimerCreateRequire } from 'node:module'; const require = __ecsprimerCreateRequire(import.meta.url);",
};

/**
 * commander requires node:child_process at load time, only to run executable subcommands (which
 * ecsprimer does not have); loading it costs a few milliseconds of every start. Give commander a
 * stand-in that loads the real module on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.namespace === 'lazy-child-process' || !/[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'node:child_process', external: true }
        : { path: 'child_process', namespace: 'lazy-child-process' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "const real = () => require('node:child_process'); module.exports = { spawn: (...a) => real().spawn(...a) };",
      loader: 'js',
    }));
  },
};

/** Builds the real program once (from the sources, no AWS call) and describes its command tree. */
async function commandManifest() {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const tmp = mkdtempSync(join(cache, 'ecsprimer-manifest-'));
  try {
    const out = join(tmp, 'describe.mjs');
    await build({
      stdin: {
        contents: [
          "import { buildProgram } from './src/cli/program.ts';",
          "import { describeCommand } from './src/cli/manifest.ts';",
          'export function describe() {',
          "  const sink = { write: () => true, isTTY: false };",
          "  const io = { stdout: sink, stderr: sink, stdinIsTTY: false, readStdin: async () => Buffer.alloc(0) };",
          "  return describeCommand(buildProgram({ io, env: {}, cwd: process.cwd() }));",
          '}',
        ].join('\n'),
        resolveDir: root,
        sourcefile: 'describe-program.ts',
        loader: 'ts',
      },
      outfile: out,
      bundle: true,
      format: 'esm',
      platform: 'node',
      mainFields: ['module', 'main'],
      target: 'node20',
      // Never run here: only the command registration is.
      external: ['@aws-sdk/*', '@smithy/*', '@inquirer/*'],
      logLevel: 'warning',
      banner,
    });
    const { describe } = await import(pathToFileURL(out).href);
    return describe();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The npm package an input file belongs to ("@aws-sdk/client-iam", "commander"), or null for our sources. */
function packageOf(input) {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input.split(sep).join('/'));
  return m ? m[1] : null;
}

function writeAtomic(file, contents) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

function listFiles(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    out = e.isDirectory() ? out.concat(listFiles(p)) : out.concat([p]);
  }
  return out;
}

const manifest = await commandManifest();

/** The arguments the code cache of dist/light.js is warmed with (the code they run is cached compiled). */
const WARM_ARGV = [['--help'], ['task', '--help'], ['help', 'iam'], ['iam', 'create', '--bogus'], ['service', 'create', '--cluster', 'c'], ['nosuch'], ['--output', 'json', 'iam', 'policy', 'create', '--name', 'x']];

/** dist/light.js (a function expression, run by node:vm) and its V8 code cache. */
async function lightScript() {
  const r = await build({
    entryPoints: ['src/cli/light.ts'],
    absWorkingDir: root,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    mainFields: ['module', 'main'],
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
    metafile: true,
    plugins: [lazyChildProcess],
    define: { __ECSPRIMER_COMMAND_MANIFEST__: JSON.stringify(JSON.stringify(manifest)) },
  });
  const source = `(function (exports, require, module, __filename, __dirname) {${r.outputFiles[0].text}\n})`;
  const file = join(dist, 'light.js');
  const script = new vm.Script(source, { filename: file });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dist);
  const sink = { write: () => true, isTTY: false };
  const io = { stdout: sink, stderr: sink, stdinIsTTY: false, readStdin: async () => Buffer.alloc(0) };
  for (const argv of WARM_ARGV) {
    try {
      await mod.exports.reachesAction(argv, { io, processStreams: false });
    } catch (e) {
      if (!String(e?.code).startsWith('commander.')) throw e;
    }
  }
  const packages = [...new Set(Object.keys(r.metafile.inputs).map(packageOf).filter(Boolean))].sort();
  const cache = script.createCachedData();
  return { source, cache, packages, help: await helpTexts(mod.exports) };
}

/**
 * dist/help.json: the help of every command as the light path prints it when stdout is not a
 * terminal (Commander then wraps at 80 columns, and the text depends on nothing else), for
 * `<command> --help`, `<command> -h` and `help <command>`. bin/ecsprimer.js prints these without
 * running commander when stdout is a pipe or a file; on a terminal (or /dev/null) the light path
 * answers. test/unit/startup.test.ts compares each with the real program's help.
 */
async function helpTexts(lightModule) {
  const paths = [];
  const walk = (m, prefix) => {
    for (const c of m.commands) {
      if (c.fields._hidden) continue;
      for (const name of [c.fields._name, ...(c.fields._aliases ?? [])]) {
        paths.push([...prefix, name]);
        walk(c, [...prefix, name]);
      }
    }
  };
  walk(manifest, []);
  const argvs = [['--help'], ['-h'], ['help'], ...paths.flatMap((p) => [[...p, '--help'], [...p, '-h'], ...(p.length === 1 ? [['help', p[0]]] : [])])];
  const texts = [];
  const keys = {};
  for (const argv of argvs) {
    let out = '';
    let err = '';
    const io = { stdout: { write: (s) => (out += s), isTTY: false }, stderr: { write: (s) => (err += s), isTTY: false }, stdinIsTTY: false, readStdin: async () => Buffer.alloc(0) };
    let code;
    try {
      code = (await lightModule.reachesAction(argv, { io, processStreams: false })) ? undefined : 0;
    } catch (e) {
      code = e?.code === 'commander.helpDisplayed' || (e?.code === 'commander.help' && e?.exitCode === 0) ? 0 : undefined;
    }
    if (code !== 0 || err !== '' || out === '') continue;
    let i = texts.indexOf(out);
    if (i < 0) i = texts.push(out) - 1;
    keys[argv.join(' ')] = i;
  }
  return { texts, keys };
}

const light = await lightScript();

/** dist/app-<hash>.js: the program as one script (a function expression, run by node:vm). */
async function appScript() {
  const r = await build({
    entryPoints: ['src/main.ts'],
    absWorkingDir: root,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    mainFields: ['module', 'main'],
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
    plugins: [lazyChildProcess],
    // import() of our modules becomes a lazy require: a module is still evaluated only when imported.
    supported: { 'dynamic-import': false },
    define: { __ECSPRIMER_BUILT__: 'true', 'import.meta.url': '__ecsprimerImportMetaUrl' },
  });
  const source = `(function (exports, require, module, __filename, __dirname, __ecsprimerImportMetaUrl) {${r.outputFiles[0].text}\n})`;
  const name = `app-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.js`;
  return { source, name };
}

const app = await appScript();

/** A loopback port nothing listens on: every request is refused at once. */
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The code cache of dist/app-<hash>.js: the script is run here once per command, against a
 * closed local port (each command fails at its first request, after loading and running all it
 * needs up to there: its modules, the SDK clients, signing, the HTTP client), then serialised.
 */
const EC2_COMMANDS = [
  ['service', 'create', '--cluster', 'warm-c', '--name', 'warm-s', '--task-definition', 'warm-web'],
  ['task', 'run', '--cluster', 'warm-c', '--task-definition', 'warm-web'],
];

async function appCodeCache() {
  const caches = {};
  const file = join(dist, app.name);
  const script = new vm.Script(app.source, { filename: file });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dist, pathToFileURL(file).href);
  const tmp = mkdtempSync(join(os.tmpdir(), 'ecsprimer-warm-'));
  const saved = { ...process.env };
  try {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    for (const k of Object.keys(process.env)) if (/^AWS_/.test(k)) delete process.env[k];
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'warm',
      AWS_SECRET_ACCESS_KEY: 'warm',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      AWS_CONFIG_FILE: join(tmp, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'none'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ECSPRIMER_STATE_DIR: tmp,
      ECSPRIMER_POLL_MS: '1',
      HOME: tmp,
      NO_COLOR: '1',
    });
    // The account of these credentials is "known" (as after a first run), so commands go on to their own calls.
    const fingerprint = createHash('sha256').update(`warm|${endpoint}`).digest('hex').slice(0, 32);
    writeFileSync(join(tmp, 'identity-cache.json'), JSON.stringify({ [fingerprint]: '123456789012' }));
    const sink = { write: () => true, isTTY: false };
    const io = { stdout: sink, stderr: sink, stdinIsTTY: false, readStdin: async () => Buffer.alloc(0) };
    const run = (argv) => mod.exports.main([...argv, '--endpoint-url', endpoint], { io, env: process.env, cwd: root }).catch(() => 1);
    const common = ['--yes', '--stack', 'warm'];
    for (const argv of [
      ['iam', 'create'],
      ['iam', 'delete'],
      ['cluster', 'create', '--name', 'warm-c'],
      ['task', 'register', '--execution-role', 'warm-role'],
      ['service', 'delete', '--cluster', 'warm-c', '--name', 'warm-s'],
      ['teardown'],
    ]) await run([...argv, ...common]);
    await run(['status', '--stack', 'warm']);
    // An unknown account: the STS path.
    await mod.exports.main(['stacks', '--endpoint-url', `${endpoint}/`], { io, env: process.env, cwd: root }).catch(() => 1);
    caches.general = script.createCachedData();
    // The EC2 client is large (0.5 MB of schemas): only the commands that use it get it in their cache.
    for (const argv of EC2_COMMANDS) await run([...argv, ...common]);
    caches.ec2 = script.createCachedData();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    rmSync(tmp, { recursive: true, force: true });
  }
  const base = app.name.replace(/\.js$/, '');
  return {
    caches,
    // Read by bin/ecsprimer.js: which script, which cache for which command, and for which Node.
    meta: {
      script: app.name,
      versionTag: v8.cachedDataVersionTag(),
      node: process.version,
      cache: { file: `${base}.cache` },
      caches: [{ file: `${base}.ec2.cache`, commands: EC2_COMMANDS.map((argv) => argv.slice(0, 2).join(' ')) }],
    },
  };
}

const appCache = await appCodeCache();

const result = await build({
  entryPoints: { main: 'src/main.ts' },
  absWorkingDir: root,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  mainFields: ['module', 'main'],
  target: 'node20',
  sourcemap: false,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  write: false,
  plugins: [lazyChildProcess],
  define: { __ECSPRIMER_BUILT__: 'true' },
  banner,
});

const contents = {};
for (const [out, meta] of Object.entries(result.metafile.outputs)) {
  const rel = relative('dist', out).split(sep).join('/');
  contents[rel] = [...new Set(Object.keys(meta.inputs).map(packageOf).filter(Boolean))].sort();
}

// Chunks first, then the index of contents, main.js last: a CLI starting meanwhile sees either
// the old main.js (whose chunks are still there) or the new one (whose chunks are already there).
const files = [...result.outputFiles].sort((a, b) => Number(a.path.endsWith(`${sep}main.js`)) - Number(b.path.endsWith(`${sep}main.js`)));
const written = new Set();
for (const f of files.filter((f) => !f.path.endsWith(`${sep}main.js`))) {
  writeAtomic(f.path, f.contents);
  written.add(f.path);
}
contents['light.js'] = light.packages;
writeAtomic(join(dist, app.name), app.source);
writeAtomic(join(dist, app.name.replace(/\.js$/, '.cache')), appCache.caches.general);
writeAtomic(join(dist, app.name.replace(/\.js$/, '.ec2.cache')), appCache.caches.ec2);
for (const ext of ['.js', '.cache', '.ec2.cache']) written.add(join(dist, app.name.replace(/\.js$/, ext)));
writeAtomic(join(dist, 'light.js'), light.source);
writeAtomic(join(dist, 'light.cache'), light.cache);
writeAtomic(join(dist, 'help.json'), JSON.stringify(light.help) + '\n');
for (const f of ['light.js', 'light.cache', 'help.json']) written.add(join(dist, f));
writeAtomic(join(dist, 'bundle-contents.json'), JSON.stringify(contents, null, 1) + '\n');
written.add(join(dist, 'bundle-contents.json'));
// For the `--version` fast path of bin/ecsprimer.js: only if the program answers `--version` itself.
const versionFlag = manifest.version && manifest.options[manifest.version.optionIndex]?.fields.flags;
if (versionFlag && /(^|[ ,|])--version$/.test(String(versionFlag))) {
  writeAtomic(join(dist, 'version.txt'), `${manifest.version.version}\n`);
  written.add(join(dist, 'version.txt'));
}
writeAtomic(join(dist, 'app.json'), JSON.stringify(appCache.meta, null, 1) + '\n');
written.add(join(dist, 'app.json'));
for (const f of files.filter((f) => f.path.endsWith(`${sep}main.js`))) {
  writeAtomic(f.path, f.contents);
  written.add(f.path);
}

const now = Date.now();
for (const file of listFiles(dist)) {
  if (written.has(file)) continue;
  try {
    if (now - statSync(file).mtimeMs > STALE_MS) rmSync(file, { force: true });
  } catch {
    /* removed meanwhile */
  }
}
