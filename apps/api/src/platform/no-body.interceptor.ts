import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { AppError } from './errors';

/**
 * What a body may change starts with whether the route takes one: a route without a @Body() parameter refuses a
 * JSON body with fields instead of ignoring it, so a field a client believes it set is never silently dropped.
 * (Routes that read raw XML, files or PDFs from the request do not get a JSON object here.)
 */
@Injectable()
export class NoBodyInterceptor implements NestInterceptor {
  private readonly takesBody = new WeakMap<object, boolean>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const body: unknown = request.body;
    const hasFields =
      body !== null && typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body) && Object.keys(body).length > 0;
    // /engine-rest follows Camunda 7, which ignores what its bodiless routes are sent.
    const camunda = request.path.startsWith('/engine-rest');
    if (hasFields && !camunda && request.is('application/json') && !this.routeTakesBody(context)) {
      const fields = Object.keys(body as object);
      throw new AppError(
        'BODY_NOT_ACCEPTED',
        `此操作不接受请求体字段：${fields.join('、')}`,
        HttpStatus.BAD_REQUEST,
        fields.map((field) => ({ field, message: '此操作不接受该字段' })),
      );
    }
    return next.handle();
  }

  private routeTakesBody(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const known = this.takesBody.get(handler);
    if (known !== undefined) return known;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
    // Keys are `${paramtype}:${index}`; @Req() gives the handler the whole request, body included.
    const takes = Object.keys(args).some((key) => {
      const type = Number(key.split(':')[0]);
      return type === RouteParamtypes.BODY || type === RouteParamtypes.REQUEST;
    });
    this.takesBody.set(handler, takes);
    return takes;
  }
}
