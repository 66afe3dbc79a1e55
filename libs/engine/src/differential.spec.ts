import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileDefinition, type CompiledDefinition } from './compile';
import { LegacyRuntime } from './legacy-runtime';
import { BpmnRuntime, type Command, type StepResult, type Variables, type Wait } from './runtime';
import { diagram } from './testing/case';

/**
 * The differential suite: the same diagrams, driven the same way, on the stepping runtime and on bpmn-engine
 * (the oracle). Where their semantics agree they must wait at the same places, end the same way and complete
 * the same activities. The places where we follow Camunda 7 instead are listed in README (引擎 › 与 bpmn-engine
 * 的差异) and tested in conformance.spec.ts, not here: untaken branches (bpmn-engine records them discarded,
 * Camunda and we record nothing), call activities without camunda:in (Camunda passes nothing), the element
 * variable inside a multi-instance sub-process, timers that fall due while a case is stored.
 */
type Runtime = Pick<BpmnRuntime, 'start' | 'execute'>;

interface Snapshot {
  status: string;
  waits: string[];
}

interface Trace {
  snapshots: Snapshot[];
  ended: string[];
  variables: Variables;
}

// bpmn-engine reads the real clock for its timers: both runtimes get the same one.
const now = new Date();

function describeWaits(waits: Wait[]): string[] {
  return waits.map((w) => `${w.kind}:${w.activityId}`).sort();
}

/** Deterministic: the first actionable wait by activity id and iteration; timers only when nothing else waits. */
function nextCommand(
  compiled: CompiledDefinition,
  result: StepResult,
  outcomeOf: (activityId: string, visits: number) => string,
  visits: Map<string, number>,
): Command | undefined {
  const order = (w: Wait) => `${w.activityId}:${String((w.kind === 'userTask' && w.iteration) || 0).padStart(3, '0')}`;
  const actionable = result.waits.filter((w) => w.kind !== 'timer').sort((a, b) => order(a).localeCompare(order(b)));
  const wait: Wait | undefined = actionable.length > 0 ? actionable[0] : result.waits.find((w) => w.kind === 'timer');
  if (!wait) return undefined;
  const seen = (visits.get(wait.activityId) ?? 0) + 1;
  visits.set(wait.activityId, seen);
  switch (wait.kind) {
    case 'userTask': {
      // An outcome the diagram does not route is refused before the engine (the tasks service): approve instead.
      const wanted = outcomeOf(wait.activityId, seen);
      const routed = compiled.elements.get(wait.activityId)?.decisions?.outcomes ?? [];
      const outcome = routed.includes(wanted) ? wanted : 'approve';
      return { type: 'completeUserTask', waitId: wait.waitId, outcome, variables: { outcome } };
    }
    case 'externalTask':
      return { type: 'completeExternalTask', waitId: wait.waitId, variables: {} };
    case 'message':
      return { type: 'correlateMessage', waitId: wait.waitId };
    case 'callActivity':
      return { type: 'completeCallActivity', waitId: wait.waitId, variables: {} };
    case 'timer':
      return { type: 'fireTimer', waitId: wait.waitId };
    default:
      return undefined;
  }
}

async function drive(
  runtime: Runtime,
  compiled: CompiledDefinition,
  variables: Variables,
  outcomeOf: (activityId: string, visits: number) => string,
): Promise<Trace> {
  let result = await runtime.start(compiled, { variables });
  const trace: Trace = { snapshots: [], ended: [], variables: {} };
  const visits = new Map<string, number>();
  const record = (r: StepResult) => {
    trace.snapshots.push({ status: r.status, waits: describeWaits(r.waits) });
    trace.ended.push(...r.history.filter((h) => h.event === 'end').map((h) => h.activityId));
  };
  record(result);
  for (let i = 0; i < 60 && result.status === 'running'; i++) {
    const command = nextCommand(compiled, result, outcomeOf, visits);
    if (!command) break;
    const state = { ...(result.state as object), variables: result.variables };
    result = JSON.parse(JSON.stringify(await runtime.execute(compiled, state, command))) as StepResult;
    record(result);
  }
  // Which activities completed, not how often: Camunda (and we) record a parallel join once per arriving branch
  // and a multi-instance activity once per instance; bpmn-engine once for each.
  trace.ended = [...new Set(trace.ended)].sort();
  trace.variables = result.variables;
  return trace;
}

async function compare(xml: string, variables: Variables, outcomeOf: (activityId: string, visits: number) => string): Promise<Trace> {
  const compiled = await compileDefinition(xml);
  const ours = await drive(new BpmnRuntime({ now: () => now }), compiled, variables, outcomeOf);
  const oracle = await drive(new LegacyRuntime({ now: () => now }), compiled, variables, outcomeOf);
  expect(ours.snapshots).toEqual(oracle.snapshots);
  expect(ours.ended).toEqual(oracle.ended);
  expect(ours.variables).toEqual(oracle.variables);
  return ours;
}

const approveAll = () => 'approve';
const returnOnceThenApprove = (_id: string, visits: number) => (visits === 1 ? 'return' : 'approve');
const rejectAll = () => 'reject';

const PLATFORM_VARIABLES: Variables = {
  drafter: 'u1',
  applicant: 'u1',
  submitter: 'u1',
  acceptor: 'u2',
  handler: 'u3',
  countersignUnits: ['A', 'B'],
  ownerUnits: ['P1', 'P2', 'P3'],
  voters: ['v1', 'v2', 'v3'],
  needsCountersign: true,
  kind: '主送',
  voteResult: 'approve',
  consultObjected: false,
  countersignDisagreed: false,
  returnTo: 'draft',
  receiptDays: 3,
  countyWarnDays: 3,
  countyDays: 5,
  cityWarnDays: 3,
  cityDays: 5,
  provinceWarnDays: 3,
  provinceDays: 5,
  handleDays: 5,
  // 基础数据汇交: the submitting unit, the due date, and the automatic check passing.
  unitId: 'U1',
  dueAt: '2026-12-31T08:00:00.000Z',
  checkPassed: true,
  // 以部名义发布数据 and outside requests: the reviewing, releasing and producing units.
  ownerUnit: 'P1',
  releaseUnit: 'R1',
  producerUnits: ['P1', 'P2'],
  // 公文: an informatization document in the ministry's name goes through 信息办 and the group's vote.
  itReview: true,
};

describe('differential: the stepping runtime against bpmn-engine', () => {
  const dir = join(__dirname, '../../../bpmn');
  const files = readdirSync(dir).filter((f) => f.endsWith('.bpmn'));

  describe.each(files)('the platform diagram %s', (file) => {
    const xml = readFileSync(join(dir, file), 'utf8');
    it.each([
      ['every step approves', approveAll],
      ['every step first returns, then approves', returnOnceThenApprove],
      ['every step rejects', rejectAll],
    ])('%s: same waits, same end, same completed steps', async (_name, outcomeOf) => {
      const trace = await compare(xml, PLATFORM_VARIABLES, outcomeOf);
      expect(trace.snapshots.length).toBeGreaterThan(1);
    });
  });

  const f = (id: string, from: string, to: string, condition?: string) =>
    condition
      ? `<sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><conditionExpression>${condition}</conditionExpression></sequenceFlow>`
      : `<sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;

  const scenarios: [string, string, Variables][] = [
    [
      'parallel split and join',
      `<startEvent id="s" />${f('f0', 's', 'fork')}<parallelGateway id="fork" />${f('f1', 'fork', 'a')}${f('f2', 'fork', 'b')}
       <userTask id="a" /><userTask id="b" />${f('f3', 'a', 'join')}${f('f4', 'b', 'join')}<parallelGateway id="join" />${f('f5', 'join', 'c')}<userTask id="c" />${f('f6', 'c', 'e')}<endEvent id="e" />`,
      {},
    ],
    [
      'inclusive split on conditions and its join',
      `<startEvent id="s" />${f('f0', 's', 'fork')}<inclusiveGateway id="fork" />${f('f1', 'fork', 'a', '${x > 1}')}${f('f2', 'fork', 'b', '${x > 5}')}${f('f3', 'fork', 'c', '${x > 2}')}
       <userTask id="a" /><userTask id="b" /><userTask id="c" />${f('f4', 'a', 'join')}${f('f5', 'b', 'join')}${f('f6', 'c', 'join')}<inclusiveGateway id="join" />${f('f7', 'join', 'e')}<endEvent id="e" />`,
      { x: 3 },
    ],
    [
      'exclusive gateway with a default flow',
      `<startEvent id="s" />${f('f0', 's', 'gw')}<exclusiveGateway id="gw" default="f2" />${f('f1', 'gw', 'a', '${amount > 100}')}${f('f2', 'gw', 'b')}
       <userTask id="a" /><userTask id="b" />${f('f3', 'a', 'e')}${f('f4', 'b', 'e')}<endEvent id="e" />`,
      { amount: 50 },
    ],
    [
      'embedded sub-process',
      `<startEvent id="s" />${f('f0', 's', 'sub')}<subProcess id="sub"><startEvent id="ss" />${f('g0', 'ss', 'inner')}<userTask id="inner" />${f('g1', 'inner', 'se')}<endEvent id="se" /></subProcess>
       ${f('f1', 'sub', 'after')}<userTask id="after" />${f('f2', 'after', 'e')}<endEvent id="e" />`,
      {},
    ],
    [
      'parallel multi-instance with a completion condition',
      `<startEvent id="s" />${f('f0', 's', 'sign')}<userTask id="sign" camunda:assignee="\${signer}"><multiInstanceLoopCharacteristics camunda:collection="\${signers}" camunda:elementVariable="signer"><completionCondition>\${nrOfCompletedInstances >= 2}</completionCondition></multiInstanceLoopCharacteristics></userTask>
       ${f('f1', 'sign', 'e')}<endEvent id="e" />`,
      { signers: ['a', 'b', 'c'] },
    ],
    [
      'sequential multi-instance',
      `<startEvent id="s" />${f('f0', 's', 'sign')}<userTask id="sign" camunda:assignee="\${signer}"><multiInstanceLoopCharacteristics isSequential="true" camunda:collection="\${signers}" camunda:elementVariable="signer" /></userTask>
       ${f('f1', 'sign', 'e')}<endEvent id="e" />`,
      { signers: ['a', 'b'] },
    ],
    [
      'external task and a receive task',
      `<startEvent id="s" />${f('f0', 's', 'work')}<serviceTask id="work" camunda:type="external" camunda:topic="t" />${f('f1', 'work', 'wait')}
       <receiveTask id="wait" messageRef="M" />${f('f2', 'wait', 'e')}<endEvent id="e" />`,
      {},
    ],
    [
      'interrupting boundary timer',
      `<startEvent id="s" />${f('f0', 's', 'u')}<userTask id="u" /><boundaryEvent id="late" attachedToRef="u"><timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>
       ${f('f1', 'u', 'done')}<endEvent id="done" />${f('f2', 'late', 'urge')}<userTask id="urge" />${f('f3', 'urge', 'e2')}<endEvent id="e2" />`,
      {},
    ],
  ];

  it.each(scenarios)('%s', async (_name, body, variables) => {
    await compare(diagram(body, '<message id="M" name="go" />'), variables, approveAll);
  });
});
