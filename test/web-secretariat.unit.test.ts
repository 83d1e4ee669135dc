import { describe, expect, it } from 'vitest';
import { organizationSchema } from '../events/directory/directory.ts';
import { ackCurve, stepPath } from '../web/src/ack-chart.ts';
import {
  drillServerErrors,
  emptyContact,
  emptyDrillFields,
  organizationBody,
  organizationFields,
  organizationServerErrors,
  shareServerErrors,
  validateDrill,
  validateOrganization,
  validateShare,
} from '../web/src/secretariat-forms.ts';

const ENTRY = organizationSchema().parse({
  kind: 'member',
  name: { ja: '鹿島樹脂', en: 'Kashima Resin' },
  contacts: [
    {
      id: 'kashima-resin-csirt',
      name: '鹿島樹脂 CSIRT',
      email: 'csirt@kashima-resin.ceptoar.example',
      phone: '+819000000005',
      voice: '+81479000005',
      primary: 'email',
      secondary: 'sms',
      login: 'local-member-kashima-resin',
    },
  ],
});

describe('the drill form', () => {
  it('sends what the API schema accepts, audience every member', () => {
    const checked = validateDrill({ ...emptyDrillFields(), title: ' Annual drill ', body: 'Acknowledge.' });
    expect(checked).toEqual({
      ok: true,
      body: {
        title: 'Annual drill',
        body: 'Acknowledge.',
        tlp: 'GREEN',
        severity: 'low',
        ackWithinHours: 24,
        audience: 'all',
      },
    });
  });

  it('names each bad field with a message key, as the API would refuse it', () => {
    const checked = validateDrill({ ...emptyDrillFields(), tlp: 'PINK', ackWithinHours: '1000' });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors).toEqual({
      title: { key: 'error.required' },
      body: { key: 'error.required' },
      tlp: { key: 'error.choose' },
      ackWithinHours: { key: 'error.hours' },
    });
    const text = validateDrill({ ...emptyDrillFields(), title: 'x', body: 'y', ackWithinHours: 'abc' });
    expect(text.ok || text.errors).toEqual({ ackWithinHours: { key: 'error.hours' } });
  });
});

describe('the drill form of a caller who sees several sectors', () => {
  const filled = { ...emptyDrillFields(), title: 'Drill', body: 'Acknowledge.' };
  it('sends the one sector chosen, every sector as all, or the sectors chosen', () => {
    const body = (f: Parameters<typeof validateDrill>[0]) => {
      const checked = validateDrill(f);
      return checked.ok ? checked.body : checked.errors;
    };
    expect(body({ ...filled, sector: 'gas' })).toMatchObject({ sector: 'gas', audience: 'all' });
    expect(body({ ...filled, sectorMode: 'all', sector: 'gas' })).toMatchObject({ sectors: 'all' });
    expect(body({ ...filled, sectorMode: 'all' })).not.toHaveProperty('sector');
    expect(body({ ...filled, sectorMode: 'several', sectors: ['gas', 'banking'] })).toMatchObject({
      sectors: ['gas', 'banking'],
    });
  });

  it('names the sectors when none is chosen, and an entry the API refuses on the sectors too', () => {
    const none = validateDrill({ ...filled, sectorMode: 'several' });
    expect(none.ok || Object.keys(none.errors)).toEqual(['sectors']);
    expect(Object.keys(drillServerErrors([{ path: 'sectors.1', message: 'one of telecom, …' }]))).toEqual([
      'sectors',
    ]);
  });
});

describe('the share form', () => {
  it('reads the API refusal of identifying text per field', () => {
    expect(
      shareServerErrors([
        { path: 'title', message: 'still identifies the reporting company; edit it out' },
        { path: 'body', message: 'still identifies the reporting company; edit it out' },
      ]),
    ).toEqual({ title: { key: 'error.identifying' }, body: { key: 'error.identifying' } });
    expect(validateShare({ title: 't', body: 'b', tlp: 'AMBER', ackWithinHours: '12' })).toEqual({
      ok: true,
      body: { title: 't', body: 'b', tlp: 'AMBER', ackWithinHours: 12 },
    });
  });
});

describe('the directory entry form', () => {
  it('round-trips an entry: fields from GET, the same entry back for PUT', () => {
    const fields = organizationFields(ENTRY);
    expect(organizationSchema().parse(organizationBody(fields))).toEqual(ENTRY);
    expect(validateOrganization(fields)).toEqual({ ok: true, body: ENTRY });
  });

  it('names every bad address, missing channel and repeated id by its path', () => {
    const fields = organizationFields(ENTRY);
    const [first] = fields.contacts;
    if (!first) throw new Error('no contact');
    const checked = validateOrganization({
      ...fields,
      nameEn: ' ',
      contacts: [
        {
          ...first,
          email: 'not-an-email',
          webhook: 'http://plain.example',
          phone: '0312345678',
          voice: '0479-00-0005',
        },
        { ...emptyContact(), id: 'kashima-resin-csirt', name: 'Desk', primary: 'sms', secondary: 'sms' },
        { ...emptyContact(), id: 'Bad Id', name: 'Desk', email: 'desk@example.com' },
      ],
    });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    // Every problem at once: addresses, and the entry's own rules (two routes, repeated ids).
    expect(checked.errors).toEqual({
      'name.en': { key: 'error.required' },
      'contacts.0.email': { key: 'error.email' },
      'contacts.0.phone': { key: 'error.phone' },
      'contacts.0.webhook': { key: 'error.url' },
      'contacts.0.voice': { key: 'error.phone' },
      'contacts.1.id': { key: 'error.duplicateId' },
      'contacts.1.phone': { key: 'error.addressNeeded' },
      'contacts.1.secondary': { key: 'error.secondarySame' },
      'contacts.2.id': { key: 'error.idFormat' },
      'contacts.2.secondary': { key: 'error.secondaryNeeded' },
    });
    expect(validateOrganization({ ...fields, contacts: [] })).toEqual({
      ok: false,
      errors: { contacts: { key: 'error.oneContact' } },
    });
    expect(
      organizationServerErrors([{ path: 'contacts.0.email', message: 'must be an e-mail address' }]),
    ).toEqual({ 'contacts.0.email': { key: 'error.invalid' } });
  });
});

describe('the acknowledgement chart', () => {
  const report = {
    distributedAt: '2026-11-26T00:00:00.000Z',
    ackDueAt: '2026-11-26T10:00:00.000Z',
    windowHours: 10,
    overall: { recipients: 4 },
    recipients: [
      { secondsToAcknowledge: 7200 },
      { secondsToAcknowledge: null },
      { secondsToAcknowledge: 1800 },
      { secondsToAcknowledge: 43_200 },
    ],
  };

  it('steps up by each acknowledgement in time order, the window from the recorded times', () => {
    const curve = ackCurve(report, Date.parse('2026-11-26T13:00:00Z'));
    expect(curve).toEqual({
      total: 4,
      windowSeconds: 36_000,
      endSeconds: 43_200,
      steps: [
        { seconds: 1800, count: 1, share: 0.25 },
        { seconds: 7200, count: 2, share: 0.5 },
        { seconds: 43_200, count: 3, share: 0.75 },
      ],
      untilSeconds: 43_200,
    });
    if (!curve) return;
    expect(stepPath(curve, 432, 100)).toBe('M0,100 H18.0 V75.0 H72.0 V50.0 H432.0 V25.0 H432.0');
  });

  it('stops the line at now while the window is open, and is absent before distribution', () => {
    const open = ackCurve(
      { ...report, recipients: [{ secondsToAcknowledge: 1800 }] },
      Date.parse('2026-11-26T02:00:00Z'),
    );
    expect(open).toMatchObject({ endSeconds: 36_000, untilSeconds: 7200 });
    expect(ackCurve({ ...report, distributedAt: null }, Date.now())).toBeNull();
  });
});
