import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  INVALIDATION_STATUSES,
  type InvalidationRecord,
  type InvalidationStatus,
} from '../schemas/invalidation.types';

export class InvalidationResponseDto {
  @ApiProperty({ example: '665f1c2a4e8d2b4c519a433c' }) id!: string;
  @ApiProperty({ enum: INVALIDATION_STATUSES }) status!: InvalidationStatus;
  @ApiProperty({ enum: ['page', 'admin'] }) source!: 'page' | 'admin';
  @ApiProperty({
    example: 'publish',
    description:
      'publish, unpublish, archive, slug-change, schedule-change, restore, redirect-removed or manual',
  })
  reason!: string;
  @ApiPropertyOptional({ description: 'The page whose change caused it' }) pageId?: string;
  @ApiPropertyOptional({ description: 'Request id of the change that caused it' })
  requestId?: string;
  @ApiProperty({ type: [String] }) paths!: string[];
  @ApiProperty({ type: 'integer', minimum: 0, description: 'CreateInvalidation attempts so far' })
  attempts!: number;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'CloudFront invalidation id' })
  cloudFrontId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The batch it was sent in' })
  batchId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt!: string | null;
}

export class InvalidationListDto {
  @ApiProperty({ type: [InvalidationResponseDto] }) items!: InvalidationResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

const iso = (d: Date | undefined): string | null => (d ? new Date(d).toISOString() : null);

export function toInvalidationResponse(r: InvalidationRecord): InvalidationResponseDto {
  return {
    id: r._id,
    status: r.status,
    source: r.source,
    reason: r.reason,
    pageId: r.pageId,
    requestId: r.requestId,
    paths: r.paths,
    attempts: r.attempts ?? 0,
    lastError: r.lastError ?? null,
    cloudFrontId: r.cloudFrontId ?? null,
    batchId: r.batchId ?? null,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
    sentAt: iso(r.sentAt),
    completedAt: iso(r.completedAt),
  };
}
