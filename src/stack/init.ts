/**
 * `ecsprimer init`: a starter stack file — the stack's permissions policy, task role, execution
 * role, log group, cluster, task definition and a Fargate service of one task in the default VPC,
 * each with a short description — from the same documents the single commands use (json/). It
 * names the JSON Schema of the format (schema/stack.schema.json, in the package) in `$schema`, so
 * editors complete and check it. An existing file is never overwritten without --force.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import { parseJsonStrict, type JsonValue } from '../input/json.js';
import { defaultDocument, packageRoot } from '../paths.js';
import { readReport, type Report } from '../plan/types.js';
import { DEFAULT_STACK_FILE } from './file.js';

export interface InitOptions {
  file?: string;
  force?: boolean;
}

export const SCHEMA_FILE = join('schema', 'stack.schema.json');

async function shipped(name: string): Promise<{ [k: string]: JsonValue }> {
  const path = defaultDocument(name);
  return parseJsonStrict(await readFile(path, 'utf8'), `file ${path}`) as { [k: string]: JsonValue };
}

/** The starter stack file of `stack`, with `$schema` as given. */
export async function starterFile(stack: string, schema: string): Promise<{ [k: string]: JsonValue }> {
  const [policy, trust, td] = await Promise.all([shipped('policy.json'), shipped('trust-policy.json'), shipped('task-definition.json')]);
  const { family: _family, ...definition } = td;
  return {
    $schema: schema,
    stack,
    description: `Stack ${stack}: one web container on Fargate. ecsprimer diff shows what up would change; up applies it; down removes it.`,
    policies: {
      [`${stack}-policy`]: {
        description: "What the containers may do in AWS (the task role's permissions): write the stack's logs, read the stack's S3 objects.",
        document: policy,
      },
    },
    roles: {
      [`${stack}-role`]: {
        description: "The task role: the identity of the containers' own AWS calls. Trusted by this account's ECS tasks only.",
        trustPolicy: trust,
        policies: [`${stack}-policy`],
      },
      [`${stack}-exec`]: {
        description: 'The execution role: what ECS itself uses to pull the image and send the logs (the plain trust AWS documents for it).',
        trustPrincipal: 'ecs-tasks.amazonaws.com',
        policies: ['arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'],
      },
    },
    logGroups: {
      [`/ecs/${stack}-web`]: {
        description: "Where the web container's output goes (the awslogs driver). `ecsprimer task logs` and `service logs` read it.",
        retentionInDays: 7,
      },
    },
    clusters: {
      [`${stack}-cluster`]: { description: 'The cluster the service runs in (Fargate: no instances to manage).' },
    },
    taskDefinitions: {
      [`${stack}-web`]: {
        description: 'What to run: the image, its size, port and logs. A change here registers a new revision and moves the service to it.',
        taskRole: `${stack}-role`,
        executionRole: `${stack}-exec`,
        document: definition,
      },
    },
    services: {
      [`${stack}-web`]: {
        description: "Keeps one task of the definition running, in the default VPC's subnets with a public IP (add subnets and securityGroups to choose).",
        cluster: `${stack}-cluster`,
        taskDefinition: `${stack}-web`,
        desiredCount: 1,
        launchType: 'FARGATE',
      },
    },
  };
}

export async function runInit(o: InitOptions, ctx: Context): Promise<Report> {
  const given = o.file ?? DEFAULT_STACK_FILE;
  const path = resolve(ctx.cwd, given.replace(/^file:\/\//, ''));
  const fromFile = relative(dirname(path), join(packageRoot(), SCHEMA_FILE)).split(sep).join('/');
  const schema = fromFile.startsWith('.') ? fromFile : `./${fromFile}`;
  const text = `${JSON.stringify(await starterFile(ctx.stack, schema), null, 2)}\n`;
  try {
    await writeFile(path, text, { flag: o.force ? 'w' : 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new InputError('--file', { message: `${given} exists already`, fix: 'Pass --force to replace it, or --file to write another' }, 'FileExists');
    if (code === 'ENOENT') throw new InputError('--file', { message: `the folder of ${given} does not exist`, fix: 'create it first, or choose another --file' });
    throw new InputError('--file', { message: `${given} cannot be written (${code ?? (e as Error).message})`, fix: 'check the permissions of its folder' });
  }
  ctx.ui.info(`Next: ecsprimer diff${o.file ? ` --file ${given}` : ''}   (what up would create), then ecsprimer up${o.file ? ` --file ${given}` : ''}.`);
  return { ...readReport({ command: ctx.command, stack: ctx.stack }, { file: path }), changes: [{ action: 'create', type: 'stack-file', name: given, status: 'done' }] };
}
