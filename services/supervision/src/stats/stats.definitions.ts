import type { StatsSettings } from '@casegrid/supervision';

/**
 * What each figure of `GET /stats` means, sent with the figures (API.md: the formulas and
 * weights are documented), with the weights and the 基本满意 credit in force. The long
 * form with a worked example is docs/statistics.md.
 */
export const statsDefinitions = (settings: StatsSettings) => {
  const { weights, basicSatisfaction } = settings;
  return {
    period:
      'A case counts in the period of its registration: registeredAt in [from, to). Its figures are as it stands now.',
    registered: 'cases registered in the period',
    dispatched: 'of those, sent to a handling department at least once',
    accepted: 'of those, signed for (签收) by a handling department at least once',
    resolved: 'of those, standing at the outcome resolved now (a reopen takes it back)',
    referred: 'of those, standing at the outcome referred now (told the proper channel)',
    terminated: 'of those, standing at the outcome terminated now',
    closed: 'of those, closed off the ledger (销号)',
    reopened: 'of those, reopened at least once',
    overdue: 'of those, with at least one clock breached (also when met late afterwards)',
    followedUp:
      'valid follow-ups (有效回访): cases with at least one follow-up recorded with the requester’s answer',
    responded:
      'of the followed-up cases, first contact in time: accepted, and no accept clock of a lead department breached',
    solved:
      'of the followed-up cases, satisfied or basically satisfied at the latest follow-up and never reopened',
    satisfied: 'of the followed-up cases, satisfied at the latest follow-up',
    basicallySatisfied: 'of the followed-up cases, basically satisfied at the latest follow-up',
    unsatisfied: 'of the followed-up cases, unsatisfied at the latest follow-up',
    clocksEnded: 'clocks of the cases that ended: met (on time or late) or breached',
    clocksMetOnTime: 'clocks of the cases met by their due time',
    repeated: 'cases submitted more than once (重复来件)',
    onTimeRate: 'clocksMetOnTime ÷ clocksEnded',
    responseRate: '响应率 = responded ÷ followedUp',
    resolutionRate: '解决率 = solved ÷ followedUp',
    satisfactionRate: `满意率 = (satisfied + ${basicSatisfaction} × basicallySatisfied) ÷ followedUp`,
    compositeScore: `${weights.response} × responseRate + ${weights.resolution} × resolutionRate + ${weights.satisfaction} × satisfactionRate`,
    repeatRate: 'repeated ÷ registered',
    rates: 'shares from 0 to 1, rounded to 4 decimals; null when the denominator is 0',
    weights,
    basicSatisfaction,
  };
};
