/**
 * `service create --load-balancer`, end to end through the built CLI against a moto of this
 * file's own (it serves ELBv2 and EC2 security groups), asserted on the server's state: the load
 * balancer, its security group open on the listener port, the tasks' group open on the container
 * port to the load balancer's group only, the target group (ip, port, health check), the listener's
 * forward, the service's wiring; a re-run unchanged with the URL again; bad values before any
 * request; teardown to zero, waiting out a DependencyViolation of the security groups.
 */
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeStateDir, runCli, spawnCli, type CliResult } from '../support/cli.js';
import { describeE2E } from '../support/e2e.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { startProxy } from '../support/proxy.js';
import { uniqueStack } from '../support/stack-state.js';

describeE2E('service create --load-balancer (built CLI → moto)', () => {
  let moto: MotoServer;
  let elb: ElasticLoadBalancingV2Client;
  let ec2: EC2Client;
  let ecs: ECSClient;
  beforeAll(async () => {
    // --wait needs services that reach their desired count: moto does that with MOTO_ECS_SERVICE_RUNNING.
    const before = process.env.MOTO_ECS_SERVICE_RUNNING;
    process.env.MOTO_ECS_SERVICE_RUNNING = '1';
    moto = await startMoto().finally(() => {
      if (before === undefined) delete process.env.MOTO_ECS_SERVICE_RUNNING;
      else process.env.MOTO_ECS_SERVICE_RUNNING = before;
    });
    const cfg = { endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    elb = new ElasticLoadBalancingV2Client(cfg);
    ec2 = new EC2Client(cfg);
    ecs = new ECSClient(cfg);
  });
  afterAll(async () => {
    for (const c of [elb, ec2, ecs]) c?.destroy();
    await moto?.stop();
  });
  const ok = (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stderr}`).toBe(0);
  const group = async (name: string) => (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [name] }] }))).SecurityGroups ?? [];

  it('makes the load balancer, its security groups, target group and listener, and wires the service to them; a re-run is unchanged; teardown removes it all', async () => {
    const stack = uniqueStack('lb');
    const state = makeStateDir();
    const run = (args: string[], endpoint = moto.url): Promise<CliResult> => runCli([...args, '--stack', stack, '--endpoint-url', endpoint, '--yes'], { env: { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '50' }, timeoutMs: 90_000 });
    const cluster = `${stack}-c`;
    ok(await run(['cluster', 'create', '--name', cluster]), 'cluster create');
    ok(await run(['task', 'register']), 'task register');
    const create = ['service', 'create', '--cluster', cluster, '--name', 'web', '--task-definition', `${stack}-web`, '--load-balancer', '--container-port', '80', '--health-check-path', '/health'];
    const r = await run(create);
    ok(r, 'service create --load-balancer');

    const name = `${stack}-web`;
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: [name] }))).LoadBalancers![0];
    expect([lb.Type, lb.Scheme]).toEqual(['application', 'internet-facing']);
    expect((lb.AvailabilityZones ?? []).length).toBeGreaterThanOrEqual(2);
    expect(r.stdout).toContain(`http://${lb.DNSName}/`);
    const [lbGroup] = await group(`${name}-lb`);
    const [tasksGroup] = await group(`${name}-tasks`);
    expect(lb.SecurityGroups).toEqual([lbGroup.GroupId]);
    expect(lbGroup.IpPermissions?.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, p.IpRanges?.map((x) => x.CidrIp)])).toEqual([['tcp', 80, 80, ['0.0.0.0/0']]]);
    expect(tasksGroup.IpPermissions?.map((p) => [p.IpProtocol, p.FromPort, p.UserIdGroupPairs?.map((x) => x.GroupId), p.IpRanges ?? []])).toEqual([['tcp', 80, [lbGroup.GroupId], []]]);
    for (const g of [lbGroup, tasksGroup]) expect(g.Tags).toContainEqual({ Key: 'ecsprimer:stack', Value: stack });
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups![0];
    expect([tg.TargetType, tg.Port, tg.Protocol, tg.HealthCheckPath, tg.VpcId]).toEqual(['ip', 80, 'HTTP', '/health', lbGroup.VpcId]);
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;
    expect(listeners.map((l) => [l.Port, l.Protocol, l.DefaultActions?.[0]?.Type, l.DefaultActions?.[0]?.TargetGroupArn])).toEqual([[80, 'HTTP', 'forward', tg.TargetGroupArn]]);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))).services![0];
    expect(svc.loadBalancers).toEqual([{ targetGroupArn: tg.TargetGroupArn, containerName: 'web', containerPort: 80 }]);
    expect(svc.networkConfiguration?.awsvpcConfiguration?.securityGroups).toEqual([tasksGroup.GroupId]);

    const again = await run([...create, '-o', 'json']);
    ok(again, 'service create again');
    const report = JSON.parse(again.stdout);
    expect(report.changes.map((c: { status: string }) => c.status)).toEqual(['unchanged']);
    expect(report.loadBalancer).toMatchObject({ name, dnsName: lb.DNSName });

    // Teardown: AWS releases the network interfaces of the tasks and the load balancer a while
    // after they go, refusing the security groups' deletes meanwhile (DependencyViolation).
    const proxy = await startProxy({ target: moto.url, faults: [{ kind: 'error', match: { service: 'ec2', operation: 'DeleteSecurityGroup' }, errorCode: 'DependencyViolation', errorMessage: 'resource sg has a dependent object', httpStatus: 400, limit: 2 }] });
    try {
      const down = await run(['teardown'], proxy.url);
      ok(down, 'teardown');
      expect(down.stderr).toMatch(/network interfaces using .*-(lb|tasks) to be released/);
      expect(proxy.counts().byOperation['ec2:DeleteSecurityGroup']).toBe(4);
    } finally {
      await proxy.stop();
    }
    await expect(elb.send(new DescribeLoadBalancersCommand({ Names: [name] }))).rejects.toMatchObject({ name: expect.stringMatching(/LoadBalancerNotFound/) });
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).rejects.toMatchObject({ name: expect.stringMatching(/TargetGroupNotFound/) });
    expect([...(await group(`${name}-lb`)), ...(await group(`${name}-tasks`))]).toEqual([]);
  });

  it('--wait waits for the service, then for healthy targets; a timeout names what to check', async () => {
    const stack = uniqueStack('lbw');
    const env = { ECSPRIMER_STATE_DIR: makeStateDir(), ECSPRIMER_POLL_MS: '100' };
    const common = ['--stack', stack, '--endpoint-url', moto.url, '--yes'];
    for (const args of [['cluster', 'create', '--name', `${stack}-c`], ['task', 'register']]) expect((await runCli([...args, ...common], { env })).code).toBe(0);
    const create = (name: string, extra: string[] = []) => ['service', 'create', '--cluster', `${stack}-c`, '--name', name, '--task-definition', `${stack}-web`, '--load-balancer', '--container-port', '80', '--wait', ...extra, ...common];

    const child = spawnCli(create('ok'), { env });
    await child.waitForOutput(/healthy target\(s\) in/, { stream: 'stderr', timeoutMs: 60_000 });
    // What ECS does once a task runs: register its IP with the target group (moto then reports it healthy).
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: [`${stack}-ok`] }))).TargetGroups![0].TargetGroupArn!;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '172.31.0.10', Port: 80 }] }));
    const done = await child.result;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/targets of .*: 1 healthy/);

    const late = await runCli(create('late', ['--wait-timeout', '2']), { env, timeoutMs: 60_000 });
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/Timed out after 2 s waiting for 1 healthy target\(s\).*Check that the container answers \/ on its port/);
  });

  it('a lost journal: teardown finds the load balancer, target group and security groups by their tag', async () => {
    const stack = uniqueStack('lbl');
    const state = makeStateDir();
    const run = (args: string[], dir = state): Promise<CliResult> => runCli([...args, '--stack', stack, '--endpoint-url', moto.url, '--yes'], { env: { ECSPRIMER_STATE_DIR: dir, ECSPRIMER_POLL_MS: '50' }, timeoutMs: 90_000 });
    ok(await run(['cluster', 'create', '--name', `${stack}-c`]), 'cluster create');
    ok(await run(['task', 'register']), 'task register');
    ok(await run(['service', 'create', '--cluster', `${stack}-c`, '--name', 'web', '--task-definition', `${stack}-web`, '--load-balancer', '--container-port', '80']), 'service create');
    // Another machine: the same account, no journal.
    const down = await run(['teardown'], makeStateDir());
    ok(down, 'teardown without the journal');
    const name = `${stack}-web`;
    await expect(elb.send(new DescribeLoadBalancersCommand({ Names: [name] }))).rejects.toMatchObject({ name: expect.stringMatching(/LoadBalancerNotFound/) });
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).rejects.toMatchObject({ name: expect.stringMatching(/TargetGroupNotFound/) });
    expect([...(await group(`${name}-lb`)), ...(await group(`${name}-tasks`))]).toEqual([]);
  });

  it('--dry-run plans the load balancer without AWS access', async () => {
    const r = await runCli(['service', 'create', '--cluster', 'c', '--name', 's', '--task-definition', 'f', '--load-balancer', '--container-port', '80', '--dry-run', '--stack', uniqueStack('lbdry'), '--endpoint-url', 'http://127.0.0.1:1'], { env: { ECSPRIMER_STATE_DIR: makeStateDir(), AWS_MAX_ATTEMPTS: '1' } });
    expect(r.code, r.stderr).toBe(0);
    for (const op of ['CreateSecurityGroup', 'AuthorizeSecurityGroupIngress', 'CreateLoadBalancer', 'CreateTargetGroup', 'CreateListener', 'CreateService']) expect(r.stdout).toContain(op);
  });

  it('bad values exit 2 before any request', async () => {
    const proxy = await startProxy({ target: moto.url });
    try {
      for (const [extra, pattern] of [
        [['--container-port', '80'], /--container-port: only goes with --load-balancer/],
        [['--load-balancer'], /--container-port: is required with --load-balancer/],
        [['--load-balancer', '--container-port', '70000'], /--container-port: "70000" is not a port/],
        [['--load-balancer', '--container-port', '80', '--listener-port', '0'], /--listener-port: "0" is not a port/],
        [['--load-balancer', '--container-port', '80', '--health-check-path', 'health'], /--health-check-path: "health" is not a path/],
      ] as Array<[string[], RegExp]>) {
        const r = await runCli(['service', 'create', '--cluster', 'c', '--name', 's', '--task-definition', 'f', ...extra, '--stack', uniqueStack('lbbad'), '--endpoint-url', proxy.url, '--yes'], { env: { ECSPRIMER_STATE_DIR: makeStateDir() } });
        expect(r.code, `${extra.join(' ')}\n${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(pattern);
      }
      expect(proxy.counts().total).toBe(0);
    } finally {
      await proxy.stop();
    }
  });
});
