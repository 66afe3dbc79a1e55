/**
 * A step's contract (DESIGN.md §7): the variables a person may supply when completing a user task or starting a
 * process, as declared in the diagram's `camunda:formData`. Shared by the api (which enforces it) and the web app
 * (which builds the step's form from it), so both read the same rules.
 */
export type FormFieldType = 'string' | 'long' | 'double' | 'boolean' | 'date' | 'enum';

/** Extra shape checks a string field may ask for (`<camunda:property id="format" value="uuid" />`). */
export type FormFieldFormat = 'uuid' | 'url';

export interface FormField {
  id: string;
  label: string;
  type: FormFieldType;
  required: boolean;
  /** Shown, never set by the holder (Camunda's `readonly` constraint). */
  readonly: boolean;
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  /** For enums: the allowed ids with their display names. */
  values?: { id: string; name: string }[];
  format?: FormFieldFormat;
  defaultValue?: string;
}

export const FORM_FIELD_TYPES: readonly FormFieldType[] = ['string', 'long', 'double', 'boolean', 'date', 'enum'];
export const FORM_FIELD_FORMATS: readonly FormFieldFormat[] = ['uuid', 'url'];
/** A field id is a variable name the diagram's expressions can read. */
export const FORM_FIELD_ID = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** A string field without its own maxlength still has one: a form field is not a document store. */
export const DEFAULT_MAX_LENGTH = 4000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const URL_PATTERN = /^(https?|ftp|sftp):\/\/[^\s<>"]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export interface FieldError {
  field: string;
  message: string;
}

export interface ValidateOptions {
  /** Completing the step (同意): required fields must be present. 退回/驳回 may leave them out. */
  enforceRequired: boolean;
}

/**
 * Checks a request's variables against a step's fields: a name outside the contract, a readonly field, a wrong
 * type or a value out of bounds is an error naming `variables.<field>`. Returns the accepted values, normalised
 * (trimmed strings, integers as numbers); on any error nothing is accepted.
 */
export function validateVariables(
  fields: readonly FormField[],
  variables: Record<string, unknown> | undefined,
  options: ValidateOptions,
): { values: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const values: Record<string, unknown> = {};
  const input = variables ?? {};
  const byId = new Map(fields.map((f) => [f.id, f]));
  for (const name of Object.keys(input)) {
    const field = byId.get(name);
    if (!field) {
      errors.push({
        field: `variables.${name}`,
        message: fields.length === 0 ? '该环节不接受任何表单变量' : `该环节不接受此字段（可填：${fields.map((f) => f.id).join('、')}）`,
      });
      continue;
    }
    if (field.readonly) {
      errors.push({ field: `variables.${name}`, message: `“${field.label}”为只读字段，不能填写` });
      continue;
    }
    const value = input[name];
    if (value === null || value === undefined || value === '') continue;
    const problem = checkValue(field, value);
    if (problem) errors.push({ field: `variables.${name}`, message: problem });
    else values[name] = normalise(field, value);
  }
  if (options.enforceRequired) {
    for (const field of fields) {
      if (field.required && !field.readonly && values[field.id] === undefined && !errors.some((e) => e.field === `variables.${field.id}`))
        errors.push({ field: `variables.${field.id}`, message: `请填写“${field.label}”` });
    }
  }
  return { values: errors.length > 0 ? {} : values, errors };
}

function checkValue(field: FormField, value: unknown): string | undefined {
  switch (field.type) {
    case 'string': {
      if (typeof value !== 'string') return `“${field.label}”须为文字`;
      const v = value.trim();
      if (field.minLength !== undefined && [...v].length < field.minLength) return `“${field.label}”至少 ${field.minLength} 个字符`;
      const max = field.maxLength ?? DEFAULT_MAX_LENGTH;
      if ([...v].length > max) return `“${field.label}”不能超过 ${max} 个字符`;
      if (field.format === 'uuid' && !UUID.test(v)) return `“${field.label}”须为编号（UUID）`;
      if (field.format === 'url' && !URL_PATTERN.test(v)) return `“${field.label}”须为 http(s)、ftp 或 sftp 链接`;
      return undefined;
    }
    case 'long':
    case 'double': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `“${field.label}”须为数字`;
      if (field.type === 'long' && !Number.isSafeInteger(value)) return `“${field.label}”须为整数`;
      if (field.min !== undefined && value < field.min) return `“${field.label}”不能小于 ${field.min}`;
      if (field.max !== undefined && value > field.max) return `“${field.label}”不能大于 ${field.max}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `“${field.label}”须为 true 或 false`;
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `“${field.label}”须为日期（YYYY-MM-DD）`;
    case 'enum':
      return typeof value === 'string' && field.values!.some((v) => v.id === value)
        ? undefined
        : `“${field.label}”须为以下之一：${field.values!.map((v) => v.id).join('、')}`;
  }
}

function normalise(field: FormField, value: unknown): unknown {
  return field.type === 'string' && typeof value === 'string' ? value.trim() : value;
}
