import type { PageActionDto } from './dto/page-action.dto';
import type { PageActionRecord } from './schemas/page-action.types';

const iso = (d: Date | undefined): string | null => (d ? new Date(d).toISOString() : null);

export function toActionResponse(a: PageActionRecord): PageActionDto {
  return {
    id: a._id,
    pageId: a.pageId,
    kind: a.kind,
    at: new Date(a.at).toISOString(),
    status: a.status,
    source: a.source,
    approvedVersion: a.approvedVersion ?? null,
    createdAt: new Date(a.createdAt).toISOString(),
    createdBy: a.createdBy,
    createdById: a.createdById ?? null,
    ranAt: iso(a.ranAt),
    reason: a.reason ?? null,
    lastError: a.lastError ?? null,
    attempts: a.attempts,
    pageVersion: a.pageVersion ?? null,
  };
}
