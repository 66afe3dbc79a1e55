import type { Type } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

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
