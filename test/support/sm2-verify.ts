import { createHash } from 'node:crypto';

/**
 * SM2 signature verification (GB/T 32918.2 §7) written from the standard with BigInt and Node's
 * SM3, sharing no code with sm-crypto: tests use it to check what the platform signs.
 */

const P = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF');
const A = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC');
const B = BigInt('0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93');
const N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');
const GX = BigInt('0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7');
const GY = BigInt('0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0');

type Point = { x: bigint; y: bigint } | null;

const mod = (v: bigint, m: bigint): bigint => ((v % m) + m) % m;

function inverse(value: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(value, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

function add(p1: Point, p2: Point): Point {
  if (!p1) return p2;
  if (!p2) return p1;
  if (p1.x === p2.x && mod(p1.y + p2.y, P) === 0n) return null;
  const lambda =
    p1.x === p2.x && p1.y === p2.y
      ? mod((3n * p1.x * p1.x + A) * inverse(2n * p1.y, P), P)
      : mod((p2.y - p1.y) * inverse(p2.x - p1.x, P), P);
  const x = mod(lambda * lambda - p1.x - p2.x, P);
  return { x, y: mod(lambda * (p1.x - x) - p1.y, P) };
}

function multiply(k: bigint, point: Point): Point {
  let result: Point = null;
  let addend = point;
  for (let n = k; n > 0n; n >>= 1n) {
    if (n & 1n) result = add(result, addend);
    addend = add(addend, addend);
  }
  return result;
}

const bytes32 = (v: bigint): Buffer => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
const sm3 = (...parts: Buffer[]): Buffer => parts.reduce((h, part) => h.update(part), createHash('sm3')).digest();

/** r and s of a DER `SEQUENCE { INTEGER r, INTEGER s }`. */
function parseDer(der: Buffer): { r: bigint; s: bigint } {
  if (der[0] !== 0x30 || der[1] !== der.length - 2) throw new Error('not a DER sequence');
  let at = 2;
  const integer = (): bigint => {
    if (der[at] !== 0x02) throw new Error('not a DER integer');
    const length = der[at + 1];
    const value = der.subarray(at + 2, at + 2 + length);
    at += 2 + length;
    return BigInt(`0x${value.toString('hex')}`);
  };
  const r = integer();
  const s = integer();
  if (at !== der.length) throw new Error('trailing bytes');
  return { r, s };
}

/** Verifies a DER SM2 signature of `message` under `publicKey` (04‖x‖y hex) with the signer's user id. */
export function sm2Verify(message: Buffer, signatureDer: Buffer, publicKey: string, userId: string): boolean {
  const px = BigInt(`0x${publicKey.slice(2, 66)}`);
  const py = BigInt(`0x${publicKey.slice(66, 130)}`);
  if (mod(py * py - (px * px * px + A * px + B), P) !== 0n) return false;
  const { r, s } = parseDer(signatureDer);
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const id = Buffer.from(userId, 'utf8');
  const entl = Buffer.from([((id.length * 8) >> 8) & 0xff, (id.length * 8) & 0xff]);
  const z = sm3(entl, id, bytes32(A), bytes32(B), bytes32(GX), bytes32(GY), bytes32(px), bytes32(py));
  const e = BigInt(`0x${sm3(z, message).toString('hex')}`);
  const t = mod(r + s, N);
  if (t === 0n) return false;
  const point = add(multiply(s, { x: GX, y: GY }), multiply(t, { x: px, y: py }));
  if (!point) return false;
  return mod(e + point.x, N) === r;
}
