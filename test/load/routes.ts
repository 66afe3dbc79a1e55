import type { INestApplication, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
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

export interface RouteInfo {
  controller: string;
  handler: string;
  method: string;
  /** `/api/tasks/:id/actions` */
  path: string;
  params: string[];
  inputs: RouteInput[];
  roles: Role[];
  isPublic: boolean;
  workerToken: boolean;
}

const PARAM_TYPES = { body: 3, query: 4 } as const;

function paths(value: unknown): string[] {
  if (Array.isArray(value)) return value as string[];
  return [typeof value === 'string' ? value : '/'];
}

function join(...parts: string[]): string {
  const joined = parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}

/**
 * Every route of the running application, read from the metadata Nest itself routes by: method,
 * path (with the global prefix `api`, which engine-rest is excluded from), the body and query
 * inputs with their DTO classes, the roles, and whether it is public or takes the worker token.
 */
export function routesOf(app: INestApplication): RouteInfo[] {
  const out: RouteInfo[] = [];
  const seen = new Set<unknown>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as Type<unknown> | null;
      if (!cls || seen.has(cls)) continue;
      seen.add(cls);
      const prototype = cls.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const fn = prototype[name];
        if (name === 'constructor' || typeof fn !== 'function') continue;
        const method: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, fn);
        if (method === undefined || !Reflect.hasMetadata(PATH_METADATA, fn)) continue;
        const args: Record<string, { index: number; data?: unknown }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, cls, name) ?? {};
        const types: Type<unknown>[] = Reflect.getMetadata('design:paramtypes', prototype, name) ?? [];
        const inputs: RouteInput[] = [];
        for (const [k, arg] of Object.entries(args)) {
          const kind = Number(k.split(':')[0]);
          const source = kind === PARAM_TYPES.body ? 'body' : kind === PARAM_TYPES.query ? 'query' : undefined;
          if (!source) continue;
          inputs.push({ source, key: typeof arg.data === 'string' ? arg.data : undefined, type: types[arg.index] });
        }
        const guards: unknown[] = [
          ...(Reflect.getMetadata(GUARDS_METADATA, cls) ?? []),
          ...(Reflect.getMetadata(GUARDS_METADATA, fn) ?? []),
        ];
        for (const base of paths(Reflect.getMetadata(PATH_METADATA, cls))) {
          for (const sub of paths(Reflect.getMetadata(PATH_METADATA, fn))) {
            const raw = join(base, sub);
            const path = raw.startsWith('/engine-rest') ? raw : join('api', raw);
            out.push({
              controller: cls.name,
              handler: name,
              method: RequestMethod[method],
              path,
              params: [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]),
              inputs,
              roles: Reflect.getMetadata(REQUIRED_ROLES, fn) ?? Reflect.getMetadata(REQUIRED_ROLES, cls) ?? [],
              isPublic: Boolean(Reflect.getMetadata(IS_PUBLIC, fn) ?? Reflect.getMetadata(IS_PUBLIC, cls)),
              workerToken: guards.includes(WorkerTokenGuard),
            });
          }
        }
      }
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** What class-validator knows of a DTO's fields: name, and the constraints that hint at valid values. */
export interface FieldInfo {
  name: string;
  enumValues?: unknown[];
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  uuid?: boolean;
  each?: boolean;
  integer?: boolean;
  date?: boolean;
  pattern?: RegExp;
  number?: boolean;
  boolean?: boolean;
  object?: boolean;
  array?: boolean;
  email?: boolean;
  optional?: boolean;
  /** Hand-picked valid values, for fields no DTO describes. */
  samples?: unknown[];
}

export function fieldsOf(type: Type<unknown> | undefined): FieldInfo[] {
  if (!type || [String, Number, Boolean, Object, Array].includes(type as never)) return [];
  const metas = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  const fields = new Map<string, FieldInfo>();
  for (const m of metas) {
    if (!m.propertyName) continue;
    const f = fields.get(m.propertyName) ?? { name: m.propertyName };
    fields.set(m.propertyName, f);
    const c = m.constraints as unknown[] | undefined;
    if (m.type === 'conditionalValidation') f.optional = true;
    switch (m.name) {
      case 'isIn':
        f.enumValues = c?.[0] as unknown[];
        break;
      case 'min':
        f.min = c?.[0] as number;
        break;
      case 'max':
        f.max = c?.[0] as number;
        break;
      case 'minLength':
        f.minLength = c?.[0] as number;
        break;
      case 'maxLength':
        f.maxLength = c?.[0] as number;
        break;
      case 'isUuid':
        f.uuid = true;
        f.each = Boolean(m.each);
        break;
      case 'isInt':
        f.integer = true;
        break;
      case 'isDateString':
      case 'isISO8601':
        f.date = true;
        break;
      case 'matches':
        f.pattern = c?.[0] as RegExp;
        break;
      case 'isNumber':
      case 'isDecimal':
        f.number = true;
        break;
      case 'isBoolean':
        f.boolean = true;
        break;
      case 'isObject':
        f.object = true;
        break;
      case 'isArray':
        f.array = true;
        break;
      case 'isEmail':
        f.email = true;
        f.each = Boolean(m.each);
        break;
    }
  }
  return [...fields.values()];
}
