/**
 * The shape of src/ (README, Development): imports point down the layers, never up; there are no
 * import cycles; nothing imports src/commands/ but src/cli/ and src/main.ts. Type-only imports
 * and `import()` count too: they tie files together for a reader as much as static imports do.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const SRC = path.join(REPO_ROOT, 'src');

/** Lowest first. A file may import files of its own layer or of a lower one. */
const LAYERS: string[][] = [
  ['errors.ts', 'paths.ts'],
  ['input', 'io', 'output', 'state'],
  ['aws'],
  ['context.ts'],
  ['plan'],
  ['iam'],
  ['ecs'],
  ['stack'],
  ['commands', 'cli'],
  ['main.ts', 'boot.ts'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const rel = path.relative(SRC, file);
    const targets = [...readFileSync(file, 'utf8').matchAll(IMPORT)]
      .map((m) => path.relative(SRC, path.resolve(path.dirname(file), m[1])).replace(/\.js$/, '.ts'))
      .filter((t) => !t.startsWith('..'));
    g.set(rel, [...new Set(targets)]);
  }
  return g;
}

const top = (rel: string) => rel.split(path.sep)[0];
const layerOf = (rel: string) => LAYERS.findIndex((l) => l.includes(top(rel)));

/** Strongly connected components of more than one file (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let n = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('the layers of src/', () => {
  const g = graph();

  it('puts every file in a layer', () => {
    expect([...g.keys()].filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(cycles(g)).toEqual([]);
  });

  it('imports only downwards (or within a layer)', () => {
    const upward = [...g].flatMap(([from, targets]) => targets.filter((t) => layerOf(t) > layerOf(from)).map((t) => `${from} -> ${t}`));
    expect(upward).toEqual([]);
  });

  it('lets only src/cli/ and src/main.ts import src/commands/', () => {
    const into = [...g].flatMap(([from, targets]) =>
      targets.filter((t) => top(t) === 'commands' && top(from) !== 'commands' && top(from) !== 'cli' && from !== 'main.ts').map((t) => `${from} -> ${t}`),
    );
    expect(into).toEqual([]);
  });

  it('sees the imports it checks (the graph is not empty)', () => {
    expect(g.get('main.ts')).toContain(path.join('cli', 'program.ts'));
    expect(g.get(path.join('cli', 'program.ts'))).toContain(path.join('commands', 'iam.ts'));
  });
});
