import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateInfo, fromPem, generateSm2KeyPair, publicKeyOf, toPem } from '@zhengwu/seal';
import { APP_CONFIG, createOnce, type AppConfig } from '../platform/config';
import { AppError } from '../platform/errors';
import { DeploymentCa } from '../seals/deployment-ca.service';
import { SealKeyCipher } from '../seals/seal-key-cipher';
import type { Signer } from './envelope';

interface StoredKey {
  organCode: string;
  certificate: string;
  privateKeyEnc: string;
}

/**
 * This deployment's exchange identity: EXCHANGE_ORGAN_CODE, and an SM2 key whose certificate (issued by the
 * deployment CA, subject OU = the organ code) signs every package and receipt it sends. Generated once into
 * DATA_DIR/exchange-key.json like the CA, the private key encrypted under SEAL_ENCRYPTION_KEY.
 */
@Injectable()
export class ExchangeIdentity {
  private signer?: Signer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ca: DeploymentCa,
  ) {}

  get organCode(): string {
    const code = this.config.exchange.organCode;
    if (!code) {
      throw new AppError(
        'EXCHANGE_NOT_CONFIGURED',
        '本系统未设置公文交换机构代码（EXCHANGE_ORGAN_CODE），不能收发交换公文；请管理员设置后重启',
        // The request is fine; this deployment is not set up for it (a state the administrator changes): 409.
        HttpStatus.CONFLICT,
      );
    }
    return code;
  }

  get organName(): string {
    return this.config.exchange.organName;
  }

  /** What a partner's administrator needs to pair with this deployment. */
  describe(): { organCode: string; organName: string; certificate: string; caCertificate: string; inbox: string } {
    const signer = this.current();
    return {
      organCode: this.organCode,
      organName: this.organName,
      certificate: toPem(signer.certificate),
      caCertificate: toPem(signer.caCertificate),
      inbox: `${this.config.publicUrl}/api/exchange/inbox`,
    };
  }

  current(): Signer {
    if (this.signer) return this.signer;
    const organCode = this.organCode;
    const cipher = new SealKeyCipher(this.config.sealEncryptionKey);
    const file = join(this.config.dataDir, 'exchange-key.json');
    if (!existsSync(file)) {
      mkdirSync(this.config.dataDir, { recursive: true });
      const key = generateSm2KeyPair();
      const certificate = this.ca.issue(
        { C: 'CN', O: this.organName || organCode, OU: organCode, CN: `公文交换（${this.organName || organCode}）` },
        key.publicKey,
        10,
      );
      const stored: StoredKey = { organCode, certificate: toPem(certificate), privateKeyEnc: cipher.encrypt(key.privateKey) };
      createOnce(file, JSON.stringify(stored));
    }
    const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
    if (stored.organCode !== organCode) {
      throw new Error(`DATA_DIR/exchange-key.json belongs to organ ${stored.organCode}, not EXCHANGE_ORGAN_CODE=${organCode}`);
    }
    const certificate = fromPem(stored.certificate);
    const privateKey = cipher.decrypt(stored.privateKeyEnc);
    const publicKey = publicKeyOf(privateKey);
    if (certificateInfo(certificate).publicKey !== publicKey)
      throw new Error('DATA_DIR/exchange-key.json: the key does not match the certificate');
    this.signer = { key: { privateKey, publicKey }, certificate, caCertificate: this.ca.certificate() };
    return this.signer;
  }
}
