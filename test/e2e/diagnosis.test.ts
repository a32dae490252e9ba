/**
 * Diagnosis through the built CLI: a task whose image pull times out (played by the behaviour
 * proxy's taskStops on a task moto started in a subnet of a VPC made in moto's EC2) is explained
 * from the subnet's live routes: no route out, then a route to an internet gateway without a
 * public IP. A task whose essential container exits non-zero shows its last log lines.
 */
import { ModifyVpcAttributeCommand, AttachInternetGatewayCommand, CreateInternetGatewayCommand, CreateRouteCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskStops } from '../support/aws-behaviours.js';
import { makeStateDir, runCli, type CliResult } from '../support/cli.js';
import { describeE2E, requireMotoUrl } from '../support/e2e.js';
import { startProxy, type Proxy } from '../support/proxy.js';
import { uniqueStack } from '../support/stack-state.js';

describeE2E('diagnosis (built CLI → behaviour proxy → moto)', () => {
  let motoUrl: string;
  let ec2: EC2Client;
  const proxies: Proxy[] = [];
  beforeAll(() => {
    motoUrl = requireMotoUrl();
    ec2 = new EC2Client({ endpoint: motoUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(async () => {
    ec2?.destroy();
    await Promise.all(proxies.map((p) => p.stop()));
  });

  const ok = (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stderr}`).toBe(0);

  async function privateSubnet() {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.42.0.0/16' }))).Vpc!.VpcId!;
    // moto fails RunTask in a VPC without DNS hostnames (its task ENI then has no DNS name).
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.42.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: `diag-${Date.now()}`, Description: 'diagnosis test' }))).GroupId!;
    return { vpc, subnet, sg };
  }

  describe('a pull that timed out, explained from the subnet', () => {
    it('no route out, then a route to an internet gateway without a public IP', async () => {
      const stack = uniqueStack('diag');
      const state = makeStateDir();
      const env = { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '50' };
      const run = (args: string[], via = motoUrl) => runCli([...args, '--stack', stack, '--endpoint-url', via, '--yes'], { env, timeoutMs: 60_000 });
      ok(await run(['cluster', 'create', '--name', `${stack}-c`]), 'cluster create');
      ok(await run(['task', 'register']), 'task register');
      const net = await privateSubnet();
      const p = await startProxy({ target: motoUrl, faults: taskStops({ stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to do request: Head "https://public.ecr.aws/v2/nginx/nginx/manifests/stable-alpine": dial tcp 99.83.145.10:443: i/o timeout', stopCode: 'TaskFailedToStart' }) });
      proxies.push(p);
      const runTask = () => run(['task', 'run', '--cluster', `${stack}-c`, '--task-definition', `${stack}-web`, '--subnets', net.subnet, '--security-groups', net.sg, '--wait', 'stopped'], p.url);

      const first = await runTask();
      expect(first.code).toBe(1);
      expect(first.stderr).toContain(`why: pulling public.ecr.aws/nginx/nginx:stable-alpine timed out: subnet ${net.subnet} has no route to the internet (no 0.0.0.0/0 route in its route table) [subnet ${net.subnet} (VPC ${net.vpc})]`);
      expect(first.stderr).toContain('fix: the image is on a public registry, so the subnet needs a route out: 0.0.0.0/0 to an internet gateway (then --assign-public-ip) or to a NAT gateway');

      const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
      await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: net.vpc }));
      const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpc] }] }))).RouteTables!.find((t) => t.Associations?.some((a) => a.Main))!;
      await ec2.send(new CreateRouteCommand({ RouteTableId: main.RouteTableId!, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));

      const second = await runTask();
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`routes 0.0.0.0/0 to internet gateway ${igw}, but a task there reaches it only with a public IP`);
      expect(second.stderr).toContain('fix: run it with --assign-public-ip (Fargate)');
      ok(await run(['teardown']), 'teardown');
    });
  });

  it("an essential container that exits non-zero: the exit code, and its last log lines", async () => {
    const stack = uniqueStack('diagx');
    const state = makeStateDir();
    const env = { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '50' };
    const run = (args: string[], via = motoUrl) => runCli([...args, '--stack', stack, '--endpoint-url', via, '--yes'], { env, timeoutMs: 60_000 });
    ok(await run(['cluster', 'create', '--name', `${stack}-c`]), 'cluster create');
    ok(await run(['task', 'register']), 'task register');
    const started = await run(['task', 'run', '--cluster', `${stack}-c`, '--task-definition', `${stack}-web`, '-o', 'json']);
    ok(started, 'task run');
    const id = (JSON.parse(started.stdout) as { tasks: Array<{ taskId: string }> }).tasks[0].taskId;
    const logs = new CloudWatchLogsClient({ endpoint: motoUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const stream = { logGroupName: `/ecs/${stack}-web`, logStreamName: `ecs/web/${id}` };
    await logs.send(new CreateLogStreamCommand(stream));
    await logs.send(new PutLogEventsCommand({ ...stream, logEvents: ['starting', 'reading config', 'error: DATABASE_URL is not set'].map((message, i) => ({ timestamp: Date.now() + i, message })) }));
    logs.destroy();
    const p = await startProxy({ target: motoUrl, faults: taskStops({ stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited', exitCode: 2 }) });
    proxies.push(p);
    const r = await run(['task', 'wait', '--cluster', `${stack}-c`, '--task', id], p.url);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('why: the essential container web exited with code 2 [container web]');
    expect(r.stderr).toContain('Its last log lines: "starting" / "reading config" / "error: DATABASE_URL is not set".');
    ok(await run(['teardown']), 'teardown');
  });
});
