import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';
import {
  describeBreach,
  jsonDepthBreach,
  REQUEST_SHAPE_LIMITS,
  shapeBreach,
  type ShapeBreach,
  type ShapeLimits,
} from './request-shape';

const refusal = (breach: ShapeBreach): DomainError =>
  new DomainError(ErrorCode.RequestShapeLimit, describeBreach('Request body', breach));

/**
 * The one parser of JSON request bodies (form bodies get 415; Fastify's own text/plain parser
 * stays, and a string body then fails validation with 400): Fastify's
 * own JSON parser (secure-json-parse: prototype poisoning refused; its errors for an empty or
 * malformed body) between two shape checks. The nesting depth is checked on the text, so a
 * body of brackets is refused before it is parsed; keys, items and values right after, in one
 * pass, before class-transformer or class-validator see the value.
 */
export function boundedJsonParser(
  fastify: FastifyInstance,
  limits: ShapeLimits = REQUEST_SHAPE_LIMITS,
): FastifyBodyParser<Buffer> {
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parse = fastify.getDefaultJsonParser(
    onProtoPoisoning ?? 'error',
    onConstructorPoisoning ?? 'error',
  );
  return (request, body, done) => {
    const text = body.toString('utf8');
    const tooDeep = jsonDepthBreach(text, limits.depth);
    if (tooDeep) {
      done(refusal(tooDeep), undefined);
      return;
    }
    void parse(request, text, (error, value) => {
      const breach = error ? null : shapeBreach(value, limits);
      if (error || breach) done(error ?? refusal(breach as ShapeBreach), undefined);
      else done(null, value);
    });
  };
}
