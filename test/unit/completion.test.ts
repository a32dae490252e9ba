/**
 * `ecsprimer completion bash|zsh|fish`: scripts made from the command tree, run in the shells
 * themselves (bash always; zsh and fish where they are installed) to check what they offer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { IoStreams } from '../../src/context.js';
import { main } from '../../src/main.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ecsprimer-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function script(shell: string): Promise<{ code: number; text: string; file: string }> {
  let text = '';
  const io: IoStreams = {
    stdout: new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }),
    stderr: new Writable({ write: (_c, _e, cb) => cb() }),
    stdinIsTTY: false,
    readStdin: async () => Buffer.alloc(0),
  };
  const code = await main(['completion', shell], { io, env: { ...process.env } });
  const file = path.join(dir, `ecsprimer.${shell}`);
  writeFileSync(file, text);
  return { code, text, file };
}

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

function run(shell: string, args: string[]): string {
  const r = spawnSync(shell, args, { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('completion scripts', () => {
  it('refuses a shell it does not know (exit 2)', async () => {
    expect((await script('powershell')).code).toBe(2);
  });

  describe('bash', () => {
    /** What the completion function offers for the words typed so far (the last one being completed). */
    async function offers(words: string[]): Promise<string[]> {
      const { file } = await script('bash');
      const quoted = words.map((w) => `'${w}'`).join(' ');
      const out = run('bash', ['-c', `source '${file}'; COMP_WORDS=(ecsprimer ${quoted}); COMP_CWORD=${words.length}; _ecsprimer; printf '%s\\n' "\${COMPREPLY[@]}"`]);
      return out.split('\n').filter(Boolean);
    }

    it('is valid bash', async () => {
      const { code, file } = await script('bash');
      expect(code).toBe(0);
      run('bash', ['-n', file]);
    });

    it.each([
      { typed: [''], offered: ['iam', 'cluster', 'task', 'service', 'teardown', 'down', 'status', 'stacks', 'completion'] },
      { typed: ['iam', ''], offered: ['create', 'delete', 'attach', 'detach', 'policy', 'role'] },
      { typed: ['--stack', 'demo', 'iam', 'cr'], offered: ['create'] },
      { typed: ['iam', 'policy', ''], offered: ['create', 'delete'] },
      { typed: ['task', 'run', '--la'], offered: ['--launch-type'] },
      { typed: ['-o', ''], offered: ['text', 'json'] },
      { typed: ['task', 'run', '--wait', ''], offered: ['running', 'stopped'] },
    ])('after "$typed" offers $offered', async ({ typed, offered }) => {
      const got = await offers(typed);
      for (const o of offered) expect(got).toContain(o);
      if (typed.at(-1) === 'cr') expect(got).toEqual(['create']);
    });

    it("offers a command's own options and the global ones, never another command's", async () => {
      const got = await offers(['cluster', 'create', '--']);
      expect(got).toContain('--name');
      expect(got).toContain('--region');
      expect(got).not.toContain('--policy-name');
    });

    it('does not take an option value for a command word', async () => {
      // "iam" is the value of --stack here, so "cluster" is the command and its subcommands are offered.
      expect(await offers(['--stack', 'iam', 'cluster', ''])).toEqual(expect.arrayContaining(['create', 'delete']));
    });
  });

  describe('zsh', () => {
    it('names the command for compdef and describes its items', async () => {
      const { code, text } = await script('zsh');
      expect(code).toBe(0);
      expect(text.startsWith('#compdef ecsprimer\n')).toBe(true);
      expect(text).toContain("'create:create the stack'\\''s policy and role");
    });
    it.skipIf(!has('zsh'))('is valid zsh and lists the subcommands of a group (zsh installed)', async () => {
      const { file } = await script('zsh');
      run('zsh', ['-n', file]);
      const out = run('zsh', ['-c', `autoload -U compinit; compinit -u; source '${file}'; _ecsprimer_items 'iam policy'; print -l -- $reply`]);
      expect(out.split('\n').filter(Boolean).map((l) => l.split(':')[0])).toEqual(expect.arrayContaining(['create', 'delete', '--region']));
    });
  });

  describe('fish', () => {
    it('completes with descriptions', async () => {
      const { code, text } = await script('fish');
      expect(code).toBe(0);
      expect(text).toContain('complete -c ecsprimer');
    });
    it.skipIf(!has('fish'))('is valid fish and completes subcommands, options and choices (fish installed)', async () => {
      const { file } = await script('fish');
      run('fish', ['-n', file]);
      const complete = (line: string) => run('fish', ['-c', `source '${file}'; complete -C '${line}'`]).split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
      expect(complete('ecsprimer iam cr')).toEqual(['create']);
      expect(complete('ecsprimer --stack x iam create --po')).toEqual(['--policy-document', '--policy-name']);
      expect(complete('ecsprimer -o ')).toEqual(['json', 'text']);
    });
  });
});
