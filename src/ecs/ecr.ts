/**
 * `ecsprimer ecr create|delete|login`: the stack's image repositories.
 *
 * create: a private repository tagged with the stack, scan on push unless --no-scan-on-push,
 * tags mutable unless --immutable-tags, and a lifecycle policy that expires all but the newest N
 * images (--keep, default 10). A re-run with the same settings is "unchanged"; a changed setting
 * is an update (PutImageScanningConfiguration, PutImageTagMutability, PutLifecyclePolicy). A
 * repository of that name the stack did not make is used as it is, its settings untouched.
 *
 * delete: refuses while the repository holds images (saying how many) unless --force.
 *
 * login: the registry's token goes to `docker login --password-stdin` on docker's standard input;
 * it is never printed. Without docker, the command that does the same is printed instead.
 */
import type { Context } from '../context.js';
import { InputError, RuntimeError } from '../errors.js';
import type { RepositoryInfo } from '../aws/ecr-ops.js';
import { parseTags, stackOf, stackTags, STACK_TAG } from '../input/tags.js';
import { executePlan } from '../plan/engine.js';
import { notOursNote } from '../plan/render.js';
import { resolveState } from '../plan/resolve.js';
import { absentStep, readReport, unknownStateStep, type PlannedCall, type Report, type Step } from '../plan/types.js';

// ---------------------------------------------------------------------------------------------
// Names and settings

/** ECR's rule for repository names (CreateRepository's model): 2–256, lowercase, `/`-separated parts. */
const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

export function validateRepositoryName(name: string, source: string): void {
  const problem =
    name.length < 2 || name.length > 256
      ? `is ${name.length} characters long; ECR takes 2 to 256`
      : /[A-Z]/.test(name)
        ? 'has uppercase letters; ECR takes lowercase only'
        : !REPOSITORY_NAME.test(name)
          ? 'is not a repository name ECR accepts'
          : undefined;
  if (problem) {
    throw new InputError(source, {
      message: `"${name}" ${problem}`,
      fix: `use lowercase letters and digits, parts joined by . _ or - and namespaces by / (e.g. ${name.toLowerCase().replace(/[^a-z0-9/._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'my-app'} or team/web)`,
    });
  }
}

export const DEFAULT_KEEP = 10;
/** ECR keeps at most 10,000 images per repository by default (its quota): more would never expire anything. */
const MAX_KEEP = 10000;

export function parseKeep(value: string | undefined): number {
  if (value === undefined) return DEFAULT_KEEP;
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < 1 || n > MAX_KEEP) {
    throw new InputError('--keep', { message: `"${value}" is not a number of images to keep`, fix: `give a whole number from 1 to ${MAX_KEEP} (default ${DEFAULT_KEEP})` });
  }
  return n;
}

/** The lifecycle policy that expires every image but the newest `keep`. */
export function lifecyclePolicyText(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `ecsprimer: keep the newest ${keep} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' },
      },
    ],
  });
}

/** The `keep` of a lifecycle policy ecsprimer wrote; undefined for any other policy (or none). */
export function keepOf(text: string | undefined): number | undefined {
  if (!text) return undefined;
  try {
    const p = JSON.parse(text) as { rules?: Array<{ selection?: { tagStatus?: string; countType?: string; countNumber?: number }; action?: { type?: string } }> };
    const r = p.rules;
    if (!Array.isArray(r) || r.length !== 1) return undefined;
    const s = r[0].selection;
    return s?.tagStatus === 'any' && s.countType === 'imageCountMoreThan' && r[0].action?.type === 'expire' && typeof s.countNumber === 'number' ? s.countNumber : undefined;
  } catch {
    return undefined;
  }
}

export interface RepositorySettings {
  scanOnPush: boolean;
  immutableTags: boolean;
  keep: number;
}

export interface RepositoryNow {
  info?: RepositoryInfo;
  lifecycle?: string;
}

export async function readRepository(ctx: Context, name: string): Promise<RepositoryNow> {
  const ecr = await ctx.ecr();
  const [info, lifecycle] = await Promise.all([ecr.describeRepository(name), ecr.lifecyclePolicy(name)]);
  return { info, lifecycle: info ? lifecycle : undefined };
}

const repositoryArn = (ctx: Context, account: string, name: string) => `arn:${ctx.partition}:ecr:${ctx.region}:${account}:repository/${name}`;

// ---------------------------------------------------------------------------------------------
// Steps

/** Creates the repository with its settings, or brings the stack's own up to them. */
export function repositoryStep(ctx: Context, name: string, want: RepositorySettings, now: RepositoryNow, account: string, extraTags: Record<string, string> = {}, id = `repository:${name}`): Step {
  const policy = lifecyclePolicyText(want.keep);
  const settings = `scan on push ${want.scanOnPush ? 'on' : 'off'}, tags ${want.immutableTags ? 'immutable' : 'mutable'}, keep the newest ${want.keep} images`;
  const info = now.info;
  if (!info) {
    const tags = stackTags(ctx.stack, extraTags);
    return {
      id,
      type: 'ecr-repository',
      name,
      arn: repositoryArn(ctx, account, name),
      action: 'create',
      calls: [
        { operation: 'CreateRepository', target: `repository ${name}`, reason: `create it (${settings}), tagged ${STACK_TAG}=${ctx.stack}`, cli: `aws ecr create-repository --repository-name ${name} --image-scanning-configuration scanOnPush=${want.scanOnPush} --image-tag-mutability ${want.immutableTags ? 'IMMUTABLE' : 'MUTABLE'} --tags Key=${STACK_TAG},Value=${ctx.stack}` },
        { operation: 'PutLifecyclePolicy', target: `repository ${name}`, reason: `expire all but the newest ${want.keep} images`, cli: `aws ecr put-lifecycle-policy --repository-name ${name} --lifecycle-policy-text file://lifecycle-policy.json` },
      ],
      reason: 'does not exist yet',
      run: async (rt) => {
        const ecr = await ctx.ecr();
        rt.record('intent', { type: 'ecr-repository', name });
        const made = await ecr.createRepository({ name, scanOnPush: want.scanOnPush, immutableTags: want.immutableTags, tags });
        // Made meanwhile by someone else: not ours, so its settings are not touched.
        if (!made) return { status: 'unchanged', action: 'none', note: 'created meanwhile by someone else: left as it is' };
        rt.record('created', { type: 'ecr-repository', name, arn: made.arn, data: { uri: made.uri } });
        await ecr.putLifecyclePolicy(name, policy);
        return { arn: made.arn, value: { uri: made.uri }, note: made.uri };
      },
    };
  }
  const owner = stackOf(info.tags);
  if (owner !== ctx.stack) {
    return {
      id,
      type: 'ecr-repository',
      name,
      arn: info.arn,
      action: 'none',
      state: 'unchanged',
      calls: [],
      reason: `exists, ${owner ? `made by stack "${owner}"` : 'not made by ecsprimer'}: used as it is (its settings are not changed)`,
      run: async () => ({ arn: info.arn, value: { uri: info.uri } }),
    };
  }
  const calls: PlannedCall[] = [];
  const changes: string[] = [];
  if (info.scanOnPush !== want.scanOnPush) {
    calls.push({ operation: 'PutImageScanningConfiguration', target: `repository ${name}`, reason: `scan on push ${want.scanOnPush ? 'on' : 'off'} (now ${info.scanOnPush ? 'on' : 'off'})`, cli: `aws ecr put-image-scanning-configuration --repository-name ${name} --image-scanning-configuration scanOnPush=${want.scanOnPush}` });
    changes.push('scan on push');
  }
  if (info.immutableTags !== want.immutableTags) {
    calls.push({ operation: 'PutImageTagMutability', target: `repository ${name}`, reason: `tags ${want.immutableTags ? 'immutable' : 'mutable'} (now ${info.immutableTags ? 'immutable' : 'mutable'})`, cli: `aws ecr put-image-tag-mutability --repository-name ${name} --image-tag-mutability ${want.immutableTags ? 'IMMUTABLE' : 'MUTABLE'}` });
    changes.push('tag mutability');
  }
  const keepNow = keepOf(now.lifecycle);
  if (keepNow !== want.keep) {
    calls.push({ operation: 'PutLifecyclePolicy', target: `repository ${name}`, reason: `keep the newest ${want.keep} images (now ${keepNow !== undefined ? keepNow : now.lifecycle ? 'another lifecycle policy' : 'no lifecycle policy'})`, cli: `aws ecr put-lifecycle-policy --repository-name ${name} --lifecycle-policy-text file://lifecycle-policy.json` });
    changes.push('lifecycle policy');
  }
  if (calls.length === 0) {
    return { id, type: 'ecr-repository', name, arn: info.arn, action: 'none', state: 'unchanged', calls: [], reason: `exists with these settings (${settings})`, run: async () => ({ arn: info.arn, value: { uri: info.uri } }) };
  }
  return {
    id,
    type: 'ecr-repository',
    name,
    arn: info.arn,
    action: 'update',
    calls,
    reason: `exists; ${changes.join(', ')} differ`,
    run: async (rt) => {
      const ecr = await ctx.ecr();
      await Promise.all([
        info.scanOnPush !== want.scanOnPush ? ecr.putScanOnPush(name, want.scanOnPush) : undefined,
        info.immutableTags !== want.immutableTags ? ecr.putTagMutability(name, want.immutableTags) : undefined,
        keepNow !== want.keep ? ecr.putLifecyclePolicy(name, policy) : undefined,
      ]);
      rt.record('updated', { type: 'ecr-repository', name, arn: info.arn, data: { changed: changes } });
      return { arn: info.arn, value: { uri: info.uri }, note: changes.join(', ') };
    },
  };
}

function imageList(images: string[], max = 5): string {
  return images.length <= max ? images.join(', ') : `${images.slice(0, max).join(', ')} and ${images.length - max} more`;
}

export interface RepositoryDeleteState {
  info: RepositoryInfo;
  /** Its image tags (or digests of untagged images). */
  images: string[];
}

export async function readRepositoryForDelete(ctx: Context, name: string): Promise<RepositoryDeleteState | undefined> {
  const ecr = await ctx.ecr();
  const [info, images] = await Promise.all([ecr.describeRepository(name), ecr.images(name)]);
  return info ? { info, images: images ?? [] } : undefined;
}

/**
 * Deletes a repository. With images: with `force` at once; with `ask`, after a question naming
 * them that --yes does not answer (images are what a teardown must not lose silently); else the
 * step fails, saying how to go on.
 */
export function repositoryDeleteStep(ctx: Context, name: string, state: RepositoryDeleteState | undefined, opts: { id?: string; dependsOn?: string[]; force?: boolean; warnNotOurs?: boolean; forceFlag?: string } = {}): Step {
  const id = opts.id ?? `repository:${name}`;
  if (!state) return absentStep({ id, type: 'ecr-repository', name, reason: 'does not exist', dependsOn: opts.dependsOn });
  const n = state.images.length;
  const withImages = n > 0;
  const flag = opts.forceFlag ?? '--force';
  return {
    id,
    type: 'ecr-repository',
    name,
    arn: state.info.arn,
    action: 'delete',
    calls: [
      {
        operation: 'DeleteRepository',
        target: `repository ${name}`,
        reason: withImages ? `delete it with its ${n} image(s): ${imageList(state.images)}${opts.force ? '' : ` (only after you confirm it, or with ${flag})`}` : 'delete it (it holds no images)',
        cli: `aws ecr delete-repository --repository-name ${name}${withImages ? ' --force' : ''}`,
      },
    ],
    reason: withImages ? `exists, with ${n} image(s)` : 'exists, empty',
    ...(opts.warnNotOurs ? { detail: notOursNote(ctx, 'repository', state.info.tags) } : {}),
    dependsOn: opts.dependsOn,
    run: async (rt) => {
      if (withImages && !opts.force) {
        const question = `Repository ${name} holds ${n} image(s) (${imageList(state.images)}). Delete them with it?`;
        const yes = ctx.io.stdinIsTTY && !ctx.opts.yes ? await rt.confirm(question) : false;
        if (!yes) {
          throw new RuntimeError(
            'RepositoryNotEmpty',
            `Repository ${name} holds ${n} image(s) (${imageList(state.images)}) and was kept: images are deleted only when you confirm it at the question, or with ${flag}.`,
          );
        }
      }
      const deleted = await (await ctx.ecr()).deleteRepository(name, withImages);
      rt.record('deleted', { type: 'ecr-repository', name, arn: state.info.arn, ...(deleted ? {} : { data: { alreadyGone: true } }) });
      return deleted ? { arn: state.info.arn } : { arn: state.info.arn, status: 'absent', action: 'none', note: 'already gone' };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Commands

export interface EcrCreateOptions {
  name: string;
  scanOnPush?: boolean;
  keep?: string;
  immutableTags?: boolean;
  tag?: string[];
}

export async function runEcrCreate(o: EcrCreateOptions, ctx: Context): Promise<Report> {
  validateRepositoryName(o.name, '--name');
  const want: RepositorySettings = { scanOnPush: o.scanOnPush !== false, immutableTags: Boolean(o.immutableTags), keep: parseKeep(o.keep) };
  const tags = parseTags(o.tag);
  ctx.requireConfirmable();
  const { account, value, known } = await resolveState(ctx, () => readRepository(ctx, o.name), {} as RepositoryNow);
  const step = repositoryStep(ctx, o.name, want, value, account, tags);
  const report = await executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [known ? step : { ...step, reason: `${step.reason} (current state unknown)` }] });
  const uri = value.info?.uri ?? (account.match(/^\d{12}$/) ? `${account}.dkr.ecr.${ctx.region}.amazonaws.com${ctx.partition === 'aws-cn' ? '.cn' : ''}/${o.name}` : undefined);
  if (uri && !report.dryRun) report.data = { ...report.data, repositoryUri: uri };
  return report;
}

export interface EcrDeleteOptions {
  name: string;
  force?: boolean;
}

export async function runEcrDelete(o: EcrDeleteOptions, ctx: Context): Promise<Report> {
  validateRepositoryName(o.name, '--name');
  ctx.requireConfirmable();
  const { account, value, known } = await resolveState(ctx, () => readRepositoryForDelete(ctx, o.name), undefined as RepositoryDeleteState | undefined);
  if (!known) {
    const step = unknownStateStep({ id: `repository:${o.name}`, type: 'ecr-repository', name: o.name, action: 'delete', calls: [{ operation: 'DeleteRepository', target: `repository ${o.name}`, reason: `delete it${o.force ? ' with its images' : ' (refused if it holds images)'}` }] });
    return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [step] });
  }
  if (value && value.images.length > 0 && !o.force) {
    throw new RuntimeError(
      'RepositoryNotEmpty',
      `Repository ${o.name} holds ${value.images.length} image(s) (${imageList(value.images)}); ecr delete refuses to delete images. Pass --force to delete the repository with them. Nothing was changed.`,
    );
  }
  return executePlan(ctx, { command: ctx.command, account, warnings: [], steps: [repositoryDeleteStep(ctx, o.name, value, { force: o.force, warnNotOurs: true })] });
}

/** Where the docker executable is on PATH; undefined when it is not. */
async function whichDocker(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const { access } = await import('node:fs/promises');
  const { constants } = await import('node:fs');
  const path = await import('node:path');
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'docker');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export async function runEcrLogin(_o: Record<string, never>, ctx: Context): Promise<Report> {
  const ecr = await ctx.ecr();
  const { endpoint, password, expiresAt } = await ecr.login();
  const registry = endpoint.replace(/^https?:\/\//, '');
  const profile = ctx.opts.profile ? ` --profile ${ctx.opts.profile}` : '';
  const command = `aws ecr get-login-password --region ${ctx.region}${profile} | docker login --username AWS --password-stdin ${registry}`;
  const docker = await whichDocker(process.env);
  if (!docker) {
    const report = readReport(ctx, { registry, docker: 'not found', command });
    if (ctx.opts.output === 'text') {
      ctx.io.stdout.write(`docker is not on PATH. To log Docker in to ${registry}, run:\n  ${command}\n`);
    }
    return report;
  }
  const { spawn } = await import('node:child_process');
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(docker, ['login', '--username', 'AWS', '--password-stdin', registry], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(password);
  });
  // docker's own words never hold the password, but make sure.
  const clean = (s: string) => (password ? s.split(password).join('(token not shown)') : s).trim();
  if (out.code !== 0) {
    throw new RuntimeError('DockerLoginFailed', `docker login to ${registry} failed (exit ${out.code})${clean(out.stderr || out.stdout) ? `: ${clean(out.stderr || out.stdout)}` : ''}. The same by hand: ${command}`);
  }
  const report = readReport(ctx, { registry, docker: 'logged in', ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}) });
  if (ctx.opts.output === 'text') ctx.io.stdout.write(`Docker is logged in to ${registry}${expiresAt ? ` until ${expiresAt.toISOString()}` : ''}.${clean(out.stdout) ? ` (docker: ${clean(out.stdout)})` : ''}\n`);
  return report;
}
