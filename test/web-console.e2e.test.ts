import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { featureSlots } from '../web/src/features.ts';
import { ja } from '../web/src/i18n/ja.ts';
import {
  expectAccessible,
  fillReport,
  PHONE,
  personContext,
  screenshot,
  signIn,
  startConsoleTest,
  stopConsoleTest,
} from './support/console-pages.ts';
import { type apiClient, eventually } from './support/local-api.ts';

// The console in Debian's chromium against the whole local stack: forms, languages, links, menus.
// Real time (scale 1), so deadlines are hours away.
let stack: LocalStack;
let browser: Browser;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  ({ stack, browser, api } = await startConsoleTest({
    timeScale: 1,
    consolePollSeconds: 1,
  }));
});
afterAll(() => stopConsoleTest({ stack, browser }));

describe('the web console: forms, languages, links and menus', () => {
  it('shows field errors for bad input, moves the focus to them, and writes nothing', async () => {
    const context = await personContext(browser, PHONE);
    const page = await context.newPage();
    await signIn(page, stack.url, 'member', 'kaigan-chemical');
    await page.getByRole('link', { name: 'IT障害を報告' }).click();
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/incidents')) posts.push(r.url());
    });
    await page.locator('#report-title').fill('件名だけ');
    await page.locator('#report-occurredAt').fill('2026-11-26T10:00');
    await page.locator('#report-detectedAt').fill('2026-11-26T09:00');
    await page.locator('#report-contactEmail').fill('not-an-address');
    await page.locator('#report-contactPhone').fill('03-1234-5678');
    await page.getByRole('button', { name: '報告を送信' }).click();

    const summary = page.locator('.error-summary');
    await summary.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
    expect(await summary.locator('h2').textContent()).toBe('入力内容を確認してください（9 件）');
    expect(await page.locator('#report-description-error').textContent()).toBe('入力してください');
    expect(await page.locator('#report-detectedAt-error').textContent()).toBe(
      '検知日時は発生日時より後にしてください',
    );
    expect(await page.locator('#report-contactEmail-error').textContent()).toBe(
      'メールアドレスの形式で入力してください',
    );
    expect(await page.locator('#report-contactPhone-error').textContent()).toBe(
      '+81312345678 のような国際形式で入力してください',
    );
    expect(await page.locator('#report-affectedSystems-error').textContent()).toBe(
      '少なくとも 1 つ選択してください',
    );
    expect(await page.locator('#report-contactEmail').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page);
    await screenshot(page, 'member-report-errors-phone');

    // A link in the summary takes the keyboard to the field.
    await summary.getByRole('link', { name: /メールアドレス/ }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('report-contactEmail');

    expect(posts).toEqual([]);
    const list = await api.call('GET', '/incidents', { token: await api.token('member', 'kaigan-chemical') });
    expect(list.body.items).toEqual([]);
    await context.close();
  });

  it('keeps a draft when the connection drops and sends it, once, when it is back', async () => {
    const context = await personContext(browser);
    const page = await context.newPage();
    await signIn(page, stack.url, 'member', 'minato-polymer');
    await page.getByRole('link', { name: 'IT障害を報告' }).click();
    await fillReport(page, '下書きの報告');
    await context.setOffline(true);
    await page.getByRole('button', { name: '報告を送信' }).click();
    await page.getByText(/入力内容はこの端末に下書きとして保存されています/).waitFor();
    await context.setOffline(false);

    await page.reload();
    await page.getByText(/保存されていた下書きを復元しました/).waitFor();
    expect(await page.locator('#report-title').inputValue()).toBe('下書きの報告');
    expect(await page.locator('input[name=tlp][value=AMBER]').isChecked()).toBe(true);
    await page.getByRole('button', { name: '報告を送信' }).click();
    await page.locator('h1', { hasText: '下書きの報告' }).waitFor();

    const list = await api.call('GET', '/incidents', { token: await api.token('member', 'minato-polymer') });
    expect(list.body.items.map((i: { title: string }) => i.title)).toEqual(['下書きの報告']);
    // Sent: the draft is gone.
    await page.getByRole('link', { name: 'IT障害を報告' }).click();
    expect(await page.locator('#report-title').inputValue()).toBe('');
    await context.close();
  });

  it('switches between Japanese and English with one button, every label following', async () => {
    const context = await personContext(browser);
    const page = await context.newPage();
    await page.goto(`${stack.url}/`);
    await page.locator('h1', { hasText: 'サインイン' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'Sign in' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('legend').first().textContent()).toBe('Role');
    await expectAccessible(page);
    await screenshot(page, 'sign-in-en');

    await signIn(page, stack.url, 'secretariat');
    await page.locator('h1', { hasText: 'Review queue' }).waitFor();
    expect(await page.getByRole('navigation').textContent()).toContain('Reports');
    await expectAccessible(page);
    await screenshot(page, 'secretariat-queue-en');
    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('h1', { hasText: '審査キュー' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    await context.close();
  });

  it("signs in as any sector's member, secretariat or ministry, and titles the console with the sector", async () => {
    await api.report('oita-petrochem', { title: '化学の報告（銀行には見えない）' });
    await api.report('banking-member-2', { title: '銀行の報告' });
    const context = await personContext(browser);
    const page = await context.newPage();
    const brand = page.locator('header .brand');

    // Signed out: the deployment's own title.
    await page.goto(`${stack.url}/`);
    await page.locator('h1', { hasText: 'サインイン' }).waitFor();
    expect(await brand.textContent()).toBe('CEPTOAR 情報連絡');
    // A member is picked among its sector's members: one list, grouped by sector.
    expect(await page.locator('#sign-in-org optgroup').first().getAttribute('label')).toBe('化学CEPTOAR');
    expect(await page.locator('#sign-in-org optgroup[label="銀行等CEPTOAR"] option').count()).toBeGreaterThan(
      0,
    );

    await signIn(page, stack.url, 'secretariat', undefined, { sector: 'banking' });
    await page.locator('h1', { hasText: '審査キュー' }).waitFor();
    await expect.poll(() => brand.textContent()).toBe('銀行等CEPTOAR 情報連絡');
    await expect.poll(() => page.title()).toBe('審査キュー | 銀行等CEPTOAR 情報連絡');
    // Its queue is its sector's: the banking report, never the chemical one.
    await page.getByRole('link', { name: '銀行の報告' }).waitFor();
    expect(await page.getByRole('link', { name: '化学の報告（銀行には見えない）' }).count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'secretariat-queue-banking');
    await page.getByRole('button', { name: 'サインアウト' }).click();

    await signIn(page, stack.url, 'member', 'banking-member-2');
    await expect.poll(() => brand.textContent()).toBe('銀行等CEPTOAR 情報連絡');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => brand.textContent()).toBe('Banking CEPTOAR incident relay');
    await page.getByRole('button', { name: '日本語' }).click();
    await page.getByRole('button', { name: 'サインアウト' }).click();

    // A ministry works across its sectors: the deployment's title, and the ministry it speaks for.
    await signIn(page, stack.url, 'ministry', undefined, { ministry: 'fsa' });
    await expect
      .poll(() => page.locator('header .user').textContent())
      .toBe('所管省庁（金融庁）としてサインイン中');
    expect(await brand.textContent()).toBe('CEPTOAR 情報連絡');
    await page.getByRole('button', { name: 'サインアウト' }).click();
    // An auditor granted one sector is told which.
    await signIn(page, stack.url, 'auditor', undefined, { scope: 'aviation' });
    await expect
      .poll(() => page.locator('header .user').textContent())
      .toBe('監査（航空分野におけるCEPTOAR）としてサインイン中');
    await context.close();
  });

  it('names an organisation registered after the start, as the directory has it, not by its id', async () => {
    // config.json names the organisations the stack started with; this one came later (as every sector's
    // does in AWS, where config.json has the deployer's directory alone).
    const registered = await api.call('PUT', '/directory/organizations/hakata-resin', {
      token: await api.token('secretariat'),
      body: {
        kind: 'member',
        name: { ja: '博多樹脂', en: 'Hakata Resin' },
        contacts: [
          {
            id: 'hakata-csirt',
            name: 'CSIRT',
            email: 'csirt@hakata-resin.example',
            phone: '+81921234567',
            lang: 'ja',
            primary: 'email',
            secondary: 'sms',
          },
        ],
      },
    });
    expect(registered.status).toBe(201);
    await api.report('hakata-resin', { title: '後から登録した会員の報告' });
    const context = await personContext(browser);
    const page = await context.newPage();
    await signIn(page, stack.url, 'secretariat');
    const card = page.locator('.card', { hasText: '後から登録した会員の報告' });
    await expect.poll(() => card.textContent()).toContain('報告元 博多樹脂');
    await context.close();
  });

  it('opens a message link (/incidents/{id}) as the console page, while the API keeps the same path', async () => {
    const id = await api.report('oita-petrochem', { title: 'メールのリンク' });
    const context = await personContext(browser);
    const page = await context.newPage();
    await signIn(page, stack.url, 'secretariat');
    await page.goto(`${stack.url}/incidents/${id}`);
    await page.locator('h1', { hasText: 'メールのリンク' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/app/incidents/${id}`);
    await context.close();

    const json = await api.call('GET', `/incidents/${id}`, { token: await api.token('secretariat') });
    expect(json.status).toBe(200);
    expect(json.body.id).toBe(id);
  });

  it('shows navigation only for the parts that have a page and whose API this stack serves', async () => {
    await eventually(async () => (await api.call('GET', '/health')).status === 200);
    const context = await personContext(browser);
    const page = await context.newPage();
    await signIn(page, stack.url, 'secretariat');
    const nav = page.getByRole('navigation');
    // The slots with a page, all served by this stack's API; a slot without a page never shows.
    const withPage = featureSlots.filter((s) => s.page !== undefined && s.roles.includes('secretariat'));
    await expect.poll(() => page.locator('[data-slot]').count()).toBe(withPage.length);
    expect(await nav.getByRole('listitem').allTextContents()).toEqual([
      '審査キュー',
      '報告一覧',
      ...withPage.map((s) => ja[s.label]),
    ]);
    await context.close();
  });
});
