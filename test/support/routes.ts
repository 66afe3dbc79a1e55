import type { INestApplication, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common/enums/request-method.enum';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import type { Role } from '@zhengwu/contracts';
import { WorkerTokenGuard } from '../../apps/api/src/engine/engine-rest.controller';
import { IS_PUBLIC, REQUIRED_ROLES } from '../../apps/api/src/identity/decorators';

/** One input of a route: the whole body or query as a DTO class, or one named field of it. */
export interface RouteInput {
  source: 'body' | 'query';
  /** `@Body('retries')` / `@Query('ownerKind')`: the one field the handler reads. */
  key?: string;
  /** The parameter's declared type: a DTO class, or String/Number/Object. */
  type?: Type<unknown>;
}

/**
 * One endpoint of the running application, with what its decorators say about access and input.
 * Shared by the access matrix, the hostile-input checks and the fuzzer, so all three see the same routes.
 */
export interface RouteInfo {
  /** `GET /api/documents/:id` */
  key: string;
  method: string;
  path: string;
  controller: string;
  handler: string;
  isPublic: boolean;
  /** Guarded by WORKER_TOKEN instead of a person's login. */
  worker: boolean;
  /** @Roles of the handler, else of the controller (as the guard reads them); undefined = any signed-in person. */
  roles?: Role[];
  /** Names of the query parameters the handler reads (`@Query('x')`, or the properties of its `@Query()` DTO). */
  queryParams: string[];
  /** The path's parameters (`id` of `/api/tasks/:id`). */
  params: string[];
  /** The body and query inputs with their DTO classes. */
  inputs: RouteInput[];
}

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** The routes Express actually serves: every route layer of the application's router, with its methods. */
export function expressRoutes(app: INestApplication): { path: string; methods: string[] }[] {
  const instance = app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  return instance.router.stack.flatMap((layer) =>
    layer.route ? [{ path: layer.route.path, methods: Object.keys(layer.route.methods).map((m) => m.toUpperCase()) }] : [],
  );
}

const asArray = (value: string | string[] | undefined): string[] => (value === undefined ? [''] : Array.isArray(value) ? value : [value]);
const join = (...parts: string[]): string =>
  `/${parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;

/**
 * Every controller method Nest registered, read from the live module graph (not from a list kept
 * by hand), with its access metadata. `expressRoutes` is compared against it so neither side can
 * hold a route the other does not know.
 */
export function nestRoutes(app: INestApplication): RouteInfo[] {
  const routes: RouteInfo[] = [];
  const validation = getMetadataStorage();
  const seen = new Set<unknown>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!type || seen.has(type)) continue;
      seen.add(type);
      const classPaths = asArray(Reflect.getMetadata(PATH_METADATA, type) as string | string[] | undefined);
      const classGuards = (Reflect.getMetadata(GUARDS_METADATA, type) as unknown[] | undefined) ?? [];
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        if (name === 'constructor') continue;
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const methodPaths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (methodPaths === undefined || requestMethod === undefined) continue;
        const guards = [...classGuards, ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? [])];
        const isPublic = Boolean(Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, type));
        const roles = (Reflect.getMetadata(REQUIRED_ROLES, handler) ?? Reflect.getMetadata(REQUIRED_ROLES, type)) as Role[] | undefined;
        const queryParams = queryParamsOf(type, name, validation);
        const inputs = inputsOf(type, name);
        for (const classPath of classPaths) {
          for (const methodPath of asArray(methodPaths)) {
            const prefix = classPath.startsWith('engine-rest') ? '' : 'api';
            const path = join(prefix, classPath, methodPath);
            const method = RequestMethod[requestMethod];
            routes.push({
              key: `${method} ${path}`,
              method,
              path,
              controller: type.name,
              handler: name,
              isPublic,
              worker: guards.includes(WorkerTokenGuard),
              roles,
              queryParams,
              params: pathParams(path),
              inputs,
            });
          }
        }
      }
    }
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}

function queryParamsOf(type: new (...args: unknown[]) => unknown, name: string, validation: ReturnType<typeof getMetadataStorage>) {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, name) ?? {}) as Record<string, { index: number; data?: unknown }>;
  const types = (Reflect.getMetadata('design:paramtypes', type.prototype, name) ?? []) as (new () => unknown)[];
  const params = new Set<string>();
  for (const [key, arg] of Object.entries(args)) {
    if (Number(key.split(':')[0]) !== RouteParamtypes.QUERY) continue;
    if (typeof arg.data === 'string') {
      params.add(arg.data);
      continue;
    }
    const dto = types[arg.index];
    for (const meta of validation.getTargetValidationMetadatas(dto, '', true, false)) params.add(meta.propertyName);
  }
  return [...params].sort();
}

function inputsOf(type: new (...args: unknown[]) => unknown, name: string): RouteInput[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, name) ?? {}) as Record<string, { index: number; data?: unknown }>;
  const types = (Reflect.getMetadata('design:paramtypes', type.prototype, name) ?? []) as Type<unknown>[];
  const inputs: RouteInput[] = [];
  for (const [key, arg] of Object.entries(args)) {
    const kind = Number(key.split(':')[0]);
    const source = kind === RouteParamtypes.BODY ? 'body' : kind === RouteParamtypes.QUERY ? 'query' : undefined;
    if (source) inputs.push({ source, key: typeof arg.data === 'string' ? arg.data : undefined, type: types[arg.index] });
  }
  return inputs;
}

/** A path with its parameters filled in. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, param: string) => {
    const value = values[param];
    if (value === undefined) throw new Error(`no value for :${param} in ${path}`);
    return encodeURIComponent(value);
  });
}

export const pathParams = (path: string): string[] => [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
