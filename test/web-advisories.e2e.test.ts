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

// The advisories part of the console in Debian's chromium against the whole local stack, in real time
// (scale 1): forward deadlines and the 24 h window are hours away, so nothing times out meanwhile.
let stack: LocalStack;
let browser: Browser;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  ({ stack, browser, api } = await startConsoleTest({ timeScale: 1, consolePollSeconds: 1 }));
});
afterAll(() => stopConsoleTest({ stack, browser }));

async function person(role: string, org?: string): Promise<Page> {
  const page = await (await personContext(browser)).newPage();
  await signIn(page, stack.url, role, org);
  return page;
}

/** Opens the advisories list from the menu (the slot shows once the API answers its probe). */
async function openAdvisories(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: '情報提供' }).click();
  await page.locator('h1', { hasText: '情報提供' }).waitFor();
}

/** At phone width nothing is wider than the screen, and axe still finds nothing serious. */
async function expectFitsPhone(page: Page) {
  await page.setViewportSize(PHONE);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await expectAccessible(page);
}

const advisoryCount = async () =>
  (await api.call('GET', '/advisories?limit=200', { token: await api.token('secretariat') })).body.items
    .length as number;

describe('the web console: advisories, role by role', () => {
  it('refuses a bad issue form field by field, with the API schema, and writes nothing', async () => {
    const before = await advisoryCount();
    const nisc = await person('nisc');
    await openAdvisories(nisc);
    await nisc.getByRole('link', { name: '情報提供を発出' }).click();
    await nisc.locator('h1', { hasText: '情報提供の発出' }).waitFor();
    await expectAccessible(nisc);

    await nisc.locator('#advisory-title').fill('   ');
    await nisc.locator('#advisory-ackWithinHours').fill('0');
    await nisc.getByLabel('選んだ会員のみ').check();
    await nisc.getByRole('button', { name: '発出する' }).click();
    const summary = nisc.locator('.error-summary');
    await summary.waitFor();
    expect(await summary.locator('li').allTextContents()).toEqual([
      '表題: 入力してください',
      '情報の取扱い (TLP): 選択してください',
      '受領確認の期限（時間）: 0 より大きく 720 以下の時間を入力してください',
      '配信先: 少なくとも 1 つ選択してください',
      '本文: 入力してください',
    ]);
    expect(await nisc.locator('#advisory-title').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(nisc);
    await expectFitsPhone(nisc);
    expect(await advisoryCount()).toBe(before);
  });

  it('carries an advisory from NISC through the ministry and the secretariat to a member, each in the browser', async () => {
    const title = 'VPN 装置の脆弱性（CVE-2026-0001）悪用の確認';
    const nisc = await person('nisc');
    await openAdvisories(nisc);
    await expectAccessible(nisc);
    await nisc.getByRole('link', { name: '情報提供を発出' }).click();
    await nisc.locator('#advisory-title').fill(title);
    await nisc.locator('input[name=tlp][value=AMBER]').check();
    await nisc.locator('#advisory-severity').selectOption('high');
    await nisc.locator('#advisory-ackWithinHours').fill('24');
    await nisc.getByLabel('選んだ会員のみ').check();
    await nisc.getByLabel('朝日石油化学').check();
    await nisc.getByLabel('海岸化学工業').check();
    await nisc
      .locator('#advisory-body')
      .fill('VPN 装置の修正を適用し、11 月 1 日以降のログを確認してください。');
    await screenshot(nisc, 'advisory-issue-form');
    await nisc.getByRole('button', { name: '発出する' }).click();
    await nisc.locator('h1', { hasText: title }).waitFor();
    await nisc.getByText('情報提供を発出しました。').waitFor();
    await expect.poll(() => nisc.locator('.meta .status').textContent()).toBe('所管省庁の展開待ち');
    await expectAccessible(nisc);
    const id = nisc.url().split('/').pop() ?? '';

    // The ministry: first in its list, awaiting its forward with time left; forwards with a note.
    const ministry = await person('ministry');
    await openAdvisories(ministry);
    const awaiting = ministry.getByRole('list', { name: 'あなたの展開待ち' });
    const row = awaiting.locator('.advisory-row', { hasText: title });
    await row.locator('.time-left', { hasText: /^残り/ }).waitFor();
    await expectAccessible(ministry);
    await row.getByRole('link', { name: title }).click();
    await ministry.locator('#forward-note').fill('経産省より展開します。');
    await expectAccessible(ministry);
    await ministry.getByRole('button', { name: '展開する' }).click();
    await ministry.getByText('展開しました。').waitFor();
    await expect.poll(() => ministry.locator('.meta .status').textContent()).toBe('事務局の展開待ち');

    // The secretariat forwards: distributed to the two chosen members.
    const secretariat = await person('secretariat');
    await openAdvisories(secretariat);
    await secretariat
      .getByRole('list', { name: 'あなたの展開待ち' })
      .getByRole('link', { name: title })
      .click();
    await secretariat.locator('h1', { hasText: title }).waitFor();
    await secretariat.getByRole('button', { name: '展開する' }).click();
    await secretariat.getByText('展開しました。').waitFor();
    await expect
      .poll(() => secretariat.locator('.meta .status').textContent())
      .toBe('配信済み（受領確認の受付中）');

    // The member: awaiting its acknowledgement, with the deadline; acknowledges on the advisory's page.
    const member = await person('member', 'asahi-petrochem');
    await openAdvisories(member);
    const mine = member.getByRole('list', { name: '自社の受領確認待ち' }).locator('.advisory-row', {
      hasText: title,
    });
    await mine.locator('.time-left', { hasText: /^残り (23時間5\d分|1日)/ }).waitFor();
    await expectAccessible(member);
    await screenshot(member, 'advisories-member');
    await expectFitsPhone(member);
    await mine.getByRole('link', { name: title }).click();
    await member.locator('h1', { hasText: title }).waitFor();
    await member.getByText('経産省より展開します。').waitFor();
    await member.getByRole('button', { name: '受領を確認' }).click();
    await member.getByText('受領確認を記録しました。').waitFor();
    await member.locator('.acknowledged-at', { hasText: /に受領確認済み$/ }).waitFor();
    expect(await member.getByRole('button', { name: '受領を確認' }).count()).toBe(0);
    await expectAccessible(member);

    // The secretariat's page was left open: Asahi's acknowledgement and the rate arrive without a reload.
    const asahiRow = secretariat.locator('tr[data-org=asahi-petrochem]');
    await expect
      .poll(() => asahiRow.locator('.acknowledged').textContent(), { timeout: 10_000 })
      .not.toBe('未');
    expect(await secretariat.locator('tr[data-org=kaigan-chemical] .acknowledged').textContent()).toBe('未');
    await expect.poll(() => secretariat.locator('.rate').textContent()).toMatch(/^50%: 期限内 1\/2 組織/);
    await secretariat.locator('tr[data-org=asahi-petrochem] td', { hasText: '(メール)' }).first().waitFor();
    await expectAccessible(secretariat);
    await screenshot(secretariat, 'advisory-detail-secretariat');
    // On a phone the recipient table becomes labelled blocks.
    await expectFitsPhone(secretariat);

    // What the browsers did is what the log records, by the right people.
    const view = await api.call('GET', `/advisories/${id}`, { token: await api.token('secretariat') });
    expect(view.body).toMatchObject({
      title,
      tlp: 'AMBER',
      severity: 'high',
      ackWithinHours: 24,
      drill: false,
      status: 'distributed',
      issuedBy: 'local-nisc',
      notes: [{ hop: 'ministry', note: '経産省より展開します。' }],
      transmission: { recipients: 2, acknowledged: 1 },
    });
    expect(view.body.recipients.map((r: { org: string }) => r.org).sort()).toEqual([
      'asahi-petrochem',
      'kaigan-chemical',
    ]);
  });

  it("sends one advisory from NISC to two sectors and shows each sector's chain and the overall rate", async () => {
    const title = '電力・化学分野向け: 制御系リモート保守回線への不正接続の試み';
    const nisc = await person('nisc');
    await openAdvisories(nisc);
    await nisc.getByRole('link', { name: '情報提供を発出' }).click();
    await nisc.locator('#advisory-title').fill(title);
    await nisc.locator('input[name=tlp][value=GREEN]').check();
    await nisc.getByLabel('選んだセプター').check();
    // Several sectors go to every member of each: the audience choice gives way to a note.
    expect(await nisc.getByLabel('選んだ会員のみ').count()).toBe(0);
    await nisc.getByText('各セプターの全構成員に届きます。').waitFor();
    await nisc.getByLabel('化学CEPTOAR').check();
    await nisc.getByLabel('CEPTOAR電力').check();
    await nisc
      .locator('#advisory-body')
      .fill('リモート保守回線の接続元を確認し、不要な回線を閉じてください。');
    await expectAccessible(nisc);
    await nisc.getByRole('button', { name: '発出する' }).click();

    // The fork's page: two sectors, each a chain of its own, issued by the reaction to the fork.
    await nisc.locator('h1', { hasText: title }).waitFor();
    await nisc.getByText('2セプター宛て').waitFor();
    const chemical = nisc.locator('tr[data-sector=chemical]');
    const electricity = nisc.locator('tr[data-sector=electricity]');
    await expect
      .poll(() => chemical.locator('.status').textContent(), { timeout: 15_000 })
      .toBe('所管省庁の展開待ち');
    await expect.poll(() => electricity.locator('.status').textContent()).toBe('所管省庁の展開待ち');
    expect(await nisc.locator('[data-testid=fork-overall]').textContent()).toMatch(
      /^2セプター中0セプターで配信済み/,
    );
    await expectAccessible(nisc);
    const forkId = nisc.url().split('/').pop() ?? '';

    // The ministry and the chemical secretariat forward the chemical chain with the API: the page, left
    // open, shows it distributed to the chemical sector's 11 members while electricity still waits.
    const fork = await api.call('GET', `/advisories/${forkId}`, { token: await api.token('nisc') });
    expect(fork.body.kind).toBe('fork');
    const child = fork.body.children.find((c: { sector: string }) => c.sector === 'chemical')
      .advisoryId as string;
    for (const role of ['ministry', 'secretariat'] as const) {
      const forwarded = await api.call('POST', `/advisories/${child}/forward`, {
        token: await api.token(role),
        body: {},
      });
      expect(forwarded.status).toBe(200);
    }
    await expect
      .poll(() => chemical.locator('.status').textContent(), { timeout: 15_000 })
      .toBe('配信済み（受領確認の受付中）');
    expect(await chemical.locator('td').nth(3).textContent()).toBe('11組織中0');
    expect(await electricity.locator('.status').textContent()).toBe('所管省庁の展開待ち');
    await expect
      .poll(() => nisc.locator('[data-testid=fork-overall]').textContent())
      .toMatch(/^2セプター中1セプターで配信済み/);
    await screenshot(nisc, 'advisory-fork-nisc');
    await expectFitsPhone(nisc);

    // A sector's row opens its chain, which leads back to the whole.
    await chemical.getByRole('link', { name: '化学CEPTOAR' }).click();
    await nisc.locator('h1', { hasText: title }).waitFor();
    await nisc.getByRole('heading', { name: '配信先ごとの状況' }).waitFor();
    await nisc.getByRole('link', { name: /複数セプター宛ての情報提供の一部です/ }).click();
    await nisc.getByText('2セプター宛て').waitFor();

    // NISC's advisory list shows it as one row, opening the whole, with each sector's chain under it.
    await openAdvisories(nisc);
    const row = nisc.locator(`li.fork-row[data-fork="${forkId}"]`);
    await row.getByRole('link', { name: title }).waitFor();
    await row.getByText('2セプター宛て').waitFor();
    expect(await row.locator('.row-line').nth(1).textContent()).toMatch(/^2セプター中1セプターで配信済み/);
    const children = row.locator('.fork-children');
    await children.getByRole('link', { name: '化学CEPTOAR' }).waitFor();
    await children.getByRole('link', { name: 'CEPTOAR電力' }).waitFor();
    // One row for the whole, not one per sector beside it.
    expect(await nisc.getByRole('link', { name: title }).count()).toBe(1);
    await expectAccessible(nisc);
    await children.getByRole('link', { name: '化学CEPTOAR' }).click();
    await nisc.getByRole('heading', { name: '配信先ごとの状況' }).waitFor();
  });

  it('lets NISC start one drill in every sector from the drills page: no sector chosen is named, all opens the fork', async () => {
    const nisc = await person('nisc');
    await nisc.getByRole('navigation').getByRole('link', { name: '訓練' }).click();
    await nisc.locator('h1', { hasText: '訓練' }).waitFor();
    await nisc.locator('#drill-title').fill('全分野 情報連絡訓練');
    await nisc.locator('#drill-body').fill('受領確認をお願いします。');
    // Chosen sectors, but none chosen: the form names the field and sends nothing.
    await nisc.getByLabel('選んだセプター').check();
    await nisc.getByRole('button', { name: '訓練を開始' }).click();
    await nisc.locator('#drill-sectors-error').waitFor();
    expect(await nisc.locator('.error-summary').textContent()).toContain('送付先セプター');
    await nisc.getByLabel('全セプター').check();
    await expectAccessible(nisc);
    await nisc.getByRole('button', { name: '訓練を開始' }).click();
    // The fork's page: 18 sectors, a drill.
    await nisc.locator('h1', { hasText: '全分野 情報連絡訓練' }).waitFor();
    await nisc.getByText('18セプター宛て').waitFor();
    await nisc.locator('.drill-mark').first().waitFor();
    const forkId = nisc.url().split('/').pop() ?? '';
    const fork = await api.call('GET', `/advisories/${forkId}`, { token: await api.token('nisc') });
    expect(fork.body).toMatchObject({ kind: 'fork', drill: true });
    expect(fork.body.children).toHaveLength(18);
    // Its drills list: one row per sector, each naming its sector.
    await nisc.getByRole('navigation').getByRole('link', { name: '訓練' }).click();
    const rows = nisc.locator('.drill-row', { hasText: '全分野 情報連絡訓練' });
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(18);
    expect(await rows.filter({ hasText: '化学CEPTOAR' }).count()).toBe(1);
    expect(await rows.filter({ hasText: 'CEPTOAR電力' }).count()).toBe(1);
    await expectAccessible(nisc);
  });

  it('shows the bulletin board newest first with labels and drill marks, and a public board without sign-in', async () => {
    const token = await api.token('secretariat');
    const drill = await api.call('POST', '/advisories', {
      token,
      body: { title: '訓練: 連絡網の確認', body: '受信を確認してください。', tlp: 'CLEAR', drill: true },
    });
    expect(drill.status).toBe(201);

    const secretariat = await person('secretariat');
    await secretariat.getByRole('navigation').getByRole('link', { name: '電子掲示板' }).click();
    await secretariat.locator('h1', { hasText: '電子掲示板' }).waitFor();
    const first = secretariat.locator('.board-row').first();
    await first.getByRole('link', { name: '訓練: 連絡網の確認' }).waitFor();
    expect(await first.locator('.drill-mark').textContent()).toBe('【訓練】');
    expect(await first.locator('.tlp').textContent()).toBe('TLP:CLEAR');
    await expectAccessible(secretariat);
    await screenshot(secretariat, 'board');
    await expectFitsPhone(secretariat);

    // The public board: no sign-in, TLP:CLEAR only, with the text and the drill mark.
    const anyone = await (await personContext(browser)).newPage();
    await anyone.goto(`${stack.url}/app/public/board`);
    await anyone.locator('h1', { hasText: '公開掲示板' }).waitFor();
    const row = anyone.locator('.board-row', { hasText: '連絡網の確認' });
    await row.getByRole('heading', { name: '【訓練】 訓練: 連絡網の確認' }).waitFor();
    await row.getByText('受信を確認してください。').waitFor();
    expect(await anyone.locator('.board-row .tlp').allTextContents()).not.toContain('TLP:AMBER');
    expect(new URL(anyone.url()).pathname).toBe('/app/public/board');
    await expectAccessible(anyone);
  });

  it('switches the advisories page between Japanese and English', async () => {
    const member = await person('member', 'kaigan-chemical');
    await openAdvisories(member);
    await member.getByRole('button', { name: 'English' }).click();
    await member.locator('h1', { hasText: 'Advisories' }).waitFor();
    await member.getByRole('heading', { name: 'Awaiting your acknowledgement' }).waitFor();
    expect(await member.locator('html').getAttribute('lang')).toBe('en');
    await member.locator('.advisory-row .time-left', { hasText: /left$/ }).first().waitFor();
    await expectAccessible(member);
    await member.getByRole('button', { name: '日本語' }).click();
    await member.locator('h1', { hasText: '情報提供' }).waitFor();
    expect(await member.locator('html').getAttribute('lang')).toBe('ja');
  });
});
