/**
 * ECR repositories, Secrets Manager secrets and task secrets, end to end through the built CLI
 * against a moto of this file's own, asserted on the server's state: `ecr create|delete|login`,
 * `secret create|delete`, `task register --secret` (valueFrom ARNs, the execution role's exact
 * grant, a missing secret stopping the run before any change), teardown of all of it (images only
 * with --force, secrets with a recovery window), and a search of every output and the journal for
 * the secret's value.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand, GetLifecyclePolicyCommand, ListTagsForResourceCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_BIN, REPO_ROOT, cliEnv, makeStateDir, runCli, tempDir, type CliResult } from '../support/cli.js';
import { describeE2E } from '../support/e2e.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { startProxy } from '../support/proxy.js';
import { journalFile, TEST_ACCOUNT, uniqueStack } from '../support/stack-state.js';

const TD = (family: string, image = 'public.ecr.aws/nginx/nginx:latest') =>
  JSON.stringify({
    family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'web', image, memoryReservation: 128, essential: true }],
  });

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { digest: `sha256:${'b'.repeat(64)}`, size: 1, mediaType: 'application/vnd.docker.container.image.v1+json' },
  layers: [],
});

describeE2E('ECR and secrets (built CLI → moto)', () => {
  let moto: MotoServer;
  let ecr: ECRClient;
  let sm: SecretsManagerClient;
  let ssm: SSMClient;
  let kms: KMSClient;
  let iam: IAMClient;
  let ecs: ECSClient;
  /** Every output of every run, searched for secret values at the end. */
  const outputs: string[] = [];
  const journals: string[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    const cfg = { endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    ecr = new ECRClient(cfg);
    sm = new SecretsManagerClient(cfg);
    ssm = new SSMClient(cfg);
    kms = new KMSClient(cfg);
    iam = new IAMClient(cfg);
    ecs = new ECSClient(cfg);
  });
  afterAll(async () => {
    for (const c of [ecr, sm, ssm, kms, iam, ecs]) c?.destroy();
    await moto?.stop();
  });

  function stackCli() {
    const stack = uniqueStack('es');
    const state = makeStateDir();
    journals.push(journalFile(state, stack));
    const run = async (args: string[], o: { input?: string; env?: Record<string, string | undefined>; endpoint?: string; yes?: boolean } = {}): Promise<CliResult> => {
      const r = await runCli([...args, '--stack', stack, '--endpoint-url', o.endpoint ?? moto.url, ...(o.yes === false ? [] : ['--yes'])], { env: { ECSPRIMER_STATE_DIR: state, ...o.env }, input: o.input, timeoutMs: 60_000 });
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    return { stack, state, run };
  }
  const ok = (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stderr}\n${r.stdout}`).toBe(0);
  const json = (r: CliResult) => JSON.parse(r.stdout) as { changes: Array<{ type: string; name: string; status: string; action: string }>; error?: { code: string; message: string } } & Record<string, unknown>;

  it('ecr create: scan on push, mutable tags, keep 10, tagged; a re-run is unchanged; changed settings are updates', async () => {
    const s = stackCli();
    const repo = `${s.stack.toLowerCase()}/web`;
    ok(await s.run(['ecr', 'create', '--name', repo]), 'ecr create');
    const r = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).repositories![0];
    expect(r.imageScanningConfiguration?.scanOnPush).toBe(true);
    expect(r.imageTagMutability).toBe('MUTABLE');
    const tags = await ecr.send(new ListTagsForResourceCommand({ resourceArn: r.repositoryArn }));
    expect(tags.tags).toContainEqual({ Key: 'ecsprimer:stack', Value: s.stack });
    const policy = JSON.parse((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repo }))).lifecyclePolicyText!);
    expect(policy.rules).toEqual([expect.objectContaining({ selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } })]);

    const again = await s.run(['ecr', 'create', '--name', repo, '-o', 'json']);
    ok(again, 'ecr create again');
    expect(json(again).changes.map((c) => c.status)).toEqual(['unchanged']);
    expect(json(again).repositoryUri).toBe(`${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${repo}`);

    const changed = await s.run(['ecr', 'create', '--name', repo, '--keep', '3', '--immutable-tags', '--no-scan-on-push', '-o', 'json']);
    ok(changed, 'ecr create with new settings');
    expect(json(changed).changes.map((c) => [c.action, c.status])).toEqual([['update', 'done']]);
    const after = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).repositories![0];
    expect(after.imageScanningConfiguration?.scanOnPush).toBe(false);
    expect(after.imageTagMutability).toBe('IMMUTABLE');
    expect(JSON.parse((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repo }))).lifecyclePolicyText!).rules[0].selection.countNumber).toBe(3);
  });

  it('bad repository names, --keep values and secret names exit 2 before any request', async () => {
    const proxy = await startProxy({ target: moto.url });
    try {
      const s = stackCli();
      for (const [args, pattern] of [
        [['ecr', 'create', '--name', 'My-Repo'], /--name: "My-Repo" has uppercase letters/],
        [['ecr', 'create', '--name', 'a'], /2 to 256/],
        [['ecr', 'create', '--name', 'web', '--keep', '0'], /--keep: "0".*1 to 10000/],
        [['ecr', 'delete', '--name', 'bad_/name'], /not a repository name/],
        [['secret', 'create', '--name', 'has space'], /--name: "has space" has characters/],
        [['secret', 'delete', '--name', 'x', '--recovery-days', '3'], /--recovery-days: "3".*7 to 30/],
        [['secret', 'delete', '--name', 'x', '--recovery-days', '7', '--force-delete'], /contradict/],
        [['task', 'register', '--secret', 'DB PASSWORD=x'], /not an environment variable name/],
        [['task', 'register', '--secret', 'NOEQUALS'], /is not NAME=REF/],
        [['task', 'register', '--secret', 'K=ssm:bad name'], /not a Parameter Store parameter name/],
        [['task', 'register', '--secret', 'other/K=x'], /no container named "other".*use one of: web/],
      ] as Array<[string[], RegExp]>) {
        const r = await s.run(args, { endpoint: proxy.url, input: 'v' });
        expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(pattern);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      expect(proxy.counts().total).toBe(0);
      const empty = await s.run(['secret', 'create', '--name', 'empty-one'], { endpoint: proxy.url, input: '\n' });
      expect(empty.code).toBe(2);
      expect(empty.stderr).toMatch(/stdin: the secret value is empty/);
      expect(proxy.counts().total).toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('ecr delete refuses a repository with images, saying how many; --force deletes it with them', async () => {
    const s = stackCli();
    const repo = `${s.stack.toLowerCase()}/api`;
    ok(await s.run(['ecr', 'create', '--name', repo]), 'ecr create');
    await ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: MANIFEST, imageTag: 'v1' }));
    const refused = await s.run(['ecr', 'delete', '--name', repo]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`Repository ${repo} holds 1 image\\(s\\) \\(v1\\).*--force`));
    expect((await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).repositories).toHaveLength(1);
    ok(await s.run(['ecr', 'delete', '--name', repo, '--force']), 'ecr delete --force');
    await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it('ecr login hands the token to docker on stdin and never prints it; without docker it prints the command', async () => {
    const s = stackCli();
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
    const password = Buffer.from(token, 'base64').toString().split(':').slice(1).join(':');
    expect(password.length).toBeGreaterThan(0);
    // A docker of our own, first on PATH: it records its arguments and standard input.
    const bin = tempDir('fake-docker-');
    const record = path.join(bin, 'record');
    writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\necho "$@" > "${record}.args"\ncat > "${record}.stdin"\necho "Login Succeeded"\n`);
    chmodSync(path.join(bin, 'docker'), 0o755);
    const r = await s.run(['ecr', 'login', '-v'], { env: { PATH: `${bin}:${process.env.PATH}` }, yes: false });
    ok(r, 'ecr login');
    expect(readFileSync(`${record}.args`, 'utf8').trim()).toBe(`login --username AWS --password-stdin ${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`);
    expect(readFileSync(`${record}.stdin`, 'utf8')).toBe(password);
    expect(r.stdout).toMatch(/Docker is logged in to \d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com/);
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain(password);
      expect(out).not.toContain(token);
    }
    const none = tempDir('no-docker-');
    const printed = await s.run(['ecr', 'login'], { env: { PATH: none }, yes: false });
    ok(printed, 'ecr login without docker');
    expect(printed.stdout).toContain(`aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin ${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`);
    expect(printed.stdout + printed.stderr).not.toContain(password);
  });

  it('secret create: the value from stdin or a file, tagged; the same value is unchanged, a new one an update; delete keeps a recovery window', async () => {
    const s = stackCli();
    const name = `${s.stack}/db-password`;
    const first = await s.run(['secret', 'create', '--name', name, '--description', 'the database password', '-o', 'json'], { input: 'first-Value-9q\n' });
    ok(first, 'secret create');
    expect(json(first).changes.map((c) => c.status)).toEqual(['done']);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('first-Value-9q');
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(d.Tags).toContainEqual({ Key: 'ecsprimer:stack', Value: s.stack });
    expect(d.Description).toBe('the database password');

    const same = await s.run(['secret', 'create', '--name', name, '-o', 'json'], { input: 'first-Value-9q\n' });
    ok(same, 'secret create, same value');
    expect(json(same).changes.map((c) => c.status)).toEqual(['unchanged']);

    const file = path.join(tempDir('secret-file-'), 'value.txt');
    writeFileSync(file, 'second-Value-7z\n');
    const changed = await s.run(['secret', 'create', '--name', name, '--from-file', file, '-v']);
    ok(changed, 'secret create --from-file');
    expect(changed.stdout).toMatch(/updated secretsmanager-secret/);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('second-Value-7z');

    const dry = await s.run(['secret', 'create', '--name', name, '--dry-run', '--explain', '-o', 'json'], { input: 'third-Value-5x' });
    ok(dry, 'secret create --dry-run');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('second-Value-7z');

    ok(await s.run(['secret', 'delete', '--name', name]), 'secret delete');
    const gone = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(gone.DeletedDate).toBeInstanceOf(Date);
    // Created again: the stack's own secret is restored and given the value.
    const back = await s.run(['secret', 'create', '--name', name, '-o', 'json'], { input: 'fourth-Value-3w' });
    ok(back, 'secret create after delete');
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).toBeUndefined();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('fourth-Value-3w');
    ok(await s.run(['secret', 'delete', '--name', name, '--force-delete']), 'secret delete --force-delete');
    await expect(sm.send(new DescribeSecretCommand({ SecretId: name }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it("secret create on a secret the stack did not make never reads its value, and leaves it as it is", async () => {
    const s = stackCli();
    const name = `${s.stack}/not-ours`;
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'theirs-Value-0z' }));
    // Reading it would be refused, as it may be on AWS for someone else's secret.
    const proxy = await startProxy({ target: moto.url, faults: [{ kind: 'error', match: { service: 'secretsmanager', operation: 'GetSecretValue' }, errorCode: 'AccessDeniedException', errorMessage: 'not allowed', httpStatus: 400 }] });
    try {
      const r = await s.run(['secret', 'create', '--name', name, '-o', 'json'], { input: 'mine-Value-5q', endpoint: proxy.url });
      ok(r, 'secret create on a foreign secret');
      expect(json(r).changes.map((c) => c.status)).toEqual(['unchanged']);
      expect(proxy.counts().byOperation['secretsmanager:DescribeSecret']).toBe(1);
      expect(proxy.counts().byOperation['secretsmanager:GetSecretValue'] ?? 0).toBe(0);
    } finally {
      await proxy.stop();
    }
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('theirs-Value-0z');
  });

  it('task register --secret: full ARNs in valueFrom, the execution role allowed exactly those (and their customer key, and the ECR repository); a re-run is unchanged', async () => {
    const s = stackCli();
    const secretName = `${s.stack}/api-creds`;
    ok(await s.run(['secret', 'create', '--name', secretName], { input: '{"user":"u","token":"tok-Value-8m"}' }), 'secret create');
    const secretArn = (await sm.send(new DescribeSecretCommand({ SecretId: secretName }))).ARN!;
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: `alias/${s.stack}`, TargetKeyId: key.KeyId }));
    await ssm.send(new PutParameterCommand({ Name: `/${s.stack}/db-host`, Value: 'db.internal', Type: 'SecureString', KeyId: `alias/${s.stack}` }));
    await ssm.send(new PutParameterCommand({ Name: `/${s.stack}/plain`, Value: 'p', Type: 'String' }));
    const repo = `${s.stack.toLowerCase()}/web`;
    ok(await s.run(['ecr', 'create', '--name', repo]), 'ecr create');
    const family = `${s.stack}-app`;
    const doc = TD(family, `${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${repo}:v1`);
    const args = ['task', 'register', '--document', doc, '--secret', `API_TOKEN=${secretName}:token`, '--secret', `DB_HOST=ssm:/${s.stack}/db-host`, '--secret', `web/PLAIN=ssm:/${s.stack}/plain`];
    ok(await s.run(args), 'task register --secret');

    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }))).taskDefinition!;
    expect(td.containerDefinitions![0].secrets).toEqual([
      { name: 'API_TOKEN', valueFrom: `${secretArn}:token::` },
      { name: 'DB_HOST', valueFrom: `arn:aws:ssm:us-east-1:${TEST_ACCOUNT}:parameter/${s.stack}/db-host` },
      { name: 'PLAIN', valueFrom: `arn:aws:ssm:us-east-1:${TEST_ACCOUNT}:parameter/${s.stack}/plain` },
    ]);
    const role = (await iam.send(new GetRoleCommand({ RoleName: `${s.stack}-exec` }))).Role!;
    expect(td.executionRoleArn).toBe(role.Arn);
    const grant = await iam.send(new GetRolePolicyCommand({ RoleName: `${s.stack}-exec`, PolicyName: `ecsprimer-${family}` }));
    const statements = JSON.parse(decodeURIComponent(grant.PolicyDocument!)).Statement;
    expect(statements).toEqual([
      { Sid: 'PullImages', Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: [`arn:aws:ecr:us-east-1:${TEST_ACCOUNT}:repository/${repo}`] },
      { Sid: 'RegistryLogin', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
      { Sid: 'ReadSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secretArn] },
      { Sid: 'ReadParameters', Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: [`arn:aws:ssm:us-east-1:${TEST_ACCOUNT}:parameter/${s.stack}/db-host`, `arn:aws:ssm:us-east-1:${TEST_ACCOUNT}:parameter/${s.stack}/plain`] },
      { Sid: 'DecryptSecrets', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key.Arn] },
    ]);
    // Never a secret or parameter on "*".
    for (const st of statements) if (st.Sid !== 'RegistryLogin') expect(st.Resource).not.toContain('*');

    const again = await s.run([...args, '-o', 'json']);
    ok(again, 'task register again');
    expect(json(again).changes.map((c) => c.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });

  it('a missing secret or parameter is named and nothing is created', async () => {
    const s = stackCli();
    const family = `${s.stack}-miss`;
    const r = await s.run(['task', 'register', '--document', TD(family), '--secret', `A=${s.stack}/nope`, '--secret', `B=ssm:/${s.stack}/nope`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--secret A=${s.stack}/nope: no Secrets Manager secret "${s.stack}/nope" in us-east-1`);
    expect(r.stderr).toContain(`--secret B=ssm:/${s.stack}/nope: no Parameter Store parameter "/${s.stack}/nope" in us-east-1`);
    expect(r.stderr).toMatch(/Nothing was changed/);
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family }))).taskDefinitionArns).toEqual([]);
    await expect(iam.send(new GetRoleCommand({ RoleName: `${s.stack}-exec` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
  });

  it("teardown: the stack's repository (images only with --force), its secrets (7-day window), the role with its grant; a secret it did not create is untouched", async () => {
    const s = stackCli();
    const repo = `${s.stack.toLowerCase()}/td`;
    ok(await s.run(['ecr', 'create', '--name', repo]), 'ecr create');
    await ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: MANIFEST, imageTag: 'v2' }));
    const ours = `${s.stack}/ours`;
    ok(await s.run(['secret', 'create', '--name', ours], { input: 'ours-Value-1k' }), 'secret create');
    const foreign = `${s.stack}/foreign`;
    await sm.send(new CreateSecretCommand({ Name: foreign, SecretString: 'foreign-Value-2j' }));
    const family = `${s.stack}-td`;
    ok(await s.run(['task', 'register', '--document', TD(family), '--secret', `OURS=${ours}`, '--secret', `FOREIGN=${foreign}`]), 'task register');

    const kept = await s.run(['teardown', '-o', 'json']);
    expect(kept.code).toBe(1);
    const report = json(kept);
    expect(report.changes.find((c) => c.type === 'ecr-repository')).toMatchObject({ name: repo, status: 'failed' });
    expect(report.error?.message).toMatch(/holds 1 image\(s\) \(v2\).*teardown --force/);
    expect(report.changes.find((c) => c.type === 'secretsmanager-secret' && c.name === ours)).toMatchObject({ status: 'done' });
    expect(report.changes.some((c) => c.name === foreign)).toBe(false);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: ours }))).DeletedDate).toBeInstanceOf(Date);
    await expect(iam.send(new GetRoleCommand({ RoleName: `${s.stack}-exec` }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });

    ok(await s.run(['teardown', '--force']), 'teardown --force');
    await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
    const f = await sm.send(new DescribeSecretCommand({ SecretId: foreign }));
    expect(f.DeletedDate).toBeUndefined();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: foreign }))).SecretString).toBe('foreign-Value-2j');
    const status = await s.run(['status', '-o', 'json'], { yes: false });
    ok(status, 'status');
    const live = (JSON.parse(status.stdout).resources as Array<{ state: string; ownership: string }>).filter((x) => x.state !== 'absent' && x.ownership === 'owned');
    expect(live).toEqual([]);
  });

  it('teardown at a terminal asks before it deletes images, naming them; no keeps the repository', async () => {
    /** The CLI on a pseudo-terminal (test/support/terminal.py), answering its questions in turn. */
    const atTerminal = (args: string[], state: string, answers: Array<[RegExp, string]>) => {
      const env = cliEnv({ ECSPRIMER_STATE_DIR: state });
      const spec = { argv: [process.execPath, CLI_BIN, ...args, '--endpoint-url', moto.url], env, cwd: REPO_ROOT, steps: answers.map(([e, send]) => ({ expect: e.source, send })), timeout: 60 };
      const r = spawnSync('python3', [path.join(REPO_ROOT, 'test', 'support', 'terminal.py'), JSON.stringify(spec)], { encoding: 'utf8', timeout: 90_000 });
      const out = JSON.parse(r.stdout) as { code: number; output: string; matched: number };
      outputs.push(out.output);
      return out;
    };
    for (const answer of ['n', 'y']) {
      const s = stackCli();
      const repo = `${s.stack.toLowerCase()}/term`;
      ok(await s.run(['ecr', 'create', '--name', repo]), 'ecr create');
      await ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: MANIFEST, imageTag: 'v7' }));
      const r = atTerminal(['teardown', '--stack', s.stack], s.state, [
        [/Tear down stack/, 'y\r'],
        [new RegExp(`Repository ${repo} holds 1 image\\(s\\) \\(v7\\)\\. Delete them with it\\?`), `${answer}\r`],
      ]);
      expect(r.matched, r.output).toBe(2);
      if (answer === 'y') {
        expect(r.code, r.output).toBe(0);
        await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
      } else {
        expect(r.code, r.output).toBe(1);
        expect(r.output).toMatch(/was kept/);
        expect((await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).repositories).toHaveLength(1);
      }
    }
  });

  it('the stack file: repositories and secrets (values from a file and the environment), a task definition reading them; up, up again, diff, a dropped repository, down', async () => {
    const s = stackCli();
    const dir = tempDir('stack-secrets-');
    const file = path.join(dir, 'ecsprimer.json');
    ok(await s.run(['init', '--file', file], { yes: false }), 'init');
    const repo = `${s.stack.toLowerCase()}/app`;
    const other = `${s.stack.toLowerCase()}/old`;
    const d = JSON.parse(readFileSync(file, 'utf8'));
    d.repositories = { [repo]: { description: 'the image', keep: 4, immutableTags: true }, [other]: {} };
    d.secrets = { [`${s.stack}/db`]: { description: 'the database password', fromEnv: 'STACK_DB_PASSWORD' }, [`${s.stack}/api`]: { fromFile: 'api.json' } };
    const family = Object.keys(d.taskDefinitions)[0];
    d.taskDefinitions[family].secrets = { DB_PASSWORD: `${s.stack}/db`, API_TOKEN: `${s.stack}/api:token` };
    writeFileSync(file, JSON.stringify(d, null, 2));
    writeFileSync(path.join(dir, 'api.json'), '{"token":"file-Value-4t"}\n');
    const env = { STACK_DB_PASSWORD: 'env-Value-6e' };

    const up = await s.run(['up', '--file', file, '--no-wait', '-o', 'json'], { env });
    ok(up, 'up');
    const r = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).repositories![0];
    expect(r.imageTagMutability).toBe('IMMUTABLE');
    expect(JSON.parse((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repo }))).lifecyclePolicyText!).rules[0].selection.countNumber).toBe(4);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: `${s.stack}/db` }))).SecretString).toBe('env-Value-6e');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: `${s.stack}/api` }))).SecretString).toBe('{"token":"file-Value-4t"}');
    const dbArn = (await sm.send(new DescribeSecretCommand({ SecretId: `${s.stack}/db` }))).ARN!;
    const apiArn = (await sm.send(new DescribeSecretCommand({ SecretId: `${s.stack}/api` }))).ARN!;
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }))).taskDefinition!;
    expect(td.containerDefinitions![0].secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: dbArn },
      { name: 'API_TOKEN', valueFrom: `${apiArn}:token::` },
    ]);
    const execRole = d.taskDefinitions[family].executionRole as string;
    const grant = await iam.send(new GetRolePolicyCommand({ RoleName: execRole, PolicyName: `ecsprimer-${family}` }));
    expect(JSON.parse(decodeURIComponent(grant.PolicyDocument!)).Statement).toEqual([{ Sid: 'ReadSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [apiArn, dbArn].sort() }]);

    const again = await s.run(['up', '--file', file, '--no-wait', '-o', 'json'], { env });
    ok(again, 'up again');
    expect(json(again).changes.filter((c) => c.status !== 'unchanged')).toEqual([]);

    // A new value in the environment and a repository dropped from the file.
    delete d.repositories[other];
    writeFileSync(file, JSON.stringify(d, null, 2));
    const env2 = { STACK_DB_PASSWORD: 'env-Value-2f' };
    const diff = await s.run(['diff', '--file', file], { env: env2, yes: false });
    expect(diff.code).toBe(5);
    expect(diff.stdout).toMatch(/update secretsmanager-secret .*\/db/);
    expect(diff.stdout).toMatch(/delete ecr-repository .*\/old/);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: `${s.stack}/db` }))).SecretString).toBe('env-Value-6e');
    ok(await s.run(['up', '--file', file, '--no-wait'], { env: env2 }), 'up with changes');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: `${s.stack}/db` }))).SecretString).toBe('env-Value-2f');
    await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [other] }))).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });

    // A missing environment variable is named before any call.
    const missing = await s.run(['diff', '--file', file], { env: { STACK_DB_PASSWORD: undefined }, yes: false });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/secrets\["[^"]+\/db"\]\.fromEnv: the environment variable STACK_DB_PASSWORD is not set/);

    const template = await s.run(['export', '--file', file], { yes: false });
    ok(template, 'export');
    const t = JSON.parse(template.stdout);
    expect(Object.values(t.Resources).map((x) => (x as { Type: string }).Type)).toEqual(expect.arrayContaining(['AWS::ECR::Repository', 'AWS::SecretsManager::Secret']));
    expect(Object.values(t.Parameters).filter((p) => (p as { NoEcho?: boolean }).NoEcho)).toHaveLength(2);

    ok(await s.run(['down', '--file', file]), 'down');
    await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
    expect((await sm.send(new DescribeSecretCommand({ SecretId: `${s.stack}/db` }))).DeletedDate).toBeInstanceOf(Date);
    await expect(iam.send(new GetRoleCommand({ RoleName: execRole }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
  });

  it('no secret value appears in any output, verbose line, plan or journal line of this file', () => {
    const values = ['first-Value-9q', 'second-Value-7z', 'third-Value-5x', 'fourth-Value-3w', 'tok-Value-8m', 'ours-Value-1k', 'file-Value-4t', 'env-Value-6e', 'env-Value-2f', 'mine-Value-5q'];
    const journalText = journals.map((j) => {
      try {
        return readFileSync(j, 'utf8');
      } catch {
        return '';
      }
    });
    expect(journalText.join('').length).toBeGreaterThan(0);
    for (const v of values) {
      for (const out of [...outputs, ...journalText]) expect(out).not.toContain(v);
    }
  });
});
