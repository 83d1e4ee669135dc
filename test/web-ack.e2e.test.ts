import { describe, expect, it } from 'vitest';
import { consoleWorld, DESKTOP, expectAccessible, PHONE, screenshot } from './support/console-pages.ts';
import { eventually } from './support/local-api.ts';

// The acknowledgement link a member contact receives, opened in Debian's chromium as a person would:
// opening it records nothing (scanners open links too); the page's button does.
const world = consoleWorld({ timeScale: 1 });

async function issue(title: string, tlp: string, org: string, drill = false) {
  const res = await world.api.call('POST', drill ? '/drills' : '/advisories', {
    token: await world.api.token('secretariat'),
    body: { title, body: '至急パッチを適用してください。', tlp, ackWithinHours: 24, audience: [org] },
  });
  expect(res.status).toBe(201);
  const id = res.body.id as string;
  const mail = await world.stack.mail.waitFor(
    (m) => m.text.includes(`/advisories/${id}`) && /\/ack\//.test(m.text),
    20_000,
  );
  const link = /(https?:\/\/\S+\/ack\/[\w.-]+)/.exec(mail.text)?.[1];
  if (!link) throw new Error('no acknowledgement link in the e-mail');
  return { id, link };
}

const acknowledgedCount = async (id: string) =>
  (await world.api.call('GET', `/advisories/${id}`, { token: await world.api.token('secretariat') })).body
    .transmission.acknowledged as number;

describe('the acknowledgement link in a browser', () => {
  it('shows a page with one button; only the button records the acknowledgement', async () => {
    const title = 'VPN装置の脆弱性（CVE-2026-0001）';
    const { id, link } = await issue(title, 'GREEN', 'seto-olefin');
    // The page sets a strict CSP (no scripts): the accessibility checker is injected past it.
    const context = await world.browser.newContext({ viewport: PHONE, locale: 'ja-JP', bypassCSP: true });
    const page = await context.newPage();
    await page.goto(link);
    await page.locator('h1', { hasText: '情報提供の受領確認' }).waitFor();
    expect(await page.locator('main').textContent()).toContain(title);
    expect(await page.locator('.tlp').textContent()).toBe('TLP:GREEN');
    expect(await page.locator('main').textContent()).toContain('瀬戸オレフィン としての受領');
    await expectAccessible(page);
    await screenshot(page, 'ack-link-page');
    await world.stack.settle();
    expect(await acknowledgedCount(id)).toBe(0);

    await page.getByRole('button', { name: /受領を確認する/ }).click();
    await page.getByText(/受領確認を記録しました/).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'ack-link-recorded');
    await eventually(async () => (await acknowledgedCount(id)) === 1, 10_000, 'the acknowledgement');

    // Opened again later: it says so, and offers no button.
    await page.goto(link);
    await page.getByText(/受領確認は記録済みです/).waitFor();
    expect(await page.getByRole('button').count()).toBe(0);
    await context.close();
  });

  it('keeps a TLP:AMBER+STRICT drill behind the login, marked as a drill', async () => {
    const title = '訓練：制御系ネットワークへの不審な通信';
    const { link } = await issue(title, 'AMBER+STRICT', 'kaigan-chemical', true);
    const context = await world.browser.newContext({ viewport: DESKTOP, locale: 'ja-JP', bypassCSP: true });
    const page = await context.newPage();
    await page.goto(link);
    await page.locator('.drill').waitFor();
    await page.getByText('これは訓練です。').waitFor();
    expect(await page.locator('main').textContent()).not.toContain(title);
    expect(await page.getByRole('link', { name: 'ログインして確認' }).getAttribute('href')).toMatch(
      /\/advisories\//,
    );
    await expectAccessible(page);
    await context.close();
  });

  it('tells a person whose link was altered, in a page, and records nothing', async () => {
    const { id, link } = await issue('改ざんされたリンク', 'GREEN', 'oita-petrochem');
    const context = await world.browser.newContext({ viewport: DESKTOP, locale: 'ja-JP', bypassCSP: true });
    const page = await context.newPage();
    const response = await page.goto(`${link.slice(0, -3)}xyz`);
    expect(response?.status()).toBe(401);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('このリンクは無効か、期限切れです');
    await expectAccessible(page);
    expect(await acknowledgedCount(id)).toBe(0);
    await context.close();
  });
});
