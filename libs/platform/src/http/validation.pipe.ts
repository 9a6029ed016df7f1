import { ValidationPipe } from '@nestjs/common';
import { ValidationError, type FieldError } from '@casegrid/kernel';
import type { ValidationError as ClassValidatorError } from 'class-validator';

/**
 * A hostile body (a 1 MB array of bad items) must not buy a response many times its size;
 * past this many field errors the rest are summarised in one entry.
 */
export const MAX_FIELD_ERRORS = 100;

/**
 * The global pipe for DTOs: unknown properties are refused (not silently dropped, so a
 * misspelt field is an error the client sees), payloads become DTO instances, and failures
 * become our `ValidationError`, which the problem filter turns into a 400 listing each field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Values are kept on the errors only to tell arrays from objects in the paths below;
    // they are never sent back.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => new ValidationError(toFieldErrors(errors)),
  });
}

/** Flattens class-validator's tree into one entry per field, with paths like `parties[0].name`. */
export function toFieldErrors(errors: readonly ClassValidatorError[]): FieldError[] {
  const flat: FieldError[] = [];
  const visit = (error: ClassValidatorError, path: string): void => {
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) flat.push({ field: path || 'body', message: messages.join('; ') });
    const isArray = Array.isArray(error.value);
    for (const child of error.children ?? []) {
      visit(child, isArray ? `${path}[${child.property}]` : join(path, child.property));
    }
  };
  // class-validator leaves `property` unset when the body itself is not an object.
  for (const error of errors) visit(error, error.property ?? '');
  if (flat.length <= MAX_FIELD_ERRORS) return flat;
  const more = flat.length - MAX_FIELD_ERRORS;
  return [
    ...flat.slice(0, MAX_FIELD_ERRORS),
    { field: '*', message: `${more} more error(s) left out` },
  ];
}

const join = (path: string, property: string): string => (path ? `${path}.${property}` : property);
