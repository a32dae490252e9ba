/**
 * `service update --strategy blue-green`: what moto does not serve (ECS's blue/green deployment
 * lifecycle: ListServiceDeployments, DescribeServiceDeployments, lifecycle stages, the bake time,
 * rollbacks) played with aws-sdk-client-mock. The wiring on a real server (the alternate target
 * group, the weighted rule, the role, the service's stored configuration) is in
 * test/e2e/load-balancer.test.ts against moto.
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ECSClient,
  InvalidParameterException,
  ListServiceDeploymentsCommand,
  UpdateServiceCommand,
  type Service,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, cli, useCliEnv } from '../support/in-process.js';

const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const iam = mockClient(IAMClient);
const sts = mockClient(STSClient);
useCliEnv();

const fast = { env: { ECSPRIMER_POLL_MS: '1' } };
const SVC_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:service/c1/web`;
const LB_ARN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/ecsprimer-web/50dc6c495c0c9188`;
const BLUE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/ecsprimer-web/1111`;
const GREEN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/ecsprimer-web-green/2222`;
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/ecsprimer-web/50dc6c495c0c9188/3333`;
const RULE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/ecsprimer-web/50dc6c495c0c9188/3333/4444`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsprimer/ecsprimer-ecs-infra`;
const POLICY = 'arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers';
const DEPLOYMENT = `arn:aws:ecs:us-east-1:${ACCOUNT}:service-deployment/c1/web/abc`;
const ours = [{ Key: 'ecsprimer:stack', Value: 'ecsprimer' }];
const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

function service(extra: Partial<Service> = {}): Service {
  return {
    serviceName: 'web',
    serviceArn: SVC_ARN,
    status: 'ACTIVE',
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    taskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:1`,
    loadBalancers: [{ targetGroupArn: BLUE, containerName: 'web', containerPort: 80 }],
    deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    deployments: [{ id: 'd', status: 'PRIMARY', desiredCount: 1, runningCount: 1, pendingCount: 0 }],
    events: [],
    tags: [{ key: 'ecsprimer:stack', value: 'ecsprimer' }],
    ...extra,
  };
}

const tg = (arn: string, name: string) => ({ TargetGroupArn: arn, TargetGroupName: name, Port: 80, TargetType: 'ip' as const, HealthCheckPath: '/health', VpcId: 'vpc-1', LoadBalancerArns: arn === BLUE ? [LB_ARN] : [] });

/** Everything of blue/green already made by the stack: the update changes the strategy only. */
function allMade(): void {
  elb.on(DescribeTargetGroupsCommand, { TargetGroupArns: [BLUE] }).resolves({ TargetGroups: [tg(BLUE, 'ecsprimer-web')] });
  elb.on(DescribeTargetGroupsCommand, { Names: ['ecsprimer-web-green'] }).resolves({ TargetGroups: [tg(GREEN, 'ecsprimer-web-green')] });
  elb.on(DescribeRulesCommand).resolves({
    Rules: [
      { RuleArn: RULE, Priority: '1', IsDefault: false, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }], Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: 100 }, { TargetGroupArn: GREEN, Weight: 0 }] } }] },
      { RuleArn: `${RULE}-default`, Priority: 'default', IsDefault: true, Actions: [{ Type: 'forward', TargetGroupArn: BLUE }] },
    ],
  });
  iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'ecsprimer-ecs-infra', Arn: ROLE, Path: '/ecsprimer/', CreateDate: new Date(), RoleId: 'AROA', AssumeRolePolicyDocument: encodeURIComponent(trust), Tags: [...ours, { Key: 'ecsprimer:regions', Value: 'us-east-1' }] } });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'AmazonECSInfrastructureRolePolicyForLoadBalancers', PolicyArn: POLICY }] });
}

const deployment = (d: Partial<ServiceDeployment>): { serviceDeployments: ServiceDeployment[] } => ({
  serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, sourceServiceRevisions: [{ arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service-revision/c1/web/1` }], targetServiceRevision: { arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service-revision/c1/web/2` }, ...d }],
});

beforeEach(() => {
  for (const m of [ecs, elb, iam, sts]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  ecs.on(DescribeServicesCommand).resolves({ services: [service()] });
  elb.on(DescribeListenersCommand).resolves({ Listeners: [{ ListenerArn: LISTENER, Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: BLUE }] }] });
  elb.on(DescribeTagsCommand).callsFake((i: { ResourceArns: string[] }) => ({ TagDescriptions: i.ResourceArns.map((a) => ({ ResourceArn: a, Tags: ours })) }));
});

const update = (...extra: string[]) => ['service', 'update', '--cluster', 'c1', '--name', 'web', '--strategy', 'blue-green', ...extra, '--yes'];

describe('service update --strategy blue-green', () => {
  it('updates the service with the strategy, bake time, circuit breaker and advanced configuration; --wait follows the stages and the bake time to success', async () => {
    allMade();
    ecs.on(UpdateServiceCommand).resolves({ service: service({ currentServiceDeployment: DEPLOYMENT }) });
    ecs.on(DescribeServiceDeploymentsCommand)
      .resolvesOnce(deployment({ status: 'IN_PROGRESS', lifecycleStage: 'SCALE_UP' }))
      .resolvesOnce(deployment({ status: 'IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }))
      .resolvesOnce(deployment({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' }))
      .resolvesOnce(deployment({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' }))
      .resolvesOnce(deployment({ status: 'IN_PROGRESS', lifecycleStage: 'CLEAN_UP' }))
      .resolves(deployment({ status: 'SUCCESSFUL' }));
    const r = await cli([...update('--bake-time', '10', '--wait'), '-o', 'json'], fast);
    expect(r.code, r.stderr).toBe(0);
    const input = ecs.commandCalls(UpdateServiceCommand)[0].args[0].input;
    expect(input.deploymentConfiguration).toEqual({ minimumHealthyPercent: 100, maximumPercent: 200, strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10, deploymentCircuitBreaker: { enable: true, rollback: true } });
    expect(input.loadBalancers).toEqual([{ targetGroupArn: BLUE, containerName: 'web', containerPort: 80, advancedConfiguration: { alternateTargetGroupArn: GREEN, productionListenerRule: RULE, roleArn: ROLE } }]);
    // Nothing else was made: the group, rule and role were there.
    expect(elb.commandCalls(CreateTargetGroupCommand)).toHaveLength(0);
    expect(elb.commandCalls(CreateRuleCommand)).toHaveLength(0);
    expect(iam.commandCalls(CreateRoleCommand)).toHaveLength(0);
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(0);
    expect(r.stderr).toMatch(/shifting production traffic to green — done/);
    expect(r.stderr).toMatch(/baking \(blue kept for a quick rollback\) — done/);
    expect(r.stderr).toMatch(/blue\/green deployment of web succeeded: production traffic on revision 2/);
    expect(JSON.parse(r.stdout).deployment).toEqual({ arn: DEPLOYMENT, status: 'SUCCESSFUL', targetRevision: `arn:aws:ecs:us-east-1:${ACCOUNT}:service-revision/c1/web/2` });
  });

  it('a rollback exits 1 with ECS\'s reason and the revision that still serves, never as a success', async () => {
    allMade();
    ecs.on(UpdateServiceCommand).resolves({ service: service() });
    // UpdateService's answer named no deployment: it is found by listing the service's deployments.
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, createdAt: new Date() }] });
    ecs.on(DescribeServiceDeploymentsCommand)
      .resolvesOnce(deployment({ status: 'IN_PROGRESS', lifecycleStage: 'SCALE_UP' }))
      .resolvesOnce(deployment({ status: 'ROLLBACK_IN_PROGRESS', lifecycleStage: 'SCALE_UP' }))
      .resolves(deployment({ status: 'ROLLBACK_SUCCESSFUL', statusReason: 'Service deployment rolled back', rollback: { reason: 'ECS deployment circuit breaker: tasks failed to start.' } }));
    const r = await cli(update('--wait'), fast);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/The blue\/green deployment of web failed and ECS rolled it back: production traffic stays on revision 1\. Reason: ECS deployment circuit breaker: tasks failed to start\./);
    expect(r.stderr).not.toMatch(/succeeded/);
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)[0].args[0].input).toMatchObject({ cluster: 'c1', service: 'web' });
  });

  it('a failed rollback exits 1 and says the service may serve from either revision', async () => {
    allMade();
    ecs.on(UpdateServiceCommand).resolves({ service: service({ currentServiceDeployment: DEPLOYMENT }) });
    ecs.on(DescribeServiceDeploymentsCommand).resolves(deployment({ status: 'ROLLBACK_FAILED', statusReason: 'the rollback could not restore the rule' }));
    const r = await cli(update('--wait'), fast);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed and so did its rollback: the rollback could not restore the rule\. The service may serve from either revision/);
  });

  it('a deployment still baking at --wait-timeout exits 1 with how to wait again', async () => {
    allMade();
    ecs.on(UpdateServiceCommand).resolves({ service: service({ currentServiceDeployment: DEPLOYMENT }) });
    ecs.on(DescribeServiceDeploymentsCommand).resolves(deployment({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' }));
    const r = await cli(update('--wait', '--wait-timeout', '1'), { env: { ECSPRIMER_POLL_MS: '50' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Timed out after 1 s waiting for the blue\/green deployment of web \(at baking .*\)\. It goes on without ecsprimer; wait again with `ecsprimer service wait --cluster c1 --name web/);
  });

  it('makes the alternate group, the weighted production rule and the role first, and retries UpdateService while IAM propagates the role', async () => {
    elb.on(DescribeTargetGroupsCommand, { TargetGroupArns: [BLUE] }).resolves({ TargetGroups: [tg(BLUE, 'ecsprimer-web')] });
    elb.on(DescribeTargetGroupsCommand, { Names: ['ecsprimer-web-green'] }).rejects(new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: {} }));
    elb.on(DescribeRulesCommand).resolves({ Rules: [{ RuleArn: `${RULE}-default`, Priority: 'default', IsDefault: true, Actions: [{ Type: 'forward', TargetGroupArn: BLUE }] }] });
    elb.on(CreateTargetGroupCommand).resolves({ TargetGroups: [{ TargetGroupArn: GREEN }] });
    elb.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: RULE }] });
    iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'no role', $metadata: {} }));
    iam.on(ListAttachedRolePoliciesCommand).rejects(new NoSuchEntityException({ message: 'no role', $metadata: {} }));
    iam.on(CreateRoleCommand).resolves({ Role: { RoleName: 'ecsprimer-ecs-infra', Arn: ROLE, Path: '/ecsprimer/', CreateDate: new Date(), RoleId: 'AROA' } });
    iam.on(AttachRolePolicyCommand).resolves({});
    ecs.on(UpdateServiceCommand)
      .rejectsOnce(new InvalidParameterException({ message: 'Unable to assume role and validate the listeners configured on your load balancer.', $metadata: { httpStatusCode: 400 } }))
      .resolves({ service: service() });
    const r = await cli(update(), fast);
    expect(r.code, r.stderr).toBe(0);
    expect(elb.commandCalls(CreateTargetGroupCommand)[0].args[0].input).toMatchObject({ Name: 'ecsprimer-web-green', Port: 80, VpcId: 'vpc-1', TargetType: 'ip', HealthCheckPath: '/health' });
    expect(elb.commandCalls(CreateRuleCommand)[0].args[0].input).toMatchObject({
      ListenerArn: LISTENER,
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: 100 }, { TargetGroupArn: GREEN, Weight: 0 }] } }],
    });
    expect(JSON.parse(iam.commandCalls(CreateRoleCommand)[0].args[0].input.AssumeRolePolicyDocument!).Statement[0].Principal).toEqual({ Service: 'ecs.amazonaws.com' });
    expect(iam.commandCalls(AttachRolePolicyCommand)[0].args[0].input).toEqual({ RoleName: 'ecsprimer-ecs-infra', PolicyArn: POLICY });
    const calls = ecs.commandCalls(UpdateServiceCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input.loadBalancers?.[0]?.advancedConfiguration).toEqual({ alternateTargetGroupArn: GREEN, productionListenerRule: RULE, roleArn: ROLE });
    expect(calls[1].args[0].input.deploymentConfiguration).toMatchObject({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 });
  });

  it('after a deployment swapped the groups (the service on green, blue its alternate), a re-run is unchanged: no third group', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        service({
          deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5, deploymentCircuitBreaker: { enable: true, rollback: true } },
          loadBalancers: [{ targetGroupArn: GREEN, containerName: 'web', containerPort: 80, advancedConfiguration: { alternateTargetGroupArn: BLUE, productionListenerRule: RULE, roleArn: ROLE } }],
        }),
      ],
    });
    allMade();
    elb.on(DescribeTargetGroupsCommand, { TargetGroupArns: [GREEN] }).resolves({ TargetGroups: [{ ...tg(GREEN, 'ecsprimer-web-green'), LoadBalancerArns: [LB_ARN] }] });
    elb.on(DescribeRulesCommand).resolves({
      Rules: [{ RuleArn: RULE, Priority: '1', IsDefault: false, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }], Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: 0 }, { TargetGroupArn: GREEN, Weight: 100 }] } }] }],
    });
    const r = await cli([...update(), '-o', 'json'], fast);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).changes.map((c: { status: string }) => c.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(elb.commandCalls(CreateTargetGroupCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('a service without a load balancer is refused: nothing is made', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ loadBalancers: [] })] });
    const r = await cli(update(), fast);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Service web has no load balancer: blue\/green shifts traffic between two target groups of one\. Create the service behind one \(service create --load-balancer\)/);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('--strategy rolling goes back to rolling updates without the advanced configuration', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [service({ deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 }, loadBalancers: [{ targetGroupArn: BLUE, containerName: 'web', containerPort: 80, advancedConfiguration: { alternateTargetGroupArn: GREEN, productionListenerRule: RULE, roleArn: ROLE } }] })],
    });
    ecs.on(UpdateServiceCommand).resolves({ service: service() });
    const r = await cli(['service', 'update', '--cluster', 'c1', '--name', 'web', '--strategy', 'rolling', '--yes'], fast);
    expect(r.code, r.stderr).toBe(0);
    const input = ecs.commandCalls(UpdateServiceCommand)[0].args[0].input;
    expect(input.deploymentConfiguration).toMatchObject({ strategy: 'ROLLING' });
    expect(input.loadBalancers).toEqual([{ targetGroupArn: BLUE, containerName: 'web', containerPort: 80 }]);
  });

  it('bad values exit 2 before any call', async () => {
    for (const [args, pattern] of [
      [['service', 'update', '--cluster', 'c1', '--name', 'web', '--bake-time', '5'], /--bake-time: only goes with --strategy blue-green/],
      [['service', 'update', '--cluster', 'c1', '--name', 'web', '--strategy', 'canary'], /--strategy: "canary" is not a strategy ecsprimer deploys with/],
      [update('--bake-time', '1441'), /--bake-time: "1441" is not a number of minutes ECS accepts.*0 to 1440/],
      [update('--bake-time', '2.5'), /--bake-time: "2.5" is not a number of minutes/],
      [['service', 'update', '--cluster', 'c1', '--name', 'web', '--strategy', 'rolling', '--bake-time', '1'], /--bake-time: only goes with --strategy blue-green/],
    ] as Array<[string[], RegExp]>) {
      const r = await cli([...args, '--yes'], fast);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
    for (const m of [ecs, elb, iam, sts]) expect(m.calls()).toHaveLength(0);
  });
});
