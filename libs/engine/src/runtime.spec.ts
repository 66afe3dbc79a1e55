import { WorkingCalendar } from './calendar';
import { compileDefinition } from './compile';
import { BpmnRuntime, ProcessRunError, WaitNotFoundError } from './runtime';
import { Case, diagram } from './testing/case';

const flow = (id: string, from: string, to: string, condition?: string) =>
  condition
    ? `<sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><conditionExpression xsi:type="tFormalExpression">${condition}</conditionExpression></sequenceFlow>`
    : `<sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;

describe('BpmnRuntime', () => {
  describe('given a user task with a Camunda assignee and candidates', () => {
    const xml = diagram(`
      <startEvent id="start" />${flow('f1', 'start', 'review')}
      <userTask id="review" name="处室审核" camunda:assignee="\${drafter}" camunda:candidateGroups="reviewer, signer" camunda:formKey="approval" camunda:priority="80" camunda:dueDate="P2D" />
      ${flow('f2', 'review', 'end')}<endEvent id="end" />`);

    it('waits with the resolved assignee, candidates, form key, priority and due date, then ends when completed', async () => {
      const now = new Date('2026-11-24T02:00:00Z');
      const c = await Case.start(xml, { drafter: 'wang' }, new BpmnRuntime({ now: () => now }));
      expect(c.status).toBe('running');
      expect(c.waits()).toEqual([
        expect.objectContaining({
          kind: 'userTask',
          activityId: 'review',
          name: '处室审核',
          assignee: 'wang',
          candidateGroups: ['reviewer', 'signer'],
          formKey: 'approval',
          priority: 80,
          dueDate: '2026-11-26T02:00:00.000Z',
        }),
      ]);
      await c.complete('review', { approved: true });
      expect(c.status).toBe('completed');
      expect(c.variables).toEqual({ drafter: 'wang', approved: true });
      expect(c.ended()).toEqual(['start', 'review', 'end']);
      expect(c.result.changed).toEqual({ approved: true });
    });

    it('refuses a second completion of the same wait', async () => {
      const c = await Case.start(xml, { drafter: 'wang' });
      const state = c.result.state;
      const waitId = c.wait('review').waitId;
      await c.complete('review');
      await expect(c.runtime.execute(c.compiled, state, { type: 'completeUserTask', waitId: 'nope' })).rejects.toBeInstanceOf(
        WaitNotFoundError,
      );
      expect(waitId).toMatch(/^review#\d+$/);
    });
  });

  describe('given an exclusive gateway with JUEL conditions', () => {
    const xml = diagram(`
      <startEvent id="start" />${flow('f1', 'start', 'gw')}
      <exclusiveGateway id="gw" default="fLow" />
      ${flow('fHigh', 'gw', 'big', '${amount &gt; 100 &amp;&amp; !urgent}')}
      ${flow('fUrgent', 'gw', 'fast', '${urgent == true}')}
      ${flow('fLow', 'gw', 'small')}
      <userTask id="big" /><userTask id="fast" /><userTask id="small" />`);

    it.each([
      [{ amount: 500, urgent: false }, 'big'],
      [{ amount: 500, urgent: true }, 'fast'],
      [{ amount: 50, urgent: false }, 'small'],
    ])('with %j takes the flow to %s', async (variables, target) => {
      const c = await Case.start(xml, variables);
      expect(c.waiting()).toEqual([`userTask:${target}`]);
    });
  });

  describe('given parallel and inclusive gateways', () => {
    it('parallel: waits for both branches before joining', async () => {
      const c = await Case.start(
        diagram(`<startEvent id="s" />${flow('f0', 's', 'fork')}<parallelGateway id="fork" />
        ${flow('f1', 'fork', 'a')}${flow('f2', 'fork', 'b')}<userTask id="a" /><userTask id="b" />
        ${flow('f3', 'a', 'join')}${flow('f4', 'b', 'join')}<parallelGateway id="join" />${flow('f5', 'join', 'after')}<userTask id="after" />`),
      );
      expect(c.waiting()).toEqual(['userTask:a', 'userTask:b']);
      await c.complete('a');
      expect(c.waiting()).toEqual(['userTask:b']);
      await c.complete('b');
      expect(c.waiting()).toEqual(['userTask:after']);
    });

    it('inclusive: activates every branch whose condition holds and joins them', async () => {
      const c = await Case.start(
        diagram(`<startEvent id="s" />${flow('f0', 's', 'fork')}<inclusiveGateway id="fork" />
        ${flow('f1', 'fork', 'legal', '${needLegal}')}${flow('f2', 'fork', 'finance', '${amount &gt;= 1000}')}${flow('f3', 'fork', 'it', '${needIt}')}
        <userTask id="legal" /><userTask id="finance" /><userTask id="it" />
        ${flow('f4', 'legal', 'join')}${flow('f5', 'finance', 'join')}${flow('f6', 'it', 'join')}<inclusiveGateway id="join" />${flow('f7', 'join', 'done')}<userTask id="done" />`),
        { needLegal: true, amount: 5000, needIt: false },
      );
      expect(c.waiting()).toEqual(['userTask:finance', 'userTask:legal']);
      await c.complete('legal');
      expect(c.waiting()).toEqual(['userTask:finance']);
      await c.complete('finance');
      expect(c.waiting()).toEqual(['userTask:done']);
    });
  });

  describe('given an external service task with a boundary error event', () => {
    const xml = diagram(
      `<startEvent id="s" />${flow('f0', 's', 'render')}
      <serviceTask id="render" name="生成公文" camunda:type="external" camunda:topic="document-pdf" camunda:taskPriority="7" />
      <boundaryEvent id="bad" attachedToRef="render"><errorEventDefinition errorRef="E1" /></boundaryEvent>
      ${flow('f1', 'render', 'ok')}${flow('f2', 'bad', 'fix')}<userTask id="ok" /><userTask id="fix" />`,
      '<error id="E1" errorCode="TEMPLATE_MISSING" />',
    );

    it('waits for a worker and continues with its variables', async () => {
      const c = await Case.start(xml);
      expect(c.waits('externalTask')).toEqual([
        expect.objectContaining({ activityId: 'render', topic: 'document-pdf', priority: 7, name: '生成公文' }),
      ]);
      await c.completeExternal('render', { pdfId: 'abc', pages: 3 });
      expect(c.waiting()).toEqual(['userTask:ok']);
      expect(c.variables).toEqual({ pdfId: 'abc', pages: 3 });
    });

    it('routes a bpmnError with the matching code to the boundary event', async () => {
      const c = await Case.start(xml);
      await c.run({
        type: 'externalTaskBpmnError',
        waitId: c.wait('render').waitId,
        errorCode: 'TEMPLATE_MISSING',
        variables: { reason: '缺模板' },
      });
      expect(c.waiting()).toEqual(['userTask:fix']);
      expect(c.variables.reason).toBe('缺模板');
    });

    it('fails the command on a bpmnError that nothing catches', async () => {
      const c = await Case.start(xml);
      await expect(c.run({ type: 'externalTaskBpmnError', waitId: c.wait('render').waitId, errorCode: 'OTHER' })).rejects.toBeInstanceOf(
        ProcessRunError,
      );
    });
  });

  describe('given multi-instance user tasks (会签/或签)', () => {
    const mi = (sequential: boolean, condition?: string) =>
      diagram(`<startEvent id="s" />${flow('f0', 's', 'sign')}
      <userTask id="sign" name="会签" camunda:assignee="\${signer}">
        <multiInstanceLoopCharacteristics isSequential="${sequential}" camunda:collection="\${signers}" camunda:elementVariable="signer">
          ${condition ? `<completionCondition xsi:type="tFormalExpression">${condition}</completionCondition>` : ''}
        </multiInstanceLoopCharacteristics>
      </userTask>${flow('f1', 'sign', 'after')}<userTask id="after" />`);

    it('parallel 会签 waits for everyone, one task per signer', async () => {
      const c = await Case.start(mi(false), { signers: ['li', 'zhao', 'qian'] });
      const tasks = c.waits('userTask');
      expect(tasks.map((t) => (t.kind === 'userTask' ? [t.assignee, t.iteration] : []))).toEqual([
        ['li', 0],
        ['zhao', 1],
        ['qian', 2],
      ]);
      await c.run({ type: 'completeUserTask', waitId: tasks[1].waitId, outcome: 'approve' });
      await c.run({ type: 'completeUserTask', waitId: tasks[0].waitId, outcome: 'approve' });
      expect(c.waiting()).toEqual(['userTask:sign']);
      await c.run({ type: 'completeUserTask', waitId: tasks[2].waitId, outcome: 'approve' });
      expect(c.waiting()).toEqual(['userTask:after']);
    });

    it('names each task by its expressions, as Camunda does (Task ${loopCounter}, the element variable)', async () => {
      const xml = diagram(`<startEvent id="s" />${flow('f0', 's', 'sign')}
      <userTask id="sign" name="会签 \${loopCounter}：\${signer}" camunda:assignee="\${signer}">
        <multiInstanceLoopCharacteristics isSequential="false" camunda:collection="\${signers}" camunda:elementVariable="signer" />
      </userTask>${flow('f1', 'sign', 'after')}<userTask id="after" name="后续 \${missing.trim()}" />`);
      const c = await Case.start(xml, { signers: ['li', 'zhao'] });
      expect(c.waits('userTask').map((t) => t.kind === 'userTask' && t.name)).toEqual(['会签 0：li', '会签 1：zhao']);
      await c.complete('sign', undefined, 'approve', 0);
      await c.complete('sign', undefined, 'approve', 0);
      // A name that cannot be resolved is shown as written; it never refuses the step.
      expect(c.waits('userTask').map((t) => t.kind === 'userTask' && t.name)).toEqual(['后续 ${missing.trim()}']);
    });

    it('或签 ends with the first completion and cancels the others', async () => {
      const c = await Case.start(mi(false, '${nrOfCompletedInstances &gt;= 1}'), { signers: ['li', 'zhao', 'qian'] });
      await c.complete('sign', undefined, 'approve', 2);
      expect(c.waiting()).toEqual(['userTask:after']);
    });

    it('a ratio condition completes at two thirds', async () => {
      const c = await Case.start(mi(false, '${nrOfCompletedInstances / nrOfInstances &gt;= 0.6}'), { signers: ['a', 'b', 'c'] });
      await c.complete('sign', undefined, 'approve', 0);
      expect(c.waits('userTask')).toHaveLength(2);
      await c.complete('sign', undefined, 'approve', 0);
      expect(c.waiting()).toEqual(['userTask:after']);
    });

    it('one rejection ends a 一票否决 会签', async () => {
      const c = await Case.start(mi(false, '${nrOfRejected &gt; 0}'), { signers: ['a', 'b', 'c'] });
      await c.complete('sign', undefined, 'reject', 1);
      expect(c.waiting()).toEqual(['userTask:after']);
    });

    it('offers one 签收 per recipient unit through the candidateUnits property', async () => {
      const xml = diagram(`<startEvent id="s" />${flow('f0', 's', 'receive')}
      <userTask id="receive" name="签收" camunda:candidateGroups="clerk">
        <extensionElements><camunda:properties><camunda:property name="candidateUnits" value="\${recipient}" /></camunda:properties></extensionElements>
        <multiInstanceLoopCharacteristics isSequential="false" camunda:collection="\${recipients}" camunda:elementVariable="recipient" />
      </userTask>${flow('f1', 'receive', 'after')}<userTask id="after"><extensionElements><camunda:properties><camunda:property name="candidateUnits" value="MLR-XXB, MLR-XXZX" /></camunda:properties></extensionElements></userTask>`);
      const c = await Case.start(xml, { recipients: ['u-js', 'u-zj'] });
      expect(c.waits('userTask').map((t) => (t.kind === 'userTask' ? [t.candidateGroups, t.candidateUnits] : []))).toEqual([
        [['clerk'], ['u-js']],
        [['clerk'], ['u-zj']],
      ]);
      await c.complete('receive', undefined, 'approve', 0);
      await c.complete('receive', undefined, 'approve', 0);
      expect(c.waits('userTask').map((t) => (t.kind === 'userTask' ? t.candidateUnits : []))).toEqual([['MLR-XXB', 'MLR-XXZX']]);
    });

    it('sequential 会签 hands the task on in collection order', async () => {
      const c = await Case.start(mi(true), { signers: ['a', 'b'] });
      expect(c.waits('userTask').map((t) => (t.kind === 'userTask' ? t.assignee : ''))).toEqual(['a']);
      await c.complete('sign');
      expect(c.waits('userTask').map((t) => (t.kind === 'userTask' ? t.assignee : ''))).toEqual(['b']);
      await c.complete('sign');
      expect(c.waiting()).toEqual(['userTask:after']);
    });
  });

  describe('given timers', () => {
    const now = new Date('2026-11-24T02:00:00Z');
    const runtime = new BpmnRuntime({ now: () => now });

    it('an intermediate timer waits with its due time and continues when fired', async () => {
      const c = await Case.start(
        diagram(
          `<startEvent id="s" />${flow('f0', 's', 't')}<intermediateCatchEvent id="t"><timerEventDefinition><timeDuration>PT2H</timeDuration></timerEventDefinition></intermediateCatchEvent>${flow('f1', 't', 'u')}<userTask id="u" />`,
        ),
        {},
        runtime,
      );
      const timer = c.wait('t');
      expect(timer).toEqual(expect.objectContaining({ kind: 'timer' }));
      // The runtime has no clock of its own: two hours from the host's now.
      expect(timer.kind === 'timer' && timer.dueAt).toBe('2026-11-24T04:00:00.000Z');
      await c.run({ type: 'fireTimer', waitId: timer.waitId });
      expect(c.waiting()).toEqual(['userTask:u']);
    });

    it('an interrupting boundary timer cancels the task (超时)', async () => {
      const c = await Case.start(
        diagram(`<startEvent id="s" />${flow('f0', 's', 'u')}<userTask id="u" />
        <boundaryEvent id="late" attachedToRef="u"><timerEventDefinition><timeDuration>P3D</timeDuration></timerEventDefinition></boundaryEvent>
        ${flow('f1', 'u', 'done')}${flow('f2', 'late', 'escalate')}<userTask id="done" /><userTask id="escalate" />`),
      );
      expect(c.waiting()).toEqual(['timer:late', 'userTask:u']);
      await c.run({ type: 'fireTimer', waitId: c.wait('late').waitId });
      expect(c.waiting()).toEqual(['userTask:escalate']);
    });

    it('a non-interrupting boundary timer adds a reminder and keeps the task', async () => {
      const c = await Case.start(
        diagram(`<startEvent id="s" />${flow('f0', 's', 'u')}<userTask id="u" />
        <boundaryEvent id="remind" attachedToRef="u" cancelActivity="false"><timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition></boundaryEvent>
        ${flow('f1', 'u', 'done')}${flow('f2', 'remind', 'urge')}<userTask id="done" /><userTask id="urge" />`),
      );
      await c.run({ type: 'fireTimer', waitId: c.wait('remind').waitId });
      expect(c.waiting()).toEqual(['userTask:u', 'userTask:urge']);
      await c.complete('u');
      expect(c.waiting()).toEqual(['userTask:done', 'userTask:urge']);
    });

    it('a timeDuration of workingDays(n) on a boundary timer waits that many working days', async () => {
      const calendar = new WorkingCalendar([{ day: '2030-10-01', kind: 'holiday' }]);
      const at = new Date('2030-09-30T01:00:00Z'); // Monday; Tuesday is a holiday
      const c = await Case.start(
        diagram(
          `<startEvent id="s" />${flow('f0', 's', 'u')}<userTask id="u" /><boundaryEvent id="late" attachedToRef="u"><timerEventDefinition><timeDuration>\${workingDays(2)}</timeDuration></timerEventDefinition></boundaryEvent>${flow('f1', 'late', 'urge')}<userTask id="urge" />`,
        ),
        {},
        new BpmnRuntime({ calendar, now: () => at }),
      );
      const timer = c.wait('late');
      expect(timer.kind === 'timer' && timer.dueAt).toBe('2030-10-03T01:00:00.000Z');
      await c.run({ type: 'fireTimer', waitId: timer.waitId });
      expect(c.waiting()).toEqual(['userTask:urge']);
    });

    it('a timeDate of workingDays(n) counts Chinese working days', async () => {
      // Friday 2030-09-27 09:00 CST; 09-28 (Sat) is a 调休 workday, 10-01..10-07 are 国庆 holidays.
      const calendar = new WorkingCalendar([
        ...['01', '02', '03', '04', '05', '06', '07'].map((d) => ({ day: `2030-10-${d}`, kind: 'holiday' as const })),
        { day: '2030-09-28', kind: 'workday' },
      ]);
      const at = new Date('2030-09-27T01:00:00Z');
      const c = await Case.start(
        diagram(
          `<startEvent id="s" />${flow('f0', 's', 't')}<intermediateCatchEvent id="t"><timerEventDefinition><timeDate>\${workingDays(3)}</timeDate></timerEventDefinition></intermediateCatchEvent>${flow('f1', 't', 'u')}<userTask id="u" camunda:dueDate="\${workingDays(1)}" />`,
        ),
        {},
        new BpmnRuntime({ calendar, now: () => at }),
      );
      const timer = c.wait('t');
      expect(timer.kind === 'timer' && timer.dueAt).toBe('2030-10-08T01:00:00.000Z');
      await c.run({ type: 'fireTimer', waitId: timer.waitId });
      const task = c.wait('u');
      // the due date is computed when the task is created, from the runtime's clock
      expect(task.kind === 'userTask' && task.dueDate).toBe('2030-09-28T01:00:00.000Z');
    });
  });

  describe('given message waits', () => {
    const extra = '<message id="M_reply" name="receipt-signed" />';
    it('an intermediate message catch continues on correlation with the message variables', async () => {
      const c = await Case.start(
        diagram(
          `<startEvent id="s" />${flow('f0', 's', 'm')}<intermediateCatchEvent id="m"><messageEventDefinition messageRef="M_reply" /></intermediateCatchEvent>${flow('f1', 'm', 'u')}<userTask id="u" />`,
          extra,
        ),
      );
      expect(c.waits()).toEqual([expect.objectContaining({ kind: 'message', messageName: 'receipt-signed' })]);
      await c.run({ type: 'correlateMessage', waitId: c.wait('m').waitId, variables: { signedBy: '江苏省厅' } });
      expect(c.waiting()).toEqual(['userTask:u']);
      expect(c.variables.signedBy).toBe('江苏省厅');
    });

    it('a receive task waits for its message', async () => {
      const c = await Case.start(
        diagram(
          `<startEvent id="s" />${flow('f0', 's', 'r')}<receiveTask id="r" messageRef="M_reply" />${flow('f1', 'r', 'u')}<userTask id="u" />`,
          extra,
        ),
      );
      expect(c.waiting()).toEqual(['message:r']);
      await c.run({ type: 'correlateMessage', waitId: c.wait('r').waitId });
      expect(c.waiting()).toEqual(['userTask:u']);
    });

    it('a message start event starts the case when triggered', async () => {
      const c = await Case.start(
        diagram(
          `<startEvent id="s"><messageEventDefinition messageRef="M_reply" /></startEvent>${flow('f0', 's', 'u')}<userTask id="u" />`,
          extra,
        ),
        {},
        undefined,
        'message',
      );
      expect(c.waiting()).toEqual(['userTask:u']);
    });

    it('a timer start event starts the case when triggered', async () => {
      const c = await Case.start(
        diagram(
          `<startEvent id="s"><timerEventDefinition><timeCycle>R/PT24H</timeCycle></timerEventDefinition></startEvent>${flow('f0', 's', 'u')}<userTask id="u" />`,
        ),
        {},
        undefined,
        'timer',
      );
      expect(c.waiting()).toEqual(['userTask:u']);
    });

    it('tells when a timer start is next due, without starting a case', async () => {
      const compiled = await compileDefinition(
        diagram(
          `<startEvent id="s"><timerEventDefinition><timeCycle>R/PT24H</timeCycle></timerEventDefinition></startEvent>${flow('f0', 's', 'u')}<userTask id="u" />`,
        ),
      );
      expect(compiled.startEvents).toEqual([expect.objectContaining({ id: 's', kind: 'timer', timer: 'timeCycle' })]);
      const due = await new BpmnRuntime().nextStartTimers(compiled);
      expect(due).toEqual([{ activityId: 's', dueAt: expect.any(String) }]);
      expect(Date.parse(due[0].dueAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
      const none = await compileDefinition(diagram(`<startEvent id="s" />${flow('f0', 's', 'u')}<userTask id="u" />`));
      expect(await new BpmnRuntime().nextStartTimers(none)).toEqual([]);
    });
  });

  describe('given sub-processes, call activities and end events', () => {
    it('an embedded sub-process runs its inner flow and continues after it', async () => {
      const c = await Case.start(
        diagram(
          `<startEvent id="s" />${flow('f0', 's', 'sub')}
          <subProcess id="sub"><startEvent id="ss" />${flow('g0', 'ss', 'check')}<userTask id="check" />${flow('g1', 'check', 'sgw')}
            <exclusiveGateway id="sgw" default="g3" />${flow('g2', 'sgw', 'again', '${!valid}')}${flow('g3', 'sgw', 'se')}
            <userTask id="again" />${flow('g4', 'again', 'se')}<endEvent id="se" />
          </subProcess>${flow('f1', 'sub', 'ok')}<userTask id="ok" />`,
        ),
      );
      expect(c.waiting()).toEqual(['userTask:check']);
      await c.complete('check', { valid: false });
      expect(c.waiting()).toEqual(['userTask:again']);
      await c.complete('again');
      expect(c.waiting()).toEqual(['userTask:ok']);
    });

    it('a call activity waits with the called key and the variables to pass, and continues when the child ends', async () => {
      const c = await Case.start(
        diagram(
          `<startEvent id="s" />${flow('f0', 's', 'call')}<callActivity id="call" calledElement="child-\${kind}"><extensionElements><camunda:in variables="all" /><camunda:out variables="all" /></extensionElements></callActivity>${flow('f1', 'call', 'u')}<userTask id="u" />`,
        ),
        {
          kind: 'review',
        },
      );
      expect(c.waits()).toEqual([
        expect.objectContaining({ kind: 'callActivity', calledElement: 'child-review', variables: { kind: 'review' } }),
      ]);
      await c.run({ type: 'completeCallActivity', waitId: c.wait('call').waitId, variables: { childResult: 'ok' } });
      expect(c.waiting()).toEqual(['userTask:u']);
      expect(c.variables.childResult).toBe('ok');
    });

    it('a call activity passes only what its camunda:in / camunda:out map, as Camunda does', async () => {
      const c = await Case.start(
        diagram(
          `<startEvent id="s" />${flow('f0', 's', 'call')}<callActivity id="call" calledElement="child"><extensionElements>
            <camunda:in source="amount" target="total" /><camunda:in sourceExpression="\${amount * 2}" target="double" />
            <camunda:in businessKey="BK-\${amount}" /><camunda:out source="verdict" target="childVerdict" />
          </extensionElements></callActivity>${flow('f1', 'call', 'u')}<userTask id="u" />`,
        ),
        { amount: 21, secret: 'x' },
      );
      expect(c.wait('call')).toEqual(expect.objectContaining({ variables: { total: 21, double: 42 }, businessKey: 'BK-21' }));
      await c.run({ type: 'completeCallActivity', waitId: c.wait('call').waitId, variables: { verdict: 'ok', noise: 1 } });
      expect(c.variables).toEqual({ amount: 21, secret: 'x', childVerdict: 'ok' });
    });

    it('a terminate end event ends every branch', async () => {
      const c = await Case.start(
        diagram(`<startEvent id="s" />${flow('f0', 's', 'fork')}<parallelGateway id="fork" />${flow('f1', 'fork', 'a')}${flow('f2', 'fork', 'b')}
        <userTask id="a" /><userTask id="b" />${flow('f3', 'a', 'kill')}<endEvent id="kill"><terminateEventDefinition /></endEvent>${flow('f4', 'b', 'e')}<endEvent id="e" />`),
      );
      await c.complete('a');
      expect(c.status).toBe('terminated');
      expect(c.waits()).toEqual([]);
    });

    it('an uncaught error end event ends the instance as failed', async () => {
      const c = await Case.start(
        diagram(
          `<startEvent id="s" />${flow('f0', 's', 'u')}<userTask id="u" />${flow('f1', 'u', 'boom')}<endEvent id="boom"><errorEventDefinition errorRef="E" /></endEvent>`,
          '<error id="E" errorCode="REJECTED" />',
        ),
      );
      await c.complete('u');
      expect(c.status).toBe('failed');
      expect(c.result.error?.code).toBe('REJECTED');
    });
  });

  describe('given history: what ran, what waits and what was skipped', () => {
    const escalation = diagram(`<startEvent id="s" />${flow('f0', 's', 'u')}<userTask id="u" />
      <boundaryEvent id="late" attachedToRef="u"><timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>
      ${flow('f1', 'u', 'done')}<endEvent id="done" />
      ${flow('f2', 'late', 'escalate')}<userTask id="escalate" />${flow('f3', 'escalate', 'escalated')}<endEvent id="escalated" />`);

    afterEach(() => jest.useRealTimers());

    it('an exclusive gateway’s untaken branch never starts: history holds only what ran', async () => {
      const c = await Case.start(
        diagram(`<startEvent id="s" />${flow('f0', 's', 'gw')}<exclusiveGateway id="gw" />
        ${flow('yes', 'gw', 'provide', '${approved}')}<userTask id="provide" />${flow('f1', 'provide', 'provided')}<endEvent id="provided" />
        ${flow('no', 'gw', 'refused', '${!approved}')}<endEvent id="refused" />`),
        { approved: false },
      );
      expect(c.status).toBe('completed');
      expect(c.states()).toEqual({
        s: { start: 1, end: 1, discard: 0 },
        gw: { start: 1, end: 1, discard: 0 },
        refused: { start: 1, end: 1, discard: 0 },
      });
    });

    it('a boundary timer whose task completes first is withdrawn and leaves no trace', async () => {
      const c = await Case.start(escalation);
      expect(c.waiting()).toEqual(['timer:late', 'userTask:u']);
      await c.complete('u');
      expect(c.status).toBe('completed');
      expect(c.waits()).toEqual([]);
      expect(c.states()).toEqual({
        s: { start: 1, end: 1, discard: 0 },
        u: { start: 1, end: 1, discard: 0 },
        done: { start: 1, end: 1, discard: 0 },
      });
    });

    it('a timer fires only by its command, whatever the clock says when the case is resumed for another one', async () => {
      let now = new Date('2026-11-24T02:00:00Z');
      const c = await Case.start(escalation, {}, new BpmnRuntime({ now: () => now }));
      now = new Date('2026-11-24T09:00:00Z');
      await c.complete('u');
      expect(c.states().late).toBeUndefined();
      expect(c.status).toBe('completed');
    });

    it('a boundary timer fired on command likewise ends and its task is discarded', async () => {
      const c = await Case.start(escalation);
      await c.run({ type: 'fireTimer', waitId: c.wait('late').waitId });
      await c.complete('escalate');
      expect(c.states()).toEqual(expect.objectContaining({ late: { start: 1, end: 1, discard: 0 }, u: { start: 1, end: 0, discard: 1 } }));
    });

    it('never records an execution’s start or its outcome twice across commands', async () => {
      const c = await Case.start(escalation);
      await c.complete('u');
      const seen = c.steps.flatMap((s) => s.history).map((h) => `${h.executionId}:${h.event === 'start' ? 'start' : 'outcome'}`);
      expect(new Set(seen).size).toBe(seen.length);
    });
  });

  describe('given a condition that fails', () => {
    it('rolls the command back with the expression error', async () => {
      const c = await Case.start(
        diagram(`<startEvent id="s" />${flow('f0', 's', 'u')}<userTask id="u" />${flow('f1', 'u', 'gw')}<exclusiveGateway id="gw" />
        ${flow('f2', 'gw', 'x', '${amount / 0 &gt; 1}')}<userTask id="x" />`),
      );
      await expect(c.complete('u', { amount: 3 })).rejects.toThrow(/除以零/);
    });
  });
});
