import request from 'supertest';
import type { Page } from 'playwright-core';
import {
  choose,
  consoleSuite,
  PHONE,
  screenshot,
  signIn,
  submitDialog,
} from '../testing/console-browser';
import { freshIdNumber } from '../testing/test-casegrid';

const MEDIATION_COMMITTEE = '山大路社区人民调解委员会';
const PETITION_BUREAU = '历下区信访局';

/**
 * One flow per role through the console itself, in Debian's chromium: each asserts what
 * the page shows (statuses, lights, routing, errors), and the pages' screenshots at desktop
 * and phone width are written to docs/screenshots.
 */
describe('the console', () => {
  const suite = consoleSuite('console');
  const status = (page: Page) => page.getByTestId('case-status');

  it('serves the console at / beside the API, under a CSP that lets it run', async () => {
    const page = await request(suite.url).get('/').set('accept', 'text/html').expect(200);
    expect(page.text).toContain('<div id="root">');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    await request(suite.url).get('/api/v1/cases').expect(401);
  });

  it('a dispute: registered → routed → accepted → mediated → agreement → followed up → closed', async () => {
    const clerk = await signIn(suite.browser, suite.url, 'clerk.jiefang');
    await expect(clerk.getByTestId('user-department').textContent()).resolves.toBe(
      '解放路街道综治中心',
    );
    await expect(clerk.getByTestId('user-jurisdiction').textContent()).resolves.toContain(
      '解放路街道',
    );
    await clerk.goto(`${suite.url}/#/register`);
    await clerk.locator('#register_title').fill('楼上漏水引发邻里纠纷');
    await clerk.locator('#register_description').fill('楼上住户卫生间漏水，多次协商未果');
    await choose(clerk, 'register_category', '邻里纠纷');
    await clerk.locator('#register_region').click();
    for (const level of ['解放路街道', '山大路社区'])
      await clerk.locator('.ant-cascader-menu-item').filter({ hasText: level }).first().click();
    await clerk.keyboard.press('Escape');
    await clerk.locator('#register_parties_0_name').fill('赵六');
    // Inline validation as the clerk types: a wrong check digit is named before saving.
    const id = freshIdNumber();
    const wrong = `${id.slice(0, 17)}${id[17] === '1' ? '2' : '1'}`;
    await clerk.locator('#register_parties_0_idNumber').fill(wrong);
    await clerk.getByText('身份证号校验位不正确').waitFor();
    await clerk.locator('#register_parties_0_idNumber').fill(id);
    await clerk.getByText('身份证号校验位不正确').waitFor({ state: 'detached' });
    await clerk.getByRole('button', { name: /提\s*交/ }).click();
    const decision = clerk.getByTestId('routing-decision');
    await decision.waitFor();
    expect(await decision.textContent()).toContain(MEDIATION_COMMITTEE);
    await clerk.getByRole('button', { name: /查看案件/ }).click();
    await status(clerk).waitFor();
    const caseId = clerk.url().split('/cases/')[1]!;
    const number = (await clerk.getByTestId('case-number').textContent())!;
    expect(await status(clerk).textContent()).toBe('已分派');

    const mediator = await signIn(suite.browser, suite.url, 'mediator.shanda');
    await mediator.goto(`${suite.url}/#/work`);
    await mediator.getByTestId('work-accept').getByText(number).click();
    await mediator.locator('[data-action=accept]').click();
    await submitDialog(mediator);
    await mediator.getByTestId('case-status').getByText('已签收').waitFor();
    // Live: the clerk's open page follows without a reload.
    await clerk.getByTestId('case-status').getByText('已签收').waitFor({ timeout: 20_000 });

    await mediator.locator('[data-action=mediation-open]').click();
    // The mediator opening the file is proposed as its mediator.
    await mediator
      .locator('.ant-select:has(#mediation-open_mediatorIds)')
      .getByText('吴秀英')
      .waitFor();
    await submitDialog(mediator);
    await mediator.getByTestId('mediation-file').getByText('调解中').waitFor();
    await mediator.locator('[data-action=mediation-session]').click();
    await mediator.locator('#mediation-session_location').fill('社区调解室');
    await mediator.locator('#mediation-session_attendees').fill('赵六');
    await mediator.keyboard.press('Enter');
    await mediator.locator('#mediation-session_notes').fill('双方同意修复漏水');
    await submitDialog(mediator);
    await mediator.locator('[data-action=mediation-agreement]').click();
    await mediator.locator('#mediation-agreement_terms').fill('楼上住户十日内修复并赔偿');
    await submitDialog(mediator);
    await mediator.getByTestId('mediation-file').getByText('已达成协议').waitFor();
    await status(mediator).getByText('已化解').waitFor();

    const supervisor = await signIn(suite.browser, suite.url, 'supervisor.lixia');
    await supervisor.goto(`${suite.url}/#/cases/${caseId}`);
    // Closing before the follow-up is refused by the server, and the page says why.
    expect(await supervisor.locator('[data-action=close]').count()).toBe(0);
    await supervisor.locator('[data-action=follow-up]').click();
    await choose(supervisor, 'follow-up_satisfaction', '满意');
    await supervisor.locator('#follow-up_notes').fill('电话回访，当事人满意');
    await submitDialog(supervisor);
    await status(supervisor).getByText('已回访').waitFor();
    await supervisor.locator('[data-action=close]').click();
    await supervisor.locator('#close_note').fill('化解完毕，销号');
    await submitDialog(supervisor);
    await status(supervisor).getByText('已销号').waitFor();
    await screenshot(supervisor, 'case-desktop');
    await supervisor.setViewportSize(PHONE);
    await screenshot(supervisor, 'case-phone');
    await Promise.all([clerk, mediator, supervisor].map((p) => p.context().close()));
  }, 180_000);

  it('a petition: accepted by the county petition bureau and answered', async () => {
    const clerk = await suite.drive.as('clerk.jiefang');
    const registered = await clerk
      .post('/api/v1/cases')
      .set('Idempotency-Key', `console-petition-${Date.now()}`)
      .send({
        kind: 'petition',
        channel: 'letter',
        title: '反映小区物业收费问题',
        description: '物业费上涨未公示',
        category: 'other',
        regionCode: '370102001001',
        parties: [{ role: 'applicant', name: '钱八', idNumber: freshIdNumber() }],
      })
      .expect(201);
    const caseId = (registered.body as { id: string }).id;
    const officer = await signIn(suite.browser, suite.url, 'petition.lixia');
    await officer.goto(`${suite.url}/#/cases/${caseId}`);
    await officer.getByTestId('case-holder').getByText(PETITION_BUREAU).waitFor();
    await officer.locator('[data-action=accept]').click();
    await submitDialog(officer);
    await status(officer).getByText('已签收').waitFor();
    await officer.locator('[data-action=petition-acceptance]').click();
    await officer.locator('#petition-acceptance_reason').fill('属本机关职责范围，予以受理');
    await submitDialog(officer);
    await officer.locator('[data-action=petition-opinion]').click();
    await choose(officer, 'petition-opinion_result', '予以支持');
    await officer.locator('#petition-opinion_text').fill('责成物业公示收费依据并退还多收部分');
    await submitDialog(officer);
    await officer.getByTestId('petition-file').getByText('已答复').waitFor();
    await status(officer).getByText('已化解').waitFor();
    await officer.context().close();
  }, 120_000);

  it('an admin sees which running deadlines loading 2027 moves before saving it', async () => {
    // 31 December: the accept clocks end at 24:00 on Friday 1 January on weekends alone;
    // with New Year's Day a holiday they end on Monday the 4th.
    suite.drive.travelTo('2026-12-31T10:00:00+08:00');
    const caseId = await suite.drive.register();
    const { number } = await suite.drive.ledger(
      caseId,
      (v) => v.deadlines.length >= 2,
      'its clocks',
    );
    const admin = await signIn(suite.browser, suite.url, 'admin');
    await admin.goto(`${suite.url}/#/admin`);
    await admin.getByRole('tab', { name: '工作日历' }).click();
    await admin.getByLabel('年份').click();
    await admin.locator('.ant-select-item-option[title="2027"]').click();
    await admin.locator('#calendar_holidays').fill('2027-01-01');
    await admin.getByRole('button', { name: '预览对在办时限的影响' }).click();
    const preview = admin.getByTestId('reschedule-preview');
    const rows = preview.locator('.ant-table-row').filter({ hasText: number });
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2); // the lead's and the co-handler's
    expect(await rows.first().textContent()).toContain('2027-1-5 00:00:00'); // 24:00 on the 4th
    const untouched = await suite.drive.ledger(caseId, () => true, 'the case');
    expect(untouched.deadlines.map((d) => d.dueAt)).toEqual([
      '2027-01-01T16:00:00.000Z',
      '2027-01-01T16:00:00.000Z',
    ]);
    await preview.getByRole('button', { name: /确认保存/ }).click();
    await admin.getByText('已保存').waitFor();
    await suite.drive.ledger(
      caseId,
      (v) => v.deadlines.every((d) => d.dueAt === '2027-01-04T16:00:00.000Z'),
      'the clocks counted on 2027',
    );
    await admin.context().close();
  }, 60_000);

  it('an admin sees which running deadlines a policy change moves before saving it', async () => {
    // 31 December, 2027 loaded: the accept clocks (one working day) end at 24:00 on Monday
    // 4 January; two working days would end them on Tuesday the 5th.
    const caseId = await suite.drive.register();
    const { number } = await suite.drive.ledger(
      caseId,
      (v) =>
        v.deadlines.length >= 2 &&
        v.deadlines.every((d) => d.basis.calendarVersion.includes('2027')),
      'its clocks on 2027',
    );
    const admin = await signIn(suite.browser, suite.url, 'admin');
    await admin.goto(`${suite.url}/#/admin`);
    await admin.getByRole('tab', { name: '时限规则' }).click();
    await admin.locator('[data-action="policy-accept"]').click();
    const editor = admin.getByTestId('policy-editor');
    await editor.locator('#policy_items_0_period_length').fill('2');
    // For clocks started after saving only: nothing running moves, and the page says so.
    await editor.getByRole('button', { name: '预览对在办时限的影响' }).click();
    await editor.getByText('只适用于保存后开始计时的时限：在办时限不变').waitFor();
    await editor.getByText('没有在办时限会因此改变').waitFor();
    // A refused value is named on its field, not saved.
    await editor.locator('#policy_items_0_period_length').fill('9999');
    await editor.getByRole('button', { name: '预览对在办时限的影响' }).click();
    await editor.getByText('must be an integer from 0 to 365').waitFor();
    await editor.locator('#policy_items_0_period_length').fill('2');
    await editor.getByText(/^同时适用于在办时限/).click();
    await editor.getByRole('button', { name: '预览对在办时限的影响' }).click();
    const preview = editor.getByTestId('reschedule-preview');
    const rows = preview.locator('.ant-table-row').filter({ hasText: number });
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2); // the lead's and the co-handler's
    expect(await rows.first().textContent()).toContain('2027-1-6 00:00:00'); // 24:00 on the 5th
    const untouched = await suite.drive.ledger(caseId, () => true, 'the case');
    expect(untouched.deadlines.map((d) => d.dueAt)).toEqual([
      '2027-01-04T16:00:00.000Z',
      '2027-01-04T16:00:00.000Z',
    ]);
    await preview.getByRole('button', { name: /确认保存/ }).click();
    await admin.getByText('已保存').waitFor();
    await suite.drive.ledger(
      caseId,
      (v) => v.deadlines.every((d) => d.dueAt === '2027-01-05T16:00:00.000Z'),
      'the clocks on the new version',
    );
    await admin.locator('.ant-table-row').filter({ hasText: '2 工作日' }).first().waitFor();
    await admin.context().close();
  }, 60_000);
});
