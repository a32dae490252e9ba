/** Where the package's own files (json/ defaults) are, from the source tree or the bundle. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'json'))) return (root = dir);
    dir = dirname(dir);
  }
  return (root = process.cwd());
}

export function defaultDocument(name: string): string {
  return join(packageRoot(), 'json', name);
}
