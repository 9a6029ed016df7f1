import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureConsoleBuilt } from '@casegrid/testing';
import { SupervisionDriver } from './supervision-scenarios';
import { startTestCasegrid, type TestCasegrid } from './test-casegrid';

const ROOT = join(__dirname, '../../../..');
/**
 * Where the flows write their screenshots: `dist/screenshots` (not committed), so that a
 * test run leaves the tree clean; `CONSOLE_SCREENSHOTS_DIR=docs/screenshots` refreshes the
 * two the README shows.
 */
export const SCREENSHOTS = resolve(
  ROOT,
  process.env['CONSOLE_SCREENSHOTS_DIR'] ?? 'dist/screenshots',
);

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/** Debian's chromium (installed by .ci/run), never a downloaded browser. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

/** A fresh browser context signed in through the console's own sign-in form. */
export async function signIn(
  browser: Browser,
  url: string,
  username: string,
  viewport = DESKTOP,
): Promise<Page> {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(url);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill('casegrid-demo');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByTestId('user-name').waitFor({ timeout: 45_000 });
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/**
 * Picks an option of an Ant Design select with the keyboard alone (focus, arrows, Enter:
 * what a clerk without a mouse does), then waits until the select shows it.
 */
export async function choose(page: Page, fieldId: string, option: string): Promise<void> {
  const input = page.locator(`#${fieldId}`);
  await input.focus();
  await page.keyboard.press('ArrowDown');
  const active = page.locator(
    `.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option-active`,
  );
  for (let step = 0; step < 30; step += 1) {
    if ((await active.getAttribute('title').catch(() => null)) === option) break;
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  await page.locator(`.ant-select:has(#${fieldId})`).filter({ hasText: option }).waitFor();
  // A multiple select stays open after Enter; Tab leaves it (Escape would close the dialog).
  if (await active.isVisible()) await page.keyboard.press('Tab');
}

/** Submits the dialog of a case action (its OK button reads 提交). */
export async function submitDialog(page: Page): Promise<void> {
  const dialog = page.locator('.ant-modal-wrap:visible');
  // A select's dropdown left open would cover the button: a click on the title closes it.
  await dialog.locator('.ant-modal-title').click();
  await dialog.getByRole('button', { name: /提\s*交/ }).click();
  const refused = dialog.locator('[role=alert], .ant-form-item-explain-error').first();
  await Promise.race([dialog.waitFor({ state: 'hidden' }), refused.waitFor()]);
  if (await dialog.isVisible())
    throw new Error(
      `the dialog was refused: ${await dialog
        .locator('[role=alert], .ant-form-item-explain-error')
        .allTextContents()
        .then((t) => t.join(' | '))}`,
    );
}

/** What a console suite drives: the system, its API driver, the browser and the URL. */
export interface ConsoleSuite {
  readonly casegrid: TestCasegrid;
  readonly drive: SupervisionDriver;
  readonly browser: Browser;
  readonly url: string;
}

/**
 * Starts the system and Debian's chromium for the suite that calls it (in its beforeAll)
 * and stops both after it; the fields are there once the suite's tests run.
 */
export function consoleSuite(name: string): ConsoleSuite {
  const suite = {} as { -readonly [K in keyof ConsoleSuite]: ConsoleSuite[K] };
  beforeAll(async () => {
    ensureConsoleBuilt(); // built by the e2e global setup; here for a suite run alone
    suite.casegrid = await startTestCasegrid(name, { SUPERVISION_POLL_MS: '100' });
    suite.drive = new SupervisionDriver(suite.casegrid);
    suite.url = suite.casegrid.url.replace('[::1]', '127.0.0.1');
    suite.browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.casegrid?.stop();
  });
  return suite;
}
