import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadedOnce } from './loaded-once.ts';

/**
 * A key read once: in AWS the Secrets Manager secret named by `arnVariable` (its string, as
 * bytes), locally the base64 in the data-folder file named by `fileVariable`. A failed read is
 * tried again on the next call.
 */
export function secretKey(
  what: string,
  arnVariable: string,
  fileVariable: string,
): () => Promise<Uint8Array> {
  return loadedOnce(async () => {
    const secretArn = process.env[arnVariable];
    if (secretArn) {
      const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
      if (!out.SecretString) throw new Error(`the ${what} secret is empty`);
      return new TextEncoder().encode(out.SecretString);
    }
    const file = process.env[fileVariable];
    if (!file) throw new Error(`neither ${arnVariable} nor ${fileVariable} is set`);
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  });
}
