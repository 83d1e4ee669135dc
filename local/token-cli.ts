import { parseArgs } from 'node:util';
import { issueLocalToken, localSigningKey, tokenRequest } from './auth.ts';

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
const dataDir = process.env.CEPTOAR_DATA_DIR ?? '.data';
process.stdout.write(`${await issueLocalToken(localSigningKey(dataDir), parsed.data)}\n`);
