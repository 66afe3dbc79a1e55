import {
  FORM_FIELD_FORMATS,
  FORM_FIELD_ID,
  FORM_FIELD_TYPES,
  type FormField,
  type FormFieldFormat,
  type FormFieldType,
} from '@zhengwu/contracts';

/**
 * Reads a step's contract from the diagram: Camunda 7's `camunda:formData` on a user task or start event. The
 * validation of a request against it lives in @zhengwu/contracts (validateVariables), shared with the web app.
 */

export class FormContractError extends Error {
  constructor(
    message: string,
    readonly elementId: string,
  ) {
    super(message);
    this.name = 'FormContractError';
  }
}

/** The moddle shape we read (a subset of bpmn-moddle's elements). */
interface ModdleLike {
  $type: string;
  [key: string]: unknown;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function numberOf(config: string | undefined, what: string, elementId: string, fieldId: string): number {
  const n = Number(config);
  if (config === undefined || !Number.isFinite(n)) throw new FormContractError(`表单字段 ${fieldId} 的 ${what} 约束须为数字`, elementId);
  return n;
}

/**
 * The `camunda:formData` fields of an element (user task or start event), or undefined when it declares none.
 * A declaration the platform could not enforce (unknown type, a duplicated id, a bad bound) refuses the deployment.
 */
export function readFormData(element: ModdleLike & { id?: string }): FormField[] | undefined {
  const elementId = element.id ?? '';
  const values = ((element.extensionElements as { values?: ModdleLike[] } | undefined)?.values ?? []).filter(
    (v) => v.$type === 'camunda:FormData',
  );
  if (values.length === 0) return undefined;
  const fields: FormField[] = [];
  for (const raw of (values[0].fields as ModdleLike[] | undefined) ?? []) {
    const id = text(raw.id);
    if (!id || !FORM_FIELD_ID.test(id)) throw new FormContractError(`表单字段标识 “${String(raw.id)}” 须为字母开头的变量名`, elementId);
    if (fields.some((f) => f.id === id)) throw new FormContractError(`表单字段 ${id} 重复声明`, elementId);
    const type = (text(raw.type) ?? 'string') as FormFieldType;
    if (!FORM_FIELD_TYPES.includes(type))
      throw new FormContractError(`表单字段 ${id} 的类型 “${type}” 不受支持（可用：${FORM_FIELD_TYPES.join('、')}）`, elementId);
    const field: FormField = { id, label: text(raw.label) ?? id, type, required: false, readonly: false };
    const defaultValue = text(raw.defaultValue);
    if (defaultValue !== undefined) field.defaultValue = defaultValue;
    for (const c of ((raw.validation as ModdleLike | undefined)?.constraints as ModdleLike[] | undefined) ?? []) {
      const name = text(c.name);
      const config = text(c.config);
      if (name === 'required') field.required = true;
      else if (name === 'readonly') field.readonly = true;
      else if (name === 'minlength') field.minLength = numberOf(config, 'minlength', elementId, id);
      else if (name === 'maxlength') field.maxLength = numberOf(config, 'maxlength', elementId, id);
      else if (name === 'min') field.min = numberOf(config, 'min', elementId, id);
      else if (name === 'max') field.max = numberOf(config, 'max', elementId, id);
      else throw new FormContractError(`表单字段 ${id} 的校验约束 “${String(name)}” 不受支持`, elementId);
    }
    if (type === 'enum') {
      field.values = ((raw.values as ModdleLike[] | undefined) ?? []).map((v) => ({
        id: text(v.id) ?? '',
        name: text(v.name) ?? text(v.id) ?? '',
      }));
      if (field.values.length === 0 || field.values.some((v) => v.id === ''))
        throw new FormContractError(`枚举字段 ${id} 须列出取值（camunda:value 的 id）`, elementId);
    }
    const properties = ((raw.properties as ModdleLike | undefined)?.values as ModdleLike[] | undefined) ?? [];
    const format = properties.find((p) => text(p.id) === 'format' || text(p.name) === 'format');
    if (format) {
      const value = text(format.value) as FormFieldFormat | undefined;
      if (!value || !FORM_FIELD_FORMATS.includes(value))
        throw new FormContractError(`表单字段 ${id} 的 format 须为 ${FORM_FIELD_FORMATS.join(' 或 ')}`, elementId);
      field.format = value;
    }
    fields.push(field);
  }
  return fields;
}
