import {
  IllegalStateError,
  ValidationError,
  type CommandMetadata,
  type EventMetadata,
  type FieldError,
} from '@casegrid/kernel';
import type { MediationFile } from './mediation.state';

export const metadataOf = (m: CommandMetadata): EventMetadata => {
  const { now, ...context } = m;
  return { ...context, occurredAt: now.toISOString() };
};

export type OpenFile = Extract<MediationFile, { status: 'open' }>;
export type FiledFile = Exclude<MediationFile, { status: 'none' }>;

/** Where the file stands, for the 409s: what state, held by which body. */
export const describe = (state: FiledFile): string => {
  switch (state.status) {
    case 'escalated':
      return `the mediation was escalated to ${state.departmentId}, which has not opened it yet`;
    case 'open':
      return `the mediation is open at ${state.departmentId} since ${state.openedAt}`;
    case 'failed':
      return `the mediation already failed (referral: ${state.failure.referral}); there is no second outcome`;
    default:
      return `the mediation already ended in an agreement signed ${state.agreement.signedAt} (${state.status}); there is no second outcome`;
  }
};

export function filed(state: MediationFile, caseId = 'this case'): FiledFile {
  if (state.status === 'none') {
    throw new IllegalStateError(
      `no mediation is open for ${caseId}: open one first`,
      'mediation.not_open',
    );
  }
  return state;
}

/** The file while it is being mediated, by the body holding it; else a 409 saying why not. */
export function mediating(state: MediationFile, departmentId: string, what: string): OpenFile {
  const current = filed(state);
  if (current.status !== 'open')
    throw new IllegalStateError(`${describe(current)}: cannot ${what}`, 'mediation.not_mediating');
  asHolder(current, departmentId, what);
  return current;
}

export function asHolder(state: FiledFile, departmentId: string, what: string): void {
  if (state.departmentId !== departmentId) {
    throw new IllegalStateError(
      `only the mediation body holding the file (${state.departmentId}) may ${what}`,
      'mediation.not_holder',
    );
  }
}

/** Field errors for times: not in the future, not before `earliest` (all listed at once). */
export function checkTimes(
  now: Date,
  checks: readonly {
    readonly field: string;
    readonly at: string;
    readonly notBefore?: { readonly at: string; readonly what: string };
  }[],
): void {
  const errors: FieldError[] = [];
  for (const { field, at, notBefore } of checks) {
    if (Date.parse(at) > now.getTime())
      errors.push({ field, message: 'must not be in the future' });
    else if (notBefore && Date.parse(at) < Date.parse(notBefore.at)) {
      errors.push({ field, message: `must not be before ${notBefore.what} (${notBefore.at})` });
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
}
