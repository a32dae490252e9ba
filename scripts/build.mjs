// Bundles src/ into dist/ with esbuild: one small entry for start-up, AWS SDK clients and
// @inquirer/prompts split into chunks that are loaded only when a command needs them.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/main.ts' },
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
  banner: {
    // Some bundled CommonJS dependencies call require(); give ESM chunks one.
    js: "import { createRequire as __ecsprimerCreateRequire } from 'node:module'; const require = __ecsprimerCreateRequire(import.meta.url);",
  },
});
