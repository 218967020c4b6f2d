import fc from 'fast-check';
import { auditEntry, changedPaths } from './audit-entry';

describe('changedPaths', () => {
  it('names the changed field paths, not the values', () => {
    const before = { title: 'A', agent: { name: 'Ann', bio: 'x' }, sections: [{ heading: 'h' }] };
    const after = { title: 'B', agent: { name: 'Ann', bio: 'y' }, sections: [{ heading: 'h' }] };
    expect(changedPaths(before, after, 'draft')).toEqual(['draft.agent.bio', 'draft.title']);
  });

  it('treats key order as irrelevant and arrays as one value', () => {
    expect(changedPaths({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })).toEqual([]);
    expect(changedPaths({ s: [1, 2] }, { s: [2, 1] })).toEqual(['s']);
  });

  it('reports added and removed fields', () => {
    expect(changedPaths({ a: 1 }, { b: 1 })).toEqual(['a', 'b']);
  });

  it('finds nothing between equal values and something between different ones', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(changedPaths(a, structuredClone(a))).toEqual([]);
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          // Different JSON may still be equal up to key order; never the other way round.
          const paths = changedPaths(a, b);
          if (paths.length === 0) expect(changedPaths(b, a)).toEqual([]);
        }
      }),
    );
  });
});

describe('auditEntry', () => {
  it('stamps the identity, role, request id and source address of the context', () => {
    const entry = auditEntry(
      {
        requestId: 'r-1',
        actor: 'alice',
        identity: { kind: 'token', id: 't1', name: 'alice', role: 'editor' },
        sourceIp: '203.0.113.9',
      },
      { action: 'page.updated', page: { id: 'p', slug: 's' } },
    );
    expect(entry).toMatchObject({
      action: 'page.updated',
      actor: { kind: 'token', id: 't1', name: 'alice' },
      role: 'editor',
      requestId: 'r-1',
      sourceIp: '203.0.113.9',
    });
    expect(entry.id).toMatch(/^[0-9a-f]{24}$/);
  });

  it('names a scheduler context by its id, with whom it acts for, and keeps the caller request id apart', () => {
    const entry = auditEntry(
      {
        requestId: 'mine',
        serverRequestId: 'server-1',
        actor: 'scheduler',
        actorId: 'scheduler',
        onBehalfOf: { id: 'token:abc', name: 'alice' },
      },
      { action: 'page.published', page: { id: 'p', slug: 's' } },
    );
    expect(entry).toMatchObject({
      actor: { kind: 'system', id: 'scheduler', name: 'scheduler' },
      onBehalfOf: { id: 'token:abc', name: 'alice' },
      requestId: 'server-1',
      clientRequestId: 'mine',
    });
    expect(entry).not.toHaveProperty('role');
  });
});
