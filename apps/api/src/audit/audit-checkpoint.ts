import { createHash } from 'node:crypto';
import { sm2 } from 'sm-crypto';

/**
 * Signed checkpoints of the audit chain: pure functions, no database. A checkpoint says "at `at` the
 * chain had `rowCount` rows and ended at row `lastId` whose hash was `lastHash`", signed with SM2 so
 * that neither the database nor anyone who can write to it can make a cut chain look whole again.
 */

export const CHECKPOINT_FORMAT = 'zhengwu-audit-checkpoint/1';
/** The SM2 user id (ZA) of the signature: the GB/T 32918 default, as in the archive. */
export const SM2_USER_ID = '1234567812345678';
export const SIGNATURE_ALGORITHM = 'SM2withSM3';

export interface CheckpointClaim {
  /** 0 when the chain was empty. */
  lastId: string;
  lastHash: string;
  rowCount: string;
  /** ISO 8601 with milliseconds, UTC. */
  at: string;
  /** SM3 of the signing key's SubjectPublicKeyInfo (DER). */
  keyId: string;
}

const FIELDS: [keyof CheckpointClaim, string, RegExp][] = [
  // At most 18 digits: always inside PostgreSQL's bigint.
  ['lastId', 'last-id', /^(0|[1-9]\d{0,17})$/],
  ['lastHash', 'last-hash', /^[0-9a-f]{64}$/],
  ['rowCount', 'row-count', /^(0|[1-9]\d{0,17})$/],
  ['at', 'at', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/],
  ['keyId', 'key-id', /^[0-9a-f]{64}$/],
];

/** The exact text that is signed: one `name: value` line per field after a format line, LF endings. */
export function checkpointText(claim: CheckpointClaim): string {
  return [CHECKPOINT_FORMAT, ...FIELDS.map(([key, name]) => `${name}: ${claim[key]}`)].join('\n') + '\n';
}

/** The claim of a signed text, or undefined when the text is not exactly what checkpointText writes. */
export function parseCheckpointText(text: string): CheckpointClaim | undefined {
  const lines = text.split('\n');
  if (lines.length !== FIELDS.length + 2 || lines[0] !== CHECKPOINT_FORMAT || lines[lines.length - 1] !== '') return undefined;
  const claim: Partial<CheckpointClaim> = {};
  for (const [index, [key, name, pattern]] of FIELDS.entries()) {
    const line = lines[index + 1];
    const prefix = `${name}: `;
    if (!line.startsWith(prefix)) return undefined;
    const value = line.slice(prefix.length);
    if (!pattern.test(value)) return undefined;
    claim[key] = value;
  }
  const complete = claim as CheckpointClaim;
  // Only canonical texts are accepted, so one claim has exactly one signed form.
  return checkpointText(complete) === text ? complete : undefined;
}

/** `04 || x || y` in hex, the form sm-crypto uses. */
const UNCOMPRESSED_KEY = /^04[0-9a-f]{128}$/;
/** SubjectPublicKeyInfo header: id-ecPublicKey with the named curve sm2p256v1 (1.2.156.10197.1.301). */
const SM2_SPKI_PREFIX = '3059301306072a8648ce3d020106082a811ccf5501822d034200';

export function isPublicKey(value: string): boolean {
  return UNCOMPRESSED_KEY.test(value);
}

export function publicKeyDer(publicKey: string): Buffer {
  return Buffer.from(SM2_SPKI_PREFIX + publicKey, 'hex');
}

/** PEM of the SubjectPublicKeyInfo: what OpenSSL (`openssl pkeyutl -verify -pubin`) and other SM2 tools read. */
export function publicKeyPem(publicKey: string): string {
  const body = publicKeyDer(publicKey).toString('base64');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/** The key's identity, like an X.509 key identifier: SM3 over its SubjectPublicKeyInfo. */
export function keyIdOf(publicKey: string): string {
  return createHash('sm3').update(publicKeyDer(publicKey)).digest('hex');
}

export interface SigningKey {
  privateKey: string;
  publicKey: string;
}

/** SM2 signature (SM3 digest with ZA over SM2_USER_ID), DER-encoded, hex. */
export function signCheckpoint(text: string, key: SigningKey): string {
  return sm2.doSignature(text, key.privateKey, { hash: true, der: true, publicKey: key.publicKey, userId: SM2_USER_ID });
}

export function verifyCheckpointSignature(text: string, signature: string, publicKey: string): boolean {
  if (!isPublicKey(publicKey) || !/^[0-9a-f]{16,400}$/.test(signature)) return false;
  try {
    return sm2.doVerifySignature(text, signature, publicKey, { hash: true, der: true, userId: SM2_USER_ID });
  } catch {
    // A malformed DER or a point off the curve: not a valid signature.
    return false;
  }
}
