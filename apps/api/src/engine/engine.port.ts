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
}

export interface CompleteTaskOptions {
  userId: string;
  variables?: Record<string, unknown>;
  outcome?: string;
  comment?: string;
}

export interface ActivityStatus {
  activityId: string;
  active: number;
  completed: number;
}

export interface InstanceView {
  id: string;
  definitionId: string;
  definitionKey: string;
  version: number;
  businessKey: string | null;
  status: string;
  variables: Record<string, unknown>;
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
}

export interface EnginePort {
  startProcess(key: string, options: StartOptions): Promise<{ id: string }>;
  completeTask(taskId: string, options: CompleteTaskOptions): Promise<void>;
  correlateMessage(
    messageName: string,
    options: { businessKey?: string; variables?: Record<string, unknown> },
  ): Promise<{ instanceId: string }>;
  getInstance(id: string): Promise<InstanceView | undefined>;
  taskModel(definitionId: string, activityId: string): Promise<TaskModel>;
}

export const ENGINE_PORT = Symbol('ENGINE_PORT');
