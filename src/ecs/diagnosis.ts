/**
 * Why a task stopped, in words a learner can act on: the cause, the resource it concerns, and the
 * fix (a flag, an ecsprimer command, a policy statement). Where one read decides the cause — is
 * there a route out of the task's subnet? — it is made live. An unknown reason is left as AWS
 * gave it (no diagnosis).
 *
 * The stopped reasons are ECS's documented ones (Amazon ECS task stopped errors):
 * CannotPullContainerError (network timeout, image not found, access denied),
 * ResourceInitializationError (secrets, log group, network), a role ECS cannot assume, out of
 * memory (exit 137), other signals (139, 143), an essential container that exited, failed ELB or
 * container health checks, and no capacity.
 */
import type { Context } from '../context.js';
import type { TaskDefinitionInfo, TaskInfo } from '../aws/ecs-types.js';
import type { LogLine } from '../aws/logs-ops.js';
import { ECR_IMAGE } from './execution-role.js';

export interface Diagnosis {
  /** What happened, in one sentence. */
  cause: string;
  /** The resource it concerns (a subnet, an image, a role, a container). */
  concerns?: string;
  /** What to do about it. */
  fix: string;
}

/** Everything a task's stop says: its stoppedReason, stop code and each container's reason. */
function reasons(task: TaskInfo): string {
  return [task.stoppedReason ?? '', task.stopCode ?? '', ...task.containers.map((c) => c.reason ?? '')].join(' | ');
}

const NETWORK_TIMEOUT = /i\/o timeout|context deadline exceeded|dial tcp|timed? ?out|TLS handshake timeout|network is unreachable|connection (refused|reset)/i;

/** The region-specific names of the VPC endpoints an image pull needs without a route to the internet. */
function pullEndpoints(region: string, ecr: boolean): Array<{ service: string; kind: string }> {
  return ecr
    ? [
        { service: `com.amazonaws.${region}.ecr.api`, kind: 'interface' },
        { service: `com.amazonaws.${region}.ecr.dkr`, kind: 'interface' },
        { service: `com.amazonaws.${region}.s3`, kind: 'gateway' },
      ]
    : [];
}

/**
 * Reads the task's subnet: its routes (own table, else the VPC's main table) and, with no route to
 * the internet, its VPC endpoints. Says which way out is missing.
 */
async function networkDiagnosis(ctx: Context, task: TaskInfo, what: string, images: string[]): Promise<Diagnosis> {
  const ecr = images.some((i) => ECR_IMAGE.test(i));
  const general: Diagnosis = {
    cause: `${what} timed out: the task could not reach the registry or the AWS API over the network`,
    fix: 'give its subnet a way out: a public subnet (route 0.0.0.0/0 to an internet gateway) with --assign-public-ip, a private subnet with a route to a NAT gateway, or VPC endpoints for ECR (ecr.api, ecr.dkr), S3 and CloudWatch Logs',
  };
  if (!task.subnetId) return general;
  try {
    const ec2 = await ctx.ec2();
    const subnet = await ec2.subnet(task.subnetId);
    if (!subnet) return { ...general, concerns: `subnet ${task.subnetId} (it no longer exists)` };
    const routes = await ec2.routesOf(subnet.id, subnet.vpcId);
    const out = routes.find((r) => r.destination === '0.0.0.0/0');
    const concerns = `subnet ${subnet.id} (VPC ${subnet.vpcId})`;
    if (out?.target.startsWith('igw-')) {
      return {
        cause: `${what} timed out: subnet ${subnet.id} routes 0.0.0.0/0 to internet gateway ${out.target}, but a task there reaches it only with a public IP`,
        concerns,
        fix: 'run it with --assign-public-ip (Fargate), or in a private subnet whose route table sends 0.0.0.0/0 to a NAT gateway',
      };
    }
    if (out?.target.startsWith('nat-')) {
      return { cause: `${what} timed out although subnet ${subnet.id} routes 0.0.0.0/0 to NAT gateway ${out.target}`, concerns, fix: `check that the NAT gateway is available and sits in a public subnet, and that the task's security group allows outbound HTTPS (443)` };
    }
    const have = new Set(await ec2.endpointServices(subnet.vpcId));
    const missing = pullEndpoints(ctx.region, ecr).filter((e) => !have.has(e.service));
    const logsEndpoint = `com.amazonaws.${ctx.region}.logs`;
    if (ecr && missing.length === 0) {
      return { cause: `${what} timed out though VPC ${subnet.vpcId} has the ECR and S3 endpoints`, concerns, fix: `check that the endpoints' security groups allow HTTPS (443) from the task, that private DNS is on, and that the S3 gateway endpoint is in subnet ${subnet.id}'s route table` };
    }
    return {
      cause: `${what} timed out: subnet ${subnet.id} has no route to the internet (no 0.0.0.0/0 route in its route table)${ecr ? ` and VPC ${subnet.vpcId} lacks the endpoints ${missing.map((m) => m.service).join(', ')}` : ''}`,
      concerns,
      fix: ecr
        ? `add the missing VPC endpoints (${missing.map((m) => `${m.service} (${m.kind})`).join(', ')}${have.has(logsEndpoint) ? '' : `, and ${logsEndpoint} for awslogs`}), or route 0.0.0.0/0 to a NAT gateway`
        : `the image is on a public registry, so the subnet needs a route out: 0.0.0.0/0 to an internet gateway (then --assign-public-ip) or to a NAT gateway`,
    };
  } catch {
    return { ...general, concerns: `subnet ${task.subnetId}` };
  }
}

/** The last lines a container wrote, for "it exited": at most `n`. */
function lastLines(lines: LogLine[] | undefined, n = 5): string {
  if (!lines?.length) return '';
  return ` Its last log lines: ${lines.slice(-n).map((l) => JSON.stringify(l.message.replace(/\n$/, ''))).join(' / ')}.`;
}

/**
 * The diagnosis of a stopped (or stopping) task, undefined when its stop needs none (every
 * essential container exited 0) or is not one ecsprimer knows.
 */
export async function diagnose(ctx: Context, task: TaskInfo, td: TaskDefinitionInfo | undefined, o: { logs?: Map<string, LogLine[]> } = {}): Promise<Diagnosis | undefined> {
  const all = reasons(task);
  const images = (td?.definition.containerDefinitions ?? []).map((c) => c.image ?? '');
  const essential = new Set(td ? td.containers.filter((c) => c.essential).map((c) => c.name) : task.containers.map((c) => c.name));
  const exited = task.containers.find((c) => essential.has(c.name) && c.exitCode !== undefined && c.exitCode !== 0);

  if (/CannotPullContainerError/i.test(all)) {
    const image = images.find((i) => all.includes(i)) ?? images[0] ?? 'the image';
    if (/denied|unauthorized|forbidden|no basic auth|403|401|AccessDenied/i.test(all)) {
      return ECR_IMAGE.test(image)
        ? { cause: `the execution role may not pull ${image} from ECR`, concerns: `execution role ${td?.definition.executionRoleArn ?? '(none)'}`, fix: 'attach AmazonECSTaskExecutionRolePolicy to the execution role (it grants ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer), or allow those actions on the repository' }
        : { cause: `the registry refused to give ${image} (a private image without credentials, or a rate limit)`, concerns: `image ${image}`, fix: 'use a public image, or give the container repositoryCredentials (a Secrets Manager secret with the registry login) and let the execution role read it' };
    }
    if (/not found|manifest unknown|does not exist|name unknown|repository .* not found/i.test(all)) {
      return { cause: `the image ${image} (or its tag) does not exist in its registry`, concerns: `image ${image}`, fix: 'check the image name and tag in the task definition (for ECR: aws ecr describe-images --repository-name NAME), push it, and register the task definition again' };
    }
    if (NETWORK_TIMEOUT.test(all)) return networkDiagnosis(ctx, task, `pulling ${image}`, images);
  }
  if (/ResourceInitializationError/i.test(all)) {
    if (/secret|ssm|parameter|kms/i.test(all) && !NETWORK_TIMEOUT.test(all)) {
      return { cause: 'ECS could not read the secrets of the task definition with its execution role', concerns: `execution role ${td?.definition.executionRoleArn ?? '(none)'}`, fix: 'allow the execution role secretsmanager:GetSecretValue (Secrets Manager) or ssm:GetParameters (Parameter Store) on those secrets, and kms:Decrypt on their key if it is a customer key' };
    }
    if (/log group|logs:|CreateLogStream|ResourceNotFoundException/i.test(all) && !NETWORK_TIMEOUT.test(all)) {
      const group = /log group[^\w]*([\w/.#-]+)/i.exec(all)?.[1];
      return { cause: `the log group${group ? ` ${group}` : ''} the awslogs driver writes to does not exist (or the execution role may not write to it)`, concerns: group ? `log group ${group}` : 'the awslogs log group', fix: 'run ecsprimer task register (it creates the log groups its containers log to), or aws logs create-log-group --log-group-name NAME; the execution role needs logs:CreateLogStream and logs:PutLogEvents (AmazonECSTaskExecutionRolePolicy grants them)' };
    }
    if (NETWORK_TIMEOUT.test(all)) return networkDiagnosis(ctx, task, 'starting the task (secrets, logs or image)', images);
  }
  if (/unable to assume the role|assume role|AssumeRole/i.test(all)) {
    return { cause: 'ECS could not assume a role of the task (its trust policy does not trust ecs-tasks.amazonaws.com, or it was just created)', concerns: `roles ${[td?.definition.executionRoleArn, td?.definition.taskRoleArn].filter(Boolean).join(', ') || '(none)'}`, fix: 'make the role trust ecs-tasks.amazonaws.com (ecsprimer iam role create --name NAME --trust-principal ecs-tasks.amazonaws.com), then run again' };
  }
  if (/OutOfMemory|OOM/i.test(all) || exited?.exitCode === 137) {
    const c = exited ?? task.containers.find((x) => /OutOfMemory/i.test(x.reason ?? ''));
    const limit = td?.definition.containerDefinitions?.find((d) => d.name === c?.name);
    const mem = limit?.memory ?? td?.definition.memory;
    return { cause: `container ${c?.name ?? '(essential)'} was killed (exit 137: SIGKILL, most often out of memory)`, concerns: `container ${c?.name ?? ''}`.trim(), fix: `give it more memory${mem ? ` than ${mem} MiB` : ''} ("memory" of the container or of the task, within Fargate's sizes), or make it use less; exit 137 without OutOfMemoryError also follows a stop that outlasted its stopTimeout` };
  }
  if (/ELB health checks/i.test(all)) {
    return { cause: 'the load balancer found the task unhealthy and ECS replaced it', concerns: 'its target group', fix: "check the target group's health check path and port against what the container serves, that the task's security group allows the load balancer in on that port, and give it time to start (healthCheckGracePeriodSeconds)" };
  }
  if (/container health checks|failed container health/i.test(all)) {
    return { cause: "the container's own healthCheck failed", concerns: 'the healthCheck of the task definition', fix: 'run its command inside the image to see why it fails; give it startPeriod if the container needs time to start' };
  }
  if (/RESOURCE:(CPU|MEMORY|ENI|PORTS)|no container instance met|Capacity is unavailable|insufficient capacity|SpotInterruption/i.test(all)) {
    return { cause: 'there was no capacity for the task', concerns: 'the cluster', fix: /Spot/i.test(all) ? 'FARGATE_SPOT capacity was reclaimed: add FARGATE to the capacity provider strategy, or run again' : /Capacity is unavailable/i.test(all) ? 'Fargate had no capacity in that zone: run again, or give more subnets (zones)' : 'give the cluster container instances with enough free CPU, memory and ENIs, or run on FARGATE' };
  }
  if (exited?.exitCode === 139) return { cause: `container ${exited.name} crashed (exit 139: SIGSEGV, a segmentation fault)`, concerns: `container ${exited.name}`, fix: `the program itself failed: run the image locally to reproduce.${lastLines(o.logs?.get(exited.name))}` };
  if (exited?.exitCode === 143) return { cause: `container ${exited.name} was stopped (exit 143: SIGTERM)`, concerns: `container ${exited.name}`, fix: 'it was asked to stop (StopTask, a deployment, scale-in): nothing to fix unless that was not meant; a program that does not exit on SIGTERM is killed after stopTimeout' };
  if (exited) {
    return { cause: `the essential container ${exited.name} exited with code ${exited.exitCode}`, concerns: `container ${exited.name}`, fix: `look at what it printed before it exited (ecsprimer task logs --cluster CLUSTER --task ${task.id}).${lastLines(o.logs?.get(exited.name))}` };
  }
  return undefined;
}

/** A diagnosis as lines for stderr. */
export function diagnosisLines(d: Diagnosis): string[] {
  return [`  why: ${d.cause}${d.concerns ? ` [${d.concerns}]` : ''}`, `  fix: ${d.fix}`];
}

/** A diagnosis as one sentence for an error message. */
export function diagnosisSentence(d: Diagnosis): string {
  return `Why: ${d.cause}. Fix: ${d.fix}.`;
}
