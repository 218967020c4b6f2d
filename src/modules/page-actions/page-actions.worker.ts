import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AppConfig } from '../../core/config/app-config';
import { PollLoop } from '../../core/lifecycle/poll-loop';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { SCHEDULER_ACTOR_ID } from '../../core/auth/identity';
import type { RequestContext } from '../../core/http/request-context';
import { PagesService } from '../pages/pages.service';
import { blockedBy, decide } from './action-decision';
import { addDueStatsSource, pageActionMetrics, removeDueStatsSource } from './page-actions.metrics';
import { CANCEL_OWNER, PageActionsRepository } from './page-actions.repository';
import { PageActionsService } from './page-actions.service';
import type { PageActionRecord } from './schemas/page-action.types';

const DUE_PER_POLL = 20;
const TERMS_PER_POLL = 20;
/** Version races in a row before an action waits for the next poll. */
const WRITE_ATTEMPTS = 5;
const TOKEN_RETENTION_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Runs due page actions (scheduled publish, unpublish, archive) on time, once, on any number of
 * replicas, without leader election:
 *
 * 1. time: "due" and every lease are judged by the database's clock (`hello.localTime`, read
 *    each poll), so replicas with skewed clocks agree; a replica's own clock only measures the
 *    round trip.
 * 2. claim: an action is leased by inserting the token of its next lease generation (a unique
 *    `_id`: atomic on DocumentDB and on FerretDB, whose conditional updates are not), then
 *    recording the generation on the action and re-reading it. A cancellation competes for the
 *    same token, so an action is run or cancelled, never both. A token whose holder died before
 *    recording it is passed over once the lease time has gone by.
 * 3. order: an action waits while an earlier open action of the same page exists, so a term's
 *    publish always runs before its unpublish, even after a crash.
 * 4. run: the page is read from the primary, `decide` says run / skip (moot, with the reason) /
 *    done, and the page write goes through PagesService like any admin write (version guard,
 *    revision, CDN outbox, audit), stamping the action's id on the page in the same update.
 *    A stale version (a concurrent edit) re-reads and decides again.
 * 5. exactly once, across SIGKILL: a run cut off after its page write leaves the action running
 *    with a lease that expires; whoever takes it over finds the action's id on the page and
 *    records it done without writing. Correctness rests on the page's version guard and that
 *    stamp, not on lease timing: two replicas that both believe they hold the lease still make
 *    one write. Database errors retry with backoff up to PAGE_ACTIONS_MAX_ATTEMPTS, then the
 *    action is recorded failed (and counted): never an endless error loop.
 */
@Injectable()
export class PageActionsWorker
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy
{
  private readonly logger = new Logger(PageActionsWorker.name);
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly settings: AppConfig['pageActions'];
  private readonly shutdownWaitMs: number;
  private readonly metrics = pageActionMetrics();
  private readonly loop: PollLoop;
  /** The poll timer runs (PAGE_ACTIONS_WORKER_ENABLED); `tick` also works without it. */
  private started = false;
  private stopped = false;
  private lastPrune = 0;
  private readonly statsSource = async () => {
    const now = await this.repo.databaseNow();
    const { due, oldestAt } = await this.repo.dueStats(now);
    return {
      due,
      oldestLatenessSeconds: oldestAt
        ? Math.max(0, (now.getTime() - oldestAt.getTime()) / 1000)
        : 0,
    };
  };

  constructor(
    config: AppConfig,
    private readonly repo: PageActionsRepository,
    private readonly pages: PagesService,
    private readonly service: PageActionsService,
  ) {
    this.settings = config.pageActions;
    this.shutdownWaitMs = 3 * config.mongo.operationTimeoutMs;
    this.loop = new PollLoop(
      () => this.tick(),
      this.settings.pollMs,
      (error) => this.logger.error({ err: error }, 'page action scheduler poll failed'),
    );
  }

  onApplicationBootstrap(): void {
    addDueStatsSource(this.statsSource);
    if (!this.settings.workerEnabled) return;
    this.started = true;
    this.loop.start();
  }

  onModuleDestroy(): void {
    removeDueStatsSource(this.statsSource);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.started) return;
    await this.loop.stop(this.shutdownWaitMs);
    await this.repo
      .releaseLeases(this.owner)
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not release page action leases'),
      );
  }

  /** One poll: finish interrupted term changes, then run what is due. */
  async tick(): Promise<void> {
    for (const pageId of await this.pages.pendingTerms(TERMS_PER_POLL)) {
      if (this.stopped) return;
      await this.service
        .termChanged(pageId, this.context('term-sweep'))
        .catch((error: unknown) =>
          this.logger.warn({ err: error, pageId }, 'sponsorship term sweep failed; will retry'),
        );
    }
    const now = await this.repo.databaseNow();
    for (const action of await this.repo.due(now, DUE_PER_POLL)) {
      if (this.stopped) return;
      if (action.leaseUntil && action.leaseUntil.getTime() > now.getTime()) continue;
      await this.runOne(action, now);
    }
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await this.repo.pruneTokens(new Date(now.getTime() - TOKEN_RETENTION_MS));
    }
  }

  private async runOne(candidate: PageActionRecord, now: Date): Promise<void> {
    if (blockedBy(candidate, await this.repo.openOfPage(candidate.pageId))) return;
    const action = await this.claim(candidate, now);
    if (!action) return;
    const gen = action.leaseGen;
    // The scheduler writes, on behalf of whoever scheduled the action (the audit names both).
    const ctx = this.context(`page-action:${action._id}:${gen}`, {
      id: action.createdById ?? 'unknown',
      name: action.createdBy,
    });
    try {
      for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
        const page = await this.pages.findForAction(action.pageId);
        const decision = decide(action, page);
        if (!decision.run) {
          await this.finish(action, decision.outcome, {
            reason: decision.reason,
            pageVersion: page?.version,
          });
          break;
        }
        try {
          const updated = await this.pages.applyScheduledAction(
            page!,
            page!.version,
            { id: action._id, kind: action.kind, content: action.content },
            ctx,
          );
          await this.finish(action, 'done', { pageVersion: updated.version });
          break;
        } catch (error) {
          // A concurrent edit or delete: read again and decide again.
          if (!isRace(error)) throw error;
        }
      }
    } catch (error) {
      await this.failed(action, error);
      return;
    }
    await this.service
      .refreshNextUnpublish(action.pageId, ctx)
      .catch((error: unknown) =>
        this.logger.warn({ err: error, pageId: action.pageId }, 'next unpublish not refreshed'),
      );
  }

  /** Wins the action's next lease generation (see the protocol above), or null. */
  private async claim(action: PageActionRecord, now: Date): Promise<PageActionRecord | null> {
    let gen = action.leaseGen + 1;
    for (let i = 0; i < 3; i++) {
      const token = `lease:${action._id}:${gen}`;
      if (await this.repo.takeToken(token, this.owner, now)) {
        const until = new Date(now.getTime() + this.settings.leaseMs);
        const fresh = await this.repo.recordLease(action._id, gen, this.owner, until, now);
        return fresh?.leaseGen === gen && fresh.status === 'running' ? fresh : null;
      }
      const holder = await this.repo.findToken(token);
      if (!holder) return null;
      if (holder.owner === CANCEL_OWNER) {
        // A cancellation won this generation; finish it if its request died half-way.
        await this.repo.markCancelled(action, gen, now);
        return null;
      }
      if (holder.createdAt.getTime() + this.settings.leaseMs > now.getTime()) return null;
      gen++; // its holder died before recording it: the next generation
    }
    return null;
  }

  private async finish(
    action: PageActionRecord,
    outcome: 'done' | 'skipped',
    fields: { reason?: string; pageVersion?: number },
  ): Promise<void> {
    const now = await this.repo.databaseNow();
    const recorded = await this.repo.updateLeased(action._id, action.leaseGen, {
      status: outcome,
      ranAt: now,
      ...fields,
      leaseOwner: null,
      leaseUntil: null,
      updatedAt: now,
    });
    if (!recorded) return; // taken over meanwhile: the new holder records it (it sees the stamp)
    this.metrics.runs.inc({ outcome });
    this.logger.log(
      {
        actionId: action._id,
        pageId: action.pageId,
        kind: action.kind,
        outcome,
        reason: fields.reason,
        latenessMs: now.getTime() - action.at.getTime(),
      },
      outcome === 'done' ? `scheduled ${action.kind} ran` : `scheduled ${action.kind} skipped`,
    );
  }

  private async failed(action: PageActionRecord, error: unknown): Promise<void> {
    const attempts = action.attempts + 1;
    const lastError = error instanceof Error ? error.message : String(error);
    const lockBusy = error instanceof DomainError && error.code === ErrorCode.Conflict;
    const now = await this.repo.databaseNow().catch(() => new Date());
    const giveUp = !lockBusy && attempts >= this.settings.maxAttempts;
    const delay = lockBusy
      ? this.settings.pollMs
      : Math.min(MAX_BACKOFF_MS, this.settings.pollMs * 2 ** attempts);
    await this.repo
      .updateLeased(action._id, action.leaseGen, {
        ...(lockBusy ? {} : { attempts, lastError }),
        ...(giveUp ? { status: 'failed', ranAt: now } : {}),
        leaseOwner: null,
        leaseUntil: giveUp ? null : new Date(now.getTime() + delay),
        updatedAt: now,
      })
      .catch(() => undefined); // the lease then simply expires
    if (giveUp) this.metrics.runs.inc({ outcome: 'failed' });
    this.logger[giveUp ? 'error' : 'warn'](
      { err: error, actionId: action._id, pageId: action.pageId, attempts, retryInMs: delay },
      giveUp ? 'scheduled action failed; giving up' : 'scheduled action failed; will retry',
    );
  }

  private context(requestId: string, onBehalfOf?: RequestContext['onBehalfOf']): RequestContext {
    return {
      requestId,
      actor: SCHEDULER_ACTOR_ID,
      actorId: SCHEDULER_ACTOR_ID,
      ...(onBehalfOf ? { onBehalfOf } : {}),
    };
  }
}

function isRace(error: unknown): boolean {
  return (
    error instanceof DomainError &&
    (error.code === ErrorCode.VersionMismatch || error.code === ErrorCode.PageNotFound)
  );
}
