import { oneTierUp } from './escalation';

describe('oneTierUp, the one escalation ladder', () => {
  const departments = [
    { id: 'township-police', regionCode: '370102001000', type: 'police_station' },
    { id: 'township-centre', regionCode: '370102001000', type: 'governance_center' },
    { id: 'county-committee', regionCode: '370102000000', type: 'mediation_committee' },
    { id: 'city-centre', regionCode: '370100000000', type: 'governance_center' },
  ];
  const at = (regionCode: string, type: string) =>
    departments.filter((d) => d.regionCode === regionCode && d.type === type);
  const village = (type: string) => ({ id: 'v', regionCode: '370102001001', type });

  it('takes the first type with a department one tier up', async () => {
    expect(await oneTierUp(village('x'), ['police_station', 'governance_center'], at)).toEqual({
      department: departments[0],
    });
    expect(await oneTierUp(village('x'), ['mediation_committee', 'governance_center'], at)).toEqual(
      { department: departments[1] },
    );
  });

  it('says when none of the types is there', async () => {
    expect(await oneTierUp(village('x'), ['court'], at)).toEqual({
      refused: 'none_above',
      parent: '370102001000',
    });
  });

  it('ends at the city', async () => {
    const city = { id: 'c', regionCode: '370100000000', type: 'governance_center' };
    expect(await oneTierUp(city, ['governance_center'], at)).toEqual({
      refused: 'top_tier',
      tier: 'city',
    });
    const county = { id: 'k', regionCode: '370102000000', type: 'mediation_committee' };
    expect(await oneTierUp(county, ['governance_center'], at)).toEqual({
      department: departments[3],
    });
  });
});
