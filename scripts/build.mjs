// Builds dist/ from src/ with esbuild, in three parts:
// - dist/ecsprimer.cjs: src/main.ts with the Commander program and the command registrations,
//   as CommonJS (Node starts a CommonJS file faster than an ES module). Every `import()` in it
//   (an action's module) becomes a require() when the command runs, of
// - dist/lib/: those modules split into shared chunks (each AWS SDK client and @inquirer/prompts
//   a chunk of its own), loaded only when a command runs. esbuild splits only ES modules: each
//   output file is then rewritten as CommonJS (.cjs), because Node 20 loads a graph of some 40
//   CommonJS files about 40 ms faster than the same graph as ES modules (its ES module loader
//   resolves, links and instantiates each file asynchronously; `require` does none of that).
// - dist/boot.cjs: the compile cache (src/boot.ts), which bin/ecsprimer.cjs installs first, so
//   that every file above is compiled from V8's cached code after the first run.
// dist/bundle-contents.json lists the npm packages in each output file (the start-up test reads it).
import { createHash } from 'node:crypto';
import { build, transform } from 'esbuild';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const out = join(root, `dist.${process.pid}.tmp`);
// Whitespace and syntax minified (less to read at each start), names kept (stack traces stay readable).
const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', mainFields: ['module', 'main'], logLevel: 'warning', metafile: true, minifyWhitespace: true, minifySyntax: true, minifyIdentifiers: true, keepNames: true };

/** In the CommonJS part, `import('../iam/commands.js')` becomes a require of `./lib/iam/commands.cjs`. */
const actions = new Set();
const actionsToLib = {
  name: 'actions-to-lib',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const file = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      actions.add(file);
      return { path: `./lib/${relative(src, file).split(sep).join('/').replace(/\.ts$/, '.cjs')}`, external: true };
    });
  },
};

/** commander requires node:child_process when it loads, only for executable subcommands (none here): load it on use. */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy' } : { path: 'node:child_process', external: true },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "const real = () => require('node:child_process'); module.exports = { spawn: (...a) => real().spawn(...a) };",
      loader: 'js',
    }));
  },
};

/**
 * The AWS SDK's schema modules write some trait keys as computed properties (`{ [_xN]: _ZN }`,
 * `_xN` a string constant of the same module). esbuild cannot prove a computed key pure, so it
 * keeps every schema that has one, and all they reach: the EC2 client's whole model (~530 KB,
 * about 70 ms to compile at each run) though ecsprimer calls four of its operations. Written as
 * the literal keys they are, unused schemas are tree-shaken like the rest.
 */
const sdkSchemaKeys = {
  name: 'sdk-schema-keys',
  setup(b) {
    b.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_0\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const strings = new Map();
      for (const m of text.matchAll(/^const (_\w+) = ("(?:[^"\\]|\\.)*");$/gm)) strings.set(m[1], m[2]);
      const contents = text.replace(/\[(_\w+)\]:/g, (whole, name) => (strings.has(name) ? `${strings.get(name)}:` : whole));
      return { contents, loader: 'js' };
    });
  },
};

// `supported`: an action's module is required, not imported (it is CommonJS, see below).
const program = await build({ ...common, entryPoints: ['src/main.ts'], outfile: join(out, 'ecsprimer.cjs'), format: 'cjs', supported: { 'dynamic-import': false }, plugins: [actionsToLib, lazyChildProcess] });
const chunks = await build({
  ...common,
  // Sorted: the order the main build resolved them in varies, and with it the chunks.
  entryPoints: [...actions].sort(),
  outdir: join(out, 'lib'),
  outbase: src,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // .cjs from the start, so that the chunks' imports of each other already name the final files.
  outExtension: { '.js': '.cjs' },
  plugins: [sdkSchemaKeys],
});

/**
 * Each ES module esbuild wrote, as CommonJS: imports become require() at the same place (the
 * same evaluation order), exports become getters (live, as ES module bindings are), `import()`
 * becomes a require when it runs, and `import.meta.url` (src/paths.ts) this file's URL.
 */
const IMPORT_META_URL = '__ecsprimerImportMetaUrl';
await Promise.all(
  Object.keys(chunks.metafile.outputs).map(async (file) => {
    const path = join(root, file);
    const text = await readFile(path, 'utf8');
    const banner = text.includes('import.meta') ? `var ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;` : '';
    const cjs = await transform(text, { loader: 'js', format: 'cjs', platform: 'node', target: 'node20', supported: { 'dynamic-import': false }, define: { 'import.meta.url': IMPORT_META_URL }, banner, minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' });
    await writeFile(path, cjs.code);
  }),
);

// dist/boot.cjs, with the build's id: a hash of every other file (the cache never reads another build's data).
const buildId = createHash('sha256');
for (const file of Object.keys({ ...program.metafile.outputs, ...chunks.metafile.outputs }).sort()) buildId.update(relative(out, join(root, file))).update(await readFile(join(root, file)));
const boot = await build({ ...common, entryPoints: ['src/boot.ts'], outfile: join(out, 'boot.cjs'), format: 'cjs', define: { ECSPRIMER_BUILD_ID: JSON.stringify(buildId.digest('hex').slice(0, 16)) } });

const packageOf = (input) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
const contents = {};
for (const [file, meta] of Object.entries({ ...program.metafile.outputs, ...chunks.metafile.outputs, ...boot.metafile.outputs })) {
  contents[relative(out, join(root, file)).split(sep).join('/')] = [...new Set(Object.keys(meta.inputs).map(packageOf).filter(Boolean))].sort();
}
writeFileSync(join(out, 'bundle-contents.json'), `${JSON.stringify(contents, null, 1)}\n`);

const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
renameSync(out, dist);
console.error(`built dist/ (${Object.keys(contents).length} files)`);
