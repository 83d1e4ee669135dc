import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { toJstInput } from '../web/src/audit-time.ts';
import {
  consoleWorld,
  expectAccessible,
  PHONE,
  personContext,
  screenshot,
  signIn,
} from './support/console-pages.ts';
import { TEST_REGION } from './support/dynamo.ts';
import { eventually } from './support/local-api.ts';

// The auditor's pages in Debian's chromium against the whole local stack: a stream as it was at a
// moment, verification computed in the browser (and what it says once someone edits the table), and
// deadline compliance. Checkpoints only on demand, so the test decides what the latest one covers.
const world = consoleWorld({
  timeScale: 1,
  consolePollSeconds: 1,
  checkpointSeconds: 0,
  // A low-severity report left alone misses the secretariat's deadline within seconds: compliance has a miss.
  relayPolicy: JSON.stringify({ deadlineHours: { secretariat: { low: 0.001 } } }),
});

const TITLE = '監査確認: 千葉工場ヒストリアンの暗号化';
const APPROVAL_NOTE = '内容を確認しました。所管省庁へ中継します。';
const SPKI_PEM = { type: 'spki', format: 'pem' } as const;
/** SHA-256 of a PEM key's SPKI bytes, hex, computed apart from the console. */
const fingerprint = (pem: string) =>
  createHash('sha256')
    .update(createPublicKey(pem).export({ type: 'spki', format: 'der' }))
    .digest('hex');

/** True when nothing makes the page wider than the window (no sideways scrolling at phone width). */
const fitsTheWidth = () => document.documentElement.scrollWidth <= window.innerWidth;

/** The stream ids the audit page's picker offers. */
const streamChoices = (page: Page) =>
  page
    .locator('#audit-stream-select option')
    .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An incident relayed through the secretariat, the ministry and NISC, each step over a second apart. */
async function relayedIncident(): Promise<string> {
  const id = await world.api.report('asahi-petrochem', { title: TITLE, severity: 'high', tlp: 'AMBER' });
  const steps: [string, string, unknown][] = [
    ['secretariat', 'decision', { decision: 'approve', note: APPROVAL_NOTE }],
    ['ministry', 'receipt', {}],
    ['nisc', 'receipt', { note: '受領しました' }],
  ];
  for (const [role, path, body] of steps) {
    // Moments are picked to the second: keep the steps apart.
    await pause(1_200);
    const res = await world.api.call('POST', `/incidents/${id}/${path}`, {
      token: await world.api.token(role),
      body,
    });
    expect(res.status).toBe(200);
  }
  await world.stack.settle();
  return id;
}

describe('the web console: the auditor', () => {
  it('sees a stream as it was at a moment, verifies it in the browser, and is told which version was edited', async () => {
    const id = await relayedIncident();
    const auditor = await world.api.token('auditor');
    const checkpoint = await world.api.call<{ id: string }>('POST', '/audit/checkpoints', { token: auditor });
    expect(checkpoint.status).toBe(201);
    // Closed after the checkpoint: the last event is protected by the chain alone until the next one.
    const close = await world.api.call('POST', `/incidents/${id}/close`, {
      token: await world.api.token('secretariat'),
    });
    expect(close.status).toBe(200);
    await world.stack.settle();
    const events = await world.api.events(id);
    const approved = events.find((e) => e.type === 'RelayApproved');
    const ministryReceipt = events.find((e) => e.type === 'ReceiptAcknowledged' && e.data.hop === 'ministry');
    if (!approved || !ministryReceipt) throw new Error('the relay did not happen');
    // The first whole second after the approval: before the ministry's receipt.
    const moment = new Date(Math.floor(Date.parse(approved.recordedAt) / 1000) * 1000 + 1000).toISOString();
    expect(moment < ministryReceipt.recordedAt).toBe(true);

    const page = await (await personContext(world.browser)).newPage();
    await signIn(page, world.stack.url, 'auditor');
    await page
      .getByRole('navigation', { name: 'メインメニュー' })
      .getByRole('link', { name: '監査' })
      .click();
    await page.locator('h1', { hasText: '監査: ストリームを選ぶ' }).waitFor();
    await expect.poll(() => streamChoices(page)).toContain(`incident#${id}`);
    await expectAccessible(page);
    // A typed id that is no stream id is refused before anything is asked.
    await page.locator('#audit-stream-id').fill('not a stream');
    await page.getByRole('button', { name: '開く' }).nth(1).click();
    await page.getByText('「種類#ID」の形式で入力してください').waitFor();
    await page.locator('#audit-stream-select').selectOption(`incident#${id}`);
    await page.getByRole('button', { name: '開く' }).first().click();
    await page.locator('h1', { hasText: TITLE }).waitFor();
    await expect.poll(() => page.locator('.status').textContent()).toBe('終了');

    // The state at the moment: the ministry's receipt is still awaited, its deadline shown.
    await page.locator('#audit-as-of').fill(toJstInput(moment));
    await page.getByRole('button', { name: 'この時点の状態を表示' }).click();
    await expect.poll(() => page.locator('.status').textContent()).toBe('所管省庁の受領待ち');
    const shown = await page.locator('.audit-moment').textContent();
    expect(shown).toMatch(/^表示中の時点: \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2} JST$/);
    await page.locator('.hop-current', { hasText: '所管省庁の受領' }).locator('.time-left').waitFor();
    const types = await page.locator('.audit-stream .event code').allTextContents();
    expect(types).toContain('RelayApproved');
    expect(types).not.toContain('ReceiptAcknowledged');
    await expectAccessible(page);
    await screenshot(page, 'audit-stream-asof');

    // Right after an event, to the millisecond: the ministry's receipt is in, NISC's awaited.
    await page.getByRole('button', { name: '最新の状態に戻す' }).click();
    await expect.poll(() => page.locator('.audit-moment').textContent()).toBe('表示中の時点: 最新');
    await page.getByRole('button', { name: `#${ministryReceipt.version} の直後の状態を表示` }).click();
    await expect.poll(() => page.locator('.status').textContent()).toBe('NISC の受領待ち');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('audit-state-title');
    expect(await page.locator('#audit-as-of').inputValue()).toBe(toJstInput(ministryReceipt.recordedAt));
    expect(await page.locator('.audit-stream .event').last().getAttribute('data-version')).toBe(
      String(ministryReceipt.version),
    );

    // Verified here, from the raw events, against the checkpoint.
    await page.getByRole('button', { name: 'このストリームを検証' }).click();
    const ok = page.locator('.verify-ok');
    await ok.waitFor();
    const all = await world.api.events(id);
    expect(await ok.textContent()).toContain(
      `検証済み: ${all.length} 件のイベント、ハッシュチェーンは完全です。`,
    );
    expect(await ok.textContent()).toContain(`チェックポイント ${checkpoint.body.id}`);
    expect(await ok.textContent()).toContain(
      `バージョン ${all.length}〜${all.length} はそのチェックポイントより後のイベント`,
    );
    expect(await ok.textContent()).toContain('サーバーが示した公開鍵');
    await expectAccessible(page);
    await screenshot(page, 'audit-verify');

    // The key pinned from outside the running system: its fingerprint shown; another key fails the signature.
    const pem = readFileSync(join(world.stack.dataDir, 'checkpoint-key.pub.pem'), 'utf8');
    await page.getByText('公開鍵を固定する（任意）').click();
    await page
      .getByLabel('チェックポイントの公開鍵（PEM）')
      .fill(generateKeyPairSync('ed25519').publicKey.export(SPKI_PEM).toString());
    await page.getByRole('button', { name: 'このストリームを検証' }).click();
    await page
      .locator('.verify-failed li', { hasText: 'チェックポイントの署名が公開鍵で検証できません。' })
      .waitFor();
    await page.getByLabel('チェックポイントの公開鍵（PEM）').fill(pem);
    await page.getByRole('button', { name: 'このストリームを検証' }).click();
    await ok.waitFor();
    expect(await ok.textContent()).toContain(`固定した公開鍵（SHA-256 指紋 ${fingerprint(pem)}）`);

    // Someone with write access to the table edits the approval's note.
    const dynamo = new DynamoDBClient({
      endpoint: world.stack.dynamoEndpoint,
      region: TEST_REGION,
      credentials: world.stack.endpoints.credentials,
    });
    const key = { pk: { S: `incident#${id}` }, sk: { N: String(approved.version) } };
    const stored = await dynamo.send(new GetItemCommand({ TableName: world.stack.tableName, Key: key }));
    const data = stored.Item?.data?.S ?? '';
    expect(data).toContain(APPROVAL_NOTE);
    await dynamo.send(
      new UpdateItemCommand({
        TableName: world.stack.tableName,
        Key: key,
        UpdateExpression: 'SET #d = :d',
        ExpressionAttributeNames: { '#d': 'data' },
        ExpressionAttributeValues: { ':d': { S: data.replace(APPROVAL_NOTE, '差し戻すべき内容でした。') } },
      }),
    );
    await page.getByRole('button', { name: 'このストリームを検証' }).click();
    const failed = page.locator('.verify-failed');
    await failed.waitFor();
    expect(await failed.locator('li').allTextContents()).toEqual([
      `バージョン ${approved.version}: 内容がハッシュと一致しません（イベントが書き換えられています）。`,
    ]);
    await expectAccessible(page);
    await screenshot(page, 'audit-verify-tampered');
    dynamo.destroy();
    await page.context().close();
  });

  it('shows deadline compliance as a table and a chart, in Japanese and English, at phone width too', async () => {
    // Two low-severity reports: one approved at once (met), one left to miss its deadline and escalate.
    const onTime = await world.api.report('kaigan-chemical', { title: '期限内に承認', severity: 'low' });
    const approve = await world.api.call('POST', `/incidents/${onTime}/decision`, {
      token: await world.api.token('secretariat'),
      body: { decision: 'approve' },
    });
    expect(approve.status).toBe(200);
    const late = await world.api.report('seto-olefin', { title: '期限超過', severity: 'low' });
    await eventually(
      async () => (await world.api.events(late)).some((e) => e.type === 'HopDeadlineMissed'),
      20_000,
      'an escalation',
    );

    const page = await (await personContext(world.browser)).newPage();
    await signIn(page, world.stack.url, 'auditor');
    await page.goto(`${world.stack.url}/app/audit/compliance`);
    await page.locator('h1', { hasText: '監査: 期限の遵守状況' }).waitFor();
    const table = page.locator('table.compliance');
    await table.waitFor();
    const cells = (hop: string, severity: string) =>
      table
        .locator('tbody tr', { has: page.locator('th', { hasText: hop }) })
        .filter({ has: page.locator('td', { hasText: new RegExp(`^${severity}$`) }) })
        .locator('td')
        .allTextContents();
    // severity, runs, met, missed, open, share met, escalations
    expect((await cells('事務局の審査', '高')).slice(0, 6)).toEqual(['高', '1', '1', '0', '0', '100%']);
    const secretariatLow = await cells('事務局の審査', '低');
    expect(secretariatLow.slice(0, 6)).toEqual(['低', '2', '1', '1', '0', '50%']);
    expect(Number(secretariatLow[6])).toBeGreaterThanOrEqual(1);
    expect(secretariatLow[7]).toContain('(期限超過)');
    expect((await cells('所管省庁の受領', '低')).slice(0, 6)).toEqual(['低', '1', '0', '0', '1', '—']);
    const chart = page.getByRole('img', {
      name: /期限内の割合のグラフ: 事務局の審査 · 高 100%、事務局の審査 · 低 50%/,
    });
    await chart.waitFor();
    expect(await chart.getAttribute('aria-describedby')).toBe('compliance-caption');
    expect(await chart.locator('.bar-missed').count()).toBe(1);
    expect(await chart.locator('.bar-open').count()).toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'audit-compliance');

    // A period the wrong way round is refused on the page, with the field named.
    await page.locator('#compliance-to').fill('2026-01-01');
    await page.getByRole('button', { name: '集計する' }).click();
    await page.getByText('終了日は開始日以降の日付にしてください').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('compliance-to');

    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'Audit: deadline compliance' }).waitFor();
    await page.getByRole('columnheader', { name: 'Share met' }).waitFor();
    await page.getByText('The end must not be before the start').waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
    await page.context().close();

    const phone = await (await personContext(world.browser, PHONE)).newPage();
    await signIn(phone, world.stack.url, 'auditor');
    await phone.goto(`${world.stack.url}/app/audit/compliance`);
    await phone.locator('table.compliance').waitFor();
    // The table scrolls inside its own box; the page itself stays phone-wide.
    expect(await phone.evaluate(fitsTheWidth)).toBe(true);
    await expectAccessible(phone);
    await phone.context().close();
  });

  it('shows any other stream as keys and values, a drill marked as one', async () => {
    const drill = await world.api.call<{ id: string }>('POST', '/drills', {
      token: await world.api.token('secretariat'),
      body: {
        title: 'セプター訓練 2026（監査確認）',
        body: '受領確認をお願いします。',
        tlp: 'GREEN',
        audience: ['asahi-petrochem'],
      },
    });
    expect(drill.status).toBe(201);
    await world.stack.settle();
    const page = await (await personContext(world.browser)).newPage();
    await signIn(page, world.stack.url, 'auditor');
    await page.goto(`${world.stack.url}/app/audit`);
    const values = () =>
      page
        .locator('#audit-stream-select option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    await expect.poll(values).toContain(`advisory#${drill.body.id}`);
    await page.locator('#audit-stream-select').selectOption(`advisory#${drill.body.id}`);
    await page.getByRole('button', { name: '開く' }).first().click();
    await page.locator('h1', { hasText: '【訓練】 セプター訓練 2026（監査確認）' }).waitFor();
    await page.locator('.state .drill-mark', { hasText: '【訓練】' }).waitFor();
    await page.locator('.state .tlp', { hasText: 'TLP:GREEN' }).waitFor();
    const row = page.locator('.kv-row', { has: page.locator('dt', { hasText: /^audience$/ }) }).first();
    expect(await row.locator('dd').textContent()).toBe('asahi-petrochem');
    await expectAccessible(page);
    await page.context().close();

    const phone = await (await personContext(world.browser, PHONE)).newPage();
    await signIn(phone, world.stack.url, 'auditor');
    await phone.goto(
      `${world.stack.url}/app/audit/streams/${encodeURIComponent(`advisory#${drill.body.id}`)}`,
    );
    await phone.locator('h1', { hasText: '【訓練】' }).waitFor();
    await phone.locator('.kv').first().waitFor();
    expect(await phone.evaluate(fitsTheWidth)).toBe(true);
    await expectAccessible(phone);
    await phone.context().close();
  });

  it('keeps the audit pages from every other role', async () => {
    const page = await (await personContext(world.browser)).newPage();
    await signIn(page, world.stack.url, 'secretariat');
    expect(await page.locator('nav.menu [data-slot=audit]').count()).toBe(0);
    await page.goto(`${world.stack.url}/app/audit/compliance`);
    await page.locator('h1', { hasText: 'ページが見つかりません' }).waitFor();
    await page.context().close();
  });
});
