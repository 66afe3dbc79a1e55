// The package ships no types; these cover what the workers use (Camunda 7 external-task client 3.x).
declare module 'camunda-external-task-client-js' {
  export class Variables {
    get(name: string): unknown;
    getAll(): Record<string, unknown>;
    set(name: string, value: unknown): this;
    setTyped(name: string, typed: { type: string; value: unknown; valueInfo?: Record<string, unknown> }): this;
  }
  export interface Task {
    id: string;
    topicName: string;
    processInstanceId: string;
    businessKey: string | null;
    retries: number | null;
    variables: Variables;
  }
  export interface TaskService {
    complete(task: Task, processVariables?: Variables, localVariables?: Variables): Promise<void>;
    handleFailure(
      task: Task,
      options: { errorMessage: string; errorDetails?: string; retries: number; retryTimeout: number },
    ): Promise<void>;
    handleBpmnError(task: Task, errorCode: string, errorMessage?: string, variables?: Variables): Promise<void>;
    extendLock(task: Task, newDuration: number): Promise<void>;
  }
  export type Handler = (args: { task: Task; taskService: TaskService }) => Promise<void>;
  export interface ClientConfig {
    baseUrl: string;
    workerId?: string;
    maxTasks?: number;
    interval?: number;
    lockDuration?: number;
    autoPoll?: boolean;
    asyncResponseTimeout?: number;
    usePriority?: boolean;
    interceptors?: (config: { headers?: Record<string, string> }) => { headers?: Record<string, string> };
    use?: (client: Client) => void;
  }
  export class Client {
    constructor(config: ClientConfig);
    subscribe(topic: string, options: { lockDuration?: number }, handler: Handler): { unsubscribe(): void };
    subscribe(topic: string, handler: Handler): { unsubscribe(): void };
    start(): void;
    stop(): void;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
