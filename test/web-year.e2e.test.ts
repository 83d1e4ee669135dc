import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FULL_ANSWERS, SELF_ASSESSMENT } from './fixtures/survey-definition.ts';
import {
  consoleWorld,
  expectAccessible,
  personContext,
  screenshot,
  signIn,
} from './support/console-pages.ts';

// The secretariat's year in Debian's chromium against the whole local stack: a member answers a
// survey over two sittings and sees its scores against the sector's; the secretariat reads the
// results and builds a survey; the ministry sees a withheld cell; the secretariat records an
// activity with minutes, drafts next year's plan and opens the fiscal year's report and its PDF.
const world = consoleWorld({ checkpointSeconds: 0 });

let surveyId = '';
/** The menu's slots appear once the API answers their probes: a loaded machine takes a while. */
const SLOW = { timeout: 30_000 };

async function pageAs(role: string, org?: string): Promise<Page> {
  const page = await (await personContext(world.browser)).newPage();
  await signIn(page, world.stack.url, role, org);
  return page;
}

const menuLinks = (page: Page) => page.getByRole('navigation').getByRole('link').allTextContents();

/** The secretariat builds and issues the self-assessment by the API, due in two days. */
async function issueSurvey(): Promise<string> {
  const sec = { token: await world.api.token('secretariat') };
  const created = await world.api.call('POST', '/surveys', {
    ...sec,
    body: { definition: SELF_ASSESSMENT, tlp: 'AMBER' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const dueAt = new Date(Date.now() + 2 * 86_400_000).toISOString();
  const issued = await world.api.call('POST', `/surveys/${created.body.id}/issue`, {
    ...sec,
    body: { dueAt },
  });
  expect(issued.status, JSON.stringify(issued.body)).toBe(200);
  return created.body.id;
}

describe('the year in the browser', () => {
  it('shows each role its menu: surveys, activities, the annual report, exercises for NISC and the ministry', async () => {
    surveyId = await issueSurvey();
    const member = await pageAs('member', 'asahi-petrochem');
    await expect.poll(() => menuLinks(member), SLOW).toContain('調査・自己評価');
    expect(await menuLinks(member)).not.toContain('年度活動報告');
    const secretariat = await pageAs('secretariat');
    await expect
      .poll(() => menuLinks(secretariat), SLOW)
      .toEqual(expect.arrayContaining(['調査・自己評価', '活動記録', '年度活動報告', '分野横断的演習']));
    for (const role of ['nisc', 'ministry']) {
      const page = await pageAs(role);
      await expect
        .poll(() => menuLinks(page), SLOW)
        .toEqual(expect.arrayContaining(['調査・自己評価', '年度活動報告', '分野横断的演習']));
      expect(await menuLinks(page)).not.toContain('活動記録');
      await page.getByRole('navigation').getByRole('link', { name: '分野横断的演習' }).click();
      await page.locator('h1', { hasText: '分野横断的演習' }).waitFor();
    }
  });

  it('a member answers over two sittings: drafts, per-question errors, a conditional question, submit, amend', async () => {
    const page = await pageAs('member', 'asahi-petrochem');
    await page.getByRole('navigation').getByRole('link', { name: '調査・自己評価' }).click();
    await page.locator('h1', { hasText: '調査・自己評価' }).waitFor();
    await page.getByRole('link', { name: '制御システムセキュリティ自己評価' }).click();
    await page.locator('h1', { hasText: '制御システムセキュリティ自己評価' }).waitFor();
    await page.getByText('まだ回答していません。').waitFor();
    await expectAccessible(page);

    // The adoption date is asked only once there is a policy.
    expect(await page.locator('#answer-policy-year').count()).toBe(0);
    await page.getByLabel('はい').check();
    await page.locator('#answer-policy-year').waitFor();
    await page.locator('#answer-c-access').getByLabel('2 — 組織的に実施').check();
    await page.locator('#answer-staff').fill('-1');
    await page.getByRole('button', { name: '下書きを保存' }).click();
    // The API refuses the staff count: its error stands beside the question, nothing is saved.
    expect(await page.locator('#answer-staff-error').textContent()).toBe('0 以上の値を入力してください');
    await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
    expect(await page.locator('#answer-staff').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page);
    await page.locator('#answer-staff').fill('3');
    expect(await page.locator('#answer-staff-error').count()).toBe(0);
    await page.getByRole('button', { name: '下書きを保存' }).click();
    await page.getByText('下書きを保存しました。').waitFor();
    expect(await page.locator('.response-status').textContent()).toContain('保存 1 回');

    // The second sitting: a fresh page brings the draft back from the API.
    await page.reload();
    await page.locator('.response-status', { hasText: '下書き保存済み' }).waitFor();
    expect(await page.getByLabel('はい').isChecked()).toBe(true);
    expect(await page.locator('#answer-c-access').getByLabel('2 — 組織的に実施').isChecked()).toBe(true);
    expect(await page.locator('#answer-staff').inputValue()).toBe('3');

    // Submitting without the required answers names each of them.
    await page.getByRole('button', { name: '回答を提出' }).click();
    expect(await page.locator('#answer-policy-year-error').textContent()).toBe('入力してください');
    expect(await page.locator('#answer-c-backup-error').textContent()).toBe('入力してください');
    expect(await page.locator('.error-summary li').allTextContents()).toEqual([
      '方針の制定日: 入力してください',
      'バックアップ: 入力してください',
    ]);
    await page.locator('#answer-policy-year').fill('2024-04-01');
    await page.locator('#answer-c-backup').getByLabel('3 — 定期的に見直し').check();
    await page.getByLabel('ネットワーク分離').check();
    await page.getByRole('button', { name: '回答を提出' }).click();
    await page.getByText('回答を提出しました。').waitFor();
    expect(await page.locator('.response-status').textContent()).toContain('提出済み');

    // Amend until it closes.
    await page.locator('#answer-c-backup').getByLabel('4 — 継続的に改善').check();
    await page.getByRole('button', { name: '修正して再提出' }).click();
    await page.getByText('提出済みの回答を修正しました。').waitFor();
    expect(await page.locator('.response-status').textContent()).toContain('修正 1 回');
    const saved = await world.api.call('GET', `/surveys/${surveyId}/response`, {
      token: await world.api.token('member', 'asahi-petrochem'),
    });
    expect(saved.body).toMatchObject({
      status: 'submitted',
      amendments: 1,
      answers: { policy: 'yes', 'policy-year': '2024-04-01', staff: 3, 'c-access': 2, 'c-backup': 4 },
    });
    await expectAccessible(page);
    await screenshot(page, 'survey-answer');

    // The same form in English.
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'Control-system security self-assessment' }).waitFor();
    expect(await page.locator('.response-status').textContent()).toContain('Amended 1 times.');
    expect(await page.locator('#answer-c-backup').getByLabel('4 — Continuously improved').isChecked()).toBe(
      true,
    );
    await page.getByRole('button', { name: 'Amend and submit again' }).waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
  });

  it("shows the member its scores against the sector's median and quartiles, in both languages", async () => {
    // Three more members answer; one says "partly", a cell under k = 3.
    for (const [org, answers] of Object.entries({
      'kaigan-chemical': { ...FULL_ANSWERS, 'c-access': 4 },
      'minato-polymer': { ...FULL_ANSWERS, 'c-access': 1 },
      'seto-olefin': { ...FULL_ANSWERS, policy: 'partly' },
    })) {
      const res = await world.api.call('POST', `/surveys/${surveyId}/response/submit`, {
        token: await world.api.token('member', org),
        body: { answers },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    await world.stack.settle();
    const page = await pageAs('member', 'asahi-petrochem');
    await page.goto(`${world.stack.url}/app/surveys/${surveyId}`);
    await page.getByRole('link', { name: '自組織の結果を見る' }).click();
    await page.locator('h1', { hasText: '調査結果: 制御システムセキュリティ自己評価' }).waitFor();
    const chart = page.getByRole('img', { name: /セクションごとの得点のグラフ/ });
    // Two sections and overall: a line each, a dot for the member's own score on each.
    expect(await chart.locator('.score-row').count()).toBe(3);
    expect(await chart.locator('.own').count()).toBe(3);
    expect(await chart.locator('.median').count()).toBe(3);
    const controls = page.locator('tr[data-section=controls]');
    expect(await controls.locator('th').textContent()).toBe('対策');
    // Asahi: access 2/4, backups 4/4, segmentation 2 of 4 points → (0.5 + 1 + 0.5) / 3.
    expect(await controls.locator('td.own').textContent()).toBe('66.7');
    expect(await page.locator('.own-scores tbody tr').count()).toBe(3);
    await expectAccessible(page);
    await screenshot(page, 'survey-results-member');
    await page.getByRole('button', { name: 'English' }).click();
    await page
      .locator('h1', { hasText: 'Survey results: Control-system security self-assessment' })
      .waitFor();
    expect(await page.locator('tr[data-section=controls] th').textContent()).toBe('Controls');
    await page.getByRole('button', { name: '日本語' }).click();
  });

  it('shows the secretariat whom the survey reached, on which channel, and who has answered', async () => {
    const page = await pageAs('secretariat');
    await page.goto(`${world.stack.url}/app/surveys/${surveyId}`);
    await page.locator('h2', { hasText: '配信と回答の状況' }).waitFor();
    await expect
      .poll(() => page.locator('.recipients-summary').textContent())
      .toBe('11 組織のうち、11 組織に届きました（届かなかった組織 0、結果待ち 0）。回答済み 4 組織。');
    const asahi = page.locator('.survey-recipients tr[data-org=asahi-petrochem]');
    expect(await asahi.locator(':scope > th').textContent()).toBe('朝日石油化学');
    expect(await asahi.locator(':scope > td.reach').textContent()).toBe('届いた');
    expect(await asahi.locator(':scope > td').nth(1).textContent()).toMatch(/^回答済み /);
    await asahi.locator('summary').click();
    const message = asahi.locator('table.messages tbody tr');
    expect(await message.count()).toBe(1);
    expect(await message.locator('th').textContent()).toBe('調査の案内');
    await expectAccessible(page);
  });

  it('gives the secretariat the distributions and CSV/XLSX, and the ministry the cell under k withheld', async () => {
    const page = await pageAs('secretariat');
    await page.goto(`${world.stack.url}/app/surveys/${surveyId}/results`);
    await page.locator('h1', { hasText: '調査結果' }).waitFor();
    expect(await page.locator('.response-rate').textContent()).toBe(
      '回答率 36.4%（4/11 組織、うち期限後 0）',
    );
    const policy = page.locator('.question-result[data-question=policy] tbody tr');
    expect(await policy.allTextContents()).toEqual(['はい3', '一部1', 'いいえ0']);
    expect(await page.locator('tr[data-org=asahi-petrochem] th').textContent()).toBe('朝日石油化学');
    await expectAccessible(page);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV をダウンロード' }).click(),
    ]);
    expect(csv.suggestedFilename()).toBe(`survey-${surveyId}.csv`);
    expect(readFileSync((await csv.path()) ?? '', 'utf8')).toContain(
      'chemical,governance,policy,セキュリティ方針はありますか,はい,3,4,,,',
    );
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Excel (XLSX) をダウンロード' }).click(),
    ]);
    expect(xlsx.suggestedFilename()).toBe(`survey-${surveyId}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    const bytes = readFileSync((await xlsx.path()) ?? '');
    await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['設問別', 'セクター得点', '組織別']);
    // The header and the four members who answered.
    expect(workbook.getWorksheet('組織別')?.rowCount).toBe(5);

    const ministry = await pageAs('ministry');
    await ministry.goto(`${world.stack.url}/app/surveys/${surveyId}/results`);
    await ministry.locator('h1', { hasText: '調査結果' }).waitFor();
    const withheld = ministry.locator('.question-result[data-question=policy]');
    expect(await withheld.locator('.suppressed-mark').textContent()).toBe('一部秘匿');
    expect(await withheld.locator('tbody tr').allTextContents()).toEqual(['はい秘匿', '一部秘匿', 'いいえ0']);
    expect(await ministry.locator('[data-question=comment]').textContent()).toContain(
      '自由記述は事務局が編集して公開するまで',
    );
    expect(await ministry.locator('tr[data-org]').count()).toBe(0);
    await expectAccessible(ministry);

    // The secretariat edits the three members' free text down to one summary and releases it.
    const release = page.locator('.question-result[data-question=comment] .free-text-release');
    expect(await release.locator('.release-status').textContent()).toBe('まだ公開していません。');
    expect(await release.locator('textarea').count()).toBe(3);
    await release.getByLabel('回答 1', { exact: true }).fill('予算の不足を挙げる回答が多い（事務局要約）');
    await release.getByRole('button', { name: '回答 3 を公開しない' }).click();
    await release.getByRole('button', { name: '回答 2 を公開しない' }).click();
    await release.getByRole('button', { name: 'この内容で公開する' }).click();
    await release.getByText('公開しました。').waitFor();
    await expect.poll(() => release.locator('.release-status').textContent()).toMatch(/1 件を公開済み/);
    await expectAccessible(page);
    await screenshot(page, 'survey-free-text-release');
    // Only the edit leaves the sector.
    await ministry.reload();
    await expect
      .poll(() => ministry.locator('[data-question=comment] .texts li').allTextContents())
      .toEqual(['予算の不足を挙げる回答が多い（事務局要約）']);
  });

  it("shows NISC a survey's sectors side by side", async () => {
    const nisc = { token: await world.api.token('nisc') };
    const created = await world.api.call('POST', '/surveys', {
      ...nisc,
      body: { definition: SELF_ASSESSMENT, tlp: 'GREEN', sectors: ['chemical', 'electricity'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const dueAt = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const issued = await world.api.call('POST', `/surveys/${created.body.id}/issue`, {
      ...nisc,
      body: { dueAt },
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    for (const org of ['asahi-petrochem', 'kaigan-chemical', 'minato-polymer']) {
      const res = await world.api.call('POST', `/surveys/${created.body.id}/response/submit`, {
        token: await world.api.token('member', org),
        body: { answers: FULL_ANSWERS },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const page = await pageAs('nisc');
    await page.goto(`${world.stack.url}/app/surveys/${created.body.id}/results`);
    const table = page.getByRole('region', { name: '分野ごとの比較' });
    await table.waitFor();
    // The sectors' names come from GET /sectors, read beside the results: the ids show until it answers.
    await expect
      .poll(() => table.locator('tbody th').allTextContents())
      .toEqual(['化学CEPTOAR', 'CEPTOAR電力', '全分野の合計']);
    // Chemical: three answers of 11 members, scored; electricity: none yet, so no score.
    expect(await table.locator('tr[data-sector=chemical] td.rate').textContent()).toBe('27.3%');
    expect(await table.locator('tr[data-sector=chemical] td.overall').textContent()).toMatch(/^\d+\.\d（/);
    expect(await table.locator('tr[data-sector=electricity] td.overall').textContent()).toBe('—');
    expect(await table.locator('tr[data-sector=all] td').nth(1).textContent()).toMatch(/^3\//);
    await expectAccessible(page);
    await screenshot(page, 'survey-results-sectors');
  });

  it('lets the secretariat build a survey: errors per field, then sections, kinds, a condition and a due date; then edit it as version 2', async () => {
    const page = await pageAs('secretariat');
    await page.getByRole('navigation').getByRole('link', { name: '調査・自己評価' }).click();
    await page.getByRole('link', { name: '新しい調査を作成' }).click();
    await page.locator('h1', { hasText: '調査を作成' }).waitFor();
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/surveys')) posts.push(r.url());
    });
    await page.getByRole('button', { name: '下書きとして保存' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await page.locator('#sv-definition-title-ja-error').textContent()).toBe('入力してください');
    expect(await page.locator('#sv-definition-sections-0-questions-0-options-error').count()).toBe(1);
    expect(posts).toEqual([]);
    await expectAccessible(page);

    await page.locator('#sv-definition-title-ja').fill('外部サービスへの依存状況調査');
    await page.locator('#sv-definition-title-en').fill('Dependence on external services');
    await page.locator('#sv-definition-sections-0-title-ja').fill('クラウド');
    await page.locator('#sv-definition-sections-0-title-en').fill('Cloud');
    await page.locator('#sv-definition-sections-0-questions-0-label-ja').fill('クラウドを利用していますか');
    await page.locator('#sv-definition-sections-0-questions-0-label-en').fill('Do you use cloud services?');
    await page
      .locator('#sv-definition-sections-0-questions-0-options')
      .fill('はい | Yes | 4\nいいえ | No | 0');
    await page.getByRole('button', { name: '設問を追加' }).click();
    await page.locator('#sv-definition-sections-0-questions-1-kind').selectOption('maturity');
    await page.locator('#sv-definition-sections-0-questions-1-label-ja').fill('委託先の管理');
    await page.locator('#sv-definition-sections-0-questions-1-label-en').fill('Supplier management');
    await page.locator('#sv-definition-sections-0-questions-1-showIf-question').selectOption('q1');
    await page.locator('#sv-definition-sections-0-questions-1-showIf-values').fill('o1');
    await page.locator('#sv-dueAt').fill('2027-01-31T17:00');
    await page.getByRole('button', { name: '作成して配布' }).click();
    await page.locator('h1', { hasText: '外部サービスへの依存状況調査' }).waitFor();
    await page.locator('.survey-status', { hasText: '回答受付中' }).waitFor();
    expect(await page.locator('ol li').allTextContents()).toEqual([
      'クラウドを利用していますか 単一選択',
      '委託先の管理 成熟度 (0〜4) （q1 が o1 のときに表示）',
    ]);
    expect(posts).toHaveLength(1);
    await expectAccessible(page);

    // The owner edits the open survey: the builder on version 1, saved as version 2; option values by line.
    const surveyId = new URL(page.url()).pathname.split('/').pop() ?? '';
    await page.getByRole('link', { name: '設問を編集（新しい版）' }).click();
    await page.locator('h1', { hasText: '調査を編集: 外部サービスへの依存状況調査' }).waitFor();
    expect(await page.locator('#sv-definition-sections-0-questions-0-label-ja').inputValue()).toBe(
      'クラウドを利用していますか',
    );
    expect(await page.locator('#sv-definition-sections-0-questions-0-options').inputValue()).toBe(
      'はい | Yes | 4\nいいえ | No | 0',
    );
    expect(await page.locator('#sv-definition-sections-0-questions-1-showIf-values').inputValue()).toBe('o1');
    expect(await page.locator('select', { has: page.locator('option[value=AMBER]') }).count()).toBe(0);
    const puts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT' && r.url().endsWith(`/surveys/${surveyId}`)) puts.push(r.url());
    });
    await page.locator('#sv-definition-sections-0-questions-0-label-ja').fill('');
    await page.getByRole('button', { name: '新しい版として保存' }).click();
    await page.locator('#sv-definition-sections-0-questions-0-label-ja-error').waitFor();
    expect(puts).toEqual([]);
    await expectAccessible(page);
    await page
      .locator('#sv-definition-sections-0-questions-0-label-ja')
      .fill('クラウドサービスを利用していますか');
    await page
      .locator('#sv-definition-sections-0-questions-0-options')
      .fill('はい（全面的に） | Yes, widely | 4\nいいえ | No | 0\n一部 | Partly | 2');
    await page.getByRole('button', { name: '新しい版として保存' }).click();
    await page.getByText('第 2 版として保存しました。').waitFor();
    await page.locator('.badge', { hasText: '第 2 版' }).waitFor();
    expect(await page.locator('ol li').first().textContent()).toBe(
      'クラウドサービスを利用していますか 単一選択',
    );
    expect(puts).toHaveLength(1);
    const revised = await world.api.call('GET', `/surveys/${surveyId}`, {
      token: await world.api.token('secretariat'),
    });
    expect(revised.body.surveyVersion).toBe(2);
    expect(
      revised.body.definition.sections[0].questions[0].options.map((o: { value: string }) => o.value),
    ).toEqual(['o1', 'o2', 'o3']);

    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('.survey-status', { hasText: 'Open' }).waitFor();
    await page.getByRole('link', { name: 'Back to the surveys' }).click();
    await page.getByRole('link', { name: 'Build a new survey' }).click();
    await page.locator('h1', { hasText: 'Build a survey' }).waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
  });

  it('records an activity with minutes, refusing bad input per field, and downloads the minutes', async () => {
    const page = await pageAs('secretariat');
    await page.getByRole('navigation').getByRole('link', { name: '活動記録' }).click();
    await page.locator('h1', { hasText: '活動記録' }).waitFor();
    await page.getByText('年度の活動はまだ記録されていません。').waitFor();
    await page.getByRole('button', { name: '活動を記録' }).click();
    expect(await page.locator('#activity-date-error').textContent()).toBe('入力してください');
    expect(await page.locator('#activity-title-error').textContent()).toBe('入力してください');
    await expectAccessible(page);
    await page.locator('#activity-date').fill('2026-06-12');
    await page.locator('#activity-title').fill('第1回 情報共有WG');
    await page.locator('#activity-participants-organizations').fill('朝日石油化学\n海岸化学');
    await page.locator('#activity-participants-people').fill('山田 太郎');
    await page.locator('#activity-note').fill('訓練計画を審議した。');
    await page.getByRole('button', { name: '活動を記録' }).click();
    await page.getByText('「第1回 情報共有WG」を記録しました。').waitFor();
    const row = page.locator('.activity-row', { hasText: '第1回 情報共有WG' });
    await row.waitFor();
    expect(await row.textContent()).toContain('参加: 朝日石油化学、海岸化学、山田 太郎');
    expect(await row.locator('.badge').textContent()).toBe('WG 会合');

    const [upload] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/minutes?filename='), {
        timeout: 120_000,
      }),
      row.getByLabel('議事録を添付').setInputFiles({
        name: 'WG議事録 第1回.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('第1回 WG 議事録\n出席: 2 社\n', 'utf8'),
      }),
    ]);
    expect(upload.status(), await upload.text()).toBe(201);
    await row.getByText('議事録「WG議事録 第1回.txt」を添付しました。').waitFor();
    const button = row.getByRole('button', { name: '議事録「WG議事録 第1回.txt」をダウンロード' });
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe('WG議事録 第1回.txt');
    expect(readFileSync((await download.path()) ?? '', 'utf8')).toBe('第1回 WG 議事録\n出席: 2 社\n');

    // A file that is not minutes is refused, and said so.
    await row.getByLabel('議事録を添付').setInputFiles({
      name: 'tool.exe',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from([0x4d, 0x5a, 0x00, 0x01, 0x02]),
    });
    await row.getByText('議事録は PDF、Word (DOCX)、テキストのいずれかにしてください。').waitFor();
    expect(await row.locator('.minutes li').count()).toBe(1);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'Activities' }).waitFor();
    expect(await row.locator('.badge').textContent()).toBe('WG meeting');
    await row.getByRole('button', { name: 'Download the minutes "WG議事録 第1回.txt"' }).waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
  });

  it("drafts next year's plan, then shows the fiscal year's report with it and a PDF", async () => {
    const page = await pageAs('secretariat');
    await page.getByRole('navigation').getByRole('link', { name: '年度活動報告' }).click();
    await page.locator('h1', { hasText: '年度活動報告' }).waitFor();
    // No signed checkpoint yet: said plainly.
    await page.getByText('署名付きチェックポイントがまだ公開されていないため').waitFor();
    await expectAccessible(page);
    await page.getByRole('link', { name: '2027年度活動計画を編集' }).click();
    await page.locator('h1', { hasText: '2027年度活動計画' }).waitFor();
    await page.getByText('まだ保存されていません。').waitFor();
    await page.getByRole('button', { name: '下書きを保存' }).click();
    expect(await page.locator('#plan-sections-0-heading-error').textContent()).toBe('入力してください');
    await page.locator('#plan-sections-0-heading').fill('情報共有体制の強化');
    await page.locator('#plan-sections-0-body').fill('連絡先の四半期確認を続ける。');
    await page.getByRole('button', { name: '節を追加' }).click();
    await page.locator('#plan-sections-1-heading').fill('演習への参加');
    await page.locator('#plan-sections-1-body').fill('分野横断的演習に参加する。');
    await page.getByRole('button', { name: '下書きを保存' }).click();
    await page.getByText('計画の下書きを保存しました。').waitFor();
    expect(await page.locator('.plan-status').textContent()).toContain('第 1 版');
    await expectAccessible(page);
    // The second sitting: the saved sections come back.
    await page.reload();
    await page.locator('.plan-status', { hasText: '第 1 版' }).waitFor();
    expect(await page.locator('#plan-sections-1-heading').inputValue()).toBe('演習への参加');

    await world.stack.settle();
    const cp = await world.api.call('POST', '/audit/checkpoints', {
      token: await world.api.token('auditor'),
    });
    expect(cp.status, JSON.stringify(cp.body)).toBe(201);
    await page.getByRole('link', { name: '年度活動報告へ戻る' }).click();
    const frame = page.frameLocator('iframe.annual-report');
    await frame.getByText('情報共有体制の強化').waitFor();
    await frame.getByText('第1回 情報共有WG').first().waitFor();
    expect(await page.locator('iframe.annual-report').getAttribute('sandbox')).toBe('');
    const [pdf] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.getByRole('button', { name: 'PDF をダウンロード' }).click(),
    ]);
    expect(pdf.suggestedFilename()).toBe('report-chemical-2026-ja.pdf');
    expect(
      readFileSync((await pdf.path()) ?? '')
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    await screenshot(page, 'annual-report-console');

    // In English the page asks the API for the English document.
    const [english] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/reports/chemical/2026?lang=en')),
      page.getByRole('button', { name: 'English' }).click(),
    ]);
    expect(english.headers().accept).toBe('text/html');
    await page.locator('h1', { hasText: 'Annual activity report' }).waitFor();
    await page.frameLocator('iframe.annual-report').getByText('情報共有体制の強化').waitFor();
    await page.getByRole('link', { name: 'Edit the plan for FY2027' }).waitFor();
    await page.getByRole('button', { name: 'Download PDF' }).waitFor();
  });
});
