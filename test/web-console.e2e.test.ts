import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { buildConsole } from '../web/build.ts';
import { launchBrowser } from './support/browser.ts';
import { expectAccessible, PHONE, personContext, screenshot, signIn } from './support/console-pages.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

// The console in Debian's chromium against the whole local stack. Real time (scale 1), so deadlines
// are hours away, except the secretariat's for low severity, a few seconds, for the escalation test.
let stack: LocalStack;
let browser: Browser;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  buildConsole({ ifStale: true, quiet: true });
  stack = await startTestStack({
    timeScale: 1,
    consolePollSeconds: 1,
    relayPolicy: JSON.stringify({ deadlineHours: { secretariat: { low: 0.002 } } }),
  });
  api = apiClient(stack.url);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Fills the report form as a member would, by keyboard and mouse. */
async function fillReport(page: Page, title: string) {
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

describe('the web console', () => {
  it('carries a report from the member through the secretariat to the ministry and NISC, each in the browser', async () => {
    const title = 'ランサムウェア感染（千葉工場 ヒストリアン）';
    const member = await (await personContext(browser)).newPage();
    await signIn(member, stack.url, 'member', 'asahi-petrochem');
    await expect.poll(() => member.locator('h1').textContent()).toBe('自社の報告');
    await expectAccessible(member);

    await member.getByRole('link', { name: 'IT障害を報告' }).click();
    await member.locator('h1', { hasText: 'IT障害の報告' }).waitFor();
    await expectAccessible(member);
    await fillReport(member, title);
    await screenshot(member, 'member-report-form');
    await member.getByRole('button', { name: '報告を送信' }).click();
    await member.locator('h1', { hasText: title }).waitFor();
    await member.getByText('報告を送信しました。').waitFor();
    await expect.poll(() => member.locator('.status').textContent()).toBe('事務局の審査待ち');
    await expect
      .poll(() => member.locator('.hop-current .time-left').textContent())
      .toMatch(/^残り 3時間5\d分$/);
    const id = member.url().split('/').pop() ?? '';
    await expectAccessible(member);
    await screenshot(member, 'member-incident');

    const secretariat = await (await personContext(browser)).newPage();
    await signIn(secretariat, stack.url, 'secretariat');
    await secretariat.locator('h1', { hasText: '審査キュー' }).waitFor();
    const row = secretariat.locator('.incident-row', { hasText: title });
    await row.locator('.time-left', { hasText: /^残り/ }).waitFor();
    await expectAccessible(secretariat);
    await screenshot(secretariat, 'secretariat-queue');
    await row.getByRole('link', { name: title }).click();
    await secretariat.locator('#decision-note').fill('内容を確認しました。所管省庁へ中継します。');
    await expectAccessible(secretariat);
    await screenshot(secretariat, 'secretariat-review');
    await secretariat.getByRole('button', { name: '承認して中継' }).click();
    await secretariat.getByText('承認し、所管省庁に中継しました。').waitFor();
    await expect.poll(() => secretariat.locator('.status').textContent()).toBe('所管省庁の受領待ち');

    const ministry = await (await personContext(browser)).newPage();
    await signIn(ministry, stack.url, 'ministry');
    await ministry.locator('h1', { hasText: '受領待ち' }).waitFor();
    await ministry.locator('.incident-row', { hasText: title }).locator('.time-left').waitFor();
    await expectAccessible(ministry);
    await screenshot(ministry, 'ministry-inbox');
    await ministry.getByRole('button', { name: `受領を確認: ${title}` }).click();
    await ministry.getByText(`「${title}」の受領を記録しました。`).waitFor();
    await ministry.getByText('受領待ちの報告はありません。').waitFor();
    await expectAccessible(ministry);

    const nisc = await (await personContext(browser)).newPage();
    await signIn(nisc, stack.url, 'nisc');
    await nisc.locator('.incident-row', { hasText: title }).getByRole('link', { name: title }).click();
    await nisc.locator('h1', { hasText: title }).waitFor();
    await expectAccessible(nisc);
    await nisc.getByRole('button', { name: '受領を確認' }).click();
    await nisc.getByText('受領を記録しました。').waitFor();
    await expect.poll(() => nisc.locator('.status').textContent()).toBe('中継完了');

    // The member's page was left open: the receipts reach it without a reload.
    await expect.poll(() => member.locator('.status').textContent(), { timeout: 10_000 }).toBe('中継完了');
    await expect.poll(() => member.locator('.hop-done').count()).toBe(3);
    await screenshot(member, 'member-incident-relayed');

    const auditor = await (await personContext(browser)).newPage();
    await signIn(auditor, stack.url, 'auditor');
    await auditor.locator('.incident-row', { hasText: title }).getByRole('link', { name: title }).click();
    await auditor.getByRole('link', { name: 'イベント履歴を見る' }).click();
    await auditor.locator('h1', { hasText: 'イベント履歴' }).waitFor();
    await auditor.locator('.event-ReceiptAcknowledged').nth(1).waitFor();
    await expectAccessible(auditor);
    await screenshot(auditor, 'auditor-events');

    // What the browsers did is what the log records, by the right people.
    const events = await api.events(id);
    const commands = events
      .filter((e) => ['IncidentReported', 'RelayApproved', 'ReceiptAcknowledged'].includes(e.type))
      .map((e) => [e.type, e.actor.sub]);
    expect(commands).toEqual([
      ['IncidentReported', 'local-member-asahi-petrochem'],
      ['RelayApproved', 'local-secretariat'],
      ['ReceiptAcknowledged', 'local-ministry'],
      ['ReceiptAcknowledged', 'local-nisc'],
    ]);
    expect(events.find((e) => e.type === 'IncidentReported')?.data.report).toMatchObject({
      title,
      severity: 'high',
      tlp: 'AMBER',
      affectedSystems: ['business_it', 'plant_control'],
      occurredAt: '2026-11-26T00:40:00.000Z',
    });
  });

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

  it('marks a passed deadline and its escalation on an open page, without a reload', async () => {
    const id = await api.report('seto-olefin', { title: '期限超過の確認', severity: 'low' });
    const context = await personContext(browser);
    const page = await context.newPage();
    await signIn(page, stack.url, 'secretariat');
    await page.goto(`${stack.url}/app/incidents/${id}`);
    await page.locator('h1', { hasText: '期限超過の確認' }).waitFor();
    await page.locator('.hop-current .badge.escalation').waitFor({ timeout: 30_000 });
    expect(await page.locator('.hop-current .escalations li').count()).toBeGreaterThan(0);
    await expectAccessible(page);

    // The queue lists it with the escalation count beside its deadline.
    await page.getByRole('link', { name: '審査キュー' }).click();
    const row = page.locator('.incident-row', { hasText: '期限超過の確認' });
    await row.locator('.badge.escalation').first().waitFor();
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

  it('shows no navigation for parts whose API this stack does not serve yet', async () => {
    await eventually(async () => (await api.call('GET', '/health')).status === 200);
    const context = await personContext(browser);
    const page = await context.newPage();
    await signIn(page, stack.url, 'secretariat');
    const nav = page.getByRole('navigation');
    expect(await nav.getByRole('listitem').allTextContents()).toEqual(['審査キュー', '報告一覧']);
    expect(await page.locator('[data-slot]').count()).toBe(0);
    await context.close();
  });
});
