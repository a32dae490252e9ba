/**
 * What ecsprimer knows about ECS resources, as plain data: the ops layer turns SDK answers into
 * these, and commands, steps, waiters, reports and the teardown work on them (and put them in
 * `--output json` as they are). Tags are maps; times are ISO strings.
 */
import type { TaskDefinition } from '@aws-sdk/client-ecs';

export interface ClusterInfo {
  name: string;
  arn: string;
  /** ACTIVE, PROVISIONING, DEPROVISIONING, FAILED or INACTIVE. */
  status: string;
  tags: Record<string, string>;
  activeServicesCount: number;
  runningTasksCount: number;
  pendingTasksCount: number;
  registeredContainerInstancesCount: number;
}

export interface TaskDefinitionSummary {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE' | string;
}

export interface TaskDefinitionInfo extends TaskDefinitionSummary {
  networkMode: string;
  requiresCompatibilities: string[];
  containers: Array<{ name: string; essential: boolean }>;
  tags: Record<string, string>;
  /** The full DescribeTaskDefinition answer. */
  definition: TaskDefinition;
}

export interface ContainerState {
  name: string;
  lastStatus?: string;
  exitCode?: number;
  reason?: string;
}

export interface TaskInfo {
  arn: string;
  /** The last segment of the ARN. */
  id: string;
  clusterArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  stoppedReason?: string;
  stopCode?: string;
  startedAt?: string;
  stoppedAt?: string;
  /** `family:NAME` for standalone tasks, `service:NAME` for the tasks of a service. */
  group?: string;
  startedBy?: string;
  launchType?: string;
  /** The subnet of an awsvpc task's network interface (from its ElasticNetworkInterface attachment). */
  subnetId?: string;
  tags: Record<string, string>;
  containers: ContainerState[];
}

export interface DeploymentInfo {
  id: string;
  /** PRIMARY, ACTIVE or INACTIVE. */
  status: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState?: string;
  rolloutStateReason?: string;
}

export interface ServiceEventInfo {
  id: string;
  createdAt: string;
  message: string;
}

export interface ServiceInfo {
  name: string;
  arn: string;
  clusterArn: string;
  /** ACTIVE, DRAINING or INACTIVE. */
  status: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  taskDefinition: string;
  launchType?: string;
  /** When the service runs on capacity providers instead of a launch type. */
  capacityProviderStrategy?: Array<{ capacityProvider: string }>;
  /** The awsvpc network of its tasks (absent for bridge/host networking). */
  network?: { subnets: string[]; securityGroups: string[]; assignPublicIp?: string };
  /** The load balancers' target groups it registers its tasks with (and, for blue/green, the alternate group, rule and role). */
  loadBalancers?: Array<{ targetGroupArn?: string; containerName?: string; containerPort?: number; advancedConfiguration?: { alternateTargetGroupArn?: string; productionListenerRule?: string; roleArn?: string } }>;
  /** Its deployment configuration as ECS returns it (strategy ROLLING when absent). */
  deploymentConfiguration?: { strategy?: string; bakeTimeInMinutes?: number; minimumHealthyPercent?: number; maximumPercent?: number; circuitBreaker?: { enable: boolean; rollback: boolean } };
  /** The ARN of its current service deployment (ECS's deployment history). */
  currentServiceDeployment?: string;
  deployments: DeploymentInfo[];
  /** Newest first, as ECS returns them. */
  events: ServiceEventInfo[];
  tags: Record<string, string>;
}

/** One service deployment of ECS's deployment history (DescribeServiceDeployments). */
export interface ServiceDeploymentInfo {
  arn: string;
  /** PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED. */
  status: string;
  statusReason?: string;
  /** RECONCILE_SERVICE, PRE_SCALE_UP, SCALE_UP, ..., PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, CLEAN_UP. */
  lifecycleStage?: string;
  targetRevision?: string;
  sourceRevisions: string[];
  rollbackReason?: string;
  updatedAt?: number;
}

export interface RunTaskResult {
  tasks: TaskInfo[];
  failures: Array<{ arn: string; reason: string }>;
}

export interface DeleteTaskDefinitionsResult {
  /** ARNs (or family:revision) ECS accepted for deletion. */
  deleted: string[];
  failures: Array<{ arn: string; reason: string }>;
}
