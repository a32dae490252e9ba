/**
 * The IAM calls ecsprimer makes, with "not found" and "already exists" turned into values and
 * every other error translated (operation named). Existence checks are O(1): GetPolicy by ARN,
 * GetRole by name — never a scan of the account's policies or roles.
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListInstanceProfilesForRoleCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  RemoveRoleFromInstanceProfileCommand,
  TagPolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  type Tag,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { named, ServiceOps } from './ops.js';
import { sendOnce } from './once.js';

export interface PolicyInfo {
  arn: string;
  name: string;
  path: string;
  defaultVersionId: string;
  attachmentCount: number;
  tags: Record<string, string>;
}

export interface RoleInfo {
  arn: string;
  name: string;
  path: string;
  tags: Record<string, string>;
  trust: unknown;
  description?: string;
}

export interface PolicyEntities {
  roles: string[];
  users: string[];
  groups: string[];
}

const tagMap = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
export const toTags = (m: Record<string, string>): Tag[] => Object.entries(m).map(([Key, Value]) => ({ Key, Value }));

function decodeDocument(doc: string | undefined): unknown {
  if (!doc) return undefined;
  try {
    return JSON.parse(decodeURIComponent(doc));
  } catch {
    try {
      return JSON.parse(doc);
    } catch {
      return undefined;
    }
  }
}

const noSuchEntity = named('NoSuchEntity', 'NoSuchEntityException');
const alreadyExists = named('EntityAlreadyExists', 'EntityAlreadyExistsException');

export class IamOps extends ServiceOps<IAMClient> {
  constructor(client: IAMClient, endpoint?: string, onceClient: IAMClient | (() => Promise<IAMClient>) = client, attempts = 1) {
    super(client, 'iam', endpoint, onceClient, attempts);
  }

  /**
   * Every page of a Marker-paged IAM list (IAM's paginators say IsTruncated and Marker), each
   * mapped by `items`; undefined when the entity listed from does not exist (NoSuchEntity).
   */
  private async pages<P extends { IsTruncated?: boolean; Marker?: string }, T>(operation: string, send: (marker?: string) => Promise<P>, items: (page: P) => T[]): Promise<T[] | undefined> {
    const out: T[] = [];
    let marker: string | undefined;
    do {
      const page = await this.maybe(operation, noSuchEntity, () => send(marker));
      if (!page) return undefined;
      out.push(...items(page));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return out;
  }

  /** A create that resolves `{ exists: true }` when the name is taken. */
  private async create<T>(operation: string, fn: () => Promise<T>): Promise<T | { exists: true }> {
    return (await this.maybe(operation, alreadyExists, fn)) ?? { exists: true };
  }

  /** Creates a policy; resolves `{ exists: true }` when the name is taken. */
  async createPolicy(i: { name: string; path: string; document: string; description?: string; tags: Record<string, string> }): Promise<{ arn: string; versionId: string } | { exists: true }> {
    return this.create('CreatePolicy', async () => {
      const out = await this.client.send(
        new CreatePolicyCommand({ PolicyName: i.name, Path: i.path, PolicyDocument: i.document, Description: i.description, Tags: toTags(i.tags) }),
      );
      return { arn: out.Policy!.Arn!, versionId: out.Policy!.DefaultVersionId ?? 'v1' };
    });
  }

  async getPolicy(arn: string): Promise<PolicyInfo | undefined> {
    const out = await this.maybe('GetPolicy', noSuchEntity, () => this.client.send(new GetPolicyCommand({ PolicyArn: arn })));
    const p = out?.Policy;
    if (!p) return undefined;
    return {
      arn: p.Arn!,
      name: p.PolicyName!,
      path: p.Path ?? '/',
      defaultVersionId: p.DefaultVersionId ?? 'v1',
      attachmentCount: p.AttachmentCount ?? 0,
      tags: tagMap(p.Tags),
    };
  }

  async getPolicyDocument(arn: string, versionId: string): Promise<unknown> {
    const out = await this.call('GetPolicyVersion', () => this.client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })));
    return decodeDocument(out.PolicyVersion?.Document);
  }

  async listPolicyVersions(arn: string): Promise<Array<{ versionId: string; isDefault: boolean; created: number }>> {
    const out: Array<{ versionId: string; isDefault: boolean; created: number }> = [];
    let marker: string | undefined;
    do {
      const page = await this.call('ListPolicyVersions', () => this.client.send(new ListPolicyVersionsCommand({ PolicyArn: arn, Marker: marker })));
      for (const v of page.Versions ?? []) out.push({ versionId: v.VersionId!, isDefault: Boolean(v.IsDefaultVersion), created: v.CreateDate ? new Date(v.CreateDate).getTime() : 0 });
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return out;
  }

  /**
   * Adds a new default version. `before` are the version ids that existed before (the caller has
   * just listed them): after a lost answer, a version not among them is the one this call made.
   */
  async createPolicyVersion(arn: string, document: string, before: string[]): Promise<string> {
    const known = new Set(before);
    return this.call('CreatePolicyVersion', () =>
      sendOnce({
        attempts: this.attempts,
        send: async () =>
          (await (await this.onceClient()).send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: document, SetAsDefault: true }))).PolicyVersion?.VersionId ?? '',
        applied: async () => (await this.listPolicyVersions(arn)).find((v) => !known.has(v.versionId))?.versionId,
      }),
    );
  }

  async deletePolicyVersion(arn: string, versionId: string): Promise<void> {
    await this.maybe('DeletePolicyVersion', noSuchEntity, () => this.client.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })));
  }

  /** Resolves false when the policy was already gone. */
  async deletePolicy(arn: string): Promise<boolean> {
    const out = await this.maybe('DeletePolicy', noSuchEntity, () => this.client.send(new DeletePolicyCommand({ PolicyArn: arn })));
    return out !== undefined;
  }

  async listEntitiesForPolicy(arn: string): Promise<PolicyEntities | undefined> {
    const pages = await this.pages('ListEntitiesForPolicy', (Marker) => this.client.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn, Marker })), (p) => [p]);
    if (!pages) return undefined;
    return {
      roles: pages.flatMap((p) => (p.PolicyRoles ?? []).map((r) => r.RoleName!)),
      users: pages.flatMap((p) => (p.PolicyUsers ?? []).map((u) => u.UserName!)),
      groups: pages.flatMap((p) => (p.PolicyGroups ?? []).map((g) => g.GroupName!)),
    };
  }


  async detachRolePolicy(role: string, arn: string): Promise<boolean> {
    return (await this.maybe('DetachRolePolicy', noSuchEntity, () => this.client.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: arn })))) !== undefined;
  }
  async detachUserPolicy(user: string, arn: string): Promise<void> {
    await this.maybe('DetachUserPolicy', noSuchEntity, () => this.client.send(new DetachUserPolicyCommand({ UserName: user, PolicyArn: arn })));
  }
  async detachGroupPolicy(group: string, arn: string): Promise<void> {
    await this.maybe('DetachGroupPolicy', noSuchEntity, () => this.client.send(new DetachGroupPolicyCommand({ GroupName: group, PolicyArn: arn })));
  }

  async createRole(i: { name: string; path: string; trust: string; description?: string; tags: Record<string, string> }): Promise<{ arn: string } | { exists: true }> {
    return this.create('CreateRole', async () => {
      const out = await this.client.send(
        new CreateRoleCommand({ RoleName: i.name, Path: i.path, AssumeRolePolicyDocument: i.trust, Description: i.description, Tags: toTags(i.tags) }),
      );
      return { arn: out.Role!.Arn! };
    });
  }

  async getRole(name: string): Promise<RoleInfo | undefined> {
    const out = await this.maybe('GetRole', noSuchEntity, () => this.client.send(new GetRoleCommand({ RoleName: name })));
    const r = out?.Role;
    if (!r) return undefined;
    return { arn: r.Arn!, name: r.RoleName!, path: r.Path ?? '/', tags: tagMap(r.Tags), trust: decodeDocument(r.AssumeRolePolicyDocument), description: r.Description };
  }

  /** Adds or replaces tags of a role (TagRole overwrites a key's value). */
  async tagRole(name: string, tags: Record<string, string>): Promise<void> {
    await this.call('TagRole', () => this.client.send(new TagRoleCommand({ RoleName: name, Tags: toTags(tags) })));
  }

  /** Adds or replaces tags of a customer managed policy. */
  async tagPolicy(arn: string, tags: Record<string, string>): Promise<void> {
    await this.call('TagPolicy', () => this.client.send(new TagPolicyCommand({ PolicyArn: arn, Tags: toTags(tags) })));
  }

  async updateAssumeRolePolicy(name: string, trust: string): Promise<void> {
    await this.call('UpdateAssumeRolePolicy', () => this.client.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trust })));
  }

  async listAttachedRolePolicies(role: string): Promise<string[] | undefined> {
    return this.pages('ListAttachedRolePolicies', (Marker) => this.client.send(new ListAttachedRolePoliciesCommand({ RoleName: role, Marker })), (p) => (p.AttachedPolicies ?? []).map((a) => a.PolicyArn!));
  }


  async listRolePolicies(role: string): Promise<string[]> {
    return (await this.pages('ListRolePolicies', (Marker) => this.client.send(new ListRolePoliciesCommand({ RoleName: role, Marker })), (p) => p.PolicyNames ?? [])) ?? [];
  }


  /** The document of a role's inline policy (undefined when it is gone). */
  async getRolePolicy(role: string, name: string): Promise<unknown> {
    const out = await this.maybe('GetRolePolicy', noSuchEntity, () => this.client.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name })));
    return decodeDocument(out?.PolicyDocument);
  }

  /** Sets a role's inline policy (creates or replaces it: PutRolePolicy is idempotent). */
  async putRolePolicy(role: string, name: string, document: string): Promise<void> {
    await this.call('PutRolePolicy', () => this.client.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: name, PolicyDocument: document })));
  }

  async deleteRolePolicy(role: string, name: string): Promise<void> {
    await this.maybe('DeleteRolePolicy', noSuchEntity, () => this.client.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: name })));
  }

  async listInstanceProfilesForRole(role: string): Promise<string[]> {
    const list = await this.pages('ListInstanceProfilesForRole', (Marker) => this.client.send(new ListInstanceProfilesForRoleCommand({ RoleName: role, Marker })), (p) => (p.InstanceProfiles ?? []).map((i) => i.InstanceProfileName!));
    return list ?? [];
  }


  async removeRoleFromInstanceProfile(role: string, profile: string): Promise<void> {
    await this.maybe('RemoveRoleFromInstanceProfile', noSuchEntity, () => this.client.send(new RemoveRoleFromInstanceProfileCommand({ RoleName: role, InstanceProfileName: profile })));
  }

  /** Resolves false when the role was already gone. */
  async deleteRole(name: string): Promise<boolean> {
    return (await this.maybe('DeleteRole', noSuchEntity, () => this.client.send(new DeleteRoleCommand({ RoleName: name })))) !== undefined;
  }

  async attachRolePolicy(role: string, arn: string): Promise<void> {
    await this.call('AttachRolePolicy', () => this.client.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: arn })));
  }

  /** Roles under an IAM path prefix (the stack's `/ecsprimer/<stack>/`): O(size of the stack). */
  async listRolesUnder(pathPrefix: string): Promise<Array<{ name: string; arn: string }>> {
    const list = await this.pages('ListRoles', (Marker) => this.client.send(new ListRolesCommand({ PathPrefix: pathPrefix, Marker })), (p) => (p.Roles ?? []).map((r) => ({ name: r.RoleName!, arn: r.Arn! })));
    return list ?? [];
  }

  async listPoliciesUnder(pathPrefix: string): Promise<Array<{ name: string; arn: string }>> {
    const list = await this.pages('ListPolicies', (Marker) => this.client.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: pathPrefix, Marker })), (p) => (p.Policies ?? []).map((x) => ({ name: x.PolicyName!, arn: x.Arn! })));
    return list ?? [];
  }

}

/** The client class, for clients.ts (one module per service: the client and its operations). */
export { IAMClient };
