import { compileDefinition, type CompiledDefinition } from '../compile';
import { BpmnRuntime, type Command, type StepResult, type Variables, type Wait } from '../runtime';

export const BPMN_NS =
  'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="http://zhengwu.test"';

/** Wraps process content into a definitions document. */
export function diagram(body: string, extra = '', id = 'p'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<definitions ${BPMN_NS}>${extra}<process id="${id}" isExecutable="true">${body}</process></definitions>`;
}

/** A case driven the way the host drives it: state round-trips through JSON between commands. */
export class Case {
  result!: StepResult;
  readonly steps: StepResult[] = [];

  private constructor(
    readonly compiled: CompiledDefinition,
    readonly runtime: BpmnRuntime,
  ) {}

  static async start(
    xml: string,
    variables: Variables = {},
    runtime = new BpmnRuntime(),
    trigger?: 'message' | 'timer' | 'signal',
  ): Promise<Case> {
    const c = new Case(await compileDefinition(xml), runtime);
    c.record(await runtime.start(c.compiled, { variables, trigger }));
    return c;
  }

  private record(result: StepResult): void {
    this.result = JSON.parse(JSON.stringify(result)) as StepResult;
    this.steps.push(this.result);
  }

  get status(): string {
    return this.result.status;
  }

  get variables(): Variables {
    return this.result.variables;
  }

  waits(kind?: Wait['kind']): Wait[] {
    return this.result.waits.filter((w) => !kind || w.kind === kind);
  }

  waiting(): string[] {
    return this.result.waits.map((w) => `${w.kind}:${w.activityId}`).sort();
  }

  wait(activityId: string, index = 0): Wait {
    const found = this.result.waits.filter((w) => w.activityId === activityId);
    if (!found[index]) throw new Error(`no wait at ${activityId} (waiting: ${this.waiting().join(', ')})`);
    return found[index];
  }

  async run(command: Command): Promise<StepResult> {
    // The host keeps variables beside the state and hands both back, as here.
    const state = this.result.state === null ? null : { ...(this.result.state as object), variables: this.result.variables };
    this.record(await this.runtime.execute(this.compiled, state, command));
    return this.result;
  }

  complete(activityId: string, variables?: Variables, outcome?: string, index = 0): Promise<StepResult> {
    return this.run({ type: 'completeUserTask', waitId: this.wait(activityId, index).waitId, variables, outcome });
  }

  completeExternal(activityId: string, variables?: Variables): Promise<StepResult> {
    return this.run({ type: 'completeExternalTask', waitId: this.wait(activityId).waitId, variables });
  }

  /** Per element, how often history saw it start, end (ran to completion) and be discarded (not taken or cancelled). */
  states(): Record<string, { start: number; end: number; discard: number }> {
    const states: Record<string, { start: number; end: number; discard: number }> = {};
    for (const h of this.steps.flatMap((s) => s.history)) {
      if (h.event === 'error') continue;
      states[h.activityId] ??= { start: 0, end: 0, discard: 0 };
      states[h.activityId][h.event]++;
    }
    return states;
  }

  ended(): string[] {
    return this.steps.flatMap((s) => s.history.filter((h) => h.event === 'end').map((h) => h.activityId));
  }
}
