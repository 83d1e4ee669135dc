import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, eventually, npmStartEnv, tempDataDir } from './support/local-api.ts';

// `npm start` as a user runs it: a child process with PORT, CEPTOAR_DATA_DIR and
// CEPTOAR_TIME_SCALE. A restart (graceful or a crash) must lose nothing: the event log
// on disk says where every relay stands, deadlines included.
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}: ${output}`);
      const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      return res?.status === 200;
    },
    // A start on a busy 2-core machine (other test files starting their own stacks) can take over a minute.
    120_000,
    'the local stack to report healthy',
  );
  return child;
}

function descendants(pid: number): number[] {
  try {
    const children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
    return children.flatMap((c) => [c, ...descendants(c)]);
  } catch {
    return [];
  }
}

async function stop(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL') {
  const pid = child.pid ?? 0;
  const family = descendants(pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  // A crash takes the whole machine's processes with it, DynamoDB Local's JVM included (its
  // watchdog may already have taken it down: a process that is gone is fine).
  if (signal === 'SIGKILL') {
    for (const p of family) {
      try {
        process.kill(p, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
  }
  await exited;
  running.delete(child);
}

afterEach(async () => {
  for (const child of running) await stop(child, 'SIGKILL');
});

// Each test starts `npm start` twice (a fresh node, DynamoDB Local's JVM, the seeding): more than the
// tier's default timeout on a busy machine, which is not what these tests are about.
/** The second inject of the exercise below: 20 hours in, 20 s at the tests' time scale (3600). */
const LATER_MINUTES = 1200;

describe('restarting the local stack', () => {
  it('keeps every incident and resumes in-flight relays with their deadlines after a crash', async () => {
    const dataDir = tempDataDir('ceptoar-restart-');
    const port = await freePort();
    const api = apiClient(`http://127.0.0.1:${port}`);
    let child = await start(dataDir, port);
    // High severity: four hours per hop, four seconds at this time scale.
    const waiting = await api.report('oita-petrochem', { severity: 'high', title: 'Before the crash' });
    const approved = await api.report('oita-petrochem', {
      severity: 'high',
      title: 'Approved before the crash',
    });
    await api.call('POST', `/incidents/${approved}/decision`, {
      token: await api.token('secretariat'),
      body: { decision: 'approve' },
    });
    await eventually(
      async () => (await api.events(waiting)).some((e) => e.type === 'RelayWaitStarted'),
      // The workflow's start and first step: 10 s was not enough under a load average of 16.
      60_000,
      'the first wait',
    );
    const secretariat = await api.token('secretariat');
    const planned = (await api.call('GET', `/incidents/${waiting}`, { token: secretariat })).body;
    await stop(child, 'SIGKILL');

    child = await start(dataDir, port);
    const after = await api.call('GET', `/incidents/${waiting}`, { token: secretariat });
    expect(after.body).toMatchObject({
      status: 'awaiting_secretariat',
      report: { title: 'Before the crash' },
    });
    // The deadline set before the crash is still the one that counts: it passes (perhaps while the
    // stack is still starting: the resumed workflow may already have escalated and set the next
    // one), and the resumed workflow records the miss of the deadline read before the crash.
    const miss = await eventually(
      async () => (await api.events(waiting)).find((e) => e.type === 'HopDeadlineMissed'),
      20_000,
      'the missed deadline after the restart',
    );
    expect(miss.data.missedDueAt).toBe(planned.hops.secretariat.dueAt);
    // The other relay waits on the ministry again, and a receipt moves it on to NISC.
    await eventually(
      async () =>
        (await api.events(approved)).filter((e) => e.type === 'RelayWaitStarted' && e.data.hop === 'ministry')
          .length >= 2,
      30_000,
      'the resumed ministry wait',
    );
    const receipt = await api.call('POST', `/incidents/${approved}/receipt`, {
      token: await api.token('ministry'),
      body: {},
    });
    expect(receipt.body.status).toBe('awaiting_nisc');
    await eventually(
      async () =>
        (await api.events(approved)).some((e) => e.type === 'RelayWaitStarted' && e.data.hop === 'nisc'),
      30_000,
      'the NISC wait',
    );
    // Every notification the log calls for was delivered, once.
    await eventually(
      async () =>
        (await api.events(approved)).some(
          (e) =>
            e.type === 'NotificationDelivered' && e.data.purpose === 'relay' && e.data.to.includes('nisc'),
        ),
      30_000,
      'the NISC notification',
    );
    const keys = (await api.events(approved))
      .filter((e) => e.type === 'NotificationDelivered')
      .map((e) => e.data.key);
    expect(new Set(keys).size).toBe(keys.length);
    await stop(child, 'SIGTERM');
  }, 300_000);
  it('resumes a running exercise: the inject due while the stack was down is released once, after the restart', async () => {
    const dataDir = tempDataDir('ceptoar-restart-exercise-');
    const port = await freePort();
    const api = apiClient(`http://127.0.0.1:${port}`);
    const nisc = async () => api.token('nisc');
    let child = await start(dataDir, port);
    const inject = {
      kind: 'incident',
      sector: 'chemical',
      from: 'asahi-petrochem',
      body: 'Historian files encrypted.',
      severity: 'low',
      contact: { name: 'Exercise control', email: 'control@nisc.example' },
      expected: [{ role: 'secretariat', action: 'approve', withinMinutes: 6000 }],
    };
    const created = await api.call('POST', '/exercises', {
      token: await nisc(),
      body: {
        title: { ja: '再起動をまたぐ演習', en: 'An exercise across a restart' },
        sectors: ['chemical'],
        participants: [{ org: 'asahi-petrochem', role: 'participant' }],
        plannedStart: new Date().toISOString(),
        injects: [
          { ...inject, id: 'first', offsetMinutes: 0, title: 'Released before the restart' },
          // 20 hours into the exercise: 20 s at this time scale, while the stack is down (below).
          { ...inject, id: 'later', offsetMinutes: LATER_MINUTES, title: 'Due while the stack is down' },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    const startedAt = Date.now();
    expect((await api.call('POST', `/exercises/${id}/start`, { token: await nisc(), body: {} })).status).toBe(
      200,
    );
    const injects = async () =>
      (await api.call('GET', `/exercises/${id}`, { token: await nisc() })).body.injects as {
        id: string;
        subjectId: string | null;
      }[];
    await eventually(async () => (await injects())[0]?.subjectId, 20_000, 'the first inject');
    expect((await injects())[1]?.subjectId).toBeNull();
    await stop(child, 'SIGKILL');
    // The stack stays down until the second inject is due (a minute of the exercise to spare).
    const dueAt = startedAt + ((LATER_MINUTES + 1) * 60 * 1000) / 3600;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now())));

    child = await start(dataDir, port);
    const later = await eventually(
      async () => (await injects())[1]?.subjectId ?? undefined,
      90_000,
      'the second inject, released by the resumed exercise workflow',
    );
    const reported = await eventually(
      async () => {
        const res = await api.call('GET', `/incidents/${later}`, { token: await api.token('secretariat') });
        return res.status === 200 ? res : undefined;
      },
      20_000,
      'the second inject as an incident',
    );
    expect(JSON.stringify(reported.body)).toContain('Due while the stack is down');
    // Released once each: the exercise's stream holds one InjectReleased per inject.
    const events = await api.call('GET', `/audit/streams/${encodeURIComponent(`exercise#${id}`)}`, {
      token: await api.token('auditor'),
    });
    const released = (events.body.events as { type: string; data: { injectId: string } }[])
      .filter((e) => e.type === 'InjectReleased')
      .map((e) => e.data.injectId);
    expect(released.sort()).toEqual(['first', 'later']);
    await stop(child, 'SIGTERM');
  }, 300_000);
});
