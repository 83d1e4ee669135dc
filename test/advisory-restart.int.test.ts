import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, eventually, npmStartEnv, tempDataDir } from './support/local-api.ts';

// `npm start` in a child process at CEPTOAR_TIME_SCALE=3600. The local Step Functions
// endpoint cannot carry a running execution across a restart; the advisory's window must still be timed.
const running = new Set<ChildProcess>();

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function start(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env: npmStartEnv(dataDir, port),
    stdio: 'ignore',
  });
  running.add(child);
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}`);
      const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      return res?.status === 200;
    },
    120_000,
    'the local stack to report healthy',
  );
  return child;
}

async function stop(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  running.delete(child);
}

afterEach(async () => {
  for (const child of running) await stop(child);
});

// Each test starts `npm start` twice (a fresh node, DynamoDB Local's JVM, the seeding): more than the
// tier's default timeout on a busy machine, which is not what these tests are about.
describe('restarting the local stack with an advisory in flight', () => {
  it('resumes the acknowledgement window from the log: reminders and the missed list still come', async () => {
    const dataDir = tempDataDir('ceptoar-advisory-restart-');
    const port = await freePort();
    const api = apiClient(`http://127.0.0.1:${port}`);
    const first = await start(dataDir, port);
    const issued = await api.call('POST', '/advisories', {
      token: await api.token('secretariat'),
      body: {
        title: 'Before the restart',
        body: 'Patch.',
        tlp: 'GREEN',
        ackWithinHours: 6,
        audience: ['seto-olefin'],
      },
    });
    expect(issued.status).toBe(201);
    const before = await api.call('GET', `/advisories/${issued.body.id}`, {
      token: await api.token('secretariat'),
    });
    expect(before.body).toMatchObject({ status: 'distributed', remindersSentAt: null });
    await stop(first);
    await start(dataDir, port);
    const view = await eventually(
      async () => {
        const res = await api.call('GET', `/advisories/${issued.body.id}`, {
          token: await api.token('secretariat'),
        });
        return res.body.status === 'closed' ? res.body : undefined;
      },
      40_000,
      'the window to close after the restart',
    );
    expect(view.remindersSentAt).toMatch(/Z$/);
    expect(view.recipients[0]).toMatchObject({ org: 'seto-olefin', missed: true });
  }, 300_000);
});
