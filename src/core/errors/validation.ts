import { type ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { describeBreach, shapeBreach } from '../http/request-shape';
import { DomainError } from './domain.error';
import { ErrorCode } from './error-code';
import { listProblems } from './problem-list';

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) =>
      // class-validator names the leaf property; name the full path instead.
      m.startsWith(`${e.property} `) ? `${path}${m.slice(e.property.length)}` : `${path}: ${m}`,
    );
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/**
 * A route that takes a DTO body refuses a request without one (not: an empty update). A query
 * beyond the shape limits is refused before class-transformer copies it (bodies are checked
 * by the JSON parser, see json-body-parser.ts).
 */
class BodyRequiredValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (
      metadata.type === 'body' &&
      (value === undefined || value === null) &&
      typeof metadata.metatype === 'function'
    )
      throw new DomainError(ErrorCode.ValidationFailed, 'A JSON object request body is required');
    if (metadata.type === 'query') {
      const breach = shapeBreach(value);
      if (breach)
        throw new DomainError(ErrorCode.RequestShapeLimit, describeBreach('Query string', breach));
    }
    return super.transform(value, metadata);
  }
}

/**
 * Unknown fields, operator objects where strings belong and wrong types are refused with a 400
 * naming the offending fields (the first few, and how many more), before anything reaches a
 * service.
 */
export function createValidationPipe(): ValidationPipe {
  return new BodyRequiredValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validateCustomDecorators: false,
    exceptionFactory: (errors) =>
      new DomainError(
        ErrorCode.ValidationFailed,
        listProblems(flatten(errors)) || 'invalid request',
      ),
  });
}
