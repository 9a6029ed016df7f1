/**
 * Every rule that may refuse a command (a 409's problem `code`), with what it means: the
 * stable vocabulary clients branch on, listed in the OpenAPI document. `<area>.<reason>`;
 * codes are added, never renamed or reused. The message of each refusal says the same for
 * the case in hand, in words.
 */
export const REFUSALS = {
  // Intake: registration, dispatch and the lead's handling (DESIGN.md, Case lifecycle).
  'case.not_registered': 'The case is not registered.',
  'case.already_registered': 'The case is registered already.',
  'case.already_dispatched': 'The case is dispatched already: transfer it instead.',
  'case.not_dispatched': 'Only a dispatched case is accepted (签收).',
  'case.not_returnable': 'A case is returned (退单) only before it is accepted.',
  'case.not_in_handling': 'Only a case being handled is transferred or escalated.',
  'case.not_accepted': 'Only an accepted case is resolved.',
  'case.not_lead_department': 'Only the lead department accepts, returns or resolves the case.',
  'case.outcome_on_track':
    'The case is on the mediation or petition track: its outcome is recorded there.',
  'case.repeat_of_closed': 'A repeat of a resolved or referred case opens a new case.',
  'case.no_lead_department': 'The case has no lead department to escalate from.',
  'case.no_tier_above': 'The lead department is at the top tier: there is none above it.',
  'case.no_department_above':
    'No department of the lead’s type, nor a governance centre, covers the tier above.',
  'case.not_ready':
    'The case is not (yet) in the state the step needs on this service: its event has not arrived.',
  'routing.rule_tie': 'Another routing rule already covers exactly the same cases.',
  // Mediation (人民调解法, 民诉法 Art 205–206).
  'mediation.not_on_mediation_track':
    'Mediation opens only for a case accepted on the mediation track.',
  'mediation.already_open': 'The mediation is open already: it is not opened twice.',
  'mediation.not_open': 'No mediation is open for the case.',
  'mediation.not_mediating': 'The mediation has ended: the step needs one being mediated.',
  'mediation.not_holder': 'Only the mediation body holding the file takes the step.',
  'mediation.already_held_there': 'The mediation is already held by that body.',
  'mediation.department_unknown': 'The department is not known to mediation yet.',
  'mediation.no_tier_above': 'The body holding the file is at the top tier.',
  'mediation.no_body_above': 'No mediation committee or governance centre covers the tier above.',
  'mediation.agreement_before_session':
    'An agreement is reached in a mediation session: there has been none (人民调解法 Art 22, 28).',
  'mediation.no_agreement': 'Judicial confirmation needs an agreement (人民调解法 Art 33).',
  'mediation.court_mediation_not_confirmed':
    'A court’s mediation ends in an enforceable 调解书: it is not confirmed (民诉法 Art 100–101, 205).',
  'mediation.confirmation_window_closed':
    'Judicial confirmation is applied for within 30 days of the agreement (人民调解法 Art 33).',
  'mediation.confirmation_already_requested': 'Judicial confirmation was requested already.',
  'mediation.confirmation_refused':
    'The court did not confirm the agreement: the parties re-mediate or sue (民诉法 Art 206).',
  'mediation.confirmation_not_requested': 'No judicial confirmation was requested.',
  'mediation.confirmation_already_decided': 'The court decided on the confirmation already.',
  // Petitions (信访工作条例).
  'petition.not_on_petition_track':
    'Only a petition accepted on the petition track has a petition file.',
  'petition.acceptance_already_decided':
    'The petition’s acceptance was decided already (Art 22–23).',
  'petition.not_accepted': 'Only an accepted petition is extended or answered (Art 32, 34).',
  'petition.already_extended': 'The handling was extended already: Art 34 allows one extension.',
  'petition.handling_period_lapsed':
    'The 60-day handling period has ended: an extension cannot revive it (Art 34).',
  'petition.opinion_already_issued':
    'The opinion was issued already: a different answer comes only from review (Art 35).',
  'petition.no_opinion': 'Review (复查) reviews a written opinion, and there is none (Art 35).',
  'petition.review_already_requested': 'A review was requested already: Art 35 allows one.',
  'petition.review_window_closed':
    'The review request came after the 30 days from the written opinion (Art 35).',
  'petition.no_pending_review': 'No review request is pending to decide (Art 35).',
  'petition.no_review_opinion':
    'Re-review (复核) re-reviews a review opinion, and there is none (Art 36).',
  'petition.re_review_already_requested': 'A re-review was requested already: Art 36 allows one.',
  'petition.re_review_window_closed':
    'The re-review request came after the 30 days from the review opinion (Art 36).',
  'petition.no_pending_re_review': 'No re-review request is pending (Art 36).',
  'petition.hearing_under_way': 'A hearing (听证) is under way: end it first (Art 36¶2).',
  'petition.no_hearing': 'No hearing is under way (Art 36¶2).',
  'petition.no_re_review_opinion':
    'A petition is terminated (终结) only after its re-review opinion (Art 36¶3).',
  // Supervision: clocks, follow-up, closure.
  'deadline.met': 'The clock was met: there is nothing to pause or extend.',
  'deadline.breached':
    'The clock has breached: a pause or extension must come before the due time.',
  'deadline.already_paused': 'The clock is paused already.',
  'deadline.not_paused': 'The clock is not paused.',
  'deadline.extension_not_allowed': 'The clock’s policy allows no extension.',
  'deadline.extensions_used': 'The clock’s policy allows no further extension.',
  'deadline.extension_too_long': 'The extensions would exceed the total the policy allows.',
  'supervision.case_closed': 'The case is closed (销号): reopen it first.',
  'supervision.no_outcome': 'The case has no outcome yet: 回访 and 销号 follow one.',
  'supervision.no_follow_up': 'No follow-up (回访) is recorded since the outcome: 销号 needs one.',
  'supervision.not_reopenable': 'Only a case with an outcome, or closed, is reopened.',
  // Personal data and operations.
  'person.erased': 'The person was erased: no new personal data is sealed for them.',
  'replay.still_failing': 'The parked case still fails: nothing of it was applied.',
} as const;

export type Refusal = keyof typeof REFUSALS;
