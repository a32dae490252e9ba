/**
 * `service autoscale`, end to end through the built CLI against a moto of this file's own (it
 * serves Application Auto Scaling and ELBv2), asserted on the server's state: the scalable target
 * and its target-tracking policies, a re-run unchanged, changed limits and metrics as updates, the
 * requests-per-target label of a service behind an Application Load Balancer, bad values refused
 * before any request, --off, and teardown deregistering the target before the service goes.
 */
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeStateDir, runCli, type CliResult } from '../support/cli.js';
import { describeE2E } from '../support/e2e.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { startProxy } from '../support/proxy.js';
import { uniqueStack } from '../support/stack-state.js';

describeE2E('service autoscale (built CLI → moto)', () => {
  let moto: MotoServer;
  let as: ApplicationAutoScalingClient;
  let elb: ElasticLoadBalancingV2Client;
  let ec2: EC2Client;
  beforeAll(async () => {
    moto = await startMoto();
    const cfg = { endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    as = new ApplicationAutoScalingClient(cfg);
    elb = new ElasticLoadBalancingV2Client(cfg);
    ec2 = new EC2Client(cfg);
  });
  afterAll(async () => {
    for (const c of [as, elb, ec2]) c?.destroy();
    await moto?.stop();
  });

  async function stackWithService(document?: string) {
    const stack = uniqueStack('as');
    const state = makeStateDir();
    const run = (args: string[], endpoint = moto.url): Promise<CliResult> => runCli([...args, '--stack', stack, '--endpoint-url', endpoint, '--yes'], { env: { ECSPRIMER_STATE_DIR: state }, timeoutMs: 60_000 });
    const cluster = `${stack}-c`;
    const service = `${stack}-s`;
    for (const args of [
      ['cluster', 'create', '--name', cluster],
      ['task', 'register'],
      ['service', 'create', '--cluster', cluster, '--name', service, '--task-definition', `${stack}-web`, ...(document ? ['--document', document] : [])],
    ]) {
      const r = await run(args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    }
    return { stack, run, cluster, service, resourceId: `service/${cluster}/${service}` };
  }
  const ok = (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stderr}`).toBe(0);
  const target = async (id: string) => (await as.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [id] }))).ScalableTargets ?? [];
  const policies = async (id: string) =>
    ((await as.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: id }))).ScalingPolicies ?? []).map((p) => ({
      name: p.PolicyName,
      type: p.PolicyType,
      metric: p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType,
      label: p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.ResourceLabel,
      target: p.TargetTrackingScalingPolicyConfiguration?.TargetValue,
    }));

  it('registers the target and one target-tracking policy per metric; a re-run is unchanged; changes are updates; --off removes them', async () => {
    const s = await stackWithService();
    ok(await s.run(['service', 'autoscale', '--cluster', s.cluster, '--name', s.service, '--min', '1', '--max', '4', '--cpu', '60', '--memory', '75']), 'autoscale');
    expect((await target(s.resourceId)).map((t) => [t.ScalableDimension, t.MinCapacity, t.MaxCapacity])).toEqual([['ecs:service:DesiredCount', 1, 4]]);
    expect((await policies(s.resourceId)).sort((a, b) => a.name!.localeCompare(b.name!))).toEqual([
      { name: 'ecsprimer-cpu', type: 'TargetTrackingScaling', metric: 'ECSServiceAverageCPUUtilization', label: undefined, target: 60 },
      { name: 'ecsprimer-memory', type: 'TargetTrackingScaling', metric: 'ECSServiceAverageMemoryUtilization', label: undefined, target: 75 },
    ]);
    const again = await s.run(['service', 'autoscale', '--cluster', s.cluster, '--name', s.service, '--min', '1', '--max', '4', '--cpu', '60', '--memory', '75', '-o', 'json']);
    ok(again, 'autoscale again');
    expect((JSON.parse(again.stdout).changes as Array<{ status: string }>).map((c) => c.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);

    ok(await s.run(['service', 'autoscale', '--cluster', s.cluster, '--name', s.service, '--min', '2', '--max', '6', '--cpu', '50']), 'autoscale changed');
    expect((await target(s.resourceId)).map((t) => [t.MinCapacity, t.MaxCapacity])).toEqual([[2, 6]]);
    expect((await policies(s.resourceId)).map((p) => [p.name, p.target])).toEqual([['ecsprimer-cpu', 50]]);

    ok(await s.run(['service', 'autoscale', '--cluster', s.cluster, '--name', s.service, '--off']), 'autoscale --off');
    expect(await target(s.resourceId)).toEqual([]);
    expect(await policies(s.resourceId)).toEqual([]);
  });

  it('bad values exit 2 before any request', async () => {
    const proxy = await startProxy({ target: moto.url });
    try {
      const stack = uniqueStack('asbad');
      for (const [extra, pattern] of [
        [['--min', '5', '--max', '3', '--cpu', '50'], /--min: 5 is above --max 3/],
        [['--min', '1', '--max', '3', '--cpu', '0'], /--cpu: "0" is not a percentage from 1 to 100/],
        [['--min', '1', '--max', '3', '--memory', '101'], /--memory: "101" is not a percentage/],
        [['--min', '1', '--max', '3'], /no metric to scale on/],
        [['--max', '3', '--cpu', '50'], /--min: is required/],
        [['--min', '1', '--max', '9999', '--cpu', '50'], /--max: "9999".*0 to 5000/],
        [['--off', '--min', '1'], /--off: removes the scaling, so --min cannot go with it/],
        [['--min', '1', '--max', '3', '--requests-per-target', '-4'], /--requests-per-target: "-4"/],
      ] as Array<[string[], RegExp]>) {
        const r = await runCli(['service', 'autoscale', '--cluster', 'c', '--name', 's', ...extra, '--stack', stack, '--endpoint-url', proxy.url, '--yes'], { env: { ECSPRIMER_STATE_DIR: makeStateDir() } });
        expect(r.code, `${extra.join(' ')}\n${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(pattern);
      }
      expect(proxy.counts().total).toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('--requests-per-target: refused for a service without a load balancer; behind an ALB, labelled with its load balancer and target group', async () => {
    const plain = await stackWithService();
    const refused = await plain.run(['service', 'autoscale', '--cluster', plain.cluster, '--name', plain.service, '--min', '1', '--max', '3', '--requests-per-target', '500']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not behind a load balancer.*Nothing was changed/);
    expect(await target(plain.resourceId)).toEqual([]);

    const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] }))).Vpcs![0].VpcId!;
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Subnets!.slice(0, 2).map((x) => x.SubnetId!);
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: `lb-${Date.now().toString(36)}`, Subnets: subnets, Type: 'application', Scheme: 'internet-facing' }))).LoadBalancers![0].LoadBalancerArn!;
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: `tg-${Date.now().toString(36)}`, Protocol: 'HTTP', Port: 80, VpcId: vpc, TargetType: 'ip' }))).TargetGroups![0].TargetGroupArn!;
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }));
    const behind = await stackWithService(JSON.stringify({ loadBalancers: [{ targetGroupArn: tg, containerName: 'web', containerPort: 80 }] }));
    ok(await behind.run(['service', 'autoscale', '--cluster', behind.cluster, '--name', behind.service, '--min', '1', '--max', '3', '--requests-per-target', '500']), 'autoscale --requests-per-target');
    const label = `${lb.split(':loadbalancer/')[1]}/${tg.slice(tg.indexOf('targetgroup/'))}`;
    expect(await policies(behind.resourceId)).toEqual([{ name: 'ecsprimer-requests', type: 'TargetTrackingScaling', metric: 'ALBRequestCountPerTarget', label, target: 500 }]);
  });

  it('service delete deregisters the scalable target the stack registered for it first', async () => {
    const s = await stackWithService();
    ok(await s.run(['service', 'autoscale', '--cluster', s.cluster, '--name', s.service, '--min', '1', '--max', '2', '--memory', '80']), 'autoscale');
    const r = await s.run(['service', 'delete', '--cluster', s.cluster, '--name', s.service, '--no-wait', '-o', 'json']);
    ok(r, 'service delete');
    expect((JSON.parse(r.stdout).changes as Array<{ type: string; status: string }>).map((c) => [c.type, c.status])).toEqual([
      ['autoscaling-target', 'done'],
      ['ecs-service', 'done'],
    ]);
    expect(await target(s.resourceId)).toEqual([]);
    expect(await policies(s.resourceId)).toEqual([]);
  });

  it('teardown deregisters the scalable target before it deletes the service', async () => {
    const s = await stackWithService();
    ok(await s.run(['service', 'autoscale', '--cluster', s.cluster, '--name', s.service, '--min', '1', '--max', '2', '--cpu', '70']), 'autoscale');
    const r = await s.run(['teardown', '-o', 'json']);
    ok(r, 'teardown');
    const types = (JSON.parse(r.stdout).changes as Array<{ type: string; status: string }>).filter((c) => c.status === 'done').map((c) => c.type);
    expect(types).toContain('autoscaling-target');
    expect(await target(s.resourceId)).toEqual([]);
    expect(await policies(s.resourceId)).toEqual([]);
    const again = await s.run(['teardown', '-o', 'json']);
    ok(again, 'teardown again');
    expect((JSON.parse(again.stdout).changes as Array<{ status: string }>).filter((c) => c.status === 'done')).toEqual([]);
  });
});
