import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from './errors';

/**
 * How deep a JSON body may nest. Real bodies stay within a handful of levels (a process variable of
 * type Json a few more); a body nested thousands deep would overflow the stack of the validation's
 * class-transformer and of JSON.stringify, answering 500 instead of refusing the request.
 */
export const MAX_BODY_DEPTH = 64;

/** The nesting depth of a parsed JSON value, counted without recursion; stops once past `limit`. */
export function depthOf(value: unknown, limit = MAX_BODY_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** Refuses a parsed JSON body nested deeper than MAX_BODY_DEPTH with 400 BODY_TOO_DEEP. */
export function limitBodyDepth(req: Request, _res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body) && depthOf(body) > MAX_BODY_DEPTH) {
    return next(new AppError('BODY_TOO_DEEP', `提交的数据嵌套层级过深（最多 ${MAX_BODY_DEPTH} 层）`, 400));
  }
  next();
}

/**
 * Requests Node's HTTP parser refuses before any route sees them — an address or headers over the
 * size limit (431), a malformed request line (400) — answer `{code, message}` like every other error,
 * instead of Node's bare status line.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const body = JSON.stringify(
      tooLarge ? { code: 'HEADERS_TOO_LARGE', message: '请求的地址或请求头过长' } : { code: 'BAD_REQUEST', message: '请求格式不正确' },
    );
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
