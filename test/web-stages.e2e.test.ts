import { describe, expect, it } from 'vitest';
import { consoleWorld, expectAccessible, personContext, signIn } from './support/console-pages.ts';
import { SHORT_STAGE_CLOCKS } from './support/fixtures.ts';
import { eventually } from './support/local-api.ts';

// The reporting stages' reminders and escalations as the member sees them on its incident page, on a
// stack whose preset has minute-scale clocks (stage clocks are legal deadlines, never time-scaled):
// the 続報 is due 18 s after detection, reminded 9 s before, escalated at its deadline.
const world = consoleWorld({
  timeScale: 1,
  consolePollSeconds: 1,
  reportingPreset: JSON.stringify(SHORT_STAGE_CLOCKS),
});

describe('the reporting stages on the incident page', () => {
  it('shows the reminder the member was sent and the escalation after the deadline, as they happen', async () => {
    const detectedAt = new Date().toISOString();
    const id = await world.api.report('asahi-petrochem', { occurredAt: detectedAt, detectedAt });
    const page = await (await personContext(world.browser)).newPage();
    await signIn(page, world.stack.url, 'member', 'asahi-petrochem');
    await page.goto(`${world.stack.url}/app/incidents/${id}`);
    const stages = page.locator('ol.stages');
    await stages.waitFor();
    // The page stays open: the reminder, then the escalation, arrive without a reload.
    const reminded = stages.locator('.stage-reminded');
    await reminded.waitFor({ timeout: 60_000 });
    expect(await reminded.textContent()).toMatch(/^リマインド送信 \d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}/);
    await stages.locator('.badge.escalation', { hasText: /^エスカレーション / }).waitFor({ timeout: 60_000 });
    await expectAccessible(page);

    // What the page shows is what the log records.
    const events = await eventually(
      async () => {
        const all = await world.api.events(id);
        return all.some((e) => e.type === 'StageEscalated') ? all : undefined;
      },
      10_000,
      'the escalation event',
    );
    expect(events.filter((e) => e.type === 'StageReminderDue')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'StageEscalated')).toHaveLength(1);
  });
});
