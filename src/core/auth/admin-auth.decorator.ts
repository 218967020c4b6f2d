import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors';
import { AdminAuthGuard } from './admin-auth.guard';

export const ADMIN_BEARER = 'admin-bearer';

/** Marks a controller or route as admin-only: bearer token required, documented in OpenAPI. */
export function AdminAuth(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    UseGuards(AdminAuthGuard),
    ApiBearerAuth(ADMIN_BEARER),
    ApiErrors(401, 403, [429, 'Too many failed authentications from this client; retry later']),
  );
}
