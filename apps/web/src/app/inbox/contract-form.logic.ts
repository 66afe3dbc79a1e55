/**
 * The step's contract (its `camunda:formData`, as the api gives it in `fields`) turned into the page's form: what
 * an operation sends, and the same checks the api makes, so a person sees a mistake at the field before sending.
 * Used for steps without a page of their own (diagrams deployed through the modeler). No Angular.
 */
import { validateVariables, type FormField } from '@zhengwu/contracts';
import type { TaskAction } from './task-actions.logic';

export type ContractValue = string | number | boolean | null;
export type ContractValues = Record<string, ContractValue>;

/** Operations that carry the step's fields; everything else sends none (the api refuses them). */
const CARRYING: readonly TaskAction[] = ['approve', 'return', 'reject'];

/** The fields a holder fills in (readonly ones are only shown). */
export function editableFields(fields: readonly FormField[] | undefined): FormField[] {
  return (fields ?? []).filter((f) => !f.readonly);
}

/** Starting values: the diagram's defaults, typed. */
export function initialValues(fields: readonly FormField[] | undefined): ContractValues {
  const values: ContractValues = {};
  for (const field of editableFields(fields)) {
    const d = field.defaultValue;
    if (field.type === 'boolean') values[field.id] = d === 'true';
    else if (
      (field.type === 'long' || field.type === 'double') &&
      d !== undefined &&
      Number.isFinite(Number(d))
    )
      values[field.id] = Number(d);
    else values[field.id] = d ?? null;
  }
  return values;
}

/** What the operation sends: the filled-in fields only (empty ones left out), or nothing for other operations. */
export function contractVariables(
  fields: readonly FormField[] | undefined,
  values: ContractValues,
  action: TaskAction,
): Record<string, unknown> | undefined {
  if (!CARRYING.includes(action)) return undefined;
  const out: Record<string, unknown> = {};
  for (const field of editableFields(fields)) {
    const value = values[field.id];
    if (value === null || value === undefined || value === '') continue;
    // A number box may hand back text; the contract wants a number.
    out[field.id] =
      (field.type === 'long' || field.type === 'double') && typeof value === 'string'
        ? Number(value)
        : value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The api's own checks, keyed by field id (required fields only for 同意). */
export function contractErrors(
  fields: readonly FormField[] | undefined,
  values: ContractValues,
  action: TaskAction,
): Record<string, string> {
  if (!CARRYING.includes(action) || !fields?.length) return {};
  const { errors } = validateVariables(fields, contractVariables(fields, values, action), {
    enforceRequired: action === 'approve',
  });
  return Object.fromEntries(errors.map((e) => [e.field.replace(/^variables\./, ''), e.message]));
}
