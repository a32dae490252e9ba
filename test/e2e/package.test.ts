/**
 * The package a person installs: `npm pack` gives a tarball of bin/, dist/, json/ and schema/ (no sources,
 * no tests, no runtime dependencies: dist/ bundles them), `npm install -g` of that tarball gives an
 * `ecsprimer` that runs with no dev tools, and on a machine with no AWS configuration at all its
 * `--dry-run` prints a real plan with <region> and <account-id>, sending nothing.
 *
 * The tarball is packed with --ignore-scripts from the dist/ that `npm test` built (a second build
 * here would replace dist/ under the other test files), and installed --offline from npm's cache
 * (filled by the `npm install` before the tests): nothing leaves the machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { startProxy, type Proxy } from '../support/proxy.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const PKG = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

let dir: string;
let tarball: string;
let bin: string;

/** An environment with nothing of AWS in it: no region, no credentials, an empty HOME. */
function bareEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(path.join(dir, 'home-'));
  return { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

function installed(args: string[], env: Record<string, string>) {
  return spawnSync(bin, args, { env, cwd: dir, encoding: 'utf8', timeout: 30_000 });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(process.env.ECSPRIMER_TEST_TMPDIR ?? os.tmpdir(), 'ecsprimer-pack-'));
  const out = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO_ROOT, encoding: 'utf8' });
  const [packed] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(dir, packed.filename);
  const prefix = path.join(dir, 'prefix');
  mkdirSync(prefix);
  execFileSync(NPM, ['install', '-g', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', prefix, tarball], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  bin = path.join(prefix, 'bin', 'ecsprimer');
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the installable package', () => {
  it('packs bin/, dist/, json/ and schema/ only, and needs no runtime dependency', () => {
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const tops = [...new Set(list.map((f) => f.replace(/^package\//, '').split('/')[0]))].sort();
    expect(tops).toEqual(['README.md', 'bin', 'dist', 'json', 'package.json', 'schema']);
    expect(list).toContain('package/dist/ecsprimer.cjs');
    const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as { dependencies?: object };
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it("init from the installed package names the package's JSON Schema, which is there", () => {
    const work = mkdtempSync(path.join(dir, 'init-'));
    const r = spawnSync(bin, ['init', '--stack', 'demo'], { env: bareEnv(), cwd: work, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const file = JSON.parse(readFileSync(path.join(work, 'ecsprimer.json'), 'utf8')) as { $schema: string; stack: string };
    expect(file.stack).toBe('demo');
    const schema = JSON.parse(readFileSync(path.resolve(work, file.$schema), 'utf8')) as { title: string; required: string[] };
    expect(schema.title).toBe('ecsprimer stack file');
    expect(schema.required).toEqual(['stack']);
  });

  it('installs from its tarball and prints its version', () => {
    const r = installed(['--version'], bareEnv());
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${PKG.version}\n`);
    expect(r.status).toBe(0);
  });

  describe('on a machine with no AWS configuration', () => {
    let proxy: Proxy;
    beforeAll(async () => {
      // An endpoint that would see any request: there must be none (nothing is configured to send).
      proxy = await startProxy({ target: 'http://127.0.0.1:9' });
    });
    afterAll(() => proxy.stop());

    it('--dry-run prints the plan with <region> and <account-id>, and sends nothing', () => {
      for (const args of [['iam', 'create'], ['cluster', 'create', '--name', 'demo'], ['service', 'create', '--cluster', 'demo', '--name', 'web', '--task-definition', 'web']]) {
        const r = installed([...args, '--dry-run'], bareEnv({ AWS_ENDPOINT_URL: proxy.url }));
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toContain('Dry run:');
        expect(r.stdout).toContain('<account-id>');
        expect(r.stdout).toContain('<region>');
        expect(r.stdout).toMatch(/Create(Policy|Cluster|Service)/);
      }
      expect(proxy.counts().total).toBe(0);
    });

    it('a command that needs AWS says in one paragraph how to configure it (exit 2, nothing sent)', () => {
      const r = installed(['cluster', 'create', '--name', 'demo', '--yes'], bareEnv({ AWS_ENDPOINT_URL: proxy.url }));
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: No AWS region is configured\. /);
      for (const hint of ['aws configure', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', '--profile', '--dry-run', '--endpoint-url']) expect(lines[0]).toContain(hint);
      expect(proxy.counts().total).toBe(0);
    });
  });
});
