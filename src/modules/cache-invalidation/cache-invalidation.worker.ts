import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Types } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AppConfig } from '../../core/config/app-config';
import { PollLoop } from '../../core/lifecycle/poll-loop';
import { PageOutbox } from '../pages/page-outbox';
import type { PendingOutbox } from '../pages/schemas/outbox.types';
import {
  CacheInvalidationRepository,
  claimTokenId,
  type ItemClaim,
  MAX_BATCH_ITEMS,
} from './cache-invalidation.repository';
import { CacheInvalidationService } from './cache-invalidation.service';
import { invalidationMetrics } from './cache-invalidation.metrics';
import { CloudFrontGateway, type CloudFrontInvalidation } from './cloudfront.gateway';
import {
  backoffMs,
  type BusyReason,
  callerReference,
  classifyError,
  deferralMs,
  fitInProgress,
  planBatch,
} from './invalidation-planner';
import type { BatchRecord, InvalidationRecord } from './schemas/invalidation.types';

/** Pages whose outbox is drained per poll, pending items considered per batch, batches per poll. */
const OUTBOX_PAGES_PER_POLL = 200;
const PLAN_CANDIDATES = MAX_BATCH_ITEMS;
const BATCHES_PER_POLL = 20;
/** Claim tokens only fence work in progress; a week-old one fences nothing. */
const TOKEN_RETENTION_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 10 * 60_000;
/** Open items the sweep checks per lease period, oldest first. */
const SWEEP_ITEMS = 50;

/**
 * Moves public changes from page outboxes to CloudFront, safely with any number of replicas:
 *
 * 1. ingest: each page outbox entry (read through the pages module's PageOutbox port) becomes an
 *    invalidation item (upsert keyed by the entry id), then is acknowledged, which removes it
 *    from its page under the page lock. A crash in between only repeats the idempotent upsert.
 * 2. assemble: once the oldest pending item is `batchWindowMs` old, pending items older than the
 *    settle delay (`CDN_INVALIDATION_SETTLE_MS`: the in-process cache TTL plus replica lag, so
 *    that the edge cannot re-fetch a pre-change copy after the purge) are claimed into a new
 *    batch (an item joins at most one batch), up to CloudFront's per-request path limits, and
 *    the batch's paths and CallerReference are frozen.
 * 3. send: batches are leased with an expiry; an expired lease is taken over. Every claim (item
 *    into batch, lease generation, attempt n) is won by inserting a token with a unique id: that
 *    is atomic on DocumentDB and on FerretDB, where conditional updates are not.
 *    Before a request leaves, the attempt is recorded and the batch marked `uncertain`; a batch
 *    found uncertain (crash, timeout, dropped connection) is first looked up in CloudFront by its
 *    CallerReference, so it is never created twice. Done only once CloudFront accepted it.
 * 4. poll: sent batches are checked with GetInvalidation until Completed.
 * 5. sweep: once a lease period, old open items are checked against their claim token, which
 *    repairs what a poll cut short by a database error between two steps left behind.
 */
@Injectable()
export class CacheInvalidationWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CacheInvalidationWorker.name);
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly settings: AppConfig['cdnInvalidation'];
  /** A poll in progress at shutdown gets this long: one CloudFront call and one database reply. */
  private readonly shutdownWaitMs: number;
  private readonly loop: PollLoop;
  /** The batch whose CreateInvalidation is on the wire: its lease is kept through shutdown. */
  private inFlight: string | null = null;
  private lastPrune = 0;
  private lastSweep = 0;

  constructor(
    config: AppConfig,
    private readonly repo: CacheInvalidationRepository,
    private readonly outbox: PageOutbox,
    private readonly cloudFront: CloudFrontGateway,
    private readonly service: CacheInvalidationService,
  ) {
    this.settings = config.cdnInvalidation;
    this.shutdownWaitMs = config.cloudFront.requestTimeoutMs + config.mongo.operationTimeoutMs;
    this.loop = new PollLoop(
      () => this.tick(),
      this.settings.pollMs,
      (error) => this.logger.error({ err: error }, 'CDN invalidation worker poll failed'),
    );
  }

  private get stopped(): boolean {
    return !this.loop.active;
  }

  onApplicationBootstrap(): void {
    if (!this.settings.workerEnabled) return;
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.stopped) return;
    // Let a send on the wire finish before giving leases back (bounded).
    await this.loop.stop(this.shutdownWaitMs);
    await this.repo
      .releaseLeases(this.owner, this.inFlight)
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not release CDN invalidation leases'),
      );
  }

  /** One poll: ingest, assemble, work through due batches, then note the backlog for metrics. */
  async tick(): Promise<void> {
    await this.work();
    await this.service.observeBacklog();
  }

  private async work(): Promise<void> {
    await this.ingest();
    if (!this.cloudFront.configured) {
      const skipped = await this.repo.skipPending(new Date());
      if (skipped > 0)
        this.logger.log(
          { skipped },
          'no CloudFront distribution configured: invalidations skipped',
        );
      return;
    }
    await this.assemble();
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await this.repo.pruneTokens(new Date(Date.now() - TOKEN_RETENTION_MS));
    }
    if (Date.now() - this.lastSweep > this.settings.leaseMs) {
      this.lastSweep = Date.now();
      await this.sweep();
    }
    for (let i = 0; i < BATCHES_PER_POLL && !this.stopped; i++) {
      const batch = await this.repo.claimDueBatch(this.owner, new Date(), this.settings.leaseMs);
      if (!batch) break;
      await this.handle(batch);
    }
  }

  // --- 1. ingest ------------------------------------------------------------------------------

  private async ingest(): Promise<void> {
    const pages = await this.outbox.pending(OUTBOX_PAGES_PER_POLL);
    for (const page of pages) await this.ingestPage(page);
  }

  private async ingestPage(page: PendingOutbox): Promise<void> {
    const status = this.cloudFront.configured ? 'pending' : 'skipped';
    for (const entry of page.entries) {
      const now = new Date();
      await this.repo.upsertFromOutbox({
        _id: entry.id,
        source: 'page',
        pageId: page.pageId,
        reason: entry.reason,
        requestId: entry.requestId,
        paths: entry.paths,
        status,
        batchId: null,
        attempts: 0,
        createdAt: new Date(entry.createdAt),
        updatedAt: now,
      });
      await this.outbox.acknowledge(page.pageId, entry);
    }
  }

  // --- 2. assemble ----------------------------------------------------------------------------

  private async assemble(): Promise<void> {
    const now = new Date();
    const oldest = await this.repo.oldestOpenItem(['pending']);
    const wait = Math.max(this.settings.batchWindowMs, this.settings.settleMs);
    if (!oldest || now.getTime() - oldest.createdAt.getTime() < wait) return;
    // Only changes older than the settle delay: before that a public read may still produce the
    // old copy (in-process cache, lagging secondary), and the edge would re-fetch and keep it.
    const settledBefore = new Date(now.getTime() - this.settings.settleMs);
    const plan = planBatch(await this.repo.pendingItems(PLAN_CANDIDATES, settledBefore));
    if (plan.oversized.length > 0) {
      const error = 'more paths than CloudFront accepts in progress at once';
      await this.repo.failItems(ids(plan.oversized), error, now);
      this.logger.error(
        { requestIds: requestIds(plan.oversized), invalidationIds: ids(plan.oversized) },
        `CDN invalidation failed: ${error}`,
      );
    }
    if (plan.items.length === 0) return;
    const batchId = new Types.ObjectId().toHexString();
    const batch: BatchRecord = {
      _id: batchId,
      distributionId: this.cloudFront.distributionId!,
      status: 'assembling',
      itemIds: [],
      requestIds: [],
      paths: [],
      attempts: 0,
      uncertain: false,
      nextAttemptAt: now,
      leaseGen: 1,
      leaseOwner: this.owner,
      leaseUntil: new Date(now.getTime() + this.settings.leaseMs),
      createdAt: now,
      updatedAt: now,
    };
    await this.repo.insertBatch(batch);
    // An item joins the batch only by winning its claim token: never two batches.
    const claimed: ItemClaim[] = [];
    for (const item of plan.items) {
      const claim = { id: item._id, generation: item.generation ?? 0 };
      if (await this.repo.takeToken(claimTokenId(claim), { batchId })) claimed.push(claim);
    }
    await this.repo.markClaimed(claimed, batchId, now);
    const frozen = await this.freeze(batch, claimed);
    if (frozen) await this.send(frozen);
  }

  /**
   * Fixes the batch's content: exactly the items whose claim tokens name it, in the generation
   * they still have. Also finishes the assembly of a batch whose worker died (or stalled past its
   * lease) half-way: then `claimedByMe` is empty.
   *
   * A stalled worker may still be winning claims for the batch while its new owner freezes (or,
   * finding none, drops) it. Whichever of the two looks last hands those late claims back: the
   * owner re-reads the claims after its freeze or drop; the stalled worker, after its claims,
   * finds the batch no longer assembling. Handing back is fenced by the claim's generation, so
   * both doing it is harmless.
   */
  private async freeze(batch: BatchRecord, claimedByMe: ItemClaim[]): Promise<BatchRecord | null> {
    const now = new Date();
    const claims = await this.repo.claims(batch._id);
    const generationOf = new Map(claims.map((c) => [c.id, c.generation]));
    const items = (await this.repo.itemsByIds(claims.map((c) => c.id))).filter(
      (i) => (i.generation ?? 0) === generationOf.get(i._id),
    );
    if (items.length === 0) {
      if (await this.repo.deleteOwnedBatch(batch._id, this.owner))
        await this.handBackLateClaims(batch._id, new Set(), now);
      return null;
    }
    const paths = [...new Set(items.flatMap((i) => i.paths))].sort();
    const set = {
      itemIds: ids(items),
      requestIds: requestIds(items),
      paths,
      callerReference: callerReference(batch._id, paths),
    };
    if (await this.repo.freezeBatch(batch, this.owner, set, now)) {
      const frozen = items.map((i) => ({ id: i._id, generation: i.generation ?? 0 }));
      await this.repo.markClaimed(frozen, batch._id, now);
      await this.handBackLateClaims(batch._id, new Set(set.itemIds), now);
      return { ...batch, ...set, status: 'sending', updatedAt: now };
    }
    // Lost the lease while assembling (we were slower than the lease). Whoever froze the batch
    // keeps the items it saw; items we claimed after that go back to pending, under a new
    // generation so that they can be claimed again.
    const current = await this.repo.findBatch(batch._id);
    if (current?.status === 'assembling') return null; // its new owner will freeze our claims too
    const kept = new Set(current?.itemIds ?? []);
    await this.repo.requeueClaimed(
      claimedByMe.filter((c) => !kept.has(c.id)),
      now,
    );
    return null;
  }

  /** Claims on a batch that were won after it was frozen (or dropped) go back to pending. */
  private async handBackLateClaims(batchId: string, kept: Set<string>, now: Date): Promise<void> {
    const late = (await this.repo.claims(batchId)).filter((c) => !kept.has(c.id));
    if (late.length > 0) await this.repo.requeueClaimed(late, now);
  }

  // --- 3. send --------------------------------------------------------------------------------

  private async handle(batch: BatchRecord): Promise<void> {
    switch (batch.status) {
      case 'assembling': {
        const frozen = await this.freeze(batch, []);
        if (frozen) await this.send(frozen);
        return;
      }
      case 'sending':
        return this.send(batch);
      case 'sent':
        return this.poll(batch);
      case 'completed':
      case 'failed':
        return;
    }
  }

  private async send(batch: BatchRecord): Promise<void> {
    if (batch.uncertain) {
      // An earlier attempt may have reached CloudFront: never send the same batch twice.
      let found: CloudFrontInvalidation | null;
      try {
        found = await this.cloudFront.findByCallerReference(
          batch.callerReference!,
          batch.firstAttemptAt ?? batch.createdAt,
        );
      } catch (error) {
        return this.defer(batch, this.backoff(batch.attempts), classifyError(error).message);
      }
      if (found) return this.markSent(batch, found, true);
    }

    // Short of in-progress room, merge the batch's pages into fewer, wider wildcards rather than
    // wait (never for a batch that may already have reached CloudFront: its content is fixed).
    const inProgress = await this.repo.inProgressCounts(batch.distributionId, batch._id);
    const fitted = fitInProgress(batch.paths, inProgress);
    if (!fitted || (fitted !== batch.paths && batch.uncertain)) {
      invalidationMetrics().deferred.inc({ reason: 'in-progress-budget' });
      return this.defer(batch, this.settings.statusPollMs);
    }
    if (fitted !== batch.paths) {
      const widened = await this.widen(batch, fitted);
      if (!widened) return;
      batch = widened;
    }
    const slot = await this.repo.takeSendSlot(
      batch.distributionId,
      this.owner,
      new Date(),
      this.settings.sendIntervalMs,
    );
    if (!slot.granted) return this.defer(batch, slot.waitMs);

    // Fence: record the attempt and renew the lease while we still hold it, then win the
    // attempt's token (only one worker can ever make attempt n, even if two believe they hold
    // the lease). Recording first means a lost race only uses up an attempt number, never
    // blocks the batch. The lease outlives the request (lease >= 2 x request timeout), so
    // nobody takes the batch over while it is on the wire.
    const attempt = batch.attempts + 1;
    const now = new Date();
    if (!(await this.repo.recordAttempt(batch, this.owner, attempt, now, this.settings.leaseMs)))
      return;
    // A busy refusal gives its attempt number back; the deferral count keeps the token new.
    const deferrals = batch.deferrals ?? 0;
    const token = `attempt:${batch._id}:${attempt}${deferrals ? `:d${deferrals}` : ''}`;
    if (!(await this.repo.takeToken(token, { owner: this.owner }))) return;
    const sending = { ...batch, attempts: attempt, firstAttemptAt: batch.firstAttemptAt ?? now };

    let result: CloudFrontInvalidation;
    this.inFlight = batch._id;
    try {
      // The reference of what is sent now: widening above gives the batch a new one.
      result = await this.cloudFront.createInvalidation(batch.paths, batch.callerReference!);
    } catch (error) {
      this.inFlight = null;
      return this.onSendError(sending, error);
    }
    this.inFlight = null;
    return this.markSent(sending, result, false);
  }

  private async onSendError(batch: BatchRecord, error: unknown): Promise<void> {
    const c = classifyError(error);
    if (c.busy) return this.deferBusy(batch, c.busy, c.message);
    const context = this.logContext(batch, { err: error, error: c.message });
    if (c.retryable && batch.attempts < this.settings.maxAttempts) {
      const delay = this.backoff(batch.attempts);
      this.logger.warn(
        { ...context, retryInMs: delay },
        'CDN invalidation attempt failed; will retry',
      );
      const now = new Date();
      await this.repo.retryBatchLater(
        batch,
        this.owner,
        {
          uncertain: c.maybeApplied,
          lastError: c.message,
          nextAttemptAt: new Date(now.getTime() + delay),
        },
        now,
      );
      await this.repo.syncItems(batch, {
        attempts: batch.attempts,
        lastError: c.message,
        updatedAt: now,
      });
      return;
    }
    const now = new Date();
    // Items first: if we die before the batch is updated, the batch is retried, never lost.
    await this.repo.syncItems(batch, {
      status: 'failed',
      attempts: batch.attempts,
      lastError: c.message,
      updatedAt: now,
    });
    await this.repo.failBatch(batch, this.owner, c.message, now);
    invalidationMetrics().failed.inc();
    this.logger.error(context, 'CDN invalidation failed');
  }

  private async markSent(
    batch: BatchRecord,
    invalidation: CloudFrontInvalidation,
    foundByLookup: boolean,
  ): Promise<void> {
    const now = new Date();
    const completed = isCompleted(invalidation.status);
    const owned = await this.repo.markBatchSent(
      batch,
      this.owner,
      {
        cloudFrontId: invalidation.id,
        cloudFrontStatus: invalidation.status,
        completed,
        nextAttemptAt: new Date(now.getTime() + this.settings.statusPollMs),
      },
      now,
    );
    if (!owned) return;
    await this.repo.syncItems(batch, {
      status: completed ? 'completed' : 'sent',
      cloudFrontId: invalidation.id,
      attempts: batch.attempts,
      sentAt: now,
      ...(completed ? { completedAt: now } : {}),
      updatedAt: now,
    });
    invalidationMetrics().sent.inc();
    this.logger.log(
      this.logContext(batch, { cloudFrontId: invalidation.id, foundByLookup }),
      foundByLookup
        ? 'CDN invalidation found already created by an earlier attempt'
        : 'CDN invalidation sent',
    );
  }

  /**
   * CloudFront refused the request whole as busy: back off (growing, jittered) and try again,
   * without using up the attempt, for as long as it takes. The metric and its alert say when the
   * deferral lasts.
   */
  private async deferBusy(batch: BatchRecord, reason: BusyReason, message: string): Promise<void> {
    const now = new Date();
    const deferrals = (batch.deferrals ?? 0) + 1;
    const attempts = batch.attempts - 1;
    const delay = deferralMs(deferrals, this.settings.backoffBaseMs, this.settings.backoffMaxMs);
    const deferredSince = batch.deferredSince ?? now;
    invalidationMetrics().deferred.inc({ reason });
    this.logger.warn(
      this.logContext(batch, {
        error: message,
        reason,
        deferrals,
        deferredForMs: now.getTime() - deferredSince.getTime(),
        retryInMs: delay,
      }),
      'CDN invalidation deferred: CloudFront is busy',
    );
    await this.repo.deferBusyBatch(
      batch,
      this.owner,
      {
        attempts,
        deferrals,
        deferredSince,
        lastError: message,
        nextAttemptAt: new Date(now.getTime() + delay),
      },
      now,
    );
    await this.repo.syncItems(batch, { attempts, lastError: message, updatedAt: now });
  }

  /** Replaces the batch's paths (and so its CallerReference) with `paths`, still owning it. */
  private async widen(batch: BatchRecord, paths: string[]): Promise<BatchRecord | null> {
    const now = new Date();
    const set = { paths, callerReference: callerReference(batch._id, paths) };
    if (!(await this.repo.repathBatch(batch, this.owner, set, now))) return null;
    invalidationMetrics().widened.inc();
    this.logger.log(
      this.logContext(batch, { widenedTo: paths }),
      'CDN invalidation widened to fit the wildcards CloudFront has free',
    );
    return { ...batch, ...set, updatedAt: now };
  }

  // --- 4. poll --------------------------------------------------------------------------------

  private async poll(batch: BatchRecord): Promise<void> {
    let status: string;
    try {
      status = (await this.cloudFront.getInvalidation(batch.cloudFrontId!)).status;
    } catch (error) {
      const c = classifyError(error);
      this.logger.warn(
        this.logContext(batch, { err: error, error: c.message }),
        'CDN invalidation status check failed',
      );
      return this.defer(batch, Math.max(this.settings.statusPollMs, this.backoff(2)), c.message);
    }
    if (!isCompleted(status))
      return this.defer(batch, this.settings.statusPollMs, undefined, status);
    const now = new Date();
    await this.repo.syncItems(batch, { status: 'completed', completedAt: now, updatedAt: now });
    await this.repo.completeBatch(batch, this.owner, status, now);
    this.logger.log(
      this.logContext(batch, { cloudFrontId: batch.cloudFrontId }),
      'CDN invalidation completed',
    );
  }

  // --- 5. sweep -------------------------------------------------------------------------------

  /**
   * Every step above is one database write, and a poll may stop between two of them (a dropped
   * connection, a timeout). Most such stops are picked up by the next owner of the batch; two are
   * not: a claim won for a batch that was then frozen without the item or dropped, whose hand-back
   * was lost (the item stays pending, but its generation's token is spent, so no batch can claim
   * it again: its change would never be invalidated), and a batch that CloudFront completed at
   * once whose items were not updated (they stay in progress, counted as backlog for ever).
   *
   * So once a lease period the oldest open items older than a whole assembly (settle delay,
   * batch window, two leases) are checked against the token of their generation: no token, or a
   * batch still assembling, is the normal path and left alone; a batch that is gone or frozen
   * without the item gets it back under a new generation; a frozen batch with it passes its state
   * on. Each repair is what the worker that stopped would have done next, and is fenced the same
   * way (generation, forward-only status), so a worker still doing it concurrently is harmless.
   */
  private async sweep(): Promise<void> {
    const now = new Date();
    const { settleMs, batchWindowMs, leaseMs } = this.settings;
    const quietBefore = new Date(now.getTime() - Math.max(settleMs, batchWindowMs) - 2 * leaseMs);
    const items = await this.repo.openItemsCreatedBefore(quietBefore, SWEEP_ITEMS);
    const claims = items.map((item) => ({ id: item._id, generation: item.generation ?? 0 }));
    // One read of the tokens and one of their batches for the whole sweep.
    const claimed = await this.repo.claimsOf(claims);
    const batchIds = [...new Set([...claimed.values()].filter((id): id is string => !!id))];
    const batches = new Map((await this.repo.findBatches(batchIds)).map((b) => [b._id, b]));
    // Items of one stuck batch come together: a batch passes its state on once.
    const synced = new Set<string>();
    for (const [i, item] of items.entries()) {
      const claim = claims[i];
      const batchId = claimed.get(claimTokenId(claim));
      if (batchId === undefined) continue;
      const batch = batchId ? (batches.get(batchId) ?? null) : null;
      if (batch?.status === 'assembling') continue;
      // A frozen batch with the item passes its state to all its items at once (syncItems).
      const syncs = batch && batch.status !== 'sending' && batch.itemIds.includes(item._id);
      if (syncs && synced.has(batch._id)) continue;
      if (syncs) synced.add(batch._id);
      const repair = await this.repairItem(item, claim, batch, now);
      if (repair)
        this.logger.warn(
          { invalidationId: item._id, requestId: item.requestId, batchId, repair },
          'CDN invalidation item repaired by the sweep',
        );
    }
  }

  private async repairItem(
    item: InvalidationRecord,
    claim: ItemClaim,
    batch: BatchRecord | null,
    now: Date,
  ): Promise<string | null> {
    if (!batch || !batch.itemIds.includes(item._id)) {
      await this.repo.requeueClaimed([claim], now);
      return 'handed back to pending';
    }
    switch (batch.status) {
      case 'sending':
        if (item.status !== 'pending') return null;
        await this.repo.markClaimed([claim], batch._id, now);
        return 'recorded in its batch';
      case 'sent':
      case 'completed':
        await this.repo.syncItems(batch, {
          status: batch.status,
          cloudFrontId: batch.cloudFrontId,
          attempts: batch.attempts,
          sentAt: batch.sentAt,
          ...(batch.completedAt ? { completedAt: batch.completedAt } : {}),
          updatedAt: now,
        });
        return `marked ${batch.status} as its batch`;
      case 'failed':
        await this.repo.syncItems(batch, {
          status: 'failed',
          attempts: batch.attempts,
          lastError: batch.lastError,
          updatedAt: now,
        });
        return 'marked failed as its batch';
      case 'assembling':
        return null; // its owner, or whoever takes it over, freezes it
    }
  }

  // --- helpers --------------------------------------------------------------------------------

  /** Puts the batch back with a later due time and without a lease; not an attempt. */
  private async defer(
    batch: BatchRecord,
    delayMs: number,
    lastError?: string,
    cloudFrontStatus?: string,
  ): Promise<void> {
    const now = new Date();
    await this.repo.deferBatch(batch, this.owner, new Date(now.getTime() + delayMs), now, {
      lastError,
      cloudFrontStatus,
    });
  }

  private backoff(attempt: number): number {
    return backoffMs(attempt, this.settings.backoffBaseMs, this.settings.backoffMaxMs);
  }

  private logContext(batch: BatchRecord, extra: Record<string, unknown>): Record<string, unknown> {
    return {
      batchId: batch._id,
      callerReference: batch.callerReference,
      requestIds: batch.requestIds,
      invalidationIds: batch.itemIds,
      paths: batch.paths.length,
      attempts: batch.attempts,
      distributionId: batch.distributionId,
      ...extra,
    };
  }
}

const ids = (items: Pick<InvalidationRecord, '_id'>[]): string[] => items.map((i) => i._id);
const requestIds = (items: Pick<InvalidationRecord, 'requestId'>[]): string[] => [
  ...new Set(items.flatMap((i) => (i.requestId ? [i.requestId] : []))),
];
const isCompleted = (status: string): boolean => status.toLowerCase() === 'completed';
