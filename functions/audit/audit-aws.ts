import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { CheckpointSigner } from './audit-checkpoints.ts';

export { s3Archive } from './audit-archive-aws.ts';

/** Checkpoints are signed by a KMS ECC_NIST_P256 key (ECDSA_SHA_256); the private key never leaves KMS. */
export function kmsSigner(kms: KMSClient, keyId: string): CheckpointSigner {
  let publicPem: Promise<string> | undefined;
  return {
    algorithm: 'ECDSA_SHA_256',
    keyId,
    publicKeyPem: () => {
      publicPem ??= kms.send(new GetPublicKeyCommand({ KeyId: keyId })).then(({ PublicKey }) => {
        if (!PublicKey) throw new Error(`KMS returned no public key for ${keyId}`);
        return createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' })
          .export({ type: 'spki', format: 'pem' })
          .toString();
      });
      return publicPem;
    },
    sign: async (data) => {
      const { Signature } = await kms.send(
        new SignCommand({
          KeyId: keyId,
          SigningAlgorithm: 'ECDSA_SHA_256',
          // The signed body is a few hundred bytes, well inside RAW's 4 KB: KMS hashes it itself.
          MessageType: 'RAW',
          Message: data,
        }),
      );
      if (!Signature) throw new Error('KMS returned no signature');
      return Buffer.from(Signature);
    },
  };
}
