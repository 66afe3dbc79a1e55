import { Inject, Injectable } from '@nestjs/common';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sm2 } from 'sm-crypto';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { keyIdOf, publicKeyPem, signCheckpoint, type SigningKey } from './audit-checkpoint';

/** How an export names its signer: the public key three ways, like the subject of a certificate. */
export interface SignerIdentity {
  subject: string;
  algorithm: string;
  publicKey: string;
  publicKeyPem: string;
  keyId: string;
}

/**
 * The platform's audit checkpoint key: AUDIT_SM2_PRIVATE_KEY, else generated once into
 * DATA_DIR/audit-sm2.json (0600), the way the archive key is. Separate from the archive key so the
 * two can be rotated and held apart (the archivist's packages, the auditor's chain).
 */
@Injectable()
export class AuditSigner {
  private key?: SigningKey;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  sign(text: string): string {
    return signCheckpoint(text, this.signingKey());
  }

  identity(): SignerIdentity {
    return this.identityOf(this.signingKey().publicKey);
  }

  /** The identity of a key that signed (the current key or a former one). */
  identityOf(publicKey: string): SignerIdentity {
    return {
      subject: `Zhengwu 政务办公平台 审计链检查点签名密钥 (${this.config.publicUrl})`,
      algorithm: 'SM2 (GB/T 32918), curve sm2p256v1, SM3 digest, user id 1234567812345678',
      publicKey,
      publicKeyPem: publicKeyPem(publicKey),
      keyId: keyIdOf(publicKey),
    };
  }

  /** The current key and the former ones listed in AUDIT_SM2_TRUSTED_PUBLIC_KEYS. */
  isTrusted(publicKey: string): boolean {
    return publicKey === this.signingKey().publicKey || this.config.auditSm2TrustedPublicKeys.includes(publicKey);
  }

  private signingKey(): SigningKey {
    if (this.key) return this.key;
    const configured = this.config.auditSm2PrivateKey;
    if (configured) {
      this.key = { privateKey: configured, publicKey: sm2.getPublicKeyFromPrivateKey(configured) };
      return this.key;
    }
    const file = join(this.config.dataDir, 'audit-sm2.json');
    if (!existsSync(file)) {
      mkdirSync(this.config.dataDir, { recursive: true });
      const pair = sm2.generateKeyPairHex();
      // Written aside and linked into place: a process reading at the same moment sees all or nothing.
      const pending = `${file}.${process.pid}.tmp`;
      writeFileSync(pending, JSON.stringify({ algorithm: 'SM2', privateKey: pair.privateKey, publicKey: pair.publicKey }), { mode: 0o600 });
      try {
        linkSync(pending, file);
      } catch (error) {
        // Another process on this DATA_DIR made it first: use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        rmSync(pending, { force: true });
      }
    }
    const stored = JSON.parse(readFileSync(file, 'utf8')) as SigningKey;
    this.key = { privateKey: stored.privateKey, publicKey: stored.publicKey };
    return this.key;
  }
}
