import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importLazy, LAZY_MODULES, lazyModuleUrl } from '../functions/runtime/lazy-module.ts';
import { houseBuild } from '../infra/bundling.ts';

describe('lazy modules', () => {
  it('load from beside the bundle in a bundle, and from their source file from source', () => {
    expect(lazyModuleUrl('survey-xlsx', 'file:///var/task/index.mjs')).toBe(
      'file:///var/task/survey-xlsx.mjs',
    );
    expect(lazyModuleUrl('survey-xlsx', 'file:///repo/functions/runtime/lazy-module.ts')).toBe(
      'file:///repo/functions/surveys/survey-xlsx.ts',
    );
    expect(Object.keys(LAZY_MODULES)).toEqual(['survey-xlsx', 'pdf-chromium', 'voice-sender']);
  });

  it('imports the module itself from source', async () => {
    const lazy = await importLazy<typeof import('../functions/surveys/survey-xlsx.ts')>('survey-xlsx');
    const direct = await import('../functions/surveys/survey-xlsx.ts');
    expect(lazy.tablesXlsx).toBe(direct.tablesXlsx);
  });

  it('in a bundle built as the functions are, finds its module beside the bundle and runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ceptoar-lazy-probe-'));
    try {
      await houseBuild({
        absWorkingDir: join(import.meta.dirname, '..'),
        entryPoints: [
          { in: 'test/support/lazy-probe.ts', out: 'probe/index' },
          { in: `functions/${LAZY_MODULES['survey-xlsx']}.ts`, out: 'probe/survey-xlsx' },
        ],
        outdir: dir,
        logLevel: 'error',
      });
      const output = execFileSync(process.execPath, [join(dir, 'probe', 'index.mjs')], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      });
      const result = JSON.parse(output) as { zip: string; bytes: number };
      expect(result.zip).toBe('PK');
      expect(result.bytes).toBeGreaterThan(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
