import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { buildConsole } from '../web/build.ts';
import { apiHasRoute, featureSlots } from '../web/src/features.ts';
import { apiClient, startTestStack } from './support/local-api.ts';

// How the local stack shares its one origin between the console (/app/) and the API.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  buildConsole({ ifStale: true, quiet: true });
  stack = await startTestStack();
  api = apiClient(stack.url);
});
afterAll(() => stack?.stop());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.url}${path}`, { headers, redirect: 'manual' });
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('the console on the local stack', () => {
  it('sends a browser at / to the console', async () => {
    const res = await get('/', BROWSER);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/app/');
  });

  it('serves index.html for the console’s own paths, and the hashed assets it names', async () => {
    const page = await get('/app/queue', BROWSER);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await get(script ?? '');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await get('/app/assets/missing.js')).status).toBe(404);
    expect((await get('/app/..%2Fpackage.json')).headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('writes config.json for local sign-in with every seeded organisation and sector', async () => {
    const res = await get('/app/config.json');
    const config = await res.json();
    expect(config).toMatchObject({ auth: 'local', apiUrl: '' });
    expect(config.organisations).toContainEqual({
      id: 'asahi-petrochem',
      kind: 'member',
      name: { ja: '朝日石油化学', en: 'Asahi Petrochemical' },
    });
    // Every seeded sector's organisations, with their sector, and the sectors for the sign-in's pickers.
    expect(config.organisations).toContainEqual({
      id: 'banking-member-1',
      kind: 'member',
      sector: 'banking',
      name: { ja: '銀行等CEPTOAR 構成員 1', en: 'Banking CEPTOAR member 1' },
    });
    expect(config.organisations).toContainEqual(expect.objectContaining({ id: 'fsa', kind: 'ministry' }));
    expect(config.sectors).toHaveLength(18);
    expect(config.sectors).toContainEqual({
      id: 'banking',
      names: { ja: '銀行等CEPTOAR', en: 'Banking CEPTOAR' },
    });
  });

  it('opens a message link /incidents/{id} in the console, and keeps the path the API’s for API calls', async () => {
    const id = await api.report();
    const link = await get(`/incidents/${id}`, BROWSER);
    expect(link.status).toBe(302);
    expect(link.headers.get('location')).toBe(`/app/incidents/${id}`);

    const withToken = await get(`/incidents/${id}`, {
      ...BROWSER,
      authorization: `Bearer ${await api.token('secretariat')}`,
    });
    expect(withToken.status).toBe(200);
    expect((await withToken.json()).id).toBe(id);
    const curl = await get(`/incidents/${id}`, { accept: '*/*' });
    expect(curl.status).toBe(401);
    expect(curl.headers.get('content-type')).toBe('application/problem+json');
    expect((await get('/local/mail', BROWSER)).headers.get('content-type')).toBe('application/json');
  });

  it('opens an advisory message link /advisories/{id} in the console; with a token it stays the API’s', async () => {
    const token = await api.token('secretariat');
    const issued = await api.call('POST', '/advisories', {
      token,
      body: { title: 'Patch now', body: 'Patch the VPN appliances.', tlp: 'CLEAR' },
    });
    const id = issued.body.id as string;
    const link = await get(`/advisories/${id}`, BROWSER);
    expect(link.status).toBe(302);
    expect(link.headers.get('location')).toBe(`/app/advisories/${id}`);
    const withToken = await get(`/advisories/${id}`, { ...BROWSER, authorization: `Bearer ${token}` });
    expect((await withToken.json()).id).toBe(id);
  });

  it('opens a survey message link /surveys/{id} in the console, the page the survey message points to', async () => {
    const id = '0b7e8a52-5c1e-4f53-9d55-2a3f0c6d7e81';
    const link = await get(`/surveys/${id}`, BROWSER);
    expect(link.status).toBe(302);
    expect(link.headers.get('location')).toBe(`/app/surveys/${id}`);
    const curl = await get(`/surveys/${id}`, { accept: '*/*' });
    expect(curl.status).toBe(401);
  });

  it('tells an API route that exists from one that does not, which is what shows a feature slot', async () => {
    const token = await api.token('secretariat');
    expect(await apiHasRoute(stack.url, '/incidents', token)).toBe(true);
    expect(await apiHasRoute(stack.url, '/no-such-feature', token)).toBe(false);
  });

  it("answers every slot's probe with 200 for each role it serves: a valid, small request, not an error", async () => {
    for (const slot of featureSlots) {
      for (const role of slot.roles) {
        const org = role === 'member' ? 'asahi-petrochem' : undefined;
        const res = await api.call('GET', slot.probe, { token: await api.token(role, org) });
        expect(res.status, `${slot.id} as ${role}`).toBe(200);
      }
    }
  });
});
