/**
 * Finding a stack's resources by their `ecsprimer:stack` tag when the journal does not know them
 * (lost journal, another machine): the Resource Groups Tagging API for ECS (O(stack)), with an
 * ECS-native fallback for accounts where that API is denied or fails.
 */
import { ResourceGroupsTaggingAPIClient, GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { DescribeClustersCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { translateAwsError } from './errors.js';

export class DiscoveryOps {
  constructor(
    private readonly tagging: () => Promise<ResourceGroupsTaggingAPIClient>,
    private readonly ecs: () => Promise<ECSClient>,
    private readonly endpoint?: string,
  ) {}

  /** ARNs of ECS clusters, services, task definitions and tasks, CloudWatch Logs groups, ECR repositories and secrets, tagged `key=value`. */
  async taggedEcsArns(key: string, value: string): Promise<string[]> {
    const client = await this.tagging();
    const arns: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await client.send(
          new GetResourcesCommand({
            TagFilters: [{ Key: key, Values: [value] }],
            // "logs" (the service alone) rather than "logs:log-group": both AWS and moto take it.
            ResourceTypeFilters: ['ecs:cluster', 'ecs:service', 'ecs:task-definition', 'ecs:task', 'logs', 'ecr:repository', 'secretsmanager:secret', 'elasticloadbalancing:loadbalancer', 'elasticloadbalancing:targetgroup', 'ec2:security-group'],
            PaginationToken: token,
            ResourcesPerPage: 100,
          }),
        );
      } catch (e) {
        throw translateAwsError('tagging:GetResources', e, this.endpoint);
      }
      arns.push(...(page.ResourceTagMappingList ?? []).map((r) => r.ResourceARN!).filter(Boolean));
      token = page.PaginationToken || undefined;
    } while (token);
    return arns;
  }

  /** Clusters tagged `key=value`, by ListClusters + DescribeClusters (O(clusters in the region)). */
  async taggedClusters(key: string, value: string): Promise<string[]> {
    const arns = await this.clusterArns();
    const client = await this.ecs();
    const out: string[] = [];
    try {
      for (let i = 0; i < arns.length; i += 100) {
        const d = await client.send(new DescribeClustersCommand({ clusters: arns.slice(i, i + 100), include: ['TAGS'] }));
        for (const c of d.clusters ?? []) {
          if (c.status !== 'INACTIVE' && (c.tags ?? []).some((t) => t.key === key && t.value === value)) out.push(c.clusterName!);
        }
      }
    } catch (e) {
      throw translateAwsError('ecs:DescribeClusters', e, this.endpoint);
    }
    return out;
  }

  /** Every cluster name in the region (for finding a stack's standalone tasks by startedBy). */
  async allClusters(): Promise<string[]> {
    return (await this.clusterArns()).map((a) => a.split('/').pop()!);
  }

  private clusterArnsOnce?: Promise<string[]>;

  private clusterArns(): Promise<string[]> {
    this.clusterArnsOnce ??= (async () => {
      const client = await this.ecs();
      const arns: string[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await client.send(new ListClustersCommand({ nextToken: token, maxResults: 100 }));
          arns.push(...(page.clusterArns ?? []));
          token = page.nextToken;
        } while (token);
      } catch (e) {
        throw translateAwsError('ecs:ListClusters', e, this.endpoint);
      }
      return arns;
    })();
    return this.clusterArnsOnce;
  }
}

/** The client class, for clients.ts (one module per service: the client and its operations). */
export { ResourceGroupsTaggingAPIClient };
