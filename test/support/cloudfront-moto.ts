import {
  CloudFrontClient,
  CreateDistributionCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { randomBytes } from 'node:crypto';

/** What moto recorded for one invalidation. */
export interface MotoInvalidation {
  id: string;
  status: string;
  callerReference: string;
  paths: string[];
}

export function motoEndpoint(): string {
  const endpoint = process.env.CLOUDFRONT_ENDPOINT;
  if (!endpoint)
    throw new Error(
      'CLOUDFRONT_ENDPOINT is not set: source `bash scripts/stack.sh env` (moto must be running)',
    );
  return endpoint;
}

function client(endpoint = motoEndpoint()): CloudFrontClient {
  return new CloudFrontClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'testing',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'testing',
    },
  });
}

/**
 * A distribution of the test's own, so that counting invalidations in moto (which keeps every
 * distribution in one process) sees only this test's.
 */
export async function createTestDistribution(endpoint = motoEndpoint()): Promise<string> {
  const cf = client(endpoint);
  try {
    const out = await cf.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: `e2e-${randomBytes(8).toString('hex')}`,
          Comment: 'sponsored-agents e2e',
          Enabled: true,
          Origins: {
            Quantity: 1,
            Items: [
              {
                Id: 'api',
                DomainName: 'api.local.invalid',
                CustomOriginConfig: {
                  HTTPPort: 80,
                  HTTPSPort: 443,
                  OriginProtocolPolicy: 'http-only',
                },
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 'api',
            ViewerProtocolPolicy: 'allow-all',
            CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
          },
        },
      }),
    );
    return out.Distribution!.Id!;
  } finally {
    cf.destroy();
  }
}

/** Every invalidation moto holds for the distribution, with its paths and CallerReference. */
export async function motoInvalidations(
  distributionId: string,
  endpoint = motoEndpoint(),
): Promise<MotoInvalidation[]> {
  const cf = client(endpoint);
  try {
    const ids: string[] = [];
    let marker: string | undefined;
    do {
      const out = await cf.send(
        new ListInvalidationsCommand({
          DistributionId: distributionId,
          Marker: marker,
          MaxItems: 100,
        }),
      );
      for (const item of out.InvalidationList?.Items ?? []) ids.push(item.Id!);
      marker = out.InvalidationList?.IsTruncated ? out.InvalidationList.NextMarker : undefined;
    } while (marker);
    const all: MotoInvalidation[] = [];
    for (const id of ids) {
      const out = await cf.send(
        new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
      );
      all.push({
        id,
        status: out.Invalidation?.Status ?? '',
        callerReference: out.Invalidation?.InvalidationBatch?.CallerReference ?? '',
        paths: out.Invalidation?.InvalidationBatch?.Paths?.Items ?? [],
      });
    }
    return all;
  } finally {
    cf.destroy();
  }
}

/** How many times each path was sent, over all of moto's invalidations for the distribution. */
export function pathCounts(invalidations: MotoInvalidation[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const inv of invalidations)
    for (const p of inv.paths) counts.set(p, (counts.get(p) ?? 0) + 1);
  return counts;
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 20000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
