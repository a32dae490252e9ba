/**
 * ECR: the stack's repositories (create, settings, lifecycle policy, delete), the image checks of
 * `task verify`, and the registry login token of `ecr login` (never logged or returned as text
 * to print: the caller hands it to docker on stdin).
 *
 * Loaded with `await import()` only: it imports the ECR client module statically.
 */
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';
import { errorName } from './errors.js';
import { named, ServiceOps } from './ops.js';

export type ImageState = 'exists' | 'no-image' | 'no-repository';

export interface RepositoryInfo {
  name: string;
  arn: string;
  /** ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME */
  uri: string;
  registryId: string;
  scanOnPush: boolean;
  immutableTags: boolean;
  tags: Record<string, string>;
}

const noRepository = named('RepositoryNotFoundException');

export class EcrOps extends ServiceOps<ECRClient> {
  constructor(client: ECRClient, endpoint?: string) {
    super(client, 'ecr', endpoint);
  }

  async image(registryId: string, repository: string, ref: { tag?: string; digest?: string }): Promise<ImageState> {
    try {
      const out = await this.client.send(
        new DescribeImagesCommand({ registryId, repositoryName: repository, imageIds: [ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' }] }),
      );
      return (out.imageDetails ?? []).length ? 'exists' : 'no-image';
    } catch (e) {
      if (errorName(e) === 'ImageNotFoundException') return 'no-image';
      if (errorName(e) === 'RepositoryNotFoundException') return 'no-repository';
      return this.call('DescribeImages', () => Promise.reject(e));
    }
  }

  /** The repository of this name in the caller's registry, with its tags; undefined when there is none. */
  async describeRepository(name: string): Promise<RepositoryInfo | undefined> {
    const out = await this.maybe('DescribeRepositories', noRepository, () => this.client.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })));
    const r = out?.repositories?.[0];
    if (!r?.repositoryArn) return undefined;
    const tags = await this.maybe('ListTagsForResource', noRepository, () => this.client.send(new ListTagsForResourceCommand({ resourceArn: r.repositoryArn })));
    return {
      name: r.repositoryName ?? name,
      arn: r.repositoryArn,
      uri: r.repositoryUri ?? '',
      registryId: r.registryId ?? '',
      scanOnPush: Boolean(r.imageScanningConfiguration?.scanOnPush),
      immutableTags: r.imageTagMutability === 'IMMUTABLE',
      tags: Object.fromEntries((tags?.tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    };
  }

  /** The repository's lifecycle policy text; undefined when it has none. */
  async lifecyclePolicy(name: string): Promise<string | undefined> {
    const out = await this.maybe('GetLifecyclePolicy', named('LifecyclePolicyNotFoundException', 'RepositoryNotFoundException'), () =>
      this.client.send(new GetLifecyclePolicyCommand({ repositoryName: name })),
    );
    return out?.lifecyclePolicyText;
  }

  /** Creates a repository (tags and settings in the one call); undefined when one of that name exists already. */
  async createRepository(o: { name: string; scanOnPush: boolean; immutableTags: boolean; tags: Record<string, string> }): Promise<RepositoryInfo | undefined> {
    try {
      const out = await this.client.send(
        new CreateRepositoryCommand({
          repositoryName: o.name,
          imageScanningConfiguration: { scanOnPush: o.scanOnPush },
          imageTagMutability: o.immutableTags ? 'IMMUTABLE' : 'MUTABLE',
          tags: Object.entries(o.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      const r = out.repository!;
      return { name: o.name, arn: r.repositoryArn ?? '', uri: r.repositoryUri ?? '', registryId: r.registryId ?? '', scanOnPush: o.scanOnPush, immutableTags: o.immutableTags, tags: o.tags };
    } catch (e) {
      if (named('RepositoryAlreadyExistsException')(e)) return undefined;
      return this.call('CreateRepository', () => Promise.reject(e));
    }
  }

  async putScanOnPush(name: string, scanOnPush: boolean): Promise<void> {
    await this.call('PutImageScanningConfiguration', () => this.client.send(new PutImageScanningConfigurationCommand({ repositoryName: name, imageScanningConfiguration: { scanOnPush } })));
  }

  async putTagMutability(name: string, immutable: boolean): Promise<void> {
    await this.call('PutImageTagMutability', () => this.client.send(new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: immutable ? 'IMMUTABLE' : 'MUTABLE' })));
  }

  async putLifecyclePolicy(name: string, text: string): Promise<void> {
    await this.call('PutLifecyclePolicy', () => this.client.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: text })));
  }

  /** The image references of a repository (tags, or the digest of an untagged image); undefined when it does not exist. */
  async images(name: string): Promise<string[] | undefined> {
    const out: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.maybe('ListImages', noRepository, () => this.client.send(new ListImagesCommand({ repositoryName: name, nextToken, maxResults: 1000 })));
      if (!page) return undefined;
      for (const id of page.imageIds ?? []) out.push(id.imageTag ?? id.imageDigest ?? '?');
      nextToken = page.nextToken;
    } while (nextToken);
    return [...new Set(out)];
  }

  /** Deletes a repository (with its images when `force`); false when it was gone already. */
  async deleteRepository(name: string, force: boolean): Promise<boolean> {
    const out = await this.maybe('DeleteRepository', noRepository, () => this.client.send(new DeleteRepositoryCommand({ repositoryName: name, force })));
    return out !== undefined;
  }

  /**
   * The registry's login: its endpoint and the password docker needs (user "AWS"). The password is
   * returned only to be written to a child process's stdin: never print it.
   */
  async login(): Promise<{ endpoint: string; password: string; expiresAt?: Date }> {
    const out = await this.call('GetAuthorizationToken', () => this.client.send(new GetAuthorizationTokenCommand({})));
    const d = out.authorizationData?.[0];
    const decoded = Buffer.from(d?.authorizationToken ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { endpoint: d?.proxyEndpoint ?? '', password: colon >= 0 ? decoded.slice(colon + 1) : '', ...(d?.expiresAt ? { expiresAt: d.expiresAt } : {}) };
  }
}

/** The client class, for clients.ts (one module per service: the client and its operations). */
export { ECRClient };
