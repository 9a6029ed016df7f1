import type { FormInstance } from 'antd';
import { ApiError } from '../api/client';

/** `parties[0].idNumber` → `['parties', 0, 'idNumber']`, the form's name path. */
export const namePath = (field: string): (string | number)[] =>
  field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));

/**
 * Puts a problem+json's field errors on the fields they name and returns what is left for
 * the form's banner: the detail of a 409 (why the step is not allowed), 403, 412…
 */
export function showProblem(form: FormInstance, error: unknown, known: string[]): string | null {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const { problem } = error;
  const unplaced: string[] = [];
  const fields = (problem.errors ?? []).flatMap(({ field, message }) => {
    const path = namePath(field);
    if (!known.includes(String(path[0]))) {
      unplaced.push(`${field}: ${message}`);
      return [];
    }
    return [{ name: path, errors: [message] }];
  });
  form.setFields(fields);
  if (fields.length > 0 && unplaced.length === 0) return null;
  return [problem.detail ?? problem.title, ...unplaced].join(' — ');
}
