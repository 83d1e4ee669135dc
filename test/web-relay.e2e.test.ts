import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import {
  expectAccessible,
  fillReport,
  personContext,
  screenshot,
  signIn,
  startConsoleTest,
  stopConsoleTest,
} from './support/console-pages.ts';
import type { apiClient } from './support/local-api.ts';

// The console in Debian's chromium against the whole local stack: each role's part of the relay.
// Real time (scale 1), so deadlines are hours away, except the secretariat's for low severity, a few
// seconds, for the escalation test.
let stack: LocalStack;
let browser: Browser;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  ({ stack, browser, api } = await startConsoleTest({
    timeScale: 1,
    consolePollSeconds: 1,
    relayPolicy: JSON.stringify({ deadlineHours: { secretariat: { low: 0.002 } } }),
  }));
});
afterAll(() => stopConsoleTest({ stack, browser }));

describe('the web console: the relay, role by role', () => {
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
      .poll(() => member.locator('.timeline:not(.stages) .hop-current .time-left').textContent())
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
    // The notifications the report sent: the review request to the secretariat's duty contact, by
    // e-mail, delivered at the first attempt (no failed attempt to show).
    const sent = secretariat.locator('table.messages tr[data-key="1:review_requested:sec-duty:email"]');
    await expect.poll(() => sent.locator('th').textContent()).toBe('確認依頼');
    await expect.poll(() => sent.locator('.outcome').textContent()).toMatch(/ 配信$/);
    await expect.poll(() => sent.locator('td').last().textContent()).toBe('—');

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
    await expect.poll(() => member.locator('.timeline:not(.stages) .hop-done').count()).toBe(3);
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

  it('returns a report with a note, and the member resubmits it with a follow-up', async () => {
    const id = await api.report('keiyo-aromatics', { title: '差し戻しの確認', severity: 'high' });
    const secretariat = await (await personContext(browser)).newPage();
    await signIn(secretariat, stack.url, 'secretariat');
    await secretariat.goto(`${stack.url}/app/incidents/${id}`);
    await secretariat.locator('h1', { hasText: '差し戻しの確認' }).waitFor();
    // A return without a note is refused before anything is sent: the member could not act on it.
    await secretariat.getByRole('button', { name: '差し戻す' }).click();
    expect(await secretariat.locator('#decision-note-error').textContent()).toBe(
      '差し戻しの理由を入力してください',
    );
    await expect.poll(() => secretariat.evaluate(() => document.activeElement?.id)).toBe('decision-note');
    expect((await api.events(id)).map((e) => e.type)).not.toContain('RelayReturned');
    await secretariat.locator('#decision-note').fill('影響範囲（出荷への影響）を追記してください。');
    await secretariat.getByRole('button', { name: '差し戻す' }).click();
    await secretariat.getByText('会員に差し戻しました。').waitFor();

    const member = await (await personContext(browser)).newPage();
    await signIn(member, stack.url, 'member', 'keiyo-aromatics');
    await member.getByRole('link', { name: '差し戻しの確認' }).click();
    await member.getByText('影響範囲（出荷への影響）を追記してください。').first().waitFor();
    await expect
      .poll(() => member.locator('.timeline:not(.stages) .hop-current .hop-name').textContent())
      .toBe('会員の再提出');
    await expectAccessible(member);
    await screenshot(member, 'member-returned');
    await member.locator('#follow-up-note').fill('出荷への影響はなし。千葉工場の生産は継続中。');
    await member.locator('#follow-up-recovery').selectOption('mitigating');
    await member.getByRole('button', { name: '続報を添えて再提出' }).click();
    await member.getByText('続報を送信しました。').waitFor();
    await expect.poll(() => member.locator('.status').textContent()).toBe('事務局の審査待ち');
    expect(await member.locator('.plain li').filter({ hasText: '第1報' }).textContent()).toContain('対応中');

    // Back in the secretariat's queue, which noticed by itself.
    await secretariat.getByRole('link', { name: '審査キュー' }).click();
    await secretariat.locator('.incident-row', { hasText: '差し戻しの確認' }).waitFor();
    await secretariat.context().close();
    await member.context().close();
  });

  it('marks a passed deadline and its escalation on an open page, without a reload', async () => {
    const id = await api.report('seto-olefin', { title: '期限超過の確認', severity: 'low' });
    const context = await personContext(browser);
    const page = await context.newPage();
    await signIn(page, stack.url, 'secretariat');
    await page.goto(`${stack.url}/app/incidents/${id}`);
    await page.locator('h1', { hasText: '期限超過の確認' }).waitFor();
    await page.locator('.timeline:not(.stages) .hop-current .badge.escalation').waitFor({ timeout: 30_000 });
    expect(await page.locator('.timeline:not(.stages) .hop-current .escalations li').count()).toBeGreaterThan(
      0,
    );
    await expectAccessible(page);

    // The queue lists it with the escalation count beside its deadline.
    await page.getByRole('link', { name: '審査キュー' }).click();
    const row = page.locator('.incident-row', { hasText: '期限超過の確認' });
    await row.locator('.badge.escalation').first().waitFor();
    await context.close();
  });
  // Last in the file: it moves the chemical sector onto CIRCIA's clocks for the incidents reported after it.
  it("asks for CIRCIA's ransom payment when the member files that stage, and records it", async () => {
    const nisc = await api.token('nisc');
    const current = await api.call('GET', '/sectors/chemical', { token: nisc });
    const { names, secretariat, ministry, members } = current.body;
    const put = await api.call('PUT', '/sectors/chemical', {
      token: nisc,
      body: { names, secretariat, ministry, members, preset: 'circia' },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const id = await api.report('minato-polymer', { title: '身代金支払の報告', severity: 'high' });
    const member = await (await personContext(browser)).newPage();
    await signIn(member, stack.url, 'member', 'minato-polymer');
    await member.goto(`${stack.url}/app/incidents/${id}`);
    await member.locator('h1', { hasText: '身代金支払の報告' }).waitFor();
    expect(await member.locator('#follow-up-ransom-amount').count()).toBe(0);
    await member.locator('#follow-up-stage').selectOption('ransom-payment');
    await member.locator('#follow-up-ransom-amount').waitFor();
    await expectAccessible(member);
    await member.locator('#follow-up-note').fill('復号鍵の提供を受けるため支払った。');
    await member.locator('#follow-up-ransom-paid-at').fill('2026-11-30T09:15');
    await member.locator('#follow-up-ransom-amount').fill('1.5');
    await member.locator('#follow-up-ransom-currency').fill('BTC');
    await member.getByRole('button', { name: '続報を送信' }).click();
    await member.getByText('続報を送信しました。').waitFor();
    const added = (await api.events(id)).find((e) => e.type === 'FollowUpAdded');
    // The browser's time zone is the machine's: the instant is whatever 09:15 there is, in UTC.
    const paidAt = await member.evaluate(() => new Date('2026-11-30T09:15').toISOString());
    expect(added?.data).toMatchObject({
      stage: 'ransom-payment',
      details: { ransomPayment: { paidAt, amount: 1.5, currency: 'BTC' } },
    });
    await member.context().close();
  });
});
