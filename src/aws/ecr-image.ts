/**
 * ECR image references, parsed without the ECR client: the task-definition checks and grants
 * read them in every run, while the client (aws/ecr-ops.ts) loads only when ECR is called.
 */

/** ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/REPO[:TAG|@DIGEST], parsed. */
export function parseEcrImage(image: string): { registryId: string; region: string; repository: string; tag?: string; digest?: string } | undefined {
  const m = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(image);
  if (!m) return undefined;
  return { registryId: m[1], region: m[2], repository: m[3], ...(m[4] ? { tag: m[4] } : {}), ...(m[5] ? { digest: m[5] } : {}) };
}
