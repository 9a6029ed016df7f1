import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches } from 'class-validator';

/** A time with its offset, as API.md requires (RFC 3339): never a bare date or a local time. */
export const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
export const RFC_3339_MESSAGE =
  'must be an RFC 3339 time with an offset, e.g. 2026-03-02T09:00:00+08:00';

/** The one validation of a DTO's time field: a real calendar instant, written with its offset. */
export const IsRfc3339Time = (): PropertyDecorator =>
  applyDecorators(
    IsISO8601({ strict: true }, { message: RFC_3339_MESSAGE }),
    Matches(RFC_3339, { message: RFC_3339_MESSAGE }),
  );
