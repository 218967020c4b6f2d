import { allowedMethods, routePattern } from './method-not-allowed';

describe('405 route matching', () => {
  const known = [
    { pattern: routePattern('/v1/pages/:slug'), methods: new Set(['GET', 'HEAD']) },
    { pattern: routePattern('/v1/pages/:slug/schedule.ics'), methods: new Set(['GET', 'HEAD']) },
    { pattern: routePattern('/admin/v1/pages/:id'), methods: new Set(['GET', 'PATCH', 'DELETE']) },
    { pattern: routePattern('/docs/*'), methods: new Set(['GET']) },
  ];

  it('matches parameters within one segment and literal dots', () => {
    expect(allowedMethods(known, '/v1/pages/jane-doe')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(known, '/v1/pages/jane-doe/schedule.ics')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(known, '/v1/pages/jane-doe/scheduleXics')).toEqual([]);
    expect(allowedMethods(known, '/v1/pages/a/b')).toEqual([]);
  });

  it('collects the methods of every matching route, sorted, and matches wildcards', () => {
    expect(allowedMethods(known, '/admin/v1/pages/665f')).toEqual(['DELETE', 'GET', 'PATCH']);
    expect(allowedMethods(known, '/docs/swagger-ui.css')).toEqual(['GET']);
    expect(allowedMethods(known, '/nothing')).toEqual([]);
  });
});
