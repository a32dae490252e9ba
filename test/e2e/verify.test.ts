/**
 * `task verify` through the built CLI against moto: every check read live (IAM roles and their
 * policy documents, ECR images, log groups, moto's EC2 subnets, routes and security groups, the
 * cluster); one line each; exit 0 when none fails, 1 otherwise; `--output json` gives `checks`.
 * `task run --verify` starts nothing when a check fails.
 */
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { RegisterContainerInstanceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { RunInstancesCommand, AttachInternetGatewayCommand, CreateInternetGatewayCommand, CreateRouteCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeRouteTablesCommand, EC2Client, ModifyVpcAttributeCommand, RevokeSecurityGroupEgressCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeStateDir, runCli, type CliResult } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';
import { startProxy } from '../support/proxy.js';
import { uniqueStack } from '../support/stack-state.js';

interface CheckOut { status: 'ok' | 'warn' | 'fail'; what: string; detail: string; fix?: string }

describeE2E('task verify (built CLI → moto)', () => {
  let motoUrl: string;
  let ec2: EC2Client;
  let ecr: ECRClient;
  beforeAll(() => {
    motoUrl = requireMotoUrl();
    const cfg = { endpoint: motoUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    ec2 = new EC2Client(cfg);
    ecr = new ECRClient(cfg);
  });
  afterAll(() => {
    ec2?.destroy();
    ecr?.destroy();
  });

  function stackCli() {
    const stack = uniqueStack('ver');
    const state = makeStateDir();
    const run = (args: string[], via = motoUrl): Promise<CliResult> => runCli([...args, '--stack', stack, '--endpoint-url', via, '--yes'], { env: { ECSPRIMER_STATE_DIR: state } });
    return { stack, run };
  }
  const ok = (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stderr}`).toBe(0);
  const checksOf = (r: CliResult) => (JSON.parse(r.stdout) as { checks: CheckOut[] }).checks;

  /** A VPC whose main route table sends 0.0.0.0/0 to an internet gateway, with a subnet and a security group. */
  async function publicSubnet() {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.43.0.0/16' }))).Vpc!.VpcId!;
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.43.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: `ver-${Date.now()}`, Description: 'verify test' }))).GroupId!;
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
    const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).RouteTables!.find((t) => t.Associations?.some((a) => a.Main))!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: main.RouteTableId!, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
    return { vpc, subnet, sg, igw };
  }

  it('a registered default task definition in a subnet with a way out: every check ok, exit 0', async () => {
    const s = stackCli();
    ok(await s.run(['cluster', 'create', '--name', `${s.stack}-c`]), 'cluster create');
    ok(await s.run(['task', 'register']), 'task register');
    const net = await publicSubnet();
    const r = await s.run(['task', 'verify', '--task-definition', `${s.stack}-web`, '--cluster', `${s.stack}-c`, '--subnets', net.subnet, '--security-groups', net.sg, '--assign-public-ip']);
    ok(r, 'task verify');
    expect(r.stdout).toContain(`ok   execution role: ${s.stack}-exec exists and trusts ecs-tasks.amazonaws.com`);
    expect(r.stdout).toContain(`ok   execution role permissions: ${s.stack}-exec: logs:PutLogEvents on arn:aws:logs:us-east-1:123456789012:log-group:/ecs/${s.stack}-web:log-stream:*`);
    expect(r.stdout).toContain(`ok   log group: /ecs/${s.stack}-web exists`);
    expect(r.stdout).toContain(`ok   subnet: ${net.subnet}: 0.0.0.0/0 → internet gateway ${net.igw}, and the task gets a public IP`);
    expect(r.stdout).toContain(`ok   cluster: ${s.stack}-c is ACTIVE`);
    expect(r.stdout).not.toMatch(/^fail/m);

    // Without a public IP the same subnet cannot reach the internet gateway.
    const noIp = await s.run(['task', 'verify', '--task-definition', `${s.stack}-web`, '--subnets', net.subnet, '--security-groups', net.sg, '--no-assign-public-ip', '-o', 'json']);
    expect(noIp.code).toBe(1);
    expect(checksOf(noIp).find((c) => c.status === 'fail')).toMatchObject({ what: 'subnet', fix: 'add --assign-public-ip, or use private subnets with a NAT gateway' });
  });

  it('each failing check says what to fix: a role without the permissions, a trust that excludes ECS, a missing image, a missing log group, no HTTPS out', async () => {
    const s = stackCli();
    const net = await publicSubnet();
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: net.sg, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: `${s.stack}/app` }));
    ok(await s.run(['iam', 'role', 'create', '--name', `${s.stack}-bare`, '--trust-principal', 'ecs-tasks.amazonaws.com']), 'role create (no policy)');
    ok(await s.run(['iam', 'role', 'create', '--name', `${s.stack}-ec2`, '--trust-principal', 'ec2.amazonaws.com']), 'role create (trusts EC2)');
    const doc = {
      family: `${s.stack}-app`,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${s.stack}/app:v1`,
          essential: true,
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${s.stack}-nowhere`, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' } },
        },
      ],
    };
    ok(await s.run(['task', 'register', '--document', JSON.stringify(doc), '--execution-role', `${s.stack}-bare`, '--task-role', `${s.stack}-ec2`]), 'task register');
    // The log group task register made is deleted again: verify must see it missing.
    const { CloudWatchLogsClient, DeleteLogGroupCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const logs = new CloudWatchLogsClient({ endpoint: motoUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await logs.send(new DeleteLogGroupCommand({ logGroupName: `/ecs/${s.stack}-nowhere` }));
    logs.destroy();

    const r = await s.run(['task', 'verify', '--task-definition', `${s.stack}-app`, '--subnets', net.subnet, '--security-groups', net.sg, '--assign-public-ip', '-o', 'json']);
    expect(r.code).toBe(1);
    const fails = checksOf(r).filter((c) => c.status === 'fail');
    const text = fails.map((f) => `${f.what}: ${f.detail} | ${f.fix}`);
    expect(text).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`task role: ${s.stack}-ec2 does not trust ecs-tasks.amazonaws.com`),
        expect.stringContaining(`execution role permissions: ${s.stack}-bare: ecr:GetAuthorizationToken on * (it pulls from ECR) is not allowed | allow it: {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"} (AmazonECSTaskExecutionRolePolicy grants it)`),
        expect.stringContaining(`execution role permissions: ${s.stack}-bare: logs:CreateLogStream on arn:aws:logs:us-east-1:123456789012:log-group:/ecs/${s.stack}-nowhere:log-stream:*`),
        expect.stringContaining(`image: repository ${s.stack}/app has no image v1 | push it: docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/${s.stack}/app:v1`),
        expect.stringContaining(`log group: /ecs/${s.stack}-nowhere does not exist`),
        expect.stringContaining(`security groups: ${net.sg} allow no outbound HTTPS (443)`),
      ]),
    );
  });

  it('on EC2 the cluster needs container instances with room: none, then one with room, then a task too big for it', async () => {
    const s = stackCli();
    const cluster = `${s.stack}-c`;
    ok(await s.run(['cluster', 'create', '--name', cluster]), 'cluster create');
    const td = (family: string, cpu: number, memory: number) => ({
      family,
      networkMode: 'bridge',
      requiresCompatibilities: ['EC2'],
      containerDefinitions: [{ name: 'web', image: 'public.ecr.aws/nginx/nginx:stable-alpine', essential: true, cpu, memory }],
    });
    ok(await s.run(['task', 'register', '--document', JSON.stringify(td(`${s.stack}-small`, 256, 512))]), 'task register small');
    ok(await s.run(['task', 'register', '--document', JSON.stringify(td(`${s.stack}-huge`, 100_000, 1_000_000))]), 'task register huge');
    const verify = (family: string) => s.run(['task', 'verify', '--task-definition', family, '--cluster', cluster, '--launch-type', 'EC2', '-o', 'json']);
    const roomCheck = (r: CliResult) => checksOf(r).find((c) => c.what === 'container instances');

    const none = await verify(`${s.stack}-small`);
    expect(none.code).toBe(1);
    expect(roomCheck(none)).toMatchObject({ status: 'fail', detail: `${cluster} has none: an EC2 task has nowhere to run` });

    // An instance of the cluster, as the ECS agent registers it (its instance identity document).
    const instance = (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 't3.medium' }))).Instances![0];
    const ecs = new ECSClient({ endpoint: motoUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      await ecs.send(new RegisterContainerInstanceCommand({ cluster, instanceIdentityDocument: JSON.stringify({ instanceId: instance.InstanceId, region: 'us-east-1', availabilityZone: instance.Placement?.AvailabilityZone, privateIp: instance.PrivateIpAddress }) }));
    } finally {
      ecs.destroy();
    }
    const fits = await verify(`${s.stack}-small`);
    expect(roomCheck(fits)).toMatchObject({ status: 'ok', detail: '1 of 1 have room for 256 CPU units and 512 MiB' });
    const huge = await verify(`${s.stack}-huge`);
    expect(huge.code).toBe(1);
    expect(roomCheck(huge)).toMatchObject({ status: 'fail', detail: 'none of 1 has room for 100000 CPU units and 1000000 MiB (or its agent is disconnected)' });
  });

  it('task run --verify and service create --verify start nothing when a check fails (exit 1); bad input exits 2 before any call', async () => {
    const s = stackCli();
    ok(await s.run(['cluster', 'create', '--name', `${s.stack}-c`]), 'cluster create');
    ok(await s.run(['task', 'register']), 'task register');
    const p = await startProxy({ target: motoUrl });
    try {
      // moto's default VPC has no route out: the subnet check fails.
      const r = await s.run(['task', 'run', '--cluster', `${s.stack}-c`, '--task-definition', `${s.stack}-web`, '--verify'], p.url);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--verify: 1 check(s) failed, so nothing was started');
      expect(p.counts().byOperation['ecs:RunTask']).toBeUndefined();
      // service create --verify: the same checks first; no service is created.
      const svc = await s.run(['service', 'create', '--cluster', `${s.stack}-c`, '--name', 'web', '--task-definition', `${s.stack}-web`, '--verify'], p.url);
      expect(svc.code).toBe(1);
      expect(svc.stderr).toMatch(/--verify: 1 check\(s\) failed, so nothing was (started|created)/);
      expect(p.counts().byOperation['ecs:CreateService']).toBeUndefined();
      p.resetCounts();
      const bad = await s.run(['task', 'verify', '--task-definition', 'no such family!'], p.url);
      expect(bad.code).toBe(2);
      expect(p.counts().total).toBe(0);
    } finally {
      await p.stop();
    }
  });
});
