/** Types of second-factor.js for the TypeScript tests. */
import type { LoginOutcome, LoginResponse } from '@zhengwu/contracts';

export type Post = (path: string, body: object) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers

export const PERIOD_MS: number;
export function totpCode(secret: string, step: number): string;
export function currentStep(now?: number): number;

export class SecondFactorKeeper {
  secretOf(username: string): string | undefined;
  forget(username: string): void;
  remember(username: string, secret: string, lastStep: number, recoveryCodes?: string[]): void;
  nextCode(username: string): Promise<string>;
  answer(username: string): Promise<{ code: string } | { recoveryCode: string }>;
  finish(username: string, outcome: LoginOutcome, post: Post): Promise<LoginResponse>;
}

export const sharedKeeper: SecondFactorKeeper;
export function fetchPost(baseUrl: string): Post;
export function loginOverHttp(
  baseUrl: string,
  username: string,
  password: string,
  keeper: SecondFactorKeeper,
): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers
