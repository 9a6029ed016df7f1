import { NotFoundError } from '@casegrid/kernel';
import type { MediationFile } from '@casegrid/mediation';

/** The mediation file as `GET /cases/{id}/mediation` answers it (API.md, Mediation). */
export function mediationView(caseId: string, file: MediationFile, version: number) {
  if (file.status === 'none') throw new NotFoundError(`case ${caseId} has no mediation file`);
  const mediating = file.status !== 'escalated';
  const confirmation =
    file.status === 'confirmation_requested' ||
    file.status === 'confirmed' ||
    file.status === 'not_confirmed'
      ? file.confirmation
      : undefined;
  const decision =
    file.status === 'confirmed' || file.status === 'not_confirmed'
      ? { confirmed: file.status === 'confirmed', decidedAt: file.decidedAt }
      : null;
  const agreement = mediating && 'agreement' in file ? file.agreement : null;
  return {
    caseId,
    status: file.status,
    departmentId: file.departmentId,
    formerDepartmentIds: file.formerDepartmentIds,
    type: mediating ? file.type : null,
    mediatorIds: mediating ? file.mediatorIds : [],
    openedAt: mediating ? file.openedAt : null,
    sessions: file.sessions,
    agreement: agreement && {
      terms: agreement.terms,
      signedAt: agreement.signedAt,
      performanceDueAt: agreement.performanceDueAt,
    },
    judicialConfirmation: agreement && {
      /** End of the 30-day application window (人民调解法 Art 33), null for a court's mediation. */
      dueAt: agreement.judicialConfirmationDueAt,
      court: confirmation?.court ?? null,
      requestedAt: confirmation?.requestedAt ?? null,
      decision,
    },
    failure: file.status === 'failed' ? file.failure : null,
    escalation: file.status === 'escalated' ? { reason: file.escalationReason } : null,
    version,
  };
}
