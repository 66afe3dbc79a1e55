/** What a runtime and its host exchange: waits, commands, the result of a step, the refusals. */
import type { WorkingCalendar } from './calendar';

export type Variables = Record<string, unknown>;

export type Wait =
  | {
      kind: 'userTask';
      waitId: string;
      activityId: string;
      name?: string;
      assignee?: string;
      candidateUsers: string[];
      candidateGroups: string[];
      /** Unit ids or codes whose group holders are offered the task; empty means the case's unit. */
      candidateUnits: string[];
      formKey?: string;
      dueDate?: string;
      priority: number;
      /** 0-based iteration of a multi-instance task (会签/或签). */
      iteration?: number;
    }
  | { kind: 'externalTask'; waitId: string; activityId: string; name?: string; topic: string; priority: number }
  | { kind: 'timer'; waitId: string; activityId: string; dueAt: string }
  | { kind: 'message'; waitId: string; activityId: string; messageName: string }
  /** A signal catch (intermediate or boundary): every broadcast of the signal name releases it. */
  | { kind: 'signal'; waitId: string; activityId: string; signalName: string }
  | {
      kind: 'callActivity';
      waitId: string;
      activityId: string;
      calledElement: string;
      /** What the child starts with: the `camunda:in` mappings (Camunda passes nothing without them). */
      variables: Variables;
      /** `camunda:in businessKey="…"`: the child's business key; undefined keeps the parent's. */
      businessKey?: string;
    };

export type Command =
  | { type: 'completeUserTask'; waitId: string; variables?: Variables; outcome?: string }
  | { type: 'completeExternalTask'; waitId: string; variables?: Variables }
  | { type: 'externalTaskBpmnError'; waitId: string; errorCode: string; errorMessage?: string; variables?: Variables }
  | { type: 'correlateMessage'; waitId: string; variables?: Variables }
  | { type: 'signal'; waitId: string; variables?: Variables }
  | { type: 'fireTimer'; waitId: string }
  | { type: 'completeCallActivity'; waitId: string; variables?: Variables };

export interface HistoryEntry {
  activityId: string;
  activityName?: string;
  activityType: string;
  executionId: string;
  /** end: ran to completion; discard: did not — a branch not taken, or cancelled after it started (a boundary timer whose task completed). */
  event: 'start' | 'end' | 'discard' | 'error';
  at: string;
}

export type InstanceStatus = 'running' | 'completed' | 'terminated' | 'failed';

export interface StepResult {
  state: unknown;
  status: InstanceStatus;
  variables: Variables;
  /** Variables whose value this step set or changed. */
  changed: Variables;
  /** Every wait of the instance after the step: the host makes its rows match this list. */
  waits: Wait[];
  /**
   * The waits this step opened and those it closed (by id, with their kind): the host touches only these rows.
   * Absent from a runtime that cannot tell; the host then makes its rows match `waits`.
   */
  opened?: Wait[];
  closed?: { waitId: string; kind: Wait['kind'] }[];
  history: HistoryEntry[];
  /** Set when an error end event ended the instance. */
  error?: { code?: string; message: string };
  /** Signals the step threw: the host delivers them to the other cases and to signal start events. */
  signals?: { name: string; variables?: Variables }[];
}

/** A command the instance cannot take in its current state: the host answers 409. */
export class WaitNotFoundError extends Error {
  constructor(readonly waitId: string) {
    super(`wait ${waitId} is not active`);
    this.name = 'WaitNotFoundError';
  }
}

/** The diagram failed while running (an expression, no outgoing flow, an uncaught BPMN error): the command is rolled back. */
export class ProcessRunError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly activityId?: string,
  ) {
    super(message);
    this.name = 'ProcessRunError';
  }
}

export interface RuntimeOptions {
  calendar?: WorkingCalendar;
  now?: () => Date;
  /** The zone cron timers are read in (Camunda reads them in the server's zone). */
  timezone?: string;
}
