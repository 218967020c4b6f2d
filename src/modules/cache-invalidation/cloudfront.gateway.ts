import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config';

export interface CloudFrontInvalidation {
  id: string;
  status: string;
}

/** How far back (before a batch's first attempt) to look for an invalidation it may have created. */
const LOOKUP_CLOCK_SKEW_MS = 5 * 60_000;
/** ListInvalidations pages to walk at most (100 each) when looking a CallerReference up. */
const LOOKUP_MAX_PAGES = 20;

/**
 * The only code that talks to the CloudFront API. The SDK's own retries are off: a blind SDK retry
 * after a broken connection could create a second invalidation (CloudFront deduplicates by
 * CallerReference, but not every implementation does), so the worker retries itself, looking the
 * CallerReference up first whenever an earlier attempt may have gone through.
 */
@Injectable()
export class CloudFrontGateway implements OnApplicationShutdown {
  private readonly client: CloudFrontClient | null;
  readonly distributionId: string | undefined;

  constructor(config: AppConfig) {
    const cf = config.cloudFront;
    this.distributionId = cf.distributionId || undefined;
    this.client = this.distributionId
      ? new CloudFrontClient({
          region: cf.region,
          endpoint: cf.endpoint,
          maxAttempts: 1,
          // Names the replica in CloudTrail (and lets fault tests tell senders apart).
          customUserAgent: [['sa-pid', String(process.pid)]],
          requestHandler: {
            requestTimeout: cf.requestTimeoutMs,
            connectionTimeout: Math.min(cf.requestTimeoutMs, 5000),
          },
        })
      : null;
  }

  get configured(): boolean {
    return this.client !== null;
  }

  onApplicationShutdown(): void {
    this.client?.destroy();
  }

  async createInvalidation(paths: string[], ref: string): Promise<CloudFrontInvalidation> {
    const out = await this.require().send(
      new CreateInvalidationCommand({
        DistributionId: this.distributionId,
        InvalidationBatch: {
          CallerReference: ref,
          Paths: { Quantity: paths.length, Items: paths },
        },
      }),
    );
    return { id: out.Invalidation?.Id ?? '', status: out.Invalidation?.Status ?? 'InProgress' };
  }

  async getInvalidation(
    id: string,
  ): Promise<CloudFrontInvalidation & { callerReference?: string; paths: string[] }> {
    const out = await this.require().send(
      new GetInvalidationCommand({ DistributionId: this.distributionId, Id: id }),
    );
    return {
      id,
      status: out.Invalidation?.Status ?? '',
      callerReference: out.Invalidation?.InvalidationBatch?.CallerReference,
      paths: out.Invalidation?.InvalidationBatch?.Paths?.Items ?? [],
    };
  }

  /**
   * The invalidation created with `ref`, if any. ListInvalidations returns no CallerReference, so
   * each invalidation created since `since` (less a clock-skew margin) is fetched.
   */
  async findByCallerReference(ref: string, since: Date): Promise<CloudFrontInvalidation | null> {
    const from = since.getTime() - LOOKUP_CLOCK_SKEW_MS;
    let marker: string | undefined;
    for (let page = 0; page < LOOKUP_MAX_PAGES; page++) {
      const out = await this.require().send(
        new ListInvalidationsCommand({
          DistributionId: this.distributionId,
          Marker: marker,
          MaxItems: 100,
        }),
      );
      const list = out.InvalidationList;
      for (const summary of list?.Items ?? []) {
        if (!summary.Id) continue;
        if (summary.CreateTime && summary.CreateTime.getTime() < from) continue;
        const found = await this.getInvalidation(summary.Id);
        if (found.callerReference === ref) return { id: found.id, status: found.status };
      }
      if (!list?.IsTruncated || !list.NextMarker) return null;
      marker = list.NextMarker;
    }
    return null;
  }

  private require(): CloudFrontClient {
    if (!this.client) throw new Error('no CloudFront distribution is configured');
    return this.client;
  }
}
