/**
 * ECR reads for `task verify`: does an image (repository and tag or digest) exist?
 *
 * Loaded with `await import()` only: it imports the ECR client module statically.
 */
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { errorName } from './errors.js';
import { ServiceOps } from './ops.js';

export type ImageState = 'exists' | 'no-image' | 'no-repository';

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
}

/** ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/REPO[:TAG|@DIGEST], parsed. */
export function parseEcrImage(image: string): { registryId: string; region: string; repository: string; tag?: string; digest?: string } | undefined {
  const m = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(image);
  if (!m) return undefined;
  return { registryId: m[1], region: m[2], repository: m[3], ...(m[4] ? { tag: m[4] } : {}), ...(m[5] ? { digest: m[5] } : {}) };
}
