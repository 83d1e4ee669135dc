import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  PinpointSMSVoiceV2Client,
  SendVoiceMessageCommand,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEndpoints } from '../local/endpoints.ts';
import { eventually, npmStartEnv, tempDataDir } from './support/local-api.ts';

// `npm start` as an operator runs it: one block on the terminal once GET /health answers 200,
// the same in <data dir>/endpoints.json, and a clear refusal when a port is taken.

function listen(port = 0): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function freePort(): Promise<number> {
  const server = await listen();
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function npmStart(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return { child, stdout: () => stdout, stderr: () => stderr };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('npm start', () => {
  const dataDir = tempDataDir('ceptoar-endpoints-');
  let started: ReturnType<typeof npmStart>;
  let port: number;
  let block: string;

  beforeAll(async () => {
    port = await freePort();
    started = npmStart(npmStartEnv(dataDir, port));
    await eventually(
      async () => {
        if (started.child.exitCode !== null) throw new Error(`npm start exited: ${started.stderr()}`);
        const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        return res?.status === 200;
      },
      90_000,
      'the local stack to report healthy',
    );
    const output = await eventually(
      async () => started.stdout().includes('The same as JSON:') && started.stdout(),
      10_000,
      'the endpoints block',
    );
    block = output.slice(output.indexOf('ceptoar-relay is up at'));
  }, 120_000);

  afterAll(async () => {
    if (started.child.exitCode === null) {
      started.child.kill('SIGINT');
      await exited(started.child);
    }
  });

  it('prints every endpoint with its AWS_ENDPOINT_URL_* variable, as endpoints.json has them', () => {
    const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as LocalEndpoints;
    const lines = block.split('\n');
    expect(endpoints.api.url).toBe(`http://127.0.0.1:${port}`);
    expect(lines[0]).toBe(`ceptoar-relay is up at ${endpoints.api.url} (data in ${endpoints.dataDir})`);
    expect(endpoints.services.map((s) => s.variable)).toEqual([
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_ENDPOINT_URL_DYNAMODB_STREAMS',
      'AWS_ENDPOINT_URL_SFN',
      'AWS_ENDPOINT_URL_SNS',
      'AWS_ENDPOINT_URL_SQS',
      'AWS_ENDPOINT_URL_SESV2',
      'AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2',
    ]);
    for (const service of endpoints.services) {
      expect(lines.find((l) => l.trim().startsWith(`${service.service} `))).toMatch(
        new RegExp(`\\s${service.url}\\s+${service.variable}(\\s|$)`),
      );
      expect(block).toContain(`export ${service.variable}=${service.url}\n`);
    }
    for (const catcher of endpoints.catchers) {
      expect(lines.find((l) => l.trim().startsWith(`${catcher.name} catcher`))).toContain(catcher.url ?? '-');
    }
    const voice = endpoints.services.find((s) => s.variable === 'AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2');
    expect(endpoints.catchers.find((c) => c.name === 'voice')).toEqual({
      name: 'voice',
      url: voice?.url,
      note: expect.stringContaining('SendVoiceMessage'),
      caught: join(dataDir, 'voice.jsonl'),
      route: `${endpoints.api.url}/local/voice`,
    });
    expect(lines.find((l) => l.trim().startsWith('voice catcher'))).toContain(join(dataDir, 'voice.jsonl'));
    expect(block).toContain(`export AWS_REGION=${endpoints.region}\n`);
    expect(block).toContain(`export AWS_DEFAULT_REGION=${endpoints.region}\n`);
    expect(lines.find((l) => l.trim().startsWith('DynamoDB '))).toMatch(/table ceptoar-events$/);
    expect(block).toContain(`export AWS_ACCESS_KEY_ID=${endpoints.credentials.accessKeyId}\n`);
    expect(block).toContain(`export AWS_SECRET_ACCESS_KEY=${endpoints.credentials.secretAccessKey}\n`);
    expect(block).toContain(`The same as JSON: ${join(dataDir, 'endpoints.json')}`);
    // One block: printed once, after the stack reported healthy.
    expect(started.stdout().split('ceptoar-relay is up at')).toHaveLength(2);
  });

  it('names endpoints an SDK reaches with nothing but endpoints.json', async () => {
    const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as LocalEndpoints;
    const at = (variable: string) => endpoints.services.find((s) => s.variable === variable)?.url;
    const config = { region: endpoints.region, credentials: endpoints.credentials };
    const sfn = new SFNClient({ ...config, endpoint: at('AWS_ENDPOINT_URL_SFN') });
    const dynamodb = new DynamoDBClient({ ...config, endpoint: at('AWS_ENDPOINT_URL_DYNAMODB') });
    try {
      const machines = await sfn.send(new ListStateMachinesCommand({}));
      const listed = endpoints.services.find((s) => s.cli === 'stepfunctions')?.resources.stateMachines;
      expect(machines.stateMachines?.map((m) => m.stateMachineArn).sort()).toEqual(
        [...(listed ?? [])].sort(),
      );
      expect(machines.stateMachines?.map((m) => m.name).sort()).toEqual([
        expect.stringMatching(/^AdvisoryWorkflow/),
        expect.stringMatching(/^ExerciseWorkflow/),
        expect.stringMatching(/^RelayWorkflow/),
        expect.stringMatching(/^StageWorkflow/),
        expect.stringMatching(/^SurveyWorkflow/),
      ]);
      const table = endpoints.services.find((s) => s.cli === 'dynamodb')?.resources.table;
      const described = await dynamodb.send(new DescribeTableCommand({ TableName: String(table) }));
      expect(described.Table?.StreamSpecification?.StreamEnabled).toBe(true);
    } finally {
      sfn.destroy();
      dynamodb.destroy();
    }
  });

  it('places a call through the voice endpoint an SDK finds in endpoints.json, caught with its text', async () => {
    const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as LocalEndpoints;
    const voice = endpoints.services.find((s) => s.variable === 'AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2');
    const client = new PinpointSMSVoiceV2Client({
      region: endpoints.region,
      credentials: endpoints.credentials,
      endpoint: voice?.url,
    });
    try {
      const sent = await client.send(
        new SendVoiceMessageCommand({
          DestinationPhoneNumber: '+81312345678',
          OriginationIdentity: String(voice?.resources.originationIdentity),
          MessageBody: '<speak><lang xml:lang="ja-JP"><s>試験 &amp; 確認</s></lang></speak>',
          MessageBodyTextType: 'SSML',
          VoiceId: 'MIZUKI',
        }),
      );
      expect(sent.MessageId).toEqual(expect.any(String));
      await expect(
        client.send(
          new SendVoiceMessageCommand({
            DestinationPhoneNumber: '03-1234-5678',
            OriginationIdentity: String(voice?.resources.originationIdentity),
            MessageBody: 'test',
          }),
        ),
      ).rejects.toBeInstanceOf(ValidationException);
      const res = await fetch(`${endpoints.api.url}/local/voice`);
      const { items } = (await res.json()) as {
        items: { messageId: string; text: string; language: string }[];
      };
      expect(items).toEqual([
        expect.objectContaining({ messageId: sent.MessageId, text: '試験 & 確認', language: 'ja-JP' }),
      ]);
      const caught = readFileSync(join(dataDir, 'voice.jsonl'), 'utf8').trim().split('\n');
      expect(caught.map((line) => JSON.parse(line).messageId)).toEqual([sent.MessageId]);
    } finally {
      client.destroy();
    }
  });
});

describe('npm start with a port taken', () => {
  it('refuses to start and names the variable that moves it', async () => {
    const holder = await listen();
    try {
      const taken = portOf(holder);
      const started = npmStart(
        npmStartEnv(tempDataDir('ceptoar-taken-'), await freePort(), { CEPTOAR_SFN_PORT: String(taken) }),
      );
      expect(await exited(started.child)).toBe(1);
      expect(started.stderr()).toContain(
        `[local] cannot start: port ${taken} (stepfunctions) is already in use on 127.0.0.1: stop what holds it, or set CEPTOAR_SFN_PORT to another port`,
      );
      expect(started.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);
});
