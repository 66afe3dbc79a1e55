import { createHash, randomBytes } from 'node:crypto';
import { sm2, sm3 as sm3Hex } from 'sm-crypto';

/**
 * SM2 (GB/T 32918) and SM3 (GB/T 32905). Keys are hex as sm-crypto takes them: the private key 64 hex
 * digits, the public key uncompressed (04 || x || y, 130 hex digits).
 */
export interface Sm2KeyPair {
  privateKey: string;
  publicKey: string;
}

/** The default user id of GB/T 35276 used in Z_A when none is agreed: "1234567812345678". */
export const SM2_USER_ID = '1234567812345678';

export const OID = {
  /** SM2 with SM3 signature (GM/T 0006). */
  sm2WithSm3: '1.2.156.10197.1.501',
  /** SM3 hash. */
  sm3: '1.2.156.10197.1.401',
  /** The sm2p256v1 curve. */
  sm2Curve: '1.2.156.10197.1.301',
  ecPublicKey: '1.2.840.10045.2.1',
} as const;

/** The order n of the sm2p256v1 base point (GB/T 32918.5). */
const N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');

/**
 * A fresh key pair: the private scalar from the operating system's CSPRNG (rejection sampling into
 * [1, n − 2], GB/T 32918.1 §6.1), the public point computed by sm-crypto. Node can make SM2 keys but not
 * export their scalar (no JWK for the curve).
 */
export function generateSm2KeyPair(): Sm2KeyPair {
  for (;;) {
    const d = BigInt(`0x${randomBytes(32).toString('hex')}`);
    if (d < 1n || d > N - 2n) continue;
    const privateKey = d.toString(16).padStart(64, '0');
    return { privateKey, publicKey: sm2.getPublicKeyFromPrivateKey(privateKey) };
  }
}

export function publicKeyOf(privateKey: string): string {
  return sm2.getPublicKeyFromPrivateKey(privateKey);
}

/** SM2 signature over data (SM3 with Z_A of the default user id), DER SEQUENCE { r, s } as X.509 and GB/T 38540 carry it. */
export function sm2Sign(data: Uint8Array, key: Sm2KeyPair): Buffer {
  const hex = sm2.doSignature(data, key.privateKey, { hash: true, der: true, publicKey: key.publicKey, userId: SM2_USER_ID });
  return Buffer.from(hex, 'hex');
}

export function sm2Verify(data: Uint8Array, signature: Uint8Array, publicKey: string): boolean {
  try {
    return sm2.doVerifySignature(data, Buffer.from(signature).toString('hex'), publicKey, { hash: true, der: true, userId: SM2_USER_ID });
  } catch {
    return false; // a signature that is not even DER is not valid
  }
}

/** SM3 digest: OpenSSL's when it has one, else sm-crypto's (the same function, GB/T 32905). */
export function sm3(data: Uint8Array): Buffer {
  try {
    return createHash('sm3').update(data).digest();
  } catch {
    return Buffer.from(sm3Hex(data), 'hex');
  }
}
