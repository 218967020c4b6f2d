import { randomBytes } from 'node:crypto';

let counter = 0;

/** A unique, valid slug for each call. */
export function newSlug(prefix = 'agent'): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}`;
}

/** The body of a valid page create request; override any field. */
export function newPage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    slug: newSlug(),
    title: 'Jane Doe',
    summary: 'Your neighbourhood agent',
    agent: { name: 'Jane Doe', title: 'Realtor' },
    sponsor: { name: 'Acme Realty', disclosure: 'Sponsored by Acme Realty' },
    sections: [{ heading: 'About', body: 'Twenty years of helping families move.' }],
    ...overrides,
  };
}
