/**
 * The stack file's load balancer and scaling (a service's "loadBalancer" and "autoscale"), through
 * the built CLI against a moto of this file's own, asserted on the server's state: up makes the
 * load balancer, its groups, target group and listener, wires the service and registers the
 * scaling with its policies (the requests policy labelled with the new load balancer and target
 * group); up again sends no changing call; a file without "autoscale" deregisters it; a service
 * dropped from the file goes with its load balancer; down leaves nothing. A blue/green service of
 * the file is created with its alternate group, weighted production rule and infrastructure role.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServiceKeepsDeploymentConfiguration } from '../support/aws-behaviours.js';
import { makeStateDir, runCli, type CliResult } from '../support/cli.js';
import { describeE2E } from '../support/e2e.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { startProxy, type Proxy } from '../support/proxy.js';
import { uniqueStack } from '../support/stack-state.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const READ = /^(Describe|List|Get)/;

/** A stack file in a directory of its own, the built CLI run there through `proxyUrl()`. */
function stackFile(prefix: string, proxyUrl: () => string) {
  const stack = uniqueStack(prefix);
  const dir = mkdtempSync(join(tmpdir(), `ecsprimer-${prefix}-`));
  const file = join(dir, 'ecsprimer.json');
  const state = makeStateDir();
  return {
    stack,
    dir,
    web: `${stack}-web`,
    cluster: `${stack}-cluster`,
    cli: (args: string[]) => runCli([...args, '--yes', '--endpoint-url', proxyUrl()], { cwd: dir, env: { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '50', ECSPRIMER_RETRY_MAX_MS: '3000' }, timeoutMs: 120_000 }),
    ok: (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0),
    edit: (change: (f: Json) => void) => {
      const f = JSON.parse(readFileSync(file, 'utf8')) as Json;
      change(f);
      writeFileSync(file, JSON.stringify(f, null, 2));
    },
    fileText: () => readFileSync(file, 'utf8'),
  };
}

describeE2E('stack file: a service behind a load balancer, with scaling (built CLI → moto)', () => {
  let moto: MotoServer;
  let proxy: Proxy;
  let elb: ElasticLoadBalancingV2Client;
  let ec2: EC2Client;
  let ecs: ECSClient;
  let as: ApplicationAutoScalingClient;
  const { stack, dir, web, cluster, cli, ok, edit, fileText } = stackFile('sflb', () => proxy.url);
  const resourceId = `service/${cluster}/${web}`;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startProxy({ target: moto.url });
    const cfg = { endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    elb = new ElasticLoadBalancingV2Client(cfg);
    ec2 = new EC2Client(cfg);
    ecs = new ECSClient(cfg);
    as = new ApplicationAutoScalingClient(cfg);
  });
  afterAll(async () => {
    for (const c of [elb, ec2, ecs, as]) c?.destroy();
    await proxy?.stop();
    await moto?.stop();
  });

  const group = async (name: string) => (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [name] }] }))).SecurityGroups ?? [];
  const scaling = async () => (await as.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId] }))).ScalableTargets ?? [];

  it('up makes the load balancer and the scaling of the file; up again changes nothing', async () => {
    ok(await cli(['init', '--stack', stack]), 'init');
    edit((f) => {
      f.services[web].loadBalancer = { containerPort: 80, healthCheckPath: '/health' };
      f.services[web].autoscale = { min: 1, max: 3, cpu: 60, requestsPerTarget: 500 };
    });
    const diff = await cli(['diff']);
    expect(diff.code, diff.stderr).toBe(5);
    for (const op of ['CreateLoadBalancer', 'CreateTargetGroup', 'CreateListener', 'CreateSecurityGroup', 'RegisterScalableTarget', 'PutScalingPolicy']) expect(diff.stdout).toContain(op);
    ok(await cli(['up', '--no-wait']), 'up');

    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: [web] }))).LoadBalancers![0];
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: [web] }))).TargetGroups![0];
    expect([tg.TargetType, tg.Port, tg.HealthCheckPath]).toEqual(['ip', 80, '/health']);
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;
    expect(listeners.map((l) => [l.Port, l.DefaultActions?.[0]?.TargetGroupArn])).toEqual([[80, tg.TargetGroupArn]]);
    const [lbGroup] = await group(`${web}-lb`);
    const [tasksGroup] = await group(`${web}-tasks`);
    expect(tasksGroup.IpPermissions?.map((p) => [p.FromPort, p.UserIdGroupPairs?.map((x) => x.GroupId)])).toEqual([[80, [lbGroup.GroupId]]]);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster, services: [web] }))).services![0];
    expect(svc.loadBalancers).toEqual([{ targetGroupArn: tg.TargetGroupArn, containerName: 'web', containerPort: 80 }]);
    expect(svc.networkConfiguration?.awsvpcConfiguration?.securityGroups).toEqual([tasksGroup.GroupId]);
    expect((await scaling()).map((t) => [t.MinCapacity, t.MaxCapacity])).toEqual([[1, 3]]);
    const policies = (await as.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId }))).ScalingPolicies ?? [];
    const byName = Object.fromEntries(policies.map((p) => [p.PolicyName, p.TargetTrackingScalingPolicyConfiguration]));
    expect(byName['ecsprimer-cpu']).toMatchObject({ TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } });
    const label = `${lb.LoadBalancerArn!.split(':loadbalancer/')[1]}/${tg.TargetGroupArn!.slice(tg.TargetGroupArn!.indexOf(':targetgroup/') + 1)}`;
    expect(byName['ecsprimer-requests']).toMatchObject({ TargetValue: 500, PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: label } });

    const before = proxy.log().length;
    const again = await cli(['up', '--no-wait', '-o', 'json']);
    ok(again, 'up again');
    expect(JSON.parse(again.stdout).changes.filter((c: { status: string }) => c.status !== 'unchanged')).toEqual([]);
    expect(proxy.log().slice(before).filter((e) => !READ.test(e.operation)).map((e) => e.operation)).toEqual([]);
  });

  it('export: the load balancer, its groups, target group, listener and the scaling as CloudFormation resources, created on another server', async () => {
    const r = await cli(['export', '--import-file', 'import.json']);
    ok(r, 'export');
    const template = JSON.parse(r.stdout) as Json;
    const resources = Object.values(template.Resources) as Json[];
    const of = (type: string) => resources.filter((x) => x.Type === type);
    expect(of('AWS::EC2::SecurityGroup').map((x) => x.Properties.GroupName).sort()).toEqual([`${web}-lb`, `${web}-tasks`]);
    expect(of('AWS::ElasticLoadBalancingV2::LoadBalancer').map((x) => x.Properties.Name)).toEqual([web]);
    expect(of('AWS::ElasticLoadBalancingV2::TargetGroup').map((x) => [x.Properties.Name, x.Properties.Port, x.Properties.TargetType, x.Properties.HealthCheckPath])).toEqual([[web, 80, 'ip', '/health']]);
    expect(of('AWS::ElasticLoadBalancingV2::Listener').map((x) => [x.Properties.Port, x.Properties.DefaultActions[0].Type])).toEqual([[80, 'forward']]);
    expect(of('AWS::ApplicationAutoScaling::ScalableTarget').map((x) => x.Properties)).toEqual([{ ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceId: resourceId, MinCapacity: 1, MaxCapacity: 3 }]);
    expect(of('AWS::ApplicationAutoScaling::ScalableTarget')[0].DependsOn).toEqual([expect.stringMatching(/^Service/)]);
    const requests = of('AWS::ApplicationAutoScaling::ScalingPolicy').find((x) => x.Properties.PolicyName === 'ecsprimer-requests')!;
    expect(requests.Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.ResourceLabel['Fn::Join'][0]).toBe('/');
    const svc = of('AWS::ECS::Service')[0];
    expect(svc.Properties.LoadBalancers[0]).toMatchObject({ ContainerName: 'web', ContainerPort: 80, TargetGroupArn: { Ref: expect.stringMatching(/^TargetGroup/) } });
    expect(svc.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^SecurityGroup.*Tasks$/), 'GroupId'] }]);
    expect(svc.DependsOn).toEqual([expect.stringMatching(/^Listener/)]);
    expect(Object.keys(template.Parameters).sort()).toEqual(['LoadBalancerSubnets', 'Subnets', 'VpcId']);
    const imports = JSON.parse(readFileSync(join(dir, 'import.json'), 'utf8')) as Json[];
    expect(imports.map((i) => i.LogicalResourceId).sort()).toEqual(Object.keys(template.Resources).sort());

    const copy = await startMoto();
    const cfg = { endpoint: copy.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    const cfn = new CloudFormationClient(cfg);
    const ec2b = new EC2Client(cfg);
    const elbb = new ElasticLoadBalancingV2Client(cfg);
    try {
      const vpc = (await ec2b.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0].VpcId!;
      const subnets = ((await ec2b.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Subnets ?? []).map((x) => x.SubnetId!);
      await cfn.send(
        new CreateStackCommand({
          StackName: 'copy',
          TemplateBody: r.stdout,
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          Parameters: [
            { ParameterKey: 'Subnets', ParameterValue: subnets.join(',') },
            { ParameterKey: 'LoadBalancerSubnets', ParameterValue: subnets.slice(0, 2).join(',') },
            { ParameterKey: 'VpcId', ParameterValue: vpc },
          ],
        }),
      );
      const made = await cfn.send(new DescribeStacksCommand({ StackName: 'copy' }));
      expect(made.Stacks![0].StackStatus, made.Stacks![0].StackStatusReason).toBe('CREATE_COMPLETE');
      // moto's CloudFormation keeps Application Auto Scaling resources as placeholders (no logical id, nothing in
      // Application Auto Scaling): the scaling is checked in the template above, the rest on the server here.
      const listed = (await cfn.send(new ListStackResourcesCommand({ StackName: 'copy' }))).StackResourceSummaries ?? [];
      expect(listed).toHaveLength(Object.keys(template.Resources).length);
      expect(listed.map((x) => x.LogicalResourceId).filter(Boolean).sort()).toEqual(Object.keys(template.Resources).filter((k) => !/^Scal/.test(k)).sort());
      const tg = (await elbb.send(new DescribeTargetGroupsCommand({ Names: [web] }))).TargetGroups![0];
      expect([tg.TargetType, tg.Port, tg.HealthCheckPath, tg.VpcId]).toEqual(['ip', 80, '/health', vpc]);
      const lb = (await elbb.send(new DescribeLoadBalancersCommand({ Names: [web] }))).LoadBalancers![0];
      expect((await elbb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!.map((l) => [l.Port, l.DefaultActions?.[0]?.TargetGroupArn])).toEqual([[80, tg.TargetGroupArn]]);
    } finally {
      for (const c of [cfn, ec2b, elbb]) c.destroy();
      await copy.stop();
    }
  });

  it('a file without "autoscale" deregisters the scaling; a file dropping "loadBalancer" from the service is refused', async () => {
    edit((f) => delete f.services[web].autoscale);
    ok(await cli(['up', '--no-wait']), 'up without autoscale');
    expect(await scaling()).toEqual([]);
    expect((await elb.send(new DescribeLoadBalancersCommand({ Names: [web] }))).LoadBalancers).toHaveLength(1);

    const lbBefore = JSON.parse(fileText()).services[web].loadBalancer;
    edit((f) => delete f.services[web].loadBalancer);
    const refused = await cli(['up', '--no-wait']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`services\\.${web}.*behind the stack's load balancer, which the file does not name`));
    expect((await elb.send(new DescribeLoadBalancersCommand({ Names: [web] }))).LoadBalancers).toHaveLength(1);
    edit((f) => (f.services[web].loadBalancer = lbBefore));
  });

  it('a service dropped from the file goes with its load balancer; down leaves nothing', async () => {
    edit((f) => {
      f.services = {};
    });
    ok(await cli(['up', '--no-wait']), 'up without the service');
    await expect(elb.send(new DescribeLoadBalancersCommand({ Names: [web] }))).rejects.toMatchObject({ name: expect.stringMatching(/LoadBalancerNotFound/) });
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: [web] }))).rejects.toMatchObject({ name: expect.stringMatching(/TargetGroupNotFound/) });
    expect([...(await group(`${web}-lb`)), ...(await group(`${web}-tasks`))]).toEqual([]);
    ok(await cli(['down']), 'down');
    // moto's tagging API still lists the deleted cluster and services (AWS's does for a while too):
    // up reads each of the file's once, and the inventory reuses those reads (no second round trip).
    edit((f) => {
      f.services = { [web]: { cluster, taskDefinition: web } };
    });
    const before = proxy.log().length;
    ok(await cli(['up', '--no-wait']), 'up again after down');
    const reads = proxy.log().slice(before).map((e) => e.operation);
    expect([reads.filter((o) => o === 'DescribeClusters').length, reads.filter((o) => o === 'DescribeServices').length]).toEqual([1, 1]);
    ok(await cli(['down']), 'down again');
    const status = await cli(['status', '--stack', stack, '-o', 'json']);
    ok(status, 'status');
    expect(JSON.parse(status.stdout).resources.filter((r: { state: string }) => r.state !== 'absent' && r.state !== 'detached')).toEqual([]);
  });
});

describeE2E('stack file: a blue/green service (built CLI → moto)', () => {
  let moto: MotoServer;
  let proxy: Proxy;
  let elb: ElasticLoadBalancingV2Client;
  let ecs: ECSClient;
  let iam: IAMClient;
  const { stack, web, cluster, cli, ok, edit } = stackFile('sfbg', () => proxy.url);

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startProxy({ target: moto.url, captureBodies: true, faults: createServiceKeepsDeploymentConfiguration() });
    const cfg = { endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    elb = new ElasticLoadBalancingV2Client(cfg);
    ecs = new ECSClient(cfg);
    iam = new IAMClient(cfg);
  });
  afterAll(async () => {
    for (const c of [elb, ecs, iam]) c?.destroy();
    await proxy?.stop();
    await moto?.stop();
  });

  it('up creates the service blue/green (alternate group, weighted production rule, infrastructure role); up again changes nothing; a new bake time is an update; down leaves nothing', async () => {
    ok(await cli(['init', '--stack', stack]), 'init');
    edit((f) => {
      f.services[web].loadBalancer = { containerPort: 80 };
      f.services[web].deployment = { strategy: 'blue-green', bakeTime: 2 };
    });
    ok(await cli(['up', '--no-wait']), 'up');
    const tgs = (await elb.send(new DescribeTargetGroupsCommand({ Names: [web, `${web}-green`] }))).TargetGroups!;
    const [blue, green] = [tgs.find((t) => t.TargetGroupName === web)!, tgs.find((t) => t.TargetGroupName === `${web}-green`)!];
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: [web] }))).LoadBalancers![0];
    const listener = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0];
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.filter((x) => !x.IsDefault);
    expect(rules.map((x) => x.Actions?.[0]?.ForwardConfig?.TargetGroups?.map((t) => [t.TargetGroupArn, t.Weight]))).toEqual([[[blue.TargetGroupArn, 100], [green.TargetGroupArn, 0]]]);
    const role = (await iam.send(new GetRoleCommand({ RoleName: `${stack}-ecs-infra` }))).Role!;
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster, services: [web] }))).services![0];
    expect(svc.loadBalancers).toEqual([{ targetGroupArn: blue.TargetGroupArn, containerName: 'web', containerPort: 80, advancedConfiguration: { alternateTargetGroupArn: green.TargetGroupArn, productionListenerRule: rules[0].RuleArn, roleArn: role.Arn } }]);
    const created = proxy.log().find((e) => e.operation === 'CreateService')!;
    expect(JSON.parse(created.body!).deploymentConfiguration).toMatchObject({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 2, deploymentCircuitBreaker: { enable: true, rollback: true } });

    const before = proxy.log().length;
    const again = await cli(['up', '--no-wait', '-o', 'json']);
    ok(again, 'up again');
    expect(JSON.parse(again.stdout).changes.filter((c: { status: string }) => c.status !== 'unchanged')).toEqual([]);
    expect(proxy.log().slice(before).filter((e) => !READ.test(e.operation)).map((e) => e.operation)).toEqual([]);

    edit((f) => (f.services[web].deployment.bakeTime = 4));
    ok(await cli(['up', '--no-wait']), 'up with another bake time');
    expect((await ecs.send(new DescribeServicesCommand({ cluster, services: [web] }))).services![0].deploymentConfiguration).toMatchObject({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 4 });

    ok(await cli(['down']), 'down');
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: [`${web}-green`] }))).rejects.toMatchObject({ name: expect.stringMatching(/TargetGroupNotFound/) });
    await expect(iam.send(new GetRoleCommand({ RoleName: `${stack}-ecs-infra` }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});
