/**
 * The AWS partition of a region (`aws`, `aws-cn`, `aws-us-gov`, the ISO and EU sovereign
 * partitions): the first field after `arn:` of every ARN made there. From the SDK's own partition
 * data, which knows every region and the naming rule of each partition's future ones.
 */
import { partition } from '@aws-sdk/core/client';

export function partitionOf(region: string): string {
  return partition(region).name;
}
