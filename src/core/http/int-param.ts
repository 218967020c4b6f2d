import { applyDecorators, Param, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

/**
 * A positive integer path parameter: parsed and bounded (1..2^53-1) by the same constants the
 * OpenAPI document states, so out-of-range values are a 400 before anything else runs.
 */
export function PositiveIntParam(name: string): ParameterDecorator {
  const pipe: PipeTransform<string, number> = {
    transform(value: string): number {
      const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n) || n < 1)
        throw new DomainError(ErrorCode.ValidationFailed, `${name} must be a positive integer`);
      return n;
    },
  };
  return Param(name, pipe);
}

export function ApiPositiveIntParam(name: string): MethodDecorator {
  return applyDecorators(
    ApiParam({
      name,
      schema: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    }),
  );
}

/**
 * A string path parameter that must match `pattern`: a 400 naming the rule before anything else
 * runs (the version check included). Pair it with an ApiParam stating the same pattern.
 */
export function PatternParam(name: string, pattern: RegExp): ParameterDecorator {
  const pipe: PipeTransform<string, string> = {
    transform(value: string): string {
      if (!pattern.test(value))
        throw new DomainError(ErrorCode.ValidationFailed, `${name} must match ${pattern.source}`);
      return value;
    },
  };
  return Param(name, pipe);
}
