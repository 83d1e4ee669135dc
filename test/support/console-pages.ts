import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { LocalStack, LocalStackOptions } from '../../local/stack.ts';
import { buildConsole } from '../../web/build.ts';
import { launchBrowser, seriousA11yViolations } from './browser.ts';
import { apiClient, startTestStack } from './local-api.ts';

/** Screenshots for the README, taken by the browser tests. */
export const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');

export const DESKTOP = { width: 1100, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** The people's contexts the current test opened and has not closed. */
const openContexts = new Set<BrowserContext>();
// Closed after each test of every browser file: an open page re-reads the API on its timer (every second
// in most of these files), so the pages of earlier tests went on loading the browser, the stack and
// DynamoDB Local until the file's end.
afterEach(async () => {
  await Promise.all([...openContexts].map((context) => context.close().catch(() => undefined)));
  openContexts.clear();
});

/** A browser context for one person: its own storage, so each role is signed in separately. Closed after the test. */
export async function personContext(browser: Browser, viewport = DESKTOP): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  openContexts.add(context);
  context.on('close', () => openContexts.delete(context));
  return context;
}

/** Signs in through the console's local picker: the role, a member's organisation, a secretariat's sector, a ministry, NISC's or an auditor's one sector. */
export async function signIn(
  page: Page,
  baseUrl: string,
  role: string,
  org?: string,
  pick: { sector?: string; ministry?: string; scope?: string } = {},
): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.locator('h1', { hasText: /サインイン|Sign in/ }).waitFor();
  await page.locator(`input[name=role][value=${role}]`).check();
  if (org) await page.locator('#sign-in-org').selectOption(org);
  if (pick.sector) await page.locator('#sign-in-sector').selectOption(pick.sector);
  if (pick.ministry) await page.locator('#sign-in-ministry').selectOption(pick.ministry);
  if (pick.scope !== undefined) await page.locator('#sign-in-scope').selectOption(pick.scope);
  await page.locator('form button[type=submit]').click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
  await page.locator('nav.menu').waitFor();
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

/** Saves a full-page screenshot into docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Let time-left counters and fonts settle for a stable picture.
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A browser test file's world: the console built (if stale), a local stack, Chromium, and an API client. */
export async function startConsoleTest(options: Partial<LocalStackOptions>) {
  buildConsole({ ifStale: true, quiet: true });
  const stack = await startTestStack(options);
  return { stack, browser: await launchBrowser(), api: apiClient(stack.url) };
}

export async function stopConsoleTest(world: { stack?: LocalStack; browser?: Browser }) {
  await world.browser?.close();
  await world.stack?.stop();
}

/** Fills the report form as a member would, by keyboard and mouse. */
export async function fillReport(page: Page, title: string) {
  await page.locator('#report-title').fill(title);
  await page.locator('#report-category').selectOption('cyber_attack');
  await page.locator('#report-severity').selectOption('high');
  await page.locator('#report-occurredAt').fill('2026-11-26T09:40');
  await page.locator('#report-detectedAt').fill('2026-11-26T09:50');
  await page.getByLabel('業務系 IT').check();
  await page.getByLabel('プラント制御系 (OT)').check();
  await page.locator('input[name=tlp][value=AMBER]').check();
  await page
    .locator('#report-description')
    .fill('ヒストリアンサーバのファイルが 09:40 に暗号化された。DCS ネットワークは切り離し済み。');
  await page.locator('#report-contactName').fill('山田 太郎');
  await page.locator('#report-contactEmail').fill('yamada@asahi-petrochem.example');
  await page.locator('#report-contactPhone').fill('+81312345678');
}

/**
 * A browser test file's world, started before its tests and stopped after them:
 * `const world = consoleWorld({...})`, then `world.stack`, `world.browser`, `world.api` inside tests.
 */
export function consoleWorld(options: Partial<LocalStackOptions>) {
  const world = {} as Awaited<ReturnType<typeof startConsoleTest>>;
  beforeAll(async () => {
    Object.assign(world, await startConsoleTest(options));
  });
  afterAll(() => stopConsoleTest(world));
  return world;
}
