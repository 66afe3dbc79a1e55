import type { Role } from './roles';

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  unitId: string;
  unitName: string;
  roles: Role[];
  mustChangePassword: boolean;
}

export interface LoginResponse {
  accessToken: string;
  expiresIn: number;
  user: SessionUser;
}

/**
 * The password (or SSO) step passed, but a second factor is needed: `totp` asks for a code (or a
 * recovery code) at `POST /api/auth/login/second-factor`; `totp-enrol` means the account must first
 * enrol (`POST /api/auth/totp/enrol` then `/confirm`, with the challenge), which also signs it in.
 */
export interface SecondFactorChallenge {
  secondFactor: 'totp' | 'totp-enrol';
  challenge: string;
  /** Seconds the challenge stays valid. */
  expiresIn: number;
}

export type LoginOutcome = LoginResponse | SecondFactorChallenge;

export function isSecondFactorChallenge(value: LoginOutcome): value is SecondFactorChallenge {
  return 'challenge' in value && typeof value.challenge === 'string';
}

/** A started enrolment: the secret is shown this once (QR code and manual key). */
export interface TotpEnrolment {
  /** Base32 secret for typing into an authenticator by hand. */
  secret: string;
  otpauthUrl: string;
  /** The otpauth:// URL as a PNG data URL. */
  qrCode: string;
}

/** Confirmed enrolment: the recovery codes, shown once; a session when it was done with a login challenge. */
export interface TotpConfirmation {
  recoveryCodes: string[];
  session?: LoginResponse;
}

export interface TotpStatus {
  enrolled: boolean;
  required: boolean;
  recoveryCodesLeft: number;
}
