import { allowedCaseActions, type CaseAction, type Principal } from '@casegrid/identity';
import type { CaseView, MediationFile, PetitionFile } from '../api/types';
import type { ActionSpec } from '../components/action-form';
import { scopeOf } from '../session';

const OUTCOME = ['resolved', 'referred', 'terminated'];
const HANDLING = ['accepted', 'in_progress'];

interface Files {
  mediation: MediationFile | null;
  petition: PetitionFile | null;
}

type Offer = {
  action: CaseAction;
  when: (c: CaseView, f: Files) => boolean;
  spec: (c: CaseView, p: Principal) => ActionSpec;
};

const at = (id: string, step: string) => `/cases/${id}${step}`;

/**
 * Petition steps that share a form: each offered while the file stands at its status,
 * posting to `/petition/<step>`.
 */
const petitionSteps = (
  steps: readonly (readonly [CaseAction, string, string, ActionSpec['label']])[],
  fields: ActionSpec['fields'],
): Offer[] =>
  steps.map(([action, status, step, label]) => ({
    action,
    when: (_c, f) => f.petition?.status === status,
    spec: (c) => ({ key: `petition-${step}`, label, path: at(c.id, `/petition/${step}`), fields }),
  }));

/**
 * Every command of API.md with the state it needs. The role part is the access policy
 * itself (`allowedCaseActions`, the same function the services call); the state part
 * mirrors the rules so that a button is not offered for a step sure to be refused —
 * the server stays the judge and its 409 is shown if the two ever disagree.
 */
const OFFERS: Offer[] = [
  {
    action: 'case.dispatch',
    when: (c) => c.status === 'registered',
    spec: (c) => ({
      key: 'dispatch',
      label: 'dispatch',
      path: at(c.id, '/dispatch'),
      fields: [
        { name: 'leadDepartmentId', label: 'leadDepartment', kind: 'department', required: true },
        { name: 'coDepartmentIds', label: 'coHandlers', kind: 'departments' },
        { name: 'note', label: 'note', kind: 'text' },
      ],
    }),
  },
  {
    action: 'case.accept',
    when: (c) => c.status === 'dispatched',
    spec: (c) => ({
      key: 'accept',
      label: 'accept',
      path: at(c.id, '/accept'),
      fields: [
        {
          name: 'track',
          label: 'track',
          kind: 'select',
          options: ['mediation', 'petition', 'direct'],
          required: true,
          initial: c.kind === 'petition' ? 'petition' : 'mediation',
        },
      ],
    }),
  },
  {
    action: 'case.return',
    when: (c) => c.status === 'dispatched',
    spec: (c) => ({
      key: 'return',
      label: 'returnCase',
      path: at(c.id, '/return'),
      danger: true,
      fields: [{ name: 'reason', label: 'reason', kind: 'textarea', required: true }],
    }),
  },
  {
    action: 'case.transfer',
    when: (c) => ['dispatched', ...HANDLING].includes(c.status),
    spec: (c) => ({
      key: 'transfer',
      label: 'transfer',
      path: at(c.id, '/transfer'),
      fields: [
        { name: 'toDepartmentId', label: 'toDepartment', kind: 'department', required: true },
        { name: 'reason', label: 'reason', kind: 'textarea', required: true },
      ],
    }),
  },
  {
    action: 'case.escalate',
    when: (c) => HANDLING.includes(c.status),
    spec: (c) => ({
      key: 'escalate',
      label: 'escalate',
      path: at(c.id, '/escalate'),
      fields: [{ name: 'reason', label: 'reason', kind: 'textarea', required: true }],
    }),
  },
  {
    action: 'case.resolve',
    when: (c) => c.track === 'direct' && HANDLING.includes(c.status),
    spec: (c) => ({
      key: 'resolve',
      label: 'resolve',
      path: at(c.id, '/resolve'),
      fields: [
        {
          name: 'outcome',
          label: 'outcome',
          kind: 'select',
          options: ['resolved', 'referred'],
          required: true,
        },
        { name: 'summary', label: 'summary', kind: 'textarea', required: true },
        {
          name: 'referral',
          label: 'referral',
          kind: 'select',
          options: ['litigation', 'arbitration', 'administrative'],
        },
      ],
    }),
  },
  {
    action: 'mediation.open',
    when: (c, f) =>
      c.track === 'mediation' &&
      HANDLING.includes(c.status) &&
      (!f.mediation || f.mediation.status === 'escalated'),
    // The mediator who opens the file mediates it unless they name others.
    spec: (c, p) => ({
      key: 'mediation-open',
      label: 'openMediation',
      path: at(c.id, '/mediation'),
      fields: [
        {
          name: 'type',
          label: 'type',
          kind: 'select',
          options: ['people', 'administrative', 'judicial'],
          required: true,
          initial: 'people',
        },
        {
          name: 'mediatorIds',
          label: 'mediators',
          kind: 'users',
          role: 'mediator',
          departmentId: c.leadDepartmentId ?? undefined,
          required: true,
          initial: p.roles.includes('mediator') ? [p.userId] : undefined,
        },
      ],
    }),
  },
  {
    action: 'mediation.record_session',
    when: (_c, f) => f.mediation?.status === 'open',
    spec: (c) => ({
      key: 'mediation-session',
      label: 'recordSession',
      path: at(c.id, '/mediation/sessions'),
      fields: [
        { name: 'heldAt', label: 'heldAt', kind: 'datetime', required: true, initial: 'now' },
        { name: 'location', label: 'location', kind: 'text', required: true },
        { name: 'attendees', label: 'attendees', kind: 'tags', required: true },
        { name: 'notes', label: 'notes', kind: 'textarea', required: true },
      ],
    }),
  },
  {
    action: 'mediation.record_agreement',
    when: (_c, f) => f.mediation?.status === 'open' && f.mediation.sessions.length > 0,
    spec: (c) => ({
      key: 'mediation-agreement',
      label: 'recordAgreement',
      path: at(c.id, '/mediation/agreement'),
      fields: [
        { name: 'terms', label: 'terms', kind: 'textarea', required: true },
        { name: 'signedAt', label: 'signedAt', kind: 'datetime', required: true, initial: 'now' },
        { name: 'performanceDueAt', label: 'performanceDueAt', kind: 'datetime' },
      ],
    }),
  },
  {
    action: 'mediation.record_failure',
    when: (_c, f) => f.mediation?.status === 'open',
    spec: (c) => ({
      key: 'mediation-failure',
      label: 'recordFailure',
      path: at(c.id, '/mediation/failure'),
      danger: true,
      fields: [
        { name: 'reason', label: 'reason', kind: 'textarea', required: true },
        {
          name: 'referral',
          label: 'referral',
          kind: 'select',
          options: ['litigation', 'arbitration', 'administrative', 'none'],
          required: true,
        },
      ],
    }),
  },
  {
    action: 'mediation.request_judicial_confirmation',
    when: (_c, f) =>
      f.mediation?.status === 'agreed' && !f.mediation.judicialConfirmation?.requestedAt,
    spec: (c) => ({
      key: 'judicial-confirmation',
      label: 'requestConfirmation',
      path: at(c.id, '/mediation/judicial-confirmation'),
      fields: [
        { name: 'court', label: 'court', kind: 'text', required: true },
        {
          name: 'requestedAt',
          label: 'requestedAt',
          kind: 'datetime',
          required: true,
          initial: 'now',
        },
      ],
    }),
  },
  {
    action: 'mediation.record_judicial_decision',
    when: (_c, f) =>
      Boolean(f.mediation?.judicialConfirmation?.requestedAt) &&
      !f.mediation?.judicialConfirmation?.decision,
    spec: (c) => ({
      key: 'judicial-decision',
      label: 'confirmationDecision',
      path: at(c.id, '/mediation/judicial-confirmation/decision'),
      fields: [
        { name: 'confirmed', label: 'confirmed', kind: 'boolean', initial: true },
        { name: 'decidedAt', label: 'decidedAt', kind: 'datetime', required: true, initial: 'now' },
      ],
    }),
  },
  {
    action: 'petition.decide_acceptance',
    when: (c, f) =>
      c.track === 'petition' && (!f.petition || f.petition.status === 'awaiting_acceptance'),
    spec: (c) => ({
      key: 'petition-acceptance',
      label: 'petitionAcceptance',
      path: at(c.id, '/petition/acceptance'),
      fields: [
        {
          name: 'decision',
          label: 'decision',
          kind: 'select',
          options: ['accepted', 'not_accepted', 'diverted'],
          required: true,
          initial: 'accepted',
        },
        { name: 'reason', label: 'reason', kind: 'textarea', required: true },
        {
          name: 'channel',
          label: 'channel',
          kind: 'select',
          options: [
            'litigation',
            'arbitration',
            'administrative_reconsideration',
            'administrative',
            'discipline_inspection',
          ],
        },
      ],
    }),
  },
  {
    action: 'petition.extend',
    when: (_c, f) => f.petition?.status === 'accepted' && !f.petition.extension,
    spec: (c) => ({
      key: 'petition-extension',
      label: 'petitionExtension',
      path: at(c.id, '/petition/extension'),
      fields: [
        { name: 'days', label: 'days', kind: 'number', required: true },
        { name: 'reason', label: 'reason', kind: 'textarea', required: true },
        { name: 'approvedBy', label: 'approvedBy', kind: 'text', required: true },
      ],
    }),
  },
  ...petitionSteps(
    [
      ['petition.record_review_request', 'answered', 'review-request', 'reviewRequest'],
      ['petition.record_re_review_request', 'reviewed', 're-review-request', 'reReviewRequest'],
    ],
    [
      {
        name: 'requestedAt',
        label: 'requestedAt',
        kind: 'datetime',
        required: true,
        initial: 'now',
      },
      { name: 'grounds', label: 'grounds', kind: 'textarea', required: true },
    ],
  ),
  // The opinion and both decisions answer with a result of 条例 Art 32 and its text.
  ...petitionSteps(
    [
      ['petition.issue_opinion', 'accepted', 'opinion', 'petitionOpinion'],
      ['petition.decide_review', 'under_review', 'review-decision', 'reviewDecision'],
      ['petition.decide_re_review', 'under_re_review', 're-review-decision', 'reReviewDecision'],
    ],
    [
      {
        name: 'result',
        label: 'result',
        kind: 'select',
        options: ['supported', 'explained', 'not_supported'],
        required: true,
      },
      { name: 'text', label: 'text', kind: 'textarea', required: true },
    ],
  ),
  {
    action: 'petition.terminate',
    when: (_c, f) => f.petition?.status === 're_reviewed',
    spec: (c) => ({
      key: 'petition-termination',
      label: 'termination',
      path: at(c.id, '/petition/termination'),
      fields: [{ name: 'basis', label: 'basis', kind: 'textarea', required: true }],
    }),
  },
  {
    action: 'supervision.issue_order',
    when: (c) => c.status !== 'closed',
    spec: (c) => ({
      key: 'order',
      label: 'order',
      path: at(c.id, '/supervision-orders'),
      fields: [
        { name: 'responsibleLeader', label: 'responsibleLeader', kind: 'text', required: true },
        {
          name: 'responsibleDepartmentId',
          label: 'responsibleDepartment',
          kind: 'department',
          required: true,
          initial: c.leadDepartmentId,
        },
        { name: 'dueAt', label: 'dueAt', kind: 'datetime', required: true },
        { name: 'instructions', label: 'instructions', kind: 'textarea', required: true },
      ],
    }),
  },
  {
    action: 'supervision.record_follow_up',
    when: (c) => OUTCOME.includes(c.status) || c.status === 'followed_up',
    spec: (c) => ({
      key: 'follow-up',
      label: 'followUp',
      path: at(c.id, '/follow-ups'),
      fields: [
        {
          name: 'method',
          label: 'method',
          kind: 'select',
          options: ['phone', 'visit', 'sms', 'online'],
          required: true,
          initial: 'phone',
        },
        {
          name: 'satisfaction',
          label: 'satisfaction',
          kind: 'select',
          options: ['satisfied', 'basically_satisfied', 'unsatisfied'],
          required: true,
        },
        { name: 'notes', label: 'notes', kind: 'textarea', required: true },
      ],
    }),
  },
  {
    action: 'supervision.close',
    when: (c) => c.status === 'followed_up',
    spec: (c) => ({
      key: 'close',
      label: 'close',
      path: at(c.id, '/close'),
      fields: [{ name: 'note', label: 'note', kind: 'textarea', required: true }],
    }),
  },
  {
    action: 'supervision.reopen',
    when: (c) => c.status === 'closed' || OUTCOME.includes(c.status) || c.status === 'followed_up',
    spec: (c) => ({
      key: 'reopen',
      label: 'reopen',
      path: at(c.id, '/reopen'),
      danger: true,
      fields: [{ name: 'reason', label: 'reason', kind: 'textarea', required: true }],
    }),
  },
];

export function availableActions(principal: Principal, c: CaseView, files: Files): ActionSpec[] {
  const allowed = new Set(allowedCaseActions(principal, scopeOf(c)));
  return OFFERS.filter((o) => allowed.has(o.action) && o.when(c, files)).map((o) =>
    o.spec(c, principal),
  );
}
