import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { seriousA11yViolations } from './browser.ts';

/** Screenshots for the README, taken by the browser tests. */
export const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');

export const DESKTOP = { width: 1100, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** A browser context for one person: its own storage, so each role is signed in separately. */
export async function personContext(browser: Browser, viewport = DESKTOP): Promise<BrowserContext> {
  return browser.newContext({ viewport, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
}

/** Signs in through the console's local picker (role and, for a member, organisation). */
export async function signIn(page: Page, baseUrl: string, role: string, org?: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.locator('h1', { hasText: /サインイン|Sign in/ }).waitFor();
  await page.locator(`input[name=role][value=${role}]`).check();
  if (org) await page.locator('#sign-in-org').selectOption(org);
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
