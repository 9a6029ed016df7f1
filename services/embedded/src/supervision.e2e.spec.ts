import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';
import { SupervisionDriver } from './testing/supervision-scenarios';
import { describeSupervision } from './testing/supervision-suite';

describeSupervision('the in-process transport', false);

describe('the embedded default started with CASEGRID_NOW', () => {
  let casegrid: TestCasegrid;
  afterAll(async () => {
    await casegrid?.stop();
  });

  it('starts business time at that instant and lets it run on', async () => {
    casegrid = await startTestCasegrid('supervision_now', {
      CASEGRID_NOW: '2025-09-26T09:00:00+08:00',
    });
    const drive = new SupervisionDriver(casegrid);
    const caseId = await drive.register();
    const view = await drive.ledger(caseId, (v) => v.deadlines.length >= 2, 'the clocks');
    const registered = Date.parse(view.registeredAt);
    expect(registered).toBeGreaterThanOrEqual(Date.parse('2025-09-26T09:00:00+08:00'));
    expect(registered).toBeLessThan(Date.parse('2025-09-26T09:10:00+08:00'));
    // Friday 09-26: one working day is the make-up Sunday 09-28.
    expect(view.deadlines[0]!.dueAt).toBe('2025-09-28T16:00:00.000Z');
  });
});
