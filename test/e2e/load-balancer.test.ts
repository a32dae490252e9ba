/**
 * `service create --load-balancer`, end to end through the built CLI against a moto of this
 * file's own (it serves ELBv2 and EC2 security groups), asserted on the server's state: the load
 * balancer, its security group open on the listener port, the tasks' group open on the container
 * port to the load balancer's group only, the target group (ip, port, health check), the listener's
 * forward, the service's wiring; a re-run unchanged with the URL again; bad values before any
 * request; teardown to zero, waiting out a DependencyViolation of the security groups.
 */
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
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
  let iam: IAMClient;
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
    iam = new IAMClient(cfg);
  });
  afterAll(async () => {
    for (const c of [elb, ec2, ecs, iam]) c?.destroy();
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

    // service delete leaves the load balancer to teardown, and says so.
    const del = await run(['service', 'delete', '--cluster', cluster, '--name', 'web', '--dry-run']);
    ok(del, 'service delete --dry-run');
    expect(del.stdout + del.stderr).toMatch(/its load balancer, target group and security groups stay; ecsprimer teardown --stack \S+ removes the stack's/);

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

  it('--load-balancer NAME|ARN: an existing load balancer gets a listener or a rule of the stack; teardown leaves it as it was', async () => {
    const stack = uniqueStack('lbx');
    const state = makeStateDir();
    const run = (args: string[], endpoint = moto.url, dir = state): Promise<CliResult> => runCli([...args, '--stack', stack, '--endpoint-url', endpoint, '--yes'], { env: { ECSPRIMER_STATE_DIR: dir, ECSPRIMER_POLL_MS: '50', ECSPRIMER_RETRY_MAX_MS: '3000' }, timeoutMs: 90_000 });
    // Someone else's load balancer: its own group, target group, listener on 80 and a rule at priority 5.
    const subnets = ((await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets ?? []).map((x) => x.SubnetId!);
    const vpc = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnets[0]] }))).Subnets![0].VpcId!;
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${stack}-shared`, Description: 'shared', VpcId: vpc }))).GroupId!;
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: `${stack}-shared`, Subnets: subnets.slice(0, 2), SecurityGroups: [sg], Type: 'application' }))).LoadBalancers![0];
    const theirs = (await elb.send(new CreateTargetGroupCommand({ Name: `${stack}-theirs`, Protocol: 'HTTP', Port: 8080, VpcId: vpc, TargetType: 'ip' }))).TargetGroups![0].TargetGroupArn!;
    const l80 = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: theirs }] }))).Listeners![0].ListenerArn!;
    await elb.send(new CreateRuleCommand({ ListenerArn: l80, Priority: 5, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/admin/*'] } }], Actions: [{ Type: 'forward', TargetGroupArn: theirs }] }));
    const listenersNow = async () => (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
    const rulesNow = async () => (await elb.send(new DescribeRulesCommand({ ListenerArn: l80 }))).Rules ?? [];

    const cluster = `${stack}-c`;
    ok(await run(['cluster', 'create', '--name', cluster]), 'cluster create');
    ok(await run(['task', 'register']), 'task register');
    const svc = (name: string, extra: string[]) => ['service', 'create', '--cluster', cluster, '--name', name, '--task-definition', `${stack}-web`, '--container-port', '80', ...extra];

    // Port 80 is taken by their listener: without a path pattern, nothing is made.
    const taken = await run(svc('api', ['--load-balancer', `${stack}-shared`]));
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/already listens on port 80 \(forwarding to .*-theirs\)\. Give --path-pattern/);
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: [`${stack}-api`] }))).rejects.toMatchObject({ name: expect.stringMatching(/TargetGroupNotFound/) });

    // A rule on their listener, by ARN, after their rules.
    const api = svc('api', ['--load-balancer', lb.LoadBalancerArn!, '--path-pattern', '/api/*']);
    const r = await run(api);
    ok(r, 'service create --load-balancer ARN --path-pattern');
    expect(r.stdout).toContain(`http://${lb.DNSName}/api/`);
    const apiTg = (await elb.send(new DescribeTargetGroupsCommand({ Names: [`${stack}-api`] }))).TargetGroups![0];
    expect([apiTg.TargetType, apiTg.Port, apiTg.VpcId]).toEqual(['ip', 80, vpc]);
    const rule = (await rulesNow()).find((x) => x.Actions?.[0]?.TargetGroupArn === apiTg.TargetGroupArn)!;
    expect([rule.Priority, rule.Conditions?.[0]?.Field, rule.Conditions?.[0]?.PathPatternConfig?.Values ?? rule.Conditions?.[0]?.Values]).toEqual(['6', 'path-pattern', ['/api/*']]);
    expect((await elb.send(new DescribeTagsCommand({ ResourceArns: [rule.RuleArn!] }))).TagDescriptions?.[0]?.Tags).toContainEqual({ Key: 'ecsprimer:stack', Value: stack });
    const [apiTasks] = await group(`${stack}-api-tasks`);
    expect(apiTasks.IpPermissions?.map((p) => [p.FromPort, p.UserIdGroupPairs?.map((x) => x.GroupId)])).toEqual([[80, [sg]]]);
    const apiSvc = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['api'] }))).services![0];
    expect(apiSvc.loadBalancers).toEqual([{ targetGroupArn: apiTg.TargetGroupArn, containerName: 'web', containerPort: 80 }]);
    expect((await group(`${stack}-api-lb`))).toEqual([]);

    // A listener of the stack on a free port, by name.
    ok(await run(svc('web', ['--load-balancer', `${stack}-shared`, '--listener-port', '8081'])), 'service create --load-balancer NAME --listener-port');
    const webTg = (await elb.send(new DescribeTargetGroupsCommand({ Names: [`${stack}-web`] }))).TargetGroups![0].TargetGroupArn;
    expect((await listenersNow()).map((l) => [l.Port, l.DefaultActions?.[0]?.TargetGroupArn]).sort()).toEqual([[80, theirs], [8081, webTg]]);

    const again = await run([...api, '-o', 'json']);
    ok(again, 'service create again');
    expect(JSON.parse(again.stdout).changes.map((c: { status: string }) => c.status)).toEqual(['unchanged']);

    // Teardown: the rule, the listener, the target groups and tasks' groups of the stack; theirs as it was.
    ok(await run(['teardown']), 'teardown');
    expect((await listenersNow()).map((l) => l.Port)).toEqual([80]);
    expect((await rulesNow()).filter((x) => !x.IsDefault).map((x) => x.Priority)).toEqual(['5']);
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: [`${stack}-api`] }))).rejects.toMatchObject({ name: expect.stringMatching(/TargetGroupNotFound/) });
    expect((await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [theirs] }))).TargetGroups).toHaveLength(1);
    expect((await elb.send(new DescribeLoadBalancersCommand({ Names: [`${stack}-shared`] }))).LoadBalancers).toHaveLength(1);
    expect([...(await group(`${stack}-api-tasks`)), ...(await group(`${stack}-web-tasks`))]).toEqual([]);
    expect(await group(`${stack}-shared`)).toHaveLength(1);
  });

  it('--load-balancer NAME refuses a Network Load Balancer, one in another VPC than the service, and one that does not exist: nothing is made', async () => {
    const stack = uniqueStack('lbxr');
    const run = (args: string[]): Promise<CliResult> => runCli([...args, '--stack', stack, '--endpoint-url', moto.url, '--yes'], { env: { ECSPRIMER_STATE_DIR: makeStateDir(), ECSPRIMER_POLL_MS: '50' }, timeoutMs: 90_000 });
    const subnets = ((await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets ?? []).map((x) => x.SubnetId!);
    await elb.send(new CreateLoadBalancerCommand({ Name: `${stack}-nlb`, Subnets: subnets.slice(0, 2), Type: 'network' }));
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.42.0.0/16' }))).Vpc!.VpcId!;
    const zones = ((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnets.slice(0, 2) }))).Subnets ?? []).map((x) => x.AvailabilityZone!);
    const other = await Promise.all(zones.map(async (AvailabilityZone, i) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.42.${i}.0/24`, AvailabilityZone }))).Subnet!.SubnetId!));
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${stack}-other`, Description: 'other', VpcId: vpc }))).GroupId!;
    await elb.send(new CreateLoadBalancerCommand({ Name: `${stack}-other`, Subnets: other, SecurityGroups: [sg], Type: 'application' }));
    ok(await run(['cluster', 'create', '--name', `${stack}-c`]), 'cluster create');
    ok(await run(['task', 'register']), 'task register');
    const create = (lb: string) => run(['service', 'create', '--cluster', `${stack}-c`, '--name', 'web', '--task-definition', `${stack}-web`, '--container-port', '80', '--load-balancer', lb]);
    const nlb = await create(`${stack}-nlb`);
    expect(nlb.code).toBe(1);
    expect(nlb.stderr).toMatch(/is a network load balancer: ecsprimer wires services to Application Load Balancers/);
    const elsewhere = await create(`${stack}-other`);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(new RegExp(`--subnets: the service's subnets are in vpc-\\w+, load balancer ${stack}-other in ${vpc}.*give --subnets of ${vpc}`, 'i'));
    const missing = await create(`${stack}-nosuch`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(new RegExp(`No load balancer ${stack}-nosuch in us-east-1`));
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: [`${stack}-web`] }))).rejects.toMatchObject({ name: expect.stringMatching(/TargetGroupNotFound/) });
    expect(await group(`${stack}-web-tasks`)).toEqual([]);
    expect((await ecs.send(new DescribeServicesCommand({ cluster: `${stack}-c`, services: ['web'] }))).services ?? []).toEqual([]);
  });

  it('a lost journal: the rule of the stack on another load balancer is found by its tag when its target group will not go', async () => {
    const stack = uniqueStack('lbxl');
    const run = (args: string[], dir: string): Promise<CliResult> => runCli([...args, '--stack', stack, '--endpoint-url', moto.url, '--yes'], { env: { ECSPRIMER_STATE_DIR: dir, ECSPRIMER_POLL_MS: '50', ECSPRIMER_RETRY_MAX_MS: '3000' }, timeoutMs: 90_000 });
    const subnets = ((await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets ?? []).map((x) => x.SubnetId!);
    const vpc = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnets[0]] }))).Subnets![0].VpcId!;
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${stack}-shared`, Description: 'shared', VpcId: vpc }))).GroupId!;
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: `${stack}-shared`, Subnets: subnets.slice(0, 2), SecurityGroups: [sg], Type: 'application' }))).LoadBalancers![0];
    const l80 = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }] }))).Listeners![0].ListenerArn!;
    const state = makeStateDir();
    ok(await run(['cluster', 'create', '--name', `${stack}-c`], state), 'cluster create');
    ok(await run(['task', 'register'], state), 'task register');
    ok(await run(['service', 'create', '--cluster', `${stack}-c`, '--name', 'api', '--task-definition', `${stack}-web`, '--container-port', '80', '--load-balancer', `${stack}-shared`, '--path-pattern', '/api/*'], state), 'service create');
    const down = await run(['teardown'], makeStateDir());
    ok(down, 'teardown without the journal');
    expect(down.stderr).toMatch(/deleted rule .* of stack .* \(tagged; it forwarded to the target group\)/);
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: [`${stack}-api`] }))).rejects.toMatchObject({ name: expect.stringMatching(/TargetGroupNotFound/) });
    expect(((await elb.send(new DescribeRulesCommand({ ListenerArn: l80 }))).Rules ?? []).filter((x) => !x.IsDefault)).toEqual([]);
  });

  it('service update --strategy blue-green: an alternate target group, a weighted production rule and the infrastructure role; the service updated; re-run unchanged; teardown to zero', async () => {
    const stack = uniqueStack('bg');
    const state = makeStateDir();
    const run = (args: string[]): Promise<CliResult> => runCli([...args, '--stack', stack, '--endpoint-url', moto.url, '--yes'], { env: { ECSPRIMER_STATE_DIR: state, ECSPRIMER_POLL_MS: '50' }, timeoutMs: 90_000 });
    const cluster = `${stack}-c`;
    ok(await run(['cluster', 'create', '--name', cluster]), 'cluster create');
    ok(await run(['task', 'register']), 'task register');
    ok(await run(['service', 'create', '--cluster', cluster, '--name', 'web', '--task-definition', `${stack}-web`, '--load-balancer', '--container-port', '80', '--health-check-path', '/health']), 'service create');
    const update = ['service', 'update', '--cluster', cluster, '--name', 'web', '--strategy', 'blue-green', '--bake-time', '3'];
    const r = await run(update);
    ok(r, 'service update --strategy blue-green');

    const name = `${stack}-web`;
    const tgs = (await elb.send(new DescribeTargetGroupsCommand({ Names: [name, `${name}-green`] }))).TargetGroups!;
    const [blue, green] = [tgs.find((t) => t.TargetGroupName === name)!, tgs.find((t) => t.TargetGroupName === `${name}-green`)!];
    expect([green.TargetType, green.Port, green.HealthCheckPath, green.VpcId]).toEqual([blue.TargetType, blue.Port, blue.HealthCheckPath, blue.VpcId]);
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: [name] }))).LoadBalancers![0];
    const listener = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0];
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.filter((x) => !x.IsDefault);
    expect(rules).toHaveLength(1);
    expect(rules[0].Actions?.[0]?.ForwardConfig?.TargetGroups?.map((t) => [t.TargetGroupArn, t.Weight])).toEqual([[blue.TargetGroupArn, 100], [green.TargetGroupArn, 0]]);
    const role = await iam.send(new GetRoleCommand({ RoleName: `${stack}-ecs-infra` }));
    expect(JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)).Statement[0].Principal).toEqual({ Service: 'ecs.amazonaws.com' });
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: `${stack}-ecs-infra` }))).AttachedPolicies?.map((p) => p.PolicyName)).toEqual(['AmazonECSInfrastructureRolePolicyForLoadBalancers']);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))).services![0];
    expect(svc.deploymentConfiguration).toMatchObject({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 3, deploymentCircuitBreaker: { enable: true, rollback: true } });
    expect(svc.loadBalancers).toEqual([
      { targetGroupArn: blue.TargetGroupArn, containerName: 'web', containerPort: 80, advancedConfiguration: { alternateTargetGroupArn: green.TargetGroupArn, productionListenerRule: rules[0].RuleArn, roleArn: role.Role!.Arn } },
    ]);

    const again = await run([...update, '-o', 'json']);
    ok(again, 'update again');
    expect(JSON.parse(again.stdout).changes.map((c: { status: string }) => c.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);

    ok(await run(['teardown']), 'teardown');
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: [`${name}-green`] }))).rejects.toMatchObject({ name: expect.stringMatching(/TargetGroupNotFound/) });
    await expect(iam.send(new GetRoleCommand({ RoleName: `${stack}-ecs-infra` }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
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
        [['--load-balancer', '--container-port', '80', '--path-pattern', '/api/*'], /--path-pattern: only goes with an existing load balancer/],
        [['--load-balancer', 'my_alb', '--container-port', '80'], /--load-balancer: "my_alb" is not a load balancer name/],
        [['--load-balancer', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/0123abcd', '--container-port', '80'], /is a Network Load Balancer/],
        [['--load-balancer', 'alb', '--container-port', '80', '--path-pattern', 'api'], /--path-pattern: "api" is not a path pattern/],
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
