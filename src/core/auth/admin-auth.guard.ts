import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Admin routes take `Authorization: Bearer <ADMIN_TOKEN>`; compared in constant time. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: AppConfig) {
    this.expected = digest(config.auth.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new DomainError(
        ErrorCode.Unauthorized,
        'Missing bearer token in the Authorization header',
      );
    }
    if (!timingSafeEqual(digest(match[1]), this.expected)) {
      throw new DomainError(ErrorCode.Unauthorized, 'Invalid bearer token');
    }
    (request as FastifyRequest & { actor?: string }).actor = 'admin-token';
    return true;
  }
}
