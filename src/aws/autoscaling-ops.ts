/**
 * Application Auto Scaling for ECS services: the scalable target (the service's desired count
 * between a minimum and a maximum) and its target-tracking policies.
 *
 * Loaded with `await import()` only: it imports the Application Auto Scaling client statically.
 */
import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { named, ServiceOps } from './ops.js';

export const ECS_DIMENSION = 'ecs:service:DesiredCount';

export interface ScalableTargetInfo {
  resourceId: string;
  min: number;
  max: number;
  /** Names of its scaling policies, when read. */
  policies?: string[];
}

export interface TrackingPolicyInfo {
  name: string;
  arn: string;
  metric?: string;
  resourceLabel?: string;
  targetValue?: number;
}

const gone = named('ObjectNotFoundException');

export class AutoScalingOps extends ServiceOps<ApplicationAutoScalingClient> {
  constructor(client: ApplicationAutoScalingClient, endpoint?: string) {
    super(client, 'application-autoscaling', endpoint);
  }

  /** The scalable targets of these ECS services (`service/CLUSTER/NAME`), by resource id. */
  async targets(resourceIds: string[]): Promise<Map<string, ScalableTargetInfo>> {
    const out = new Map<string, ScalableTargetInfo>();
    for (let i = 0; i < resourceIds.length; i += 50) {
      let NextToken: string | undefined;
      do {
        const page = await this.call('DescribeScalableTargets', () =>
          this.client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ScalableDimension: ECS_DIMENSION, ResourceIds: resourceIds.slice(i, i + 50), NextToken })),
        );
        for (const t of page.ScalableTargets ?? []) if (t.ResourceId) out.set(t.ResourceId, { resourceId: t.ResourceId, min: t.MinCapacity ?? 0, max: t.MaxCapacity ?? 0 });
        NextToken = page.NextToken;
      } while (NextToken);
    }
    return out;
  }

  async policies(resourceId: string): Promise<TrackingPolicyInfo[]> {
    const out: TrackingPolicyInfo[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.call('DescribeScalingPolicies', () => this.client.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ScalableDimension: ECS_DIMENSION, ResourceId: resourceId, NextToken })));
      for (const p of page.ScalingPolicies ?? []) {
        const c = p.TargetTrackingScalingPolicyConfiguration;
        out.push({
          name: p.PolicyName ?? '',
          arn: p.PolicyARN ?? '',
          ...(c?.PredefinedMetricSpecification?.PredefinedMetricType ? { metric: c.PredefinedMetricSpecification.PredefinedMetricType } : {}),
          ...(c?.PredefinedMetricSpecification?.ResourceLabel ? { resourceLabel: c.PredefinedMetricSpecification.ResourceLabel } : {}),
          ...(c?.TargetValue !== undefined ? { targetValue: c.TargetValue } : {}),
        });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  /** Registers (or updates: the call is idempotent) the service's scalable target. */
  async registerTarget(resourceId: string, min: number, max: number, tags: Record<string, string>): Promise<string | undefined> {
    const out = await this.call('RegisterScalableTarget', () =>
      this.client.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ScalableDimension: ECS_DIMENSION, ResourceId: resourceId, MinCapacity: min, MaxCapacity: max, Tags: tags })),
    );
    return out.ScalableTargetARN;
  }

  async putTrackingPolicy(resourceId: string, name: string, metric: string, targetValue: number, resourceLabel?: string): Promise<string> {
    const out = await this.call('PutScalingPolicy', () =>
      this.client.send(
        new PutScalingPolicyCommand({
          ServiceNamespace: 'ecs',
          ScalableDimension: ECS_DIMENSION,
          ResourceId: resourceId,
          PolicyName: name,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: { TargetValue: targetValue, PredefinedMetricSpecification: { PredefinedMetricType: metric as never, ...(resourceLabel ? { ResourceLabel: resourceLabel } : {}) } },
        }),
      ),
    );
    return out.PolicyARN ?? '';
  }

  async deletePolicy(resourceId: string, name: string): Promise<void> {
    await this.maybe('DeleteScalingPolicy', gone, () => this.client.send(new DeleteScalingPolicyCommand({ ServiceNamespace: 'ecs', ScalableDimension: ECS_DIMENSION, ResourceId: resourceId, PolicyName: name })));
  }

  /** Deregisters the target (AWS deletes its policies with it); false when it was gone. */
  async deregisterTarget(resourceId: string): Promise<boolean> {
    const out = await this.maybe('DeregisterScalableTarget', gone, () => this.client.send(new DeregisterScalableTargetCommand({ ServiceNamespace: 'ecs', ScalableDimension: ECS_DIMENSION, ResourceId: resourceId })));
    return out !== undefined;
  }
}

/** The client class, for clients.ts (one module per service: the client and its operations). */
export { ApplicationAutoScalingClient };
