import type { OrganizationEntry } from '../events/directory/directory.ts';
import {
  type MinistryId,
  ministryOf,
  ministryOrgId,
  type SectorId,
  sectorIds,
} from '../events/sector/catalog.ts';
import { DEFAULT_PRESET, type SectorEntry } from '../events/sector/sector.ts';

/**
 * The seed map's 18 CEPTOARs (セプター特性把握マップ, March 2016) as the local stack seeds them:
 * names, secretariat, competent ministry and member count from the domain brief's table.
 *
 * Ministries: today's allocation (functions read it from events/sector/catalog.ts). Water is MLIT's,
 * not MHLW's as in the 2016 map: waterworks administration moved from MHLW to MLIT in April 2024,
 * and a deployment serves today's chain.
 *
 * The chemical sector keeps the organisations and ids of config/directory.json (its secretariat is
 * `secretariat`, METI's organisation `ministry`). Every other sector gets a secretariat organisation
 * `<sector>-secretariat` and MEMBERS_PER_SECTOR generated members `<sector>-member-<n>`, not the
 * map's counts (1,788 for local government): start-up stays fast, and `members` still says how
 * many the sector has. The bench seeds the big directories itself.
 */
export const MEMBERS_PER_SECTOR = 3;

interface SeedSector {
  readonly ja: string;
  readonly en: string;
  readonly secretariat: { readonly ja: string; readonly en: string };
  readonly members: number;
}

const seed: Record<SectorId, SeedSector> = {
  telecom: {
    ja: 'T-CEPTOAR',
    en: 'Telecommunications CEPTOAR',
    secretariat: { ja: '日本データ通信協会 テレコム・アイザック推進会議', en: 'Telecom-ISAC Japan' },
    members: 26,
  },
  'cable-tv': {
    ja: 'ケーブルテレビCEPTOAR',
    en: 'Cable Television CEPTOAR',
    secretariat: { ja: '日本ケーブルテレビ連盟', en: 'Japan Cable and Telecommunications Association' },
    members: 310,
  },
  broadcasting: {
    ja: 'CEPTOAR放送',
    en: 'Broadcasting CEPTOAR',
    secretariat: { ja: '日本民間放送連盟', en: 'Japan Commercial Broadcasters Association' },
    members: 194,
  },
  banking: {
    ja: '銀行等CEPTOAR',
    en: 'Banking CEPTOAR',
    secretariat: { ja: '全国銀行協会', en: 'Japanese Bankers Association' },
    members: 1487,
  },
  securities: {
    ja: '証券CEPTOAR',
    en: 'Securities CEPTOAR',
    secretariat: { ja: '日本証券業協会', en: 'Japan Securities Dealers Association' },
    members: 261,
  },
  'life-insurance': {
    ja: '生命保険CEPTOAR',
    en: 'Life Insurance CEPTOAR',
    secretariat: { ja: '生命保険協会', en: 'The Life Insurance Association of Japan' },
    members: 42,
  },
  'non-life-insurance': {
    ja: '損害保険CEPTOAR',
    en: 'Non-Life Insurance CEPTOAR',
    secretariat: { ja: '日本損害保険協会', en: 'The General Insurance Association of Japan' },
    members: 29,
  },
  aviation: {
    ja: '航空分野におけるCEPTOAR',
    en: 'Aviation CEPTOAR',
    secretariat: { ja: '国土交通省 航空局', en: 'MLIT Civil Aviation Bureau' },
    members: 5,
  },
  railway: {
    ja: 'CEPTOAR鉄道',
    en: 'Railway CEPTOAR',
    secretariat: { ja: '国土交通省 鉄道局', en: 'MLIT Railway Bureau' },
    members: 24,
  },
  electricity: {
    ja: 'CEPTOAR電力',
    en: 'Electricity CEPTOAR',
    secretariat: { ja: '電気事業連合会', en: 'The Federation of Electric Power Companies of Japan' },
    members: 14,
  },
  gas: {
    ja: 'CEPTOAR GAS',
    en: 'Gas CEPTOAR',
    secretariat: { ja: '日本ガス協会', en: 'The Japan Gas Association' },
    members: 10,
  },
  'local-government': {
    ja: '自治体CEPTOAR',
    en: 'Local Government CEPTOAR',
    secretariat: {
      ja: '地方公共団体情報システム機構',
      en: 'Japan Agency for Local Authority Information Systems (J-LIS)',
    },
    members: 1788,
  },
  healthcare: {
    ja: '医療CEPTOAR',
    en: 'Healthcare CEPTOAR',
    secretariat: { ja: '厚生労働省 医政局', en: 'MHLW Health Policy Bureau' },
    members: 7,
  },
  water: {
    ja: '水道CEPTOAR',
    en: 'Water Supply CEPTOAR',
    secretariat: { ja: '日本水道協会', en: 'Japan Water Works Association' },
    members: 8,
  },
  logistics: {
    ja: '物流CEPTOAR',
    en: 'Logistics CEPTOAR',
    secretariat: { ja: '日本物流団体連合会', en: 'Japan Federation of Logistics Associations' },
    members: 22,
  },
  chemical: {
    ja: '化学CEPTOAR',
    en: 'Chemical CEPTOAR',
    secretariat: { ja: '石油化学工業協会', en: 'Japan Petrochemical Industry Association (JPCA)' },
    members: 11,
  },
  credit: {
    ja: 'クレジットCEPTOAR',
    en: 'Credit CEPTOAR',
    secretariat: { ja: '日本クレジット協会', en: 'Japan Consumer Credit Association' },
    members: 18,
  },
  petroleum: {
    ja: '石油CEPTOAR',
    en: 'Petroleum CEPTOAR',
    secretariat: { ja: '石油連盟', en: 'Petroleum Association of Japan' },
    members: 15,
  },
};

/** The ministries' organisations besides METI's (config/directory.json has METI's as `ministry`). */
const ministryNames: Record<Exclude<MinistryId, 'meti'>, { ja: string; en: string }> = {
  mlit: { ja: '国土交通省', en: 'Ministry of Land, Infrastructure, Transport and Tourism (MLIT)' },
  mhlw: { ja: '厚生労働省', en: 'Ministry of Health, Labour and Welfare (MHLW)' },
  mic: { ja: '総務省', en: 'Ministry of Internal Affairs and Communications (MIC)' },
  fsa: { ja: '金融庁', en: 'Financial Services Agency (FSA)' },
};

/** The chemical sector's secretariat organisation, as config/directory.json names it. */
const CHEMICAL_SECRETARIAT = 'secretariat';

const secretariatOf = (sector: SectorId) =>
  sector === 'chemical' ? CHEMICAL_SECRETARIAT : `${sector}-secretariat`;

/** Every sector's entry, as SeedSector registers it. */
export function seedSectors(): Record<SectorId, SectorEntry> {
  return Object.fromEntries(
    sectorIds.map((id) => {
      const s = seed[id];
      return [
        id,
        {
          names: { ja: s.ja, en: s.en },
          secretariat: secretariatOf(id),
          ministry: ministryOf[id],
          members: s.members,
          preset: DEFAULT_PRESET,
        },
      ];
    }),
  ) as Record<SectorId, SectorEntry>;
}

// Generated contacts: one duty desk per organisation, e-mail first and SMS second (NISC's two routes).
let phone = 0;
const contact = (org: string, name: string, lang: 'ja' | 'en', escalation = false) => ({
  id: `${org}-duty`,
  name,
  email: `duty@${org}.ceptoar.example`,
  phone: `+8150${String(++phone).padStart(8, '0')}`,
  lang,
  escalation,
  primary: 'email' as const,
  secondary: 'sms' as const,
});

/**
 * Every organisation the local stack seeds, by id: the other sectors' and ministries' generated ones
 * (seedSectorDirectory), then `directory`'s (config/directory.json's, or CEPTOAR_DIRECTORY's), which win
 * for an id both name. The stack's seeding, its console's names and the token CLI read the same.
 */
export const seededOrganizations = (
  directory: Record<string, OrganizationEntry>,
): Record<string, OrganizationEntry> => ({ ...seedSectorDirectory(), ...directory });

/**
 * The organisations of the sectors other than chemical (their secretariats and generated members)
 * and of the ministries other than METI, by id. Chemical's are config/directory.json's.
 */
export function seedSectorDirectory(): Record<string, OrganizationEntry> {
  phone = 0;
  const orgs: Record<string, OrganizationEntry> = {};
  for (const [ministry, name] of Object.entries(ministryNames)) {
    orgs[ministryOrgId(ministry as MinistryId)] = {
      kind: 'ministry',
      name,
      contacts: [contact(ministry, `${name.ja} 当直`, 'ja')],
    };
  }
  for (const id of sectorIds) {
    if (id === 'chemical') continue;
    const s = seed[id];
    orgs[secretariatOf(id)] = {
      kind: 'secretariat',
      sector: id,
      name: { ja: `${s.secretariat.ja} セプター事務局`, en: `${s.secretariat.en} CEPTOAR Secretariat` },
      contacts: [contact(secretariatOf(id), `${s.ja} 事務局 当番`, 'ja')],
    };
    for (let n = 1; n <= MEMBERS_PER_SECTOR; n++) {
      const org = `${id}-member-${n}`;
      orgs[org] = {
        kind: 'member',
        sector: id,
        name: { ja: `${s.ja} 構成員 ${n}`, en: `${s.en} member ${n}` },
        contacts: [{ ...contact(org, `${s.en} member ${n} CSIRT`, 'en'), login: `local-member-${org}` }],
      };
    }
  }
  return orgs;
}
