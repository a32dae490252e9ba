/** Parsing the ARNs the tagging API returns into the names ecsprimer's journal uses. */
import type { ResourceType } from '../state/journal.js';

export interface ParsedArn {
  type: ResourceType;
  name: string;
  parent?: string;
  arn: string;
}

/** ECS ARNs of clusters, services (old and new format), task definitions and tasks. */
export function parseEcsArn(arn: string): ParsedArn | undefined {
  const m = /^arn:[^:]+:ecs:[^:]+:\d{12}:([a-z-]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const [, kind, rest] = m;
  const parts = rest.split('/');
  switch (kind) {
    case 'cluster':
      return { type: 'ecs-cluster', name: rest, arn };
    case 'service':
      return parts.length >= 2 ? { type: 'ecs-service', name: parts[parts.length - 1], parent: parts[0], arn } : { type: 'ecs-service', name: rest, arn };
    case 'task-definition':
      return { type: 'ecs-task-definition', name: rest, arn };
    case 'task':
      return parts.length >= 2 ? { type: 'ecs-task', name: parts[parts.length - 1], parent: parts[0], arn } : { type: 'ecs-task', name: rest, arn };
    default:
      return undefined;
  }
}

/** A CloudWatch Logs log group ARN (with or without the trailing `:*`). */
export function parseLogGroupArn(arn: string): ParsedArn | undefined {
  const m = /^arn:[^:]+:logs:[^:]+:\d{12}:log-group:(.+?)(:\*)?$/.exec(arn);
  return m ? { type: 'logs-log-group', name: m[1], arn: arn.replace(/:\*$/, '') } : undefined;
}

/** Load balancer and target group ARNs (elasticloadbalancing), by the names ecsprimer gives them. */
export function parseElbArn(arn: string): ParsedArn | undefined {
  let m = /^arn:[^:]+:elasticloadbalancing:[^:]+:\d{12}:loadbalancer\/app\/([^/]+)\/[^/]+$/.exec(arn);
  if (m) return { type: 'elb-load-balancer', name: m[1], arn };
  m = /^arn:[^:]+:elasticloadbalancing:[^:]+:\d{12}:targetgroup\/([^/]+)\/[^/]+$/.exec(arn);
  return m ? { type: 'elb-target-group', name: m[1], arn } : undefined;
}

/** A security group ARN: found by its id (its name and VPC are read with it). */
export function parseSecurityGroupArn(arn: string): ParsedArn | undefined {
  const m = /^arn:[^:]+:ec2:[^:]+:\d{12}:security-group\/(sg-[0-9a-f]+)$/.exec(arn);
  return m ? { type: 'ec2-security-group', name: m[1], arn: m[1] } : undefined;
}

/** An ECR repository ARN (arn:aws:ecr:REGION:ACCOUNT:repository/NAME). */
export function parseRepositoryArn(arn: string): ParsedArn | undefined {
  const m = /^arn:[^:]+:ecr:[^:]+:\d{12}:repository\/(.+)$/.exec(arn);
  return m ? { type: 'ecr-repository', name: m[1], arn } : undefined;
}

/** A Secrets Manager secret ARN: its name is the ARN's last part without the random `-XXXXXX` suffix. */
export function parseSecretArn(arn: string): ParsedArn | undefined {
  const m = /^arn:[^:]+:secretsmanager:[^:]+:\d{12}:secret:(.+)-[A-Za-z0-9]{6}$/.exec(arn);
  return m ? { type: 'secretsmanager-secret', name: m[1], arn } : undefined;
}
