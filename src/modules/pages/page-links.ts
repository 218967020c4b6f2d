import type { LinksObject } from '@nestjs/swagger';

/** Operations that take a page id (and, for writes, its version as If-Match). */
const READS = [
  'PagesAdmin_get',
  'PagesAdmin_revisions',
  'SchedulesAdmin_get',
  'PagesAdmin_preview',
  'PagesAdmin_diff',
  'SchedulePreviewAdmin_occurrences',
];
const WRITES = [
  'PagesAdmin_update',
  'PagesAdmin_publish',
  'PagesAdmin_unpublish',
  'PagesAdmin_archive',
  'PagesAdmin_remove',
  'SchedulesAdmin_setTimezone',
  'SchedulesAdmin_addEvent',
];

/**
 * OpenAPI links from a response carrying a page (create, get, every write) to what can follow:
 * the id for the path, the ETag (the version) for If-Match. Clients and stateful fuzzers walk the API by them.
 */
export function pageLinks(): LinksObject {
  const links: LinksObject = {};
  for (const operationId of READS) {
    links[operationId] = { operationId, parameters: { id: '$response.body#/id' } };
  }
  for (const operationId of WRITES) {
    links[operationId] = {
      operationId,
      parameters: { id: '$response.body#/id', 'header.If-Match': '$response.header.ETag' },
    };
  }
  return links;
}
