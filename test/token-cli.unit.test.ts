import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'ceptoar-token-cli-'));

/** `npm run --silent token -- …` as a user runs it: its exit code, the token's claims, its errors. */
async function token(
  ...args: string[]
): Promise<{ code: number; claims?: Record<string, unknown>; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'local/token-cli.ts', ...args],
      {
        env: { PATH: process.env.PATH ?? '', CEPTOAR_DATA_DIR: dataDir },
      },
    );
    const payload = stdout.trim().split('.')[1] ?? '';
    return { code: 0, claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('npm run token', () => {
  it("refuses a sector the named organisation does not belong to, naming the organisation's", async () => {
    const member = await token('--role', 'member', '--org', 'banking-member-1', '--sector', 'chemical');
    expect(member.code).toBe(2);
    expect(member.stderr).toContain('banking-member-1 is of the sector banking');
    const secretariat = await token(
      '--role',
      'secretariat',
      '--org',
      'gas-secretariat',
      '--sector',
      'banking',
    );
    expect(secretariat.code).toBe(2);
    expect(secretariat.stderr).toContain('gas');
    const chemical = await token('--role', 'member', '--org', 'asahi-petrochem', '--sector', 'gas');
    expect(chemical.code).toBe(2);
  }, 60_000);

  it("gives a member its organisation's sector, and keeps a token without a sector as before", async () => {
    const member = await token('--role', 'member', '--org', 'banking-member-1');
    expect(member.code, member.stderr).toBe(0);
    expect(member.claims).toMatchObject({ 'custom:org': 'banking-member-1', 'custom:sector': 'banking' });
    const named = await token('--role', 'member', '--org', 'banking-member-1', '--sector', 'banking');
    expect(named.claims?.['custom:sector']).toBe('banking');
    const nisc = await token('--role', 'nisc');
    expect(nisc.code).toBe(0);
    expect(nisc.claims?.['custom:sector']).toBeUndefined();
    const auditor = await token('--role', 'auditor', '--sector', 'water');
    expect(auditor.claims?.['custom:sector']).toBe('water');
  }, 60_000);
});
