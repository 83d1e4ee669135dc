import type { ConsoleConfig, OrgName, SectorName } from './src/config.ts';

/** The organisations' names (and sectors) as the console shows them, from a directory document (config/directory.json's shape). */
export function organisationNames(directory: {
  organizations: Record<string, { kind: OrgName['kind']; name: { ja: string; en: string }; sector?: string }>;
}): OrgName[] {
  return Object.entries(directory.organizations).map(([id, org]) => ({
    id,
    kind: org.kind,
    name: org.name,
    ...(org.sector ? { sector: org.sector } : {}),
  }));
}

/** config.json for the local stack: same-origin API, local tokens. */
export function localConsoleConfig(options: {
  pollSeconds: number;
  organisations: readonly OrgName[];
  sectors: readonly SectorName[];
}): ConsoleConfig {
  return {
    auth: 'local',
    apiUrl: '',
    pollSeconds: options.pollSeconds,
    organisations: options.organisations,
    sectors: options.sectors,
  };
}
