import { parseArgs } from 'node:util';
import { entrySector } from '../events/directory/directory.ts';
import { issueLocalToken, localSigningKey, tokenRequest, tokenSector } from './auth.ts';
import { seedDirectory } from './seed-directory.ts';
import { seededOrganizations } from './seed-sectors.ts';

// npm run --silent token -- --role member --org asahi-petrochem  → prints only the token.
const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    org: { type: 'string' },
    sub: { type: 'string' },
    sector: { type: 'string' },
  },
  strict: true,
});
const parsed = tokenRequest.safeParse(
  Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)),
);
if (!parsed.success) {
  for (const issue of parsed.error.issues)
    console.error(`${issue.path.join('.') || 'role'}: ${issue.message}`);
  console.error(
    'usage: npm run --silent token -- --role member|secretariat|ministry|nisc|auditor [--org ORG] [--sector SECTOR] [--sub SUB]',
  );
  process.exit(2);
}
// The organisation's sector from the directory the local stack seeds (config/directory.json and the
// other sectors' generated organisations), so no stack needs to run; an organisation added later
// through the API is not known here and is taken at its word (POST /local/token reads the running stack's directory).
const { org } = parsed.data;
const seeded = seededOrganizations(seedDirectory().organizations);
const entry = org === undefined ? undefined : seeded[org];
const sector = tokenSector(parsed.data, entry ? entrySector(entry) : null);
if ('error' in sector) {
  console.error(`sector: ${sector.error}; a token names its organisation's sector or none`);
  process.exit(2);
}
const dataDir = process.env.CEPTOAR_DATA_DIR ?? '.data';
const request = { ...parsed.data, ...(sector.sector ? { sector: sector.sector } : {}) };
process.stdout.write(`${await issueLocalToken(localSigningKey(dataDir), request)}\n`);
