import { Inject, Injectable } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  certificateInfo,
  createCertificateAuthority,
  fromPem,
  issueCertificate,
  publicKeyOf,
  toPem,
  type CertificateAuthority,
  type NameParts,
} from '@zhengwu/seal';
import { APP_CONFIG, createOnce, type AppConfig } from '../platform/config';
import { SealKeyCipher } from './seal-key-cipher';

interface StoredCa {
  certificate: string;
  privateKeyEnc: string;
}

/**
 * The deployment's certificate authority (SM2, self-signed, 20 years): it makes the seals (制章者) and
 * issues the certificates of the seal holders, and later of the archive (issue 17). Generated once into
 * DATA_DIR/seal-ca.json (0600), its private key encrypted under SEAL_ENCRYPTION_KEY; every api process on
 * the same DATA_DIR uses the same CA. Back this file up with DATA_DIR: a lost CA leaves every seal unknown.
 */
@Injectable()
export class DeploymentCa {
  private ca?: CertificateAuthority;
  private readonly cipher: SealKeyCipher;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.cipher = new SealKeyCipher(config.sealEncryptionKey);
  }

  /** The CA certificate (DER). */
  certificate(): Buffer {
    return this.authority().certificate;
  }

  certificatePem(): string {
    return toPem(this.certificate());
  }

  /** CA certificates whose seals and signers 验章 accepts. */
  trusted(): Buffer[] {
    return [this.certificate()];
  }

  /** A certificate for a signing key (a seal holder, the archive), valid for `validYears`. */
  issue(subject: NameParts, publicKey: string, validYears: number): Buffer {
    return issueCertificate(this.authority(), { subject, publicKey, usage: 'signing', validYears });
  }

  /** The CA with its key, to make seals (the key never leaves the api process). */
  authority(): CertificateAuthority {
    if (this.ca) return this.ca;
    const file = join(this.config.dataDir, 'seal-ca.json');
    if (!existsSync(file)) {
      mkdirSync(this.config.dataDir, { recursive: true });
      const host = new URL(this.config.publicUrl).host;
      const made = createCertificateAuthority({ C: 'CN', O: '政务办公平台', CN: `电子印章制章根证书（${host}）` });
      const stored: StoredCa = { certificate: toPem(made.certificate), privateKeyEnc: this.cipher.encrypt(made.key.privateKey) };
      // Another process on this DATA_DIR may have made one first: createOnce keeps the first.
      createOnce(file, JSON.stringify(stored));
    }
    const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredCa;
    const certificate = fromPem(stored.certificate);
    const privateKey = this.cipher.decrypt(stored.privateKeyEnc);
    const publicKey = publicKeyOf(privateKey);
    if (certificateInfo(certificate).publicKey !== publicKey)
      throw new Error('DATA_DIR/seal-ca.json: the key does not match the certificate');
    this.ca = { certificate, key: { privateKey, publicKey } };
    return this.ca;
  }
}
