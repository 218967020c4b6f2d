import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ADMIN_BEARER } from '../auth/require-role.decorator';
import { ErrorResponseDto } from '../errors/error-response.dto';
import { SERVICE_NAME } from '../logging/root-logger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Sponsored Agents API')
    .setDescription(
      'Public community pages of sponsored agents (served through CloudFront) and the admin API ' +
        '(reached over the VPN). Every error has the shape of ErrorResponse. Admin writes carry ' +
        'the page version in If-Match.',
    )
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'An API token (sat_...), an OIDC access token, or the bootstrap ADMIN_TOKEN',
      },
      ADMIN_BEARER,
    )
    .addTag('public pages')
    .addTag('admin pages')
    .addTag('admin tokens')
    .addTag('admin audit')
    .addTag('health')
    .build();
  return SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorResponseDto],
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}

export function setupSwagger(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: `${SERVICE_NAME} API`,
  });
}
