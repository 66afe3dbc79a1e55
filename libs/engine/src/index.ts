export { WorkingCalendar, type CalendarDay, type CalendarDayKind } from './calendar';
export {
  compileDefinition,
  splitOutsideExpressions,
  DefinitionError,
  type CompiledDefinition,
  type ElementSpec,
  type StartEventSpec,
  type ProcessSpec,
  type DefinitionWarning,
} from './compile';
export { ExpressionError, resolveTemplate, checkTemplate, scopeOf, type ExpressionScope } from './expression';
export {
  BpmnRuntime,
  ProcessRunError,
  WaitNotFoundError,
  type Command,
  type HistoryEntry,
  type InstanceStatus,
  type RuntimeOptions,
  type StepResult,
  type Variables,
  type Wait,
} from './runtime';
export { readFormData, FormContractError } from './form-contract';
export { LegacyRuntime } from './legacy-runtime';
export { STATE_VERSION } from './runtime';
export type { ProcessModel, FlowNode } from './model';
