/**
 * Why a task stopped (src/ecs/diagnosis.ts): each documented stopped reason gets its cause, the
 * resource it concerns and a fix; the network cause of a pull timeout is read from the subnet's
 * routes and the VPC's endpoints (EC2 mocked here; test/e2e/diagnosis.test.ts does it on moto's
 * EC2); an unknown reason gets none.
 */
import { DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TaskDefinitionInfo, TaskInfo } from '../../src/aws/ecs-types.js';
import { diagnose } from '../../src/ecs/diagnosis.js';
import { testContext, useCliEnv } from '../support/in-process.js';

useCliEnv();
const ec2 = mockClient(EC2Client);
beforeEach(() => ec2.reset());

function task(o: Partial<TaskInfo> & { exitCode?: number; containerReason?: string } = {}): TaskInfo {
  const { exitCode, containerReason, ...rest } = o;
  return {
    arn: 'arn:aws:ecs:us-east-1:123456789012:task/c/0123456789abcdef0123456789abcdef',
    id: '0123456789abcdef0123456789abcdef',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    tags: {},
    containers: [{ name: 'web', lastStatus: 'STOPPED', ...(exitCode !== undefined ? { exitCode } : {}), ...(containerReason ? { reason: containerReason } : {}) }],
    ...rest,
  };
}

function td(image = 'public.ecr.aws/nginx/nginx:stable-alpine', memory = 512): TaskDefinitionInfo {
  return {
    arn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
    family: 'web',
    revision: 1,
    status: 'ACTIVE',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    containers: [{ name: 'web', essential: true }],
    tags: {},
    definition: { family: 'web', memory: String(memory), executionRoleArn: 'arn:aws:iam::123456789012:role/exec', containerDefinitions: [{ name: 'web', image }] },
  } as TaskDefinitionInfo;
}

/** A fresh context per test (the directories useCliEnv makes exist only while a test runs). */
let ctx: ReturnType<typeof testContext>['ctx'];
beforeEach(() => {
  ctx = testContext().ctx;
});

describe('diagnose: causes read from the stop alone', () => {
  it.each([
    { name: 'image not found', t: task({ stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref public.ecr.aws/nginx/nginx:nope: not found', stopCode: 'TaskFailedToStart' }), cause: 'does not exist in its registry', fix: 'check the image name and tag' },
    { name: 'ECR access denied', t: task({ stoppedReason: 'CannotPullContainerError: pull access denied for 123456789012.dkr.ecr.us-east-1.amazonaws.com/app, repository does not exist or may require authorization: AccessDenied' }), def: td('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1'), cause: 'may not pull', fix: 'AmazonECSTaskExecutionRolePolicy' },
    { name: 'secrets', t: task({ stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: AccessDeniedException' }), cause: 'could not read the secrets', fix: 'secretsmanager:GetSecretValue' },
    { name: 'missing log group', t: task({ stoppedReason: 'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.' }), cause: 'does not exist', fix: 'ecsprimer task register' },
    { name: 'a role ECS cannot assume', t: task({ stoppedReason: 'ECS was unable to assume the role arn:aws:iam::123456789012:role/app that was provided for this task.' }), cause: 'could not assume a role', fix: '--trust-principal ecs-tasks.amazonaws.com' },
    { name: 'out of memory', t: task({ stoppedReason: 'Essential container in task exited', exitCode: 137, containerReason: 'OutOfMemoryError: Container killed due to memory usage' }), cause: 'exit 137', fix: 'more memory than 512 MiB' },
    { name: 'segmentation fault', t: task({ stoppedReason: 'Essential container in task exited', exitCode: 139 }), cause: 'SIGSEGV', fix: 'run the image locally' },
    { name: 'SIGTERM', t: task({ stoppedReason: 'Task stopped by user', exitCode: 143 }), cause: 'SIGTERM', fix: 'asked to stop' },
    { name: 'ELB health checks', t: task({ stoppedReason: 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1)' }), cause: 'load balancer found the task unhealthy', fix: 'health check path and port' },
    { name: 'no Fargate capacity', t: task({ stoppedReason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone', stopCode: 'TaskFailedToStart' }), cause: 'no capacity', fix: 'more subnets' },
  ])('$name', async ({ t, def, cause, fix }) => {
    const d = await diagnose(ctx, t, def ?? td());
    expect(d?.cause).toContain(cause);
    expect(d?.fix).toContain(fix);
  });

  it("an essential container that exited: its code and its last log lines", async () => {
    const d = await diagnose(ctx, task({ stoppedReason: 'Essential container in task exited', exitCode: 3 }), td(), { logs: new Map([['web', [1, 2, 3, 4, 5, 6].map((i) => ({ timestamp: i, message: `line ${i}` }))]]) });
    expect(d?.cause).toBe('the essential container web exited with code 3');
    expect(d?.fix).toContain('ecsprimer task logs --cluster CLUSTER --task 0123456789abcdef0123456789abcdef');
    expect(d?.fix).toContain('"line 2" / "line 3" / "line 4" / "line 5" / "line 6"');
  });

  it('a task whose containers all exited 0, and an unknown reason, get none', async () => {
    expect(await diagnose(ctx, task({ stoppedReason: 'Essential container in task exited', exitCode: 0 }), td())).toBeUndefined();
    expect(await diagnose(ctx, task({ stoppedReason: 'Something ECS has never said' }), td())).toBeUndefined();
  });
});

describe('diagnose: a pull that timed out, from the subnet', () => {
  const timeout = () => task({ stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to do request: Head "https://public.ecr.aws/v2/nginx/nginx/manifests/stable-alpine": dial tcp 99.83.145.10:443: i/o timeout', subnetId: 'subnet-0aaa' });
  const routes = (targets: Record<string, string>) =>
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [{ Associations: [{ SubnetId: 'subnet-0aaa' }], Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }, ...Object.entries(targets).map(([d, t]) => ({ DestinationCidrBlock: d, ...(t.startsWith('nat-') ? { NatGatewayId: t } : { GatewayId: t }) }))] }] });
  beforeEach(() => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0aaa', VpcId: 'vpc-0bbb', MapPublicIpOnLaunch: false }] });
  });

  it('no route out and a public image: route 0.0.0.0/0 to an internet gateway or a NAT', async () => {
    routes({});
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
    const d = await diagnose(ctx, timeout(), td());
    expect(d?.cause).toBe('pulling public.ecr.aws/nginx/nginx:stable-alpine timed out: subnet subnet-0aaa has no route to the internet (no 0.0.0.0/0 route in its route table)');
    expect(d?.concerns).toBe('subnet subnet-0aaa (VPC vpc-0bbb)');
    expect(d?.fix).toContain('0.0.0.0/0 to an internet gateway (then --assign-public-ip) or to a NAT gateway');
  });

  it('a route to an internet gateway: the task needs a public IP', async () => {
    routes({ '0.0.0.0/0': 'igw-0ccc' });
    const d = await diagnose(ctx, timeout(), td());
    expect(d?.cause).toContain('routes 0.0.0.0/0 to internet gateway igw-0ccc, but a task there reaches it only with a public IP');
    expect(d?.fix).toContain('--assign-public-ip');
  });

  it('a private ECR image, no route out: names the missing VPC endpoints', async () => {
    routes({});
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [{ ServiceName: 'com.amazonaws.us-east-1.ecr.api', State: "Available" }] });
    const ecrTask = task({ stoppedReason: 'CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/": dial tcp 52.216.0.1:443: i/o timeout', subnetId: 'subnet-0aaa' });
    const d = await diagnose(ctx, ecrTask, td('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1'));
    expect(d?.cause).toContain('lacks the endpoints com.amazonaws.us-east-1.ecr.dkr, com.amazonaws.us-east-1.s3');
    expect(d?.fix).toContain('com.amazonaws.us-east-1.ecr.dkr (interface), com.amazonaws.us-east-1.s3 (gateway), and com.amazonaws.us-east-1.logs for awslogs');
  });

  it('a NAT gateway route: look at the NAT and the security group', async () => {
    routes({ '0.0.0.0/0': 'nat-0ddd' });
    const d = await diagnose(ctx, timeout(), td());
    expect(d?.cause).toContain('routes 0.0.0.0/0 to NAT gateway nat-0ddd');
    expect(d?.fix).toContain('outbound HTTPS (443)');
  });
});
