/** The part of sm-crypto (no published types) the archive uses. */
declare module 'sm-crypto' {
  interface SignOptions {
    hash?: boolean;
    publicKey?: string;
    userId?: string;
    der?: boolean;
  }
  export const sm2: {
    generateKeyPairHex(): { privateKey: string; publicKey: string };
    getPublicKeyFromPrivateKey(privateKey: string): string;
    doSignature(msg: string | Uint8Array, privateKey: string, options?: SignOptions): string;
    doVerifySignature(msg: string | Uint8Array, signature: string, publicKey: string, options?: SignOptions): boolean;
  };
  export function sm3(input: string | Uint8Array): string;
}
