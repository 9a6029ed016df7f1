import { waitUntil } from '@casegrid/testing';
import { choose, consoleSuite, PHONE, screenshot, signIn } from '../testing/console-browser';
import { freshIdNumber } from '../testing/test-casegrid';

const MEDIATION_COMMITTEE = '山大路社区人民调解委员会';

/**
 * The console where a case went wrong, in Debian's chromium: a breached case red in the
 * ledger and on the dashboard, the inspector's replay of it, a handler of another
 * department kept out of it, and every main page's screenshot at desktop and phone width.
 */
describe('the console on a breached case', () => {
  const suite = consoleSuite('console_breach');
  let breachedId: string;
  let breachedNumber: string;

  it('a dispute left to breach is red in the ledger and on the dashboard', async () => {
    breachedId = await suite.drive.register({
      title: '噪音扰民纠纷久拖未签收',
      parties: [{ role: 'applicant', name: '孙七', idNumber: freshIdNumber() }],
    });
    const before = await suite.drive.ledger(
      breachedId,
      (v) => v.deadlines.length > 0,
      'clocks started',
    );
    breachedNumber = before.number;
    suite.drive.travelTo(new Date(Date.now() + 10 * 86_400_000).toISOString());
    await suite.drive.ledger(breachedId, (v) => v.light === 'red', 'the accept clock breached');

    const supervisor = await signIn(suite.browser, suite.url, 'supervisor.jinan');
    await supervisor.goto(`${suite.url}/#/ledger`);
    await choose(supervisor, 'ledger-filters_light', '红灯');
    await supervisor.locator('#ledger-filters_q').fill(breachedNumber);
    await supervisor.getByRole('button', { name: /查\s*询/ }).click();
    const row = supervisor.getByTestId('ledger-table').locator('tr', { hasText: breachedNumber });
    await row.locator('[data-light=red]').waitFor();
    await supervisor.goto(`${suite.url}/#/dashboard`);
    const overdue = supervisor.getByTestId('overdue-by-holder');
    await overdue.getByText(MEDIATION_COMMITTEE).waitFor();
    await waitUntil(
      async () =>
        (await overdue.locator('tr', { hasText: MEDIATION_COMMITTEE }).textContent())!.match(
          /\d+$/,
        ) !== null,
    );
    await supervisor.context().close();
  }, 120_000);

  it('an inspector replays the breached case and verifies its integrity', async () => {
    // What the page will show, asked of the API first: at the first event the case is
    // dispatched and on time; at the last it stands breached.
    const api = await suite.drive.as('inspector.jinan');
    const stream = (await api.get(`/api/v1/audit/cases/${breachedId}/events`).expect(200)).body as {
      items: { position: number; event: { time: string; type: string } }[];
    };
    const first = stream.items[0]!.event;
    const stateAt = async (at: string) =>
      (await api.get(`/api/v1/audit/cases/${breachedId}/state`).query({ at }).expect(200)).body as {
        status: string;
        light: string;
      };
    expect(await stateAt(first.time)).toMatchObject({ status: 'dispatched', light: 'green' });
    expect(await stateAt(stream.items.at(-1)!.event.time)).toMatchObject({ light: 'red' });

    const inspector = await signIn(suite.browser, suite.url, 'inspector.jinan');
    // The page loads the stream as it opens; moving the slider asks only for the state at
    // a time, and never reloads the stream (which would put the slider back at the end).
    let streamLoads = 0;
    inspector.on('request', (r) => {
      if (r.url().endsWith(`/audit/cases/${breachedId}/events`)) streamLoads += 1;
    });
    await inspector.goto(`${suite.url}/#/inspector/${breachedId}`);
    await inspector
      .getByTestId('integrity')
      .getByText(/哈希链完整/)
      .waitFor();
    await inspector.getByTestId('responsibility').getByText('签收').first().waitFor();
    const handle = inspector.locator('.ant-slider-handle');
    await handle.focus();
    // Registration and routing commit together (one instant): the first state is already
    // dispatched and not yet overdue; at the end the same case stands breached (红灯).
    const loadsBeforeReplay = streamLoads;
    await inspector.keyboard.press('Home');
    // The slider stands on the first event (its position and type are shown beside it).
    await inspector
      .getByText(`#${stream.items[0]!.position} ${first.type.split('.').at(-2)}`)
      .waitFor();
    await inspector.getByTestId('replay-status').getByText('已分派').waitFor();
    await inspector.getByTestId('replay-state').getByText('红灯').waitFor({ state: 'hidden' });
    await inspector.keyboard.press('End');
    await inspector.getByTestId('replay-state').getByText('红灯').waitFor();
    expect(loadsBeforeReplay).toBeGreaterThan(0);
    expect(streamLoads).toBe(loadsBeforeReplay);
    await screenshot(inspector, 'inspector-desktop');
    await inspector.setViewportSize(PHONE);
    await screenshot(inspector, 'inspector-phone');
    await inspector.context().close();
  }, 120_000);

  it('a handler of another department cannot open the case', async () => {
    const outsider = await signIn(suite.browser, suite.url, 'handler.lixia.hrss');
    await outsider.goto(`${suite.url}/#/cases/${breachedId}`);
    await outsider.getByTestId('case-error').getByText('案件不存在或不在您的辖区').waitFor();
    await outsider.goto(`${suite.url}/#/ledger`);
    await outsider.locator('#ledger-filters_q').fill(breachedNumber);
    await outsider.getByRole('button', { name: /查\s*询/ }).click();
    await outsider.getByTestId('ledger-timing').getByText(/^0 ·/).waitFor();
    await outsider.context().close();
  }, 60_000);

  it('writes a screenshot of each main page at desktop and phone width', async () => {
    const pages: [user: string, route: string, name: string, ready: string][] = [
      ['mediator.shanda', 'work', 'my-work', '[data-testid^=work-], .ant-empty'],
      ['clerk.jiefang', 'register', 'register', '#register_title'],
      ['supervisor.jinan', 'ledger', 'ledger', '[data-light]'],
      [
        'supervisor.jinan',
        'dashboard',
        'dashboard',
        '[data-testid=stats-department] .ant-table-row',
      ],
      ['admin', 'admin', 'admin', '.ant-tabs'],
    ];
    for (const [user, route, name, ready] of pages) {
      const page = await signIn(suite.browser, suite.url, user);
      await page.goto(`${suite.url}/#/${route}`);
      await page.locator(ready).first().waitFor();
      await screenshot(page, `${name}-desktop`);
      await page.setViewportSize(PHONE);
      await screenshot(page, `${name}-phone`);
      await page.context().close();
    }
  }, 120_000);
});
