import { systemActor } from '../events/actor.ts';
import { runCommand } from '../functions/commons/command-runner.ts';
import type { Directory } from '../functions/commons/directory.ts';
import { organizations } from '../functions/commons/organizations.ts';
import { sectors } from '../functions/commons/sectors.ts';
import { store } from '../functions/commons/store.ts';
import { seedDirectory } from './seed-directory.ts';
import { seedSectorDirectory, seedSectors } from './seed-sectors.ts';

const actor = systemActor('directory-seed');

/**
 * Appends the seed directory's organisations, and the other sectors' (local/seed-sectors.ts), whose
 * streams are missing (idempotent: an existing organisation, however the secretariat changed it
 * since, is left alone). Returns how many were registered.
 */
export async function seedLocalDirectory(directory: Directory = seedDirectory()): Promise<number> {
  const entries = Object.entries({ ...seedSectorDirectory(), ...directory.organizations });
  let registered = 0;
  // A few at a time: thousands of organisations (the bench) seed in seconds without flooding DynamoDB Local.
  for (let i = 0; i < entries.length; i += 16) {
    const results = await Promise.all(
      entries
        .slice(i, i + 16)
        .map(([org, entry]) =>
          runCommand(
            store,
            organizations,
            org,
            { type: 'SeedOrganization', data: { org, entry } },
            { now: new Date().toISOString(), actor },
            { retryOnConflict: true },
          ),
        ),
    );
    registered += results.filter((r) => r.events.length > 0).length;
  }
  return registered;
}

/** Appends the 18 sectors whose streams are missing (idempotent, like the directory). Returns how many. */
export async function seedLocalSectors(): Promise<number> {
  const now = new Date().toISOString();
  const results = await Promise.all(
    Object.entries(seedSectors()).map(([sector, entry]) =>
      runCommand(
        store,
        sectors,
        sector,
        { type: 'SeedSector', data: { sector, entry } },
        { now, actor },
        { retryOnConflict: true },
      ),
    ),
  );
  return results.filter((r) => r.events.length > 0).length;
}
