import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleWorld, personContext, SCREENSHOTS, signIn } from './support/console-pages.ts';

// The API reference page in Debian's chromium: the API's own document, rendered offline.
const world = consoleWorld({ timeScale: 1 });

const isLocal = (url: string) => {
  const { protocol, hostname } = new URL(url);
  return protocol === 'data:' || protocol === 'blob:' || hostname === '127.0.0.1' || hostname === 'localhost';
};

describe('the API reference page', () => {
  it('renders GET /openapi.json without a sign-in, and nothing it loads comes from elsewhere', async () => {
    const context = await personContext(world.browser);
    const outside: string[] = [];
    // Anything bound elsewhere is noted and refused: the test machine has no way out anyway.
    await context.route(
      (url) => !isLocal(url.href),
      (route) => {
        outside.push(route.request().url());
        return route.abort();
      },
    );
    const page = await context.newPage();
    const documentLoaded = page.waitForResponse((r) => r.url().endsWith('/openapi.json') && r.ok());
    await page.goto(`${world.stack.url}/app/api`);
    await page.locator('h1', { hasText: 'API リファレンス' }).waitFor();
    await documentLoaded;
    // Scalar's rendering of the document: its title and an operation's summary from the contract.
    await page.getByText('ceptoar-relay API').first().waitFor({ timeout: 30_000 });
    await page.getByText('Report an incident').first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    expect(outside).toEqual([]);
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: join(SCREENSHOTS, 'api-reference.png') });
    await context.close();
  });

  it('is in the menu of every role once the API serves its document', async () => {
    for (const [role, org] of [
      ['member', 'asahi-petrochem'],
      ['auditor', undefined],
    ] as const) {
      const context = await personContext(world.browser);
      const page = await context.newPage();
      await signIn(page, world.stack.url, role, org);
      await page.locator('nav.menu a', { hasText: 'API リファレンス' }).click();
      await page.waitForURL((url) => url.pathname === '/app/api');
      await page.getByText('Report an incident').first().waitFor({ timeout: 30_000 });
      await context.close();
    }
  });
});
