import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LocalStack } from '../../local/stack.ts';

const run = promisify(execFile);

/** The auditor CLI as a user runs it against a stack: only PORT and CEPTOAR_DATA_DIR, as npm start was given. */
export async function auditCli(
  stack: LocalStack,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const port = new URL(stack.url).port;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'audit/cli.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', PORT: port, CEPTOAR_DATA_DIR: stack.dataDir },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
