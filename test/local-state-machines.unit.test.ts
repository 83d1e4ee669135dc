import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stateMachinesOfThisTree, synthesisKey, synthesizedStateMachines } from '../local/state-machines.ts';

const cacheDir = mkdtempSync(join(tmpdir(), 'ceptoar-synth-cache-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('the synthesis cache of npm start', () => {
  it('names a synthesis by its sources and region', async () => {
    const key = await synthesisKey('ap-northeast-1');
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(await synthesisKey('ap-northeast-1')).toBe(key);
    expect(await synthesisKey('us-east-1')).not.toBe(key);
  });

  it('gives exactly what a synthesis now gives, synthesizing once', async () => {
    const fresh = await synthesizedStateMachines('ap-northeast-1');
    expect(fresh.map((m) => m.logicalId).sort()).toEqual([
      expect.stringMatching(/^AdvisoryWorkflow/),
      expect.stringMatching(/^ExerciseWorkflow/),
      expect.stringMatching(/^RelayWorkflow/),
      expect.stringMatching(/^StageWorkflow/),
      expect.stringMatching(/^SurveyWorkflow/),
    ]);
    const first = await stateMachinesOfThisTree('ap-northeast-1', cacheDir);
    expect(first.synthesized).toBe(true);
    expect(first.machines).toEqual(fresh);
    const second = await stateMachinesOfThisTree('ap-northeast-1', cacheDir);
    expect(second.synthesized).toBe(false);
    expect(second.machines).toEqual(fresh);
  }, 120_000);

  it('synthesizes over an unreadable entry', async () => {
    const [entry] = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
    if (entry === undefined) throw new Error('no cache entry');
    writeFileSync(join(cacheDir, entry), '{"half');
    const again = await stateMachinesOfThisTree('ap-northeast-1', cacheDir);
    expect(again.synthesized).toBe(true);
    expect((await stateMachinesOfThisTree('ap-northeast-1', cacheDir)).synthesized).toBe(false);
  }, 120_000);
});
