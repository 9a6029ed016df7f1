import { DEFAULT_DEADLINE_POLICIES } from './default-policies';
import { OBLIGATIONS, deadlinePolicyProblems, type DeadlinePolicy } from './deadline-policy';

describe('the default deadline policies', () => {
  it('are valid, uniquely coded, and cover every obligation', () => {
    for (const policy of DEFAULT_DEADLINE_POLICIES)
      expect([policy.code, deadlinePolicyProblems(policy)]).toEqual([policy.code, []]);
    const codes = DEFAULT_DEADLINE_POLICIES.map((p) => p.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(DEFAULT_DEADLINE_POLICIES.map((p) => p.obligation))).toEqual(
      new Set(OBLIGATIONS),
    );
  });

  it('follow the 信访工作条例 where it sets a limit, citing the article', () => {
    const byCode = new Map(DEFAULT_DEADLINE_POLICIES.map((p) => [p.code, p]));
    expect(byCode.get('petition_acceptance')).toMatchObject({
      period: { length: 15, unit: 'calendar_days' },
      startFrom: 'received_at',
      article: expect.stringContaining('第二十二条') as string,
    });
    expect(byCode.get('petition_opinion')).toMatchObject({
      period: { length: 60, unit: 'calendar_days' },
      extension: { maxTimes: 1, maxTotal: { length: 30, unit: 'calendar_days' } },
      article: '信访工作条例 第三十四条',
    });
    expect(byCode.get('return_objection.petition')).toMatchObject({
      period: { length: 5, unit: 'working_days' },
      article: expect.stringContaining('第二十三条') as string,
    });
    expect(byCode.get('review_decision')).toMatchObject({
      period: { length: 30, unit: 'calendar_days' },
      extension: { maxTimes: 0 },
    });
    expect(byCode.get('re_review_decision')?.pauseOn).toEqual(['PetitionHearingStarted']);
    expect(byCode.get('judicial_confirmation')?.period).toEqual({
      length: 30,
      unit: 'calendar_days',
    });
  });

  it('report every problem of a bad policy with its path', () => {
    const bad = {
      ...DEFAULT_DEADLINE_POLICIES[0],
      code: 'Bad Code',
      obligation: 'lunch',
      startOn: [],
      stopOn: ['not an event'],
      pauseOn: ['CaseAccepted'],
      period: { length: -1, unit: 'working_days' },
      warnBefore: { length: 1, unit: 'fortnights' },
      appliesTo: { colour: 'red', kind: 'complaint' },
    } as unknown as DeadlinePolicy;
    expect(
      deadlinePolicyProblems(bad, 'items[0]')
        .map((e) => e.field)
        .sort(),
    ).toEqual(
      [
        'items[0].code',
        'items[0].obligation',
        'items[0].appliesTo.colour',
        'items[0].appliesTo.kind',
        'items[0].startOn',
        'items[0].stopOn[0]',
        'items[0].resumeOn',
        'items[0].period.length',
        'items[0].warnBefore.unit',
      ].sort(),
    );
  });
});
