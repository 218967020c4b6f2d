/**
 * The read preference of every read that decides a write (locks, leases, claims, batches, the
 * version check) and of every admin read. The connection's configured preference (production:
 * `secondaryPreferred`) applies only to public reads, which may be a little stale; a read that
 * decides a write must see the writes before it, and only the primary guarantees that. Set on
 * each such query in the repositories, never left to the connection default.
 */
export const PRIMARY = 'primary' as const;
