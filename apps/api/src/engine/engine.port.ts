import type { EntityManager } from 'typeorm';
import type { FormField } from '@zhengwu/contracts';
import type { VariableTypes } from './camunda-variables';

/**
 * The engine port: the only way features touch process execution. The embedded adapter
 * (EngineService over bpmn-engine and PostgreSQL) implements it; a Camunda 7 / Operaton REST
 * adapter can implement it too (ENGINE=camunda, DESIGN.md §6).
 */
export interface StartOptions {
  businessKey?: string;
  variables?: Record<string, unknown>;
  ownerUnitId?: string;
  startedBy?: string;
  /**
   * The version the caller checked the start variables against (its start form): the start is refused with 409
   * DEFINITION_CHANGED, writing nothing, when the latest version of the key is another one by now.
   */
  expectedDefinitionId?: string;
}

export interface CompleteTaskOptions {
  userId: string;
  variables?: Record<string, unknown>;
  outcome?: string;
  comment?: string;
  /**
   * The case as `lockCaseOfTask` locked it in this same transaction: the engine does not lock and read it again.
   * Used once; ignored when it was locked in another transaction.
   */
  locked?: LockedCase;
  /** A task offered to a group is claimed by this person as it completes (one statement with the completion). */
  claimBy?: string;
}

/** A case whose row this transaction has locked (lockCaseOfTask). */
export interface LockedCase {
  readonly instanceId: string;
  readonly definitionKey: string;
  readonly status: string;
}

/** How often an element of the case ran to completion, runs now, and was skipped (a branch not taken, or cancelled). */
export interface ActivityStatus {
  activityId: string;
  active: number;
  completed: number;
  skipped: number;
}

/** What a running case waits for besides people: a timer until its due time, a message or a signal by name. */
export interface CaseWait {
  activityId: string;
  kind: 'timer' | 'message' | 'signal';
  /** When a timer fires (ISO); null for a message or signal. */
  dueAt: string | null;
  /** The message's or signal's name; null for a timer. */
  name: string | null;
}

export interface InstanceView {
  id: string;
  definitionId: string;
  definitionKey: string;
  version: number;
  businessKey: string | null;
  status: string;
  variables: Record<string, unknown>;
  /** The Camunda type of each variable whose plain value does not tell it (a Date, a Double 2.0, a Long, …). */
  variableTypes: VariableTypes;
  ownerUnitId: string | null;
  startedAt: string;
  endedAt: string | null;
  activities: ActivityStatus[];
  parentInstanceId: string | null;
}

export interface TaskModel {
  /** Outcomes the diagram routes after the task ('approve', 'return', 'reject', …). */
  outcomes: string[];
  returnTargets: { activityId: string; name: string }[];
  /**
   * One instance per person of a collection, assigned to that person (a vote): it cannot be handed
   * to anyone else by 转办, 委派 or 加签.
   */
  personal: boolean;
  /**
   * The step's contract (`camunda:formData`): the only variables its holder may supply; undefined when the diagram
   * declares none (then ordinary holders supply none, DESIGN.md §7).
   */
  fields: FormField[] | undefined;
  /** Separation of duties: steps (and `initiator`) whose holders may not hold this one, with their names. */
  distinctFrom: { activityId: string; name: string }[];
  /** The step belongs to a feature's process (its business record sets every routing variable). */
  isFeatureProcess: boolean;
}

/**
 * A transaction of the platform's database. Passing one makes the engine command part of the
 * feature's own write (the business row and the case step commit or roll back together).
 */
export type Tx = EntityManager;

export interface CaseRef {
  instanceId: string;
  definitionKey: string;
  businessKey: string | null;
  ownerUnitId: string | null;
  /** The case's variables before this command. */
  variables: Record<string, unknown>;
}

export interface TaskCompletingEvent extends CaseRef {
  tx: Tx;
  taskId: string;
  activityId: string;
  taskName: string;
  outcome?: string;
  userId: string;
  comment?: string;
  /** Variables the completion brings. */
  input: Record<string, unknown>;
}

export interface CaseSteppedEvent extends CaseRef {
  tx: Tx;
  status: 'running' | 'completed' | 'terminated' | 'failed';
  /** Variables after the step. */
  after: Record<string, unknown>;
  /** User tasks this step opened. */
  createdTasks: { id: string; activityId: string; name: string }[];
  /** Every activity that ended in this step (end events included), in order. */
  endedActivities: string[];
  userId?: string;
}

/**
 * How a feature keeps its business records in step with its cases. Both run inside the command's
 * transaction: throwing refuses the command and nothing is written.
 */
export interface ProcessListener {
  /** Before a user task completes; may return variables to add (a vote tally, an assigned number). */
  taskCompleting?(event: TaskCompletingEvent): Promise<Record<string, unknown> | void>;
  /** After every command on a case of this process, including its start and its end. */
  caseStepped?(event: CaseSteppedEvent): Promise<void>;
}

/**
 * Commands and per-case questions go through these methods. Besides them, the port publishes a read model that
 * features may read in SQL and never write (docs/adr/0005-engine-read-model.md): `tasks` (the work list, one row per
 * user task; only who holds a task is written outside the engine) and the view `cases` (one row per case). Every
 * other engine relation (state, history, external tasks, timers, subscriptions, definitions) is the adapter's alone.
 */
/** One line of a case's history (start, end, take and so on of an element), as the engine recorded it. */
export interface HistoryEntry {
  id: string;
  activityId: string | null;
  activityName: string | null;
  /** The element's BPMN type, e.g. "bpmn:ServiceTask". */
  activityType: string | null;
  event: string;
  at: Date;
  userId: string | null;
  userName: string | null;
  detail: unknown;
}

export interface EnginePort {
  startProcess(key: string, options: StartOptions, tx?: Tx): Promise<{ id: string }>;
  completeTask(taskId: string, options: CompleteTaskOptions, tx?: Tx): Promise<void>;
  /** Ends a running case where it stands (驳回 without a modeled route, 撤销). */
  terminate(instanceId: string, options: { userId?: string; reason?: string }, tx?: Tx): Promise<void>;
  /** Registers the listener of one process key (a feature's onModuleInit), or of every process with '*'. */
  listen(definitionKey: string, listener: ProcessListener): void;
  correlateMessage(
    messageName: string,
    options: { businessKey?: string; variables?: Record<string, unknown> },
    tx?: Tx,
  ): Promise<{ instanceId: string }>;
  /** Broadcasts a signal: every catch waiting for it, and every process that starts on it (Camunda's signal semantics). */
  throwSignal(
    name: string,
    options?: { variables?: Record<string, unknown>; executionId?: string; userId?: string },
    tx?: Tx,
  ): Promise<{ resultType: 'Execution' | 'ProcessDefinition'; instanceId: string; executionId: string }[]>;
  getInstance(id: string): Promise<InstanceView | undefined>;
  taskModel(definitionId: string, activityId: string): Promise<TaskModel>;
  /**
   * Takes the case's row lock for the rest of `tx`: a feature's own write queues behind any other command on this
   * case (and the engine command it makes next runs after it). Undefined when there is no such case.
   */
  lockInstance(instanceId: string, tx: Tx): Promise<{ definitionKey: string; status: string } | undefined>;
  /** lockInstance for the case of a task, in one statement; undefined when there is no such task. */
  lockCaseOfTask(taskId: string, tx: Tx): Promise<LockedCase | undefined>;
  /** The case's history in order (what the engine did: elements started and ended, by whom). */
  history(instanceId: string): Promise<HistoryEntry[]>;
  /** The timers, messages and signals the case waits for now (pending only), for the diagram. */
  waits(instanceId: string): Promise<CaseWait[]>;
  /** 驳回 where the diagram has no reject route: the task closes as rejected and the case ends where it stands. */
  rejectTask(taskId: string, options: { userId: string; comment?: string }, tx?: Tx): Promise<void>;
  /** Whether the case waits on an external task of this topic (e.g. its own archiving step). */
  hasOpenExternalTask(instanceId: string, topic: string, tx?: Tx): Promise<boolean>;
  /** The BPMN XML of one deployed version (for the diagram viewer), or undefined. */
  definitionXml(definitionId: string, tx?: Tx): Promise<string | undefined>;
  /** Makes the case's pending timers due now; the scheduler fires them on its next round (demo data, operators). */
  makeTimersDue(instanceId: string, tx?: Tx): Promise<void>;
}

export const ENGINE_PORT = Symbol('ENGINE_PORT');
