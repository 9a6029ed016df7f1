import { ValidationError } from '@casegrid/kernel';
import type { DecideAcceptance, ExtendHandling, IssueOpinion } from './petition.commands';
import type {
  PetitionAcceptanceDecided,
  PetitionExtended,
  PetitionOpinionIssued,
} from './petition.events';
import { actAt, dayOf, lastDayOf, metadataOf, refuse } from './petition.guards';
import {
  EXTENSION_ARTICLE,
  MAX_EXTENSION_DAYS,
  PERIODS,
  periodEnd,
  type StatutoryCalendar,
} from './petition.periods';
import type { Petition } from './petition.state';

/** 受理、不予受理 or 转入法定途径: once (Art 22, 23; Art 44(3) requires saying which). */
export function decideAcceptance(
  command: DecideAcceptance,
  state: Petition,
  calendar: StatutoryCalendar,
): PetitionAcceptanceDecided[] {
  if (state.status !== 'unopened') {
    throw refuse(
      state,
      'petition.acceptance_already_decided',
      `its acceptance was decided on ${dayOf(state.acceptance.decidedAt)}; ${PERIODS.petition_acceptance.article} call for one decision — the same matter again is a repeat, a new matter a new case`,
    );
  }
  const { caseId, departmentId, receivedAt, decision, reason, channel } = command.data;
  if (decision === 'diverted' && channel === null) {
    throw new ValidationError([
      { field: 'channel', message: 'a diverted matter names its legal channel (诉访分离)' },
    ]);
  }
  if (decision !== 'diverted' && channel !== null) {
    throw new ValidationError([{ field: 'channel', message: 'only a diverted matter has one' }]);
  }
  const decidedAt = actAt('decidedAt', command.data.decidedAt, command.metadata.now, {
    at: receivedAt,
    what: 'the petition was received',
  });
  const opinionDueAt =
    decision === 'accepted'
      ? periodEnd(calendar, decidedAt, PERIODS.petition_opinion.days).dueAt.toISOString()
      : null;
  return [
    {
      type: 'PetitionAcceptanceDecided',
      data: {
        caseId,
        departmentId,
        decision,
        reason,
        channel,
        decidedAt,
        receivedAt,
        opinionDueAt,
      },
      metadata: metadataOf(command.metadata, decidedAt),
    },
  ];
}

/**
 * Art 34: 情况复杂的，经本机关、单位负责人批准，可以适当延长办理期限，但延长期限不得超过30日.
 * One extension, of at most 30 days, approved, and while the 60 days still run.
 */
export function extendHandling(
  command: ExtendHandling,
  state: Petition,
  calendar: StatutoryCalendar,
): PetitionExtended[] {
  if (state.status !== 'accepted') {
    throw refuse(
      state,
      'petition.not_accepted',
      `${EXTENSION_ARTICLE} extends the handling of an accepted petition only`,
    );
  }
  if (state.extension !== null) {
    throw refuse(
      state,
      'petition.already_extended',
      `it was extended by ${state.extension.days} days on ${dayOf(state.extension.approvedAt)}; ${EXTENSION_ARTICLE} allows one extension`,
    );
  }
  const { caseId, departmentId, days, reason, approvedBy } = command.data;
  const errors = [];
  if (!Number.isInteger(days) || days < 1 || days > MAX_EXTENSION_DAYS) {
    errors.push({
      field: 'days',
      message: `must be a whole number of days from 1 to ${MAX_EXTENSION_DAYS} (${EXTENSION_ARTICLE})`,
    });
  }
  if (approvedBy.trim() === '') {
    errors.push({ field: 'approvedBy', message: 'the head of the organ who approved it' });
  }
  if (errors.length > 0) throw new ValidationError(errors);
  const approvedAt = actAt('approvedAt', command.data.approvedAt, command.metadata.now, {
    at: state.acceptance.decidedAt,
    what: 'the petition was accepted',
  });
  if (new Date(approvedAt).getTime() >= new Date(state.opinionDueAt).getTime()) {
    throw refuse(
      state,
      'petition.handling_period_lapsed',
      `its 60-day handling period ended with ${lastDayOf(state.opinionDueAt)}; ${EXTENSION_ARTICLE} extends a running period, it cannot revive a lapsed one`,
    );
  }
  const total = PERIODS.petition_opinion.days + days;
  const opinionDueAt = periodEnd(calendar, state.acceptance.decidedAt, total).dueAt.toISOString();
  return [
    {
      type: 'PetitionExtended',
      data: { caseId, departmentId, days, reason, approvedBy, approvedAt, opinionDueAt },
      metadata: metadataOf(command.metadata, approvedAt),
    },
  ];
}

/**
 * The 信访处理意见书 (Art 32). A late opinion is still issued — the duty outlives the
 * limit; the view marks it late and supervision has recorded the breach (Art 44).
 */
export function issueOpinion(command: IssueOpinion, state: Petition): PetitionOpinionIssued[] {
  if (state.status !== 'accepted') {
    throw refuse(
      state,
      state.status === 'unopened' || state.status === 'not_accepted' || state.status === 'diverted'
        ? 'petition.not_accepted'
        : 'petition.opinion_already_issued',
      state.status === 'unopened' || state.status === 'not_accepted' || state.status === 'diverted'
        ? `only an accepted petition is answered with an opinion (${PERIODS.petition_opinion.article})`
        : `its opinion was issued on ${dayOf(state.opinion.at)}; a different answer comes only from review (信访工作条例 第三十五条)`,
    );
  }
  const { caseId, departmentId, result, text } = command.data;
  const issuedAt = actAt('issuedAt', command.data.issuedAt, command.metadata.now, {
    at: state.acceptance.decidedAt,
    what: 'the petition was accepted',
  });
  return [
    {
      type: 'PetitionOpinionIssued',
      data: { caseId, departmentId, result, text, issuedAt },
      metadata: metadataOf(command.metadata, issuedAt),
    },
  ];
}
