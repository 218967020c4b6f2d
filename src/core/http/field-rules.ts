import { applyDecorators } from '@nestjs/common';
import {
  ApiParam,
  ApiProperty,
  ApiSchema,
  type ApiPropertyOptions,
  type ApiSchemaOptions,
} from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { TIME_ZONES } from '../time/time-zones';
import { HTTP_URL_PATTERN, HTTP_URL_RULE } from './url-rules';

/**
 * Field decorators that apply a validation rule and state the same rule in the OpenAPI document,
 * from one constant, so the document can never be looser (or stricter) than the server.
 */
export interface FieldOptions {
  /** Default true. false: absent is accepted (and null only with `nullable`). */
  required?: boolean;
  nullable?: boolean;
  example?: unknown;
  description?: string;
}

function field(
  schema: ApiPropertyOptions,
  rules: PropertyDecorator[],
  o: FieldOptions,
): PropertyDecorator {
  const required = o.required ?? true;
  return applyDecorators(
    ApiProperty({
      ...schema,
      required,
      ...(o.nullable ? { nullable: true } : {}),
      ...(o.example !== undefined ? { example: o.example } : {}),
      ...(o.description ? { description: o.description } : {}),
    } as ApiPropertyOptions),
    ...(required ? [] : [o.nullable ? IsOptional() : Optional()]),
    ...rules,
  );
}

/**
 * May be absent, but not null: class-validator's @IsOptional() also lets null through, which the
 * document (a non-nullable property) refuses.
 */
export const Optional = (): PropertyDecorator =>
  ValidateIf((_object, value) => value !== undefined);

/** A string matching `pattern` (anchored), at most `maxLength` characters. */
export function PatternField(
  pattern: RegExp,
  message: string,
  o: FieldOptions & { maxLength?: number; format?: string } = {},
): PropertyDecorator {
  return field(
    {
      type: 'string',
      pattern: pattern.source,
      ...(o.format ? { format: o.format } : {}),
      ...(o.maxLength ? { maxLength: o.maxLength } : {}),
    },
    [IsString(), Matches(pattern, { message }), ...(o.maxLength ? [MaxLength(o.maxLength)] : [])],
    o,
  );
}

export const MAX_URL_LENGTH = 2048;

/** An absolute http(s) link that we store and serve (no `javascript:`, no relative URLs). */
export function HttpUrlField(o: FieldOptions = {}): PropertyDecorator {
  return PatternField(HTTP_URL_PATTERN, HTTP_URL_RULE, {
    maxLength: MAX_URL_LENGTH,
    format: 'uri',
    ...o,
  });
}

// Years 1970-2199 (what schedules accept); a real calendar date, leap years included (2100 is not).
const YEAR = '(?:19[7-9]\\d|2[01]\\d\\d)';
const DAY_OF_YEAR =
  '(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)';
const LEAP_DAY =
  '(?:19(?:7[26]|8[048]|9[26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29';
const DATE = `(?:${YEAR}-${DAY_OF_YEAR}|${LEAP_DAY})`;
const TIME = '(?:[01]\\d|2[0-3]):[0-5]\\d';

/** `YYYY-MM-DD`, a real date in 1970-2199. */
export const LOCAL_DATE_PATTERN = new RegExp(`^${DATE}$`);
/** `YYYY-MM-DDTHH:mm`, a real wall-clock time in 1970-2199. */
export const LOCAL_DATE_TIME_PATTERN = new RegExp(`^${DATE}T${TIME}$`);
/** Either of the two: an all-day event's date or a timed event's wall-clock time. */
export const LOCAL_DATE_OR_TIME_PATTERN = new RegExp(`^${DATE}(?:T${TIME})?$`);
/**
 * A schedule window bound: a date, or a date-time with optional seconds/milliseconds and an
 * optional `Z` or offset (without one it is local to the schedule).
 */
export const WINDOW_BOUND_PATTERN = new RegExp(
  `^${DATE}(?:T${TIME}(?::[0-5]\\d(?:\\.\\d{1,3})?)?(?:Z|[+-](?:0\\d|1[0-4]):[0-5]\\d)?)?$`,
);

export function TimeZoneField(o: FieldOptions = {}): PropertyDecorator {
  return field(
    { type: 'string', enum: TIME_ZONES as string[], enumName: 'TimeZone' },
    [IsString(), IsIn(TIME_ZONES, { message: 'timezone must be an IANA time zone name' })],
    o,
  );
}

/**
 * `additionalProperties: false` on a body DTO's schema: what the global ValidationPipe
 * (`forbidNonWhitelisted`) enforces for every body, stated where the DTO is.
 */
export function ClosedObject(): ClassDecorator {
  // ApiSchema merges its options into the generated schema; its type names only name/description.
  return ApiSchema({ additionalProperties: false } as ApiSchemaOptions);
}

/** A path parameter holding a database id (24 hex digits); anything else is a 404. */
export function ObjectIdParam(name: string): MethodDecorator & ClassDecorator {
  return ApiParam({
    name,
    description: 'Id (24 hex digits)',
    schema: {
      type: 'string',
      pattern: OBJECT_ID_PATTERN.source,
      example: '665f1c2a4e8d2b4c519a433c',
    },
  });
}

/** `?cursor=`: the `nextCursor` of the previous page, as it was given. */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,512}$/;
export function CursorField(): PropertyDecorator {
  return PatternField(CURSOR_PATTERN, 'cursor must be a nextCursor value as returned', {
    required: false,
    maxLength: 512,
    description:
      "Opaque: the previous page's `nextCursor`, unchanged. Any other value is refused with 400 " +
      '(it must name a position that this list issued).',
  });
}

// RFC 3339 date-time (JSON Schema `date-time`): a real date, seconds, optional fraction, Z or offset.
const ANY_DATE =
  '(?:\\d{4}-' +
  DAY_OF_YEAR +
  '|(?:\\d\\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)';
export const DATE_TIME_PATTERN = new RegExp(
  `^${ANY_DATE}T${TIME}:[0-5]\\d(?:\\.\\d{1,9})?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$`,
);

/** An instant as RFC 3339 (`2025-06-01T10:00:00Z`, `2025-06-01T12:00:00.5+02:00`). */
export function DateTimeField(o: FieldOptions = {}): PropertyDecorator {
  return PatternField(DATE_TIME_PATTERN, 'must be an RFC 3339 date-time with Z or an offset', {
    format: 'date-time',
    ...o,
  });
}

/**
 * A scheduled instant (sponsorship terms, page actions): a wall-clock date-time with optional
 * seconds/milliseconds, and a `Z` or offset; without one, the request's `timezone` says where it
 * is local (checked by the service, with the future/2-year horizon: cross-field rules).
 */
export const SCHEDULE_INSTANT_PATTERN = new RegExp(
  `^${DATE}T${TIME}(?::[0-5]\\d(?:\\.\\d{1,3})?)?(?:Z|[+-](?:0\\d|1[0-4]):[0-5]\\d)?$`,
);
export const SCHEDULE_INSTANT_RULE =
  'In the future and at most 2 years ahead; without an offset only together with `timezone`, ' +
  'and then it must exist there exactly once (not in a DST gap or overlap).';

export function ScheduleInstantField(o: FieldOptions = {}): PropertyDecorator {
  return PatternField(
    SCHEDULE_INSTANT_PATTERN,
    'must be an ISO-8601 date-time (YYYY-MM-DDTHH:mm[:ss[.SSS]]) with Z or an offset, or without one together with timezone',
    { maxLength: 40, ...o },
  );
}

/**
 * An instant with its `Z` or offset (seconds and milliseconds optional), in 1970-2199: what
 * `parseInstant` accepts without a zone, as a pattern.
 */
export const INSTANT_PATTERN = new RegExp(
  `^${DATE}T${TIME}(?::[0-5]\\d(?:\\.\\d{1,3})?)?(?:Z|[+-](?:0\\d|1[0-4]):[0-5]\\d)$`,
);

export function InstantField(o: FieldOptions = {}): PropertyDecorator {
  return PatternField(
    INSTANT_PATTERN,
    'must be an ISO-8601 date-time with Z or an offset (YYYY-MM-DDTHH:mm[:ss[.SSS]]Z)',
    { maxLength: 40, ...o },
  );
}

/** A database id (24 hex digits) in a query or body. */
export const OBJECT_ID_PATTERN = /^[0-9a-fA-F]{24}$/;
