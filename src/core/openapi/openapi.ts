import compress from '@fastify/compress';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { onRequestHookHandler } from 'fastify';
import helmet from 'helmet';
import { ADMIN_BEARER } from '../auth/require-role.decorator';
import { ErrorResponseDto } from '../errors/error-response.dto';
import { SERVICE_NAME } from '../logging/root-logger';
import { errorResponse } from './api-errors';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = '/docs-json';
/** Swagger UI's routes: the page, its assets and the document (`/docs`, `/docs/*`, `/docs-json`). */
const isDocsRoute = (url: string): boolean => url.startsWith(`/${DOCS_PATH}`);

/** Tags in the order Swagger UI shows them: the public API first, then admin, then probes. */
const TAGS: [string, string][] = [
  ['public pages', 'Live pages as the public reads them through CloudFront: no auth, cacheable'],
  ['public schedules', "A live page's occurrences in a window and its iCalendar feed"],
  ['admin pages', 'Drafts, publish/unpublish/archive, revisions and restore (If-Match writes)'],
  ['admin schedules', "Editing a page's schedule: events, time zone, cancelled occurrences"],
  [
    'admin scheduled actions',
    'Sponsorship terms: publish, unpublish or archive a page at a future time',
  ],
  ['admin cache', 'Manual CDN invalidations and the status of every invalidation'],
  ['admin logs', 'Search and histogram over the service logs in OpenSearch'],
  ['admin tokens', 'Staff API tokens: issue (shown once), list, revoke'],
  ['admin audit', 'Who changed what: the audit trail of every admin write and refusal'],
  ['health', 'Kubernetes probes'],
];

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Sponsored Agents API')
    .setDescription(
      'Public community pages of sponsored agents (served through CloudFront) and the admin API ' +
        '(reached over the VPN). Every error is JSON in the shape of ErrorResponseDto, whatever ' +
        'the content type of the success response. Admin writes carry the page version in ' +
        'If-Match. A known path asked with another method answers 405 with Allow. Unknown body ' +
        'fields and unknown query parameters are refused with 400.',
    )
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description:
          'An opaque admin API token (`sat_...`, or the bootstrap ADMIN_TOKEN) or an OIDC access ' +
          'token from the configured issuer: `Authorization: Bearer <token>`',
      },
      ADMIN_BEARER,
    )
    // Any operation can meet a database outage, load shedding or a shutdown in progress.
    .addGlobalResponse(errorResponse(503));
  for (const [name, description] of TAGS) config.addTag(name, description);
  return SwaggerModule.createDocument(app, config.build(), {
    extraModels: [ErrorResponseDto],
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}

/**
 * Swagger UI's assets (a 1.5 MB bundle) and the document go out compressed when the client asks.
 * Only those routes: API responses stay uncompressed here (CloudFront compresses at the edge, and
 * public requests keep their CPU budget). Must run before any route is added.
 */
export async function registerDocsCompression(app: NestFastifyApplication): Promise<void> {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      if (!isDocsRoute(route.url)) route.compress = false;
    });
  await app.register(compress, { encodings: ['br', 'gzip'] });
}

/**
 * Security headers for Swagger UI, which keeps bearer tokens in localStorage
 * (persistAuthorization): framing refused (X-Frame-Options DENY, frame-ancestors 'none'), and
 * a CSP that lets the page load only its own scripts. What Swagger UI needs: its bundle and
 * swagger-ui-init.js from 'self' (no inline script), inline <style> blocks and style attributes
 * (so 'unsafe-inline' for styles only), data: images and fonts, and fetches of the document and
 * "Try it out" calls to 'self'. No HSTS here: the same host serves the API, and TLS is the
 * ingress's to declare; no upgrade-insecure-requests, which would break the UI on plain http.
 */
const docsSecurityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  xFrameOptions: { action: 'deny' },
  strictTransportSecurity: false,
});

const applyDocsSecurityHeaders: onRequestHookHandler = (request, reply, done) =>
  docsSecurityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error));

export function setupSwagger(app: NestFastifyApplication): void {
  // On the docs routes alone (before SwaggerModule adds them): API responses, cached public
  // ones among them, keep their headers and pay for no extra hook.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      if (isDocsRoute(route.url))
        route.onRequest = [...[route.onRequest ?? []].flat(), applyDocsSecurityHeaders];
    });
  // Built on the first request for the document or the UI, not at start: generating it walks
  // every controller's metadata (~160 ms of start-up) and holds the result, which most pods never
  // serve. CI builds the same document (`openapi:check`), so a broken decorator still fails there.
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: DOCS_JSON_PATH,
    customSiteTitle: `${SERVICE_NAME} API`,
    // The UI fetches the document from /docs-json instead of carrying a second copy inlined in
    // swagger-ui-init.js: the init script gets no document, the JSON route the whole one.
    swaggerUrl: DOCS_JSON_PATH,
    patchDocumentOnRequest: <TRequest>(req: TRequest, _res: unknown, doc: OpenAPIObject) =>
      ((req as { url?: string }).url?.includes('swagger-ui-init.js')
        ? undefined
        : doc) as OpenAPIObject,
    swaggerOptions: {
      persistAuthorization: true,
      filter: true,
      displayRequestDuration: true,
    },
  });
}
