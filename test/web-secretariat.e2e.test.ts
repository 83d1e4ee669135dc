import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import {
  expectAccessible,
  PHONE,
  personContext,
  screenshot,
  signIn,
  startConsoleTest,
  stopConsoleTest,
} from './support/console-pages.ts';
import type { apiClient } from './support/local-api.ts';

// The secretariat's pages in Debian's chromium against the whole local stack: drills, the directory,
// and sharing an incident. An hour per second (CEPTOAR_TIME_SCALE=3600), so a drill of 24 h runs for
// 24 s: long enough to acknowledge in, short enough to watch its window close.
let stack: LocalStack;
let browser: Browser;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  ({ stack, browser, api } = await startConsoleTest({ timeScale: 3600, consolePollSeconds: 1 }));
});
afterAll(() => stopConsoleTest({ stack, browser }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function secretariatPage(viewport?: typeof PHONE): Promise<Page> {
  const page = await (await personContext(browser, viewport)).newPage();
  await signIn(page, stack.url, 'secretariat');
  return page;
}

/** No part of the page is wider than the window (a phone scrolls tables inside their box). */
const fitsWidth = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

describe('the secretariat in the browser', () => {
  it('starts a drill; members acknowledge; the report shows the rate, the chart and a CSV', async () => {
    const page = await secretariatPage();
    await page.getByRole('navigation').getByRole('link', { name: '訓練' }).click();
    await page.locator('h1', { hasText: '訓練' }).waitFor();
    await page.getByText('訓練はまだありません。').waitFor();
    await expectAccessible(page);

    // Bad input: every field named, nothing sent.
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/drills')) posts.push(r.url());
    });
    await page.locator('#drill-ackWithinHours').fill('1000');
    await page.getByRole('button', { name: '訓練を開始' }).click();
    await page.locator('.error-summary').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
    expect(await page.locator('#drill-title-error').textContent()).toBe('入力してください');
    expect(await page.locator('#drill-body-error').textContent()).toBe('入力してください');
    expect(await page.locator('#drill-ackWithinHours-error').textContent()).toBe(
      '0 より大きく 720 以下の時間を入力してください',
    );
    expect(await page.locator('#drill-ackWithinHours').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page);
    expect(posts).toEqual([]);

    await page.locator('#drill-title').fill('2026年度 情報連絡訓練');
    // A corrected field loses its error at once; the others keep theirs.
    expect(await page.locator('#drill-title-error').count()).toBe(0);
    expect(await page.locator('#drill-body-error').count()).toBe(1);
    await page.locator('#drill-body').fill('これは訓練です。受信したら受領確認のリンクを押してください。');
    await page.locator('#drill-ackWithinHours').fill('24');
    await screenshot(page, 'drill-start-form');
    await page.getByRole('button', { name: '訓練を開始' }).click();
    await page.locator('h1', { hasText: '【訓練】 訓練の結果: 2026年度 情報連絡訓練' }).waitFor();
    await page.getByText('訓練を開始しました。').waitFor();
    expect(posts).toHaveLength(1);
    const id = new URL(page.url()).pathname.split('/').pop() ?? '';
    await page.locator('.drill-mark').first().waitFor();

    // Members acknowledge (by the API, as their console or link would), a little apart.
    for (const org of ['asahi-petrochem', 'kaigan-chemical', 'minato-polymer']) {
      const res = await api.call('POST', `/advisories/${id}/receipt`, {
        token: await api.token('member', org),
        body: {},
      });
      expect(res.status).toBe(200);
      await sleep(1500);
    }
    // The open page follows without a reload.
    await expect.poll(() => page.locator('.overall .big').textContent(), { timeout: 10_000 }).toBe('27.3%');
    expect(await page.locator('.overall').textContent()).toContain('3/11 組織が期限内に受領確認');
    const asahi = page.locator('tr[data-org=asahi-petrochem]');
    expect(await asahi.locator('th').textContent()).toBe('朝日石油化学');
    expect(await asahi.locator('.time-to-ack').textContent()).toMatch(/^\d+秒$/);
    const chart = page.getByRole('img', { name: /受領確認済みの組織の割合のグラフ/ });
    expect(await chart.getAttribute('aria-label')).toContain('3/11 組織（27.3%）');
    expect(await chart.locator('.deadline').count()).toBe(1);
    // Three steps up from zero: the curve's path climbs three times.
    expect((await chart.locator('.curve').getAttribute('d'))?.match(/V/g)).toHaveLength(3);
    await page.getByText('グラフのデータ（表）').click();
    expect(await page.locator('.chart table tbody tr').count()).toBe(4);
    await expectAccessible(page);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV をダウンロード' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`drill-${id}.csv`);
    const csv = readFileSync((await download.path()) ?? '', 'utf8');
    expect(csv).toContain('stage,members,11,3,');
    expect(csv).toMatch(/recipient,asahi-petrochem,.*,true,false,false\r\n/);

    // The window closes (24 s here): the silent were reminded and are missed; the page stops refreshing.
    await expect
      .poll(() => page.locator('.meta .status').textContent(), { timeout: 40_000 })
      .toBe('受領確認の期間終了');
    await expect
      .poll(() => page.locator('tr[data-org=yokkaichi-chem] td.missed').textContent(), { timeout: 10_000 })
      .toBe('はい');
    expect(await page.locator('.updated').textContent()).not.toContain('自動で更新');
    await screenshot(page, 'drill-report');
    await expectAccessible(page);

    // English: every drill page says DRILL.
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: '[DRILL] Drill results: 2026年度 情報連絡訓練' }).waitFor();
    expect(await page.getByRole('img').getAttribute('aria-label')).toContain('3/11 organisations (27.3%)');
    await page.getByRole('link', { name: 'Back to the drills' }).click();
    const row = page.locator('.drill-row', { hasText: '2026年度 情報連絡訓練' });
    expect(await row.locator('.drill-mark').textContent()).toBe('[DRILL]');
    expect(await row.textContent()).toContain('Acknowledged in time: 27.3% (3/11 organisations)');
    await expectAccessible(page);
    await page.getByRole('button', { name: '日本語' }).click();

    // On a phone the report fits the width; its tables scroll inside their box.
    const phone = await secretariatPage(PHONE);
    await phone.goto(`${stack.url}/app/drills/${id}`);
    await phone.locator('h1', { hasText: '【訓練】' }).waitFor();
    await phone.getByRole('img', { name: /グラフ/ }).waitFor();
    expect(await fitsWidth(phone)).toBe(true);
    await expectAccessible(phone);
  });

  it('edits an organisation: a bad e-mail is named and nothing written; fixed, it is saved', async () => {
    const page = await secretariatPage();
    await page.getByRole('navigation').getByRole('link', { name: '連絡先名簿' }).click();
    await page.locator('h1', { hasText: '連絡先名簿' }).waitFor();
    await expect.poll(() => page.locator('table.directory tbody tr').count()).toBe(14);
    const row = page.locator('tr[data-org=asahi-petrochem]');
    expect(await row.locator('td').allTextContents()).toEqual(['会員', '1', 'メール・SMS', 'はい']);
    await expectAccessible(page);
    await screenshot(page, 'directory-list');

    const token = await api.token('secretariat');
    const before = await api.call('GET', '/directory/organizations/asahi-petrochem', { token });
    await row.getByRole('link', { name: '朝日石油化学' }).click();
    await page.locator('h1', { hasText: '朝日石油化学 の名簿' }).waitFor();
    const email = page.locator('#org-contacts-0-email');
    expect(await email.inputValue()).toBe('csirt@asahi-petrochem.ceptoar.example');
    const puts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT') puts.push(r.url());
    });
    await email.fill('csirt-at-asahi');
    await page.locator('#org-contacts-0-secondary').selectOption('');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await page.locator('#org-contacts-0-email-error').textContent()).toBe(
      'メールアドレスの形式で入力してください',
    );
    expect(await page.locator('#org-contacts-0-secondary-error').textContent()).toBe(
      '会員の連絡先には副の連絡手段が必要です',
    );
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.error-summary li').allTextContents()).toEqual([
      '連絡先 1: メールアドレス: メールアドレスの形式で入力してください',
      '連絡先 1: 副の連絡手段: 会員の連絡先には副の連絡手段が必要です',
    ]);
    await expectAccessible(page);
    await screenshot(page, 'directory-edit');
    expect(puts).toEqual([]);
    expect((await api.call('GET', '/directory/organizations/asahi-petrochem', { token })).body.version).toBe(
      before.body.version,
    );

    await email.fill('csirt2@asahi-petrochem.ceptoar.example');
    await page.locator('#org-contacts-0-secondary').selectOption('sms');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('保存しました。').waitFor();
    expect(puts).toHaveLength(1);
    const after = await api.call('GET', '/directory/organizations/asahi-petrochem', { token });
    expect(after.body.version).toBe(before.body.version + 1);
    expect(after.body.contacts[0]).toEqual({
      ...before.body.contacts[0],
      email: 'csirt2@asahi-petrochem.ceptoar.example',
    });
    await expectAccessible(page);

    // A contact check reaches the new address; its link confirms the contact, and the page shows it.
    await page.getByRole('link', { name: '名簿に戻る' }).click();
    await page.getByRole('button', { name: '連絡先の到達確認を送る' }).click();
    await page.locator('h1', { hasText: '【訓練】 連絡先の到達確認' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop() ?? '';
    const mail = await stack.mail.waitFor(
      (m) => m.to.includes('csirt2@asahi-petrochem.ceptoar.example') && m.text.includes(id),
      20_000,
    );
    const link = /\/ack\/([\w.-]+)/.exec(mail.text)?.[1];
    expect((await api.call('POST', `/ack/${link}`)).body.status).toBe('acknowledged');
    const contact = page.locator('tr[data-contact=asahi-petrochem-csirt]');
    await expect
      .poll(() => contact.locator('td.confirmed').textContent(), { timeout: 10_000 })
      .toMatch(/JST$/);
    expect(await contact.locator('th').textContent()).toBe('朝日石油化学');
    await expect.poll(() => contact.locator('td').nth(1).textContent()).toBe('メール・SMS');
    expect(await page.locator('.check-summary strong').textContent()).toMatch(
      /^1\/\d+ 件の連絡先が確認済み$/,
    );
    await expectAccessible(page);
    await screenshot(page, 'contact-check');
  });

  it('shares an incident: the preview refuses the reporter’s name, shows the member view once edited, then shares', async () => {
    const incidentId = await api.report('kashima-resin', {
      title: '鹿島樹脂 千葉工場のヒストリアン暗号化',
      description: '鹿島樹脂 CSIRT が 09:40 に検知。ヒストリアンサーバが暗号化された。',
      tlp: 'AMBER',
    });
    const page = await secretariatPage();
    await page.goto(`${stack.url}/app/incidents/${incidentId}`);
    await page.getByRole('link', { name: 'この報告を匿名化して会員に共有' }).click();
    await page.locator('h1', { hasText: '匿名化して会員に共有' }).waitFor();
    expect(await page.locator('#share-title').inputValue()).toBe('鹿島樹脂 千葉工場のヒストリアン暗号化');
    expect(await page.locator('#share-tlp').inputValue()).toBe('AMBER');

    await page.getByRole('button', { name: 'プレビュー' }).click();
    await page.getByText('報告元を特定できる記述が残っているため共有できません。').waitFor();
    expect(await page.locator('#share-title-error').textContent()).toBe(
      '報告元を特定できる記述が残っています。削除してください',
    );
    expect(await page.locator('#share-body-error').textContent()).toBe(
      '報告元を特定できる記述が残っています。削除してください',
    );
    expect(await page.locator('.preview').count()).toBe(0);
    await expectAccessible(page);
    // Sharing before a clean preview is not possible.
    await page.getByRole('button', { name: '共有する' }).click();
    await page.getByText('共有する前に、この内容でプレビューを確認してください。').waitFor();

    const title = '会員企業のプラントでヒストリアンが暗号化';
    const body = 'ヒストリアンサーバが暗号化された。業務ネットワークからヒストリアンを切り離してください。';
    await page.locator('#share-title').fill(title);
    await page.locator('#share-body').fill(body);
    await page.getByRole('button', { name: 'プレビュー' }).click();
    const preview = page.locator('.preview');
    await preview.waitFor();
    expect(await page.locator('#share-title-error').count()).toBe(0);
    expect(await preview.textContent()).toContain('10 組織に配信されます（報告元を除く）。');
    expect(await preview.locator('h3').textContent()).toBe(title);
    expect(await preview.locator('.prose').textContent()).toBe(body);
    expect(await preview.locator('.tlp').textContent()).toBe('TLP:AMBER');
    await expectAccessible(page);
    await screenshot(page, 'share-preview');
    // The preview wrote nothing: no advisory yet.
    const board = async () =>
      (
        await api.call('GET', '/board?limit=200', { token: await api.token('secretariat') })
      ).body.items.filter((a: { title: string }) => a.title === title);
    expect(await board()).toEqual([]);

    await page.getByRole('button', { name: '共有する' }).click();
    await page.getByText('共有しました（10 組織に配信）。').waitFor();
    const shared = await board();
    expect(shared).toHaveLength(1);
    const view = await api.call('GET', `/advisories/${shared[0].id}`, {
      token: await api.token('secretariat'),
    });
    expect(view.body).toMatchObject({
      title,
      body,
      tlp: 'AMBER',
      sourceIncidentId: incidentId,
      drill: false,
    });
    expect(view.body.recipients.map((r: { org: string }) => r.org)).not.toContain('kashima-resin');
    await expectAccessible(page);

    // At phone width every page of the secretariat's fits, tables scrolling inside their box.
    const phone = await secretariatPage(PHONE);
    for (const [path, heading] of [
      ['drills', '訓練'],
      ['directory', '連絡先名簿'],
      ['directory/asahi-petrochem', '朝日石油化学 の名簿'],
      [`incidents/${incidentId}/share`, '匿名化して会員に共有'],
    ] as const) {
      await phone.goto(`${stack.url}/app/${path}`);
      await phone.locator('h1', { hasText: heading }).waitFor();
      await phone.locator('main form, main table').first().waitFor();
      expect(await fitsWidth(phone), path).toBe(true);
      await expectAccessible(phone);
    }
  });
});
