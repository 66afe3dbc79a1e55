import { compileDefinition } from './compile';
import { BpmnRuntime, ProcessRunError } from './runtime';
import { Case, diagram } from './testing/case';

/**
 * Conformance: one scenario per element and behaviour of Camunda 7 the runtime promises (README › 引擎),
 * including a regression test for each semantics bug found by running public Camunda diagrams.
 */
const f = (id: string, from: string, to: string, condition?: string) =>
  condition
    ? `<sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><conditionExpression>${condition}</conditionExpression></sequenceFlow>`
    : `<sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;
const now = new Date('2026-11-24T02:00:00Z');
const runtime = new BpmnRuntime({ now: () => now });
const start = (body: string, variables = {}, extra = '') => Case.start(diagram(body, extra), variables, runtime);
const timer = (kind: string, body: string) => `<timerEventDefinition><${kind}>${body}</${kind}></timerEventDefinition>`;

describe('Camunda 7 conformance', () => {
  describe('tasks', () => {
    it('a manual task and a plain task pass straight through', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'm')}<manualTask id="m" />${f('f1', 'm', 't')}<task id="t" />${f('f2', 't', 'e')}<endEvent id="e" />`,
      );
      expect(c.status).toBe('completed');
      expect(c.ended()).toEqual(['s', 'm', 't', 'e']);
    });

    it('a send task and a message end event with camunda:type="external" are external tasks', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'send')}<sendTask id="send" camunda:type="external" camunda:topic="mail" />${f('f1', 'send', 'e')}
         <endEvent id="e"><messageEventDefinition camunda:type="external" camunda:topic="notify" /></endEvent>`,
      );
      expect(c.waits()).toEqual([expect.objectContaining({ kind: 'externalTask', activityId: 'send', topic: 'mail' })]);
      await c.completeExternal('send');
      expect(c.waits()).toEqual([expect.objectContaining({ kind: 'externalTask', activityId: 'e', topic: 'notify' })]);
      await c.completeExternal('e');
      expect(c.status).toBe('completed');
    });
  });

  describe('messages and signals', () => {
    const extra = '<message id="M" name="paid" /><signal id="S" name="recall" />';

    it('an intermediate signal catch waits for its signal; a signal thrown by the case reaches its own catches and is reported', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'fork')}<parallelGateway id="fork" />${f('f1', 'fork', 'catch')}${f('f2', 'fork', 'u')}
         <intermediateCatchEvent id="catch"><signalEventDefinition signalRef="S" /></intermediateCatchEvent>${f('f3', 'catch', 'after')}<userTask id="after" />
         <userTask id="u" />${f('f4', 'u', 'throw')}<intermediateThrowEvent id="throw"><signalEventDefinition signalRef="S" /></intermediateThrowEvent>${f('f5', 'throw', 'e')}<endEvent id="e" />`,
        {},
        extra,
      );
      expect(c.waiting()).toEqual(['signal:catch', 'userTask:u']);
      expect(c.wait('catch')).toEqual(expect.objectContaining({ signalName: 'recall' }));
      await c.complete('u');
      expect(c.waiting()).toEqual(['userTask:after']);
      expect(c.result.signals).toEqual([{ name: 'recall' }]);
    });

    it('a signal command releases a signal boundary event (interrupting) with its variables', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'u')}<userTask id="u" /><boundaryEvent id="b" attachedToRef="u"><signalEventDefinition signalRef="S" /></boundaryEvent>
         ${f('f1', 'u', 'e')}<endEvent id="e" />${f('f2', 'b', 'recalled')}<userTask id="recalled" />`,
        {},
        extra,
      );
      await c.run({ type: 'signal', waitId: c.wait('b').waitId, variables: { reason: '撤回' } });
      expect(c.waiting()).toEqual(['userTask:recalled']);
      expect(c.variables.reason).toBe('撤回');
      expect(c.states().u).toEqual({ start: 1, end: 0, discard: 1 });
    });

    it('a non-interrupting message boundary event adds a path and keeps the task and its subscription', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'u')}<userTask id="u" /><boundaryEvent id="b" attachedToRef="u" cancelActivity="false"><messageEventDefinition messageRef="M" /></boundaryEvent>
         ${f('f1', 'u', 'e')}<endEvent id="e" />${f('f2', 'b', 'note')}<userTask id="note" />`,
        {},
        extra,
      );
      await c.run({ type: 'correlateMessage', waitId: c.wait('b').waitId });
      expect(c.waiting()).toEqual(['message:b', 'userTask:note', 'userTask:u']);
      await c.complete('u');
      expect(c.waiting()).toEqual(['userTask:note']);
    });

    it('an event-based gateway takes the first event and withdraws the others', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'gw')}<eventBasedGateway id="gw" />${f('f1', 'gw', 'msg')}${f('f2', 'gw', 'late')}
         <intermediateCatchEvent id="msg"><messageEventDefinition messageRef="M" /></intermediateCatchEvent>${f('f3', 'msg', 'paid')}<userTask id="paid" />
         <intermediateCatchEvent id="late">${timer('timeDuration', 'P3D')}</intermediateCatchEvent>${f('f4', 'late', 'remind')}<userTask id="remind" />`,
        {},
        extra,
      );
      expect(c.waiting()).toEqual(['message:msg', 'timer:late']);
      expect(c.wait('late')).toEqual(expect.objectContaining({ dueAt: '2026-11-27T02:00:00.000Z' }));
      await c.run({ type: 'fireTimer', waitId: c.wait('late').waitId });
      expect(c.waiting()).toEqual(['userTask:remind']);
      expect(c.ended()).toEqual(expect.arrayContaining(['gw', 'late']));
    });

    it('a message event sub-process interrupts the case; a non-interrupting one runs beside it', async () => {
      const body = (interrupting: boolean) =>
        `<startEvent id="s" />${f('f0', 's', 'u')}<userTask id="u" />${f('f1', 'u', 'e')}<endEvent id="e" />
         <subProcess id="es" triggeredByEvent="true"><startEvent id="es-start" isInterrupting="${interrupting}"><messageEventDefinition messageRef="M" /></startEvent>
         ${f('g0', 'es-start', 'handle')}<userTask id="handle" />${f('g1', 'handle', 'es-end')}<endEvent id="es-end" /></subProcess>`;
      const hard = await start(body(true), {}, extra);
      await hard.run({ type: 'correlateMessage', waitId: hard.wait('es-start').waitId });
      expect(hard.waiting()).toEqual(['userTask:handle']);
      await hard.complete('handle');
      expect(hard.status).toBe('completed');
      const soft = await start(body(false), {}, extra);
      await soft.run({ type: 'correlateMessage', waitId: soft.wait('es-start').waitId });
      expect(soft.waiting()).toEqual(['message:es-start', 'userTask:handle', 'userTask:u']);
      await soft.complete('u');
      expect(soft.status).toBe('running');
      await soft.complete('handle');
      expect(soft.status).toBe('completed');
    });

    it('message and signal start events start the case when triggered', async () => {
      const xml = diagram(
        `<startEvent id="byMessage"><messageEventDefinition messageRef="M" /></startEvent>${f('f0', 'byMessage', 'u')}
         <startEvent id="bySignal"><signalEventDefinition signalRef="S" /></startEvent>${f('f1', 'bySignal', 'v')}<userTask id="u" /><userTask id="v" />`,
        extra,
      );
      expect((await Case.start(xml, {}, runtime, 'message')).waiting()).toEqual(['userTask:u']);
      expect((await Case.start(xml, {}, runtime, 'signal')).waiting()).toEqual(['userTask:v']);
      await expect(Case.start(xml, {}, runtime)).rejects.toThrow(/只能由消息、信号或定时器启动/);
    });
  });

  describe('timers', () => {
    it('a non-interrupting boundary cycle R3 fires three times, each a wait of its own', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'u')}<userTask id="u" /><boundaryEvent id="remind" attachedToRef="u" cancelActivity="false">${timer('timeCycle', 'R3/PT1H')}</boundaryEvent>
         ${f('f1', 'u', 'e')}<endEvent id="e" />${f('f2', 'remind', 'n')}<endEvent id="n" />`,
      );
      const dues: string[] = [];
      for (let i = 0; i < 3; i++) {
        const wait = c.wait('remind');
        dues.push(wait.kind === 'timer' ? wait.dueAt : '');
        await c.run({ type: 'fireTimer', waitId: wait.waitId });
      }
      expect(dues).toEqual(['2026-11-24T03:00:00.000Z', '2026-11-24T04:00:00.000Z', '2026-11-24T05:00:00.000Z']);
      expect(new Set(c.steps.flatMap((s) => s.waits.map((w) => w.waitId))).size).toBe(4);
      expect(c.waiting()).toEqual(['userTask:u']);
      expect(c.ended().filter((id) => id === 'n')).toHaveLength(3);
    });

    it('a Quartz cron cycle (Sunday = 1, ?) is read in the server zone', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'u')}<userTask id="u" /><boundaryEvent id="daily" attachedToRef="u" cancelActivity="false">${timer('timeCycle', '0 0 9 ? * 2-6')}</boundaryEvent>
         ${f('f1', 'daily', 'n')}<endEvent id="n" />`,
      );
      // 2026-11-24 is a Tuesday, 10:00 in Beijing: the next weekday 09:00 is Wednesday's.
      expect(c.wait('daily')).toEqual(expect.objectContaining({ dueAt: '2026-11-25T01:00:00.000Z' }));
      await c.run({ type: 'fireTimer', waitId: c.wait('daily').waitId });
      expect(c.wait('daily')).toEqual(expect.objectContaining({ dueAt: '2026-11-26T01:00:00.000Z' }));
    });

    it('tells when timer start events are next due: a date, an ISO cycle and a Quartz cron', async () => {
      const compiled = await compileDefinition(
        diagram(
          `<startEvent id="once">${timer('timeDate', '2027-01-04T09:00:00+08:00')}</startEvent>${f('f0', 'once', 'u')}
           <startEvent id="daily">${timer('timeCycle', 'R/2026-11-20T08:00:00+08:00/P1D')}</startEvent>${f('f1', 'daily', 'u')}
           <startEvent id="weekdays">${timer('timeCycle', '0 30 8 ? * MON-FRI')}</startEvent>${f('f2', 'weekdays', 'u')}<userTask id="u" />`,
        ),
      );
      expect(await runtime.nextStartTimers(compiled)).toEqual([
        { activityId: 'once', dueAt: '2027-01-04T01:00:00.000Z' },
        { activityId: 'daily', dueAt: '2026-11-25T00:00:00.000Z' },
        { activityId: 'weekdays', dueAt: '2026-11-25T00:30:00.000Z' },
      ]);
    });

    it('a timeDate timer waits until that moment; history continues after it fires', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 't')}<intermediateCatchEvent id="t">${timer('timeDate', '2027-01-04T09:00:00+08:00')}</intermediateCatchEvent>${f('f1', 't', 'u')}<userTask id="u" />`,
      );
      expect(c.wait('t')).toEqual(expect.objectContaining({ dueAt: '2027-01-04T01:00:00.000Z' }));
      await c.run({ type: 'fireTimer', waitId: c.wait('t').waitId });
      expect(c.result.history.map((h) => `${h.activityId}:${h.event}`)).toEqual(['t:end', 'u:start']);
    });
  });

  describe('errors, escalations, terminate', () => {
    const extra = '<error id="E" errorCode="INVALID" /><escalation id="X" escalationCode="LATE" />';

    it('a worker’s bpmnError is caught by the matching boundary event, code and message into errorCodeVariable/errorMessageVariable', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'w')}<serviceTask id="w" camunda:type="external" camunda:topic="t" />
         <boundaryEvent id="bad" attachedToRef="w"><errorEventDefinition errorRef="E" camunda:errorCodeVariable="code" camunda:errorMessageVariable="why" /></boundaryEvent>
         <boundaryEvent id="any" attachedToRef="w"><errorEventDefinition /></boundaryEvent>
         ${f('f1', 'w', 'e')}<endEvent id="e" />${f('f2', 'bad', 'fix')}<userTask id="fix" />${f('f3', 'any', 'other')}<userTask id="other" />`,
        {},
        extra,
      );
      await c.run({ type: 'externalTaskBpmnError', waitId: c.wait('w').waitId, errorCode: 'INVALID', errorMessage: '格式不对' });
      expect(c.waiting()).toEqual(['userTask:fix']);
      expect(c.variables).toEqual(expect.objectContaining({ code: 'INVALID', why: '格式不对' }));
      const d = await start(
        `<startEvent id="s" />${f('f0', 's', 'w')}<serviceTask id="w" camunda:type="external" camunda:topic="t" />
         <boundaryEvent id="any" attachedToRef="w"><errorEventDefinition /></boundaryEvent>${f('f3', 'any', 'other')}<userTask id="other" />`,
        {},
        extra,
      );
      await d.run({ type: 'externalTaskBpmnError', waitId: d.wait('w').waitId, errorCode: 'SOMETHING' });
      expect(d.waiting()).toEqual(['userTask:other']);
    });

    it('an error end event inside a sub-process is caught by the sub-process’s boundary event', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'sub')}<subProcess id="sub"><startEvent id="ss" />${f('g0', 'ss', 'check')}<userTask id="check" />${f('g1', 'check', 'fail')}
         <endEvent id="fail"><errorEventDefinition errorRef="E" /></endEvent></subProcess>
         <boundaryEvent id="caught" attachedToRef="sub"><errorEventDefinition errorRef="E" /></boundaryEvent>${f('f1', 'caught', 'redo')}<userTask id="redo" />
         ${f('f2', 'sub', 'e')}<endEvent id="e" />`,
        {},
        extra,
      );
      await c.complete('check');
      expect(c.waiting()).toEqual(['userTask:redo']);
      expect(c.states().sub).toEqual({ start: 1, end: 0, discard: 1 });
    });

    it('an error event sub-process catches what a worker throws', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'w')}<serviceTask id="w" camunda:type="external" camunda:topic="t" />${f('f1', 'w', 'e')}<endEvent id="e" />
         <subProcess id="es" triggeredByEvent="true"><startEvent id="es-s"><errorEventDefinition errorRef="E" camunda:errorCodeVariable="code" /></startEvent>
         ${f('g0', 'es-s', 'h')}<userTask id="h" /></subProcess>`,
        {},
        extra,
      );
      await c.run({ type: 'externalTaskBpmnError', waitId: c.wait('w').waitId, errorCode: 'INVALID' });
      expect(c.waiting()).toEqual(['userTask:h']);
      expect(c.variables.code).toBe('INVALID');
    });

    it('an escalation thrown inside a sub-process reaches a non-interrupting boundary event and the sub-process goes on', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'sub')}<subProcess id="sub"><startEvent id="ss" />${f('g0', 'ss', 'up')}
         <intermediateThrowEvent id="up"><escalationEventDefinition escalationRef="X" /></intermediateThrowEvent>${f('g1', 'up', 'work')}<userTask id="work" /></subProcess>
         <boundaryEvent id="told" attachedToRef="sub" cancelActivity="false"><escalationEventDefinition escalationRef="X" /></boundaryEvent>${f('f1', 'told', 'inform')}<userTask id="inform" />`,
        {},
        extra,
      );
      expect(c.waiting()).toEqual(['userTask:inform', 'userTask:work']);
    });

    it('a terminate end event inside a sub-process ends only the sub-process', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'sub')}<subProcess id="sub"><startEvent id="ss" />${f('g0', 'ss', 'fork')}<parallelGateway id="fork" />
         ${f('g1', 'fork', 'a')}${f('g2', 'fork', 'b')}<userTask id="a" /><userTask id="b" />${f('g3', 'a', 'stop')}<endEvent id="stop"><terminateEventDefinition /></endEvent></subProcess>
         ${f('f1', 'sub', 'after')}<userTask id="after" />`,
      );
      await c.complete('a');
      expect(c.waiting()).toEqual(['userTask:after']);
      expect(c.states().b).toEqual({ start: 1, end: 0, discard: 1 });
    });

    it('an uncaught bpmnError from a worker refuses the command', async () => {
      const c = await start(`<startEvent id="s" />${f('f0', 's', 'w')}<serviceTask id="w" camunda:type="external" camunda:topic="t" />`);
      await expect(c.run({ type: 'externalTaskBpmnError', waitId: c.wait('w').waitId, errorCode: 'X' })).rejects.toMatchObject({
        code: 'BPMN_ERROR_UNCAUGHT',
      });
    });
  });

  describe('gateways, links, scopes', () => {
    it('an inclusive join waits only for the branches that were taken', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'fork')}<inclusiveGateway id="fork" />${f('f1', 'fork', 'a', '${x > 1}')}${f('f2', 'fork', 'b', '${x > 5}')}
         <userTask id="a" /><userTask id="b" />${f('f3', 'a', 'join')}${f('f4', 'b', 'join')}<inclusiveGateway id="join" />${f('f5', 'join', 'done')}<userTask id="done" />`,
        { x: 3 },
      );
      expect(c.waiting()).toEqual(['userTask:a']);
      await c.complete('a');
      expect(c.waiting()).toEqual(['userTask:done']);
    });

    it('an inclusive join waits for a token still on its way (a branch with two steps)', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'fork')}<inclusiveGateway id="fork" />${f('f1', 'fork', 'a')}${f('f2', 'fork', 'b1')}
         <userTask id="a" /><userTask id="b1" />${f('f6', 'b1', 'b2')}<userTask id="b2" />${f('f3', 'a', 'join')}${f('f4', 'b2', 'join')}<inclusiveGateway id="join" />${f('f5', 'join', 'done')}<userTask id="done" />`,
      );
      await c.complete('a');
      await c.complete('b1');
      expect(c.waiting()).toEqual(['userTask:b2']);
      await c.complete('b2');
      expect(c.waiting()).toEqual(['userTask:done']);
    });

    it('sequence flows without ids run (Camunda deploys them)', async () => {
      const c = await start(
        `<startEvent id="s" /><sequenceFlow sourceRef="s" targetRef="gw" /><exclusiveGateway id="gw" />
         <sequenceFlow sourceRef="gw" targetRef="a"><conditionExpression>\${x > 1}</conditionExpression></sequenceFlow>
         <sequenceFlow sourceRef="gw" targetRef="b"><conditionExpression>\${x &lt;= 1}</conditionExpression></sequenceFlow><userTask id="a" /><userTask id="b" />`,
        { x: 2 },
      );
      expect(c.waiting()).toEqual(['userTask:a']);
    });

    it('a link throw event continues at the catch event of the same name', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'go')}<intermediateThrowEvent id="go"><linkEventDefinition name="next" /></intermediateThrowEvent>
         <intermediateCatchEvent id="land"><linkEventDefinition name="next" /></intermediateCatchEvent>${f('f1', 'land', 'u')}<userTask id="u" />`,
      );
      expect(c.waiting()).toEqual(['userTask:u']);
    });

    it('camunda:inputOutput: inputs are the task’s own variables (text, list, map); outputs are written back to the case', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'u')}<userTask id="u" camunda:assignee="\${who}"><extensionElements><camunda:inputOutput>
           <camunda:inputParameter name="who">\${first}-\${last}</camunda:inputParameter>
           <camunda:inputParameter name="list"><camunda:list><camunda:value>a</camunda:value><camunda:value>\${first}</camunda:value></camunda:list></camunda:inputParameter>
           <camunda:inputParameter name="map"><camunda:map><camunda:entry key="k">\${last}</camunda:entry></camunda:map></camunda:inputParameter>
           <camunda:outputParameter name="result">\${who}:\${verdict}</camunda:outputParameter>
         </camunda:inputOutput></extensionElements></userTask>${f('f1', 'u', 'e')}<endEvent id="e" />`,
        { first: 'zhang', last: 'san' },
      );
      expect(c.wait('u')).toEqual(expect.objectContaining({ assignee: 'zhang-san' }));
      await c.complete('u', { verdict: 'ok' });
      expect(c.variables).toEqual({ first: 'zhang', last: 'san', verdict: 'ok', result: 'zhang-san:ok' });
    });

    it('inside a multi-instance sub-process the element variable wins over a same-named case variable (regression)', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'each')}<subProcess id="each"><multiInstanceLoopCharacteristics camunda:collection="\${units}" camunda:elementVariable="unit" />
         <startEvent id="ss" />${f('g0', 'ss', 'gw')}<exclusiveGateway id="gw" />${f('g1', 'gw', 'local', "${unit == 'B'}")}${f('g2', 'gw', 'other', "${unit != 'B'}")}
         <userTask id="local" camunda:assignee="\${unit}" /><userTask id="other" camunda:assignee="\${unit}" /></subProcess>`,
        { units: ['A', 'B'], unit: 'B' },
      );
      expect(c.waits().map((w) => (w.kind === 'userTask' ? `${w.activityId}:${w.assignee}` : ''))).toEqual(['other:A', 'local:B']);
    });

    it('multi-instance by cardinality exposes nrOfInstances, nrOfCompletedInstances and loopCounter', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'u')}<userTask id="u" name="第\${loopCounter + 1}/\${nrOfInstances}份"><multiInstanceLoopCharacteristics isSequential="true"><loopCardinality>\${copies}</loopCardinality>
         <completionCondition>\${nrOfCompletedInstances == 2}</completionCondition></multiInstanceLoopCharacteristics></userTask>${f('f1', 'u', 'e')}<endEvent id="e" />`,
        { copies: 3 },
      );
      expect(c.waits().map((w) => w.kind === 'userTask' && w.name)).toEqual(['第1/3份']);
      await c.complete('u');
      expect(c.waits().map((w) => w.kind === 'userTask' && w.name)).toEqual(['第2/3份']);
      await c.complete('u');
      expect(c.status).toBe('completed');
    });
  });

  describe("diagrams as Camunda deploys them (regressions found with Camunda's engine test diagrams)", () => {
    it('output parameters of a sub-process read its own variables (its inputs and what it set locally)', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'sub')}
         <subProcess id="sub"><extensionElements><camunda:inputOutput><camunda:inputParameter name="draft">\${title}</camunda:inputParameter>
           <camunda:outputParameter name="finalTitle">\${draft}</camunda:outputParameter></camunda:inputOutput></extensionElements>
           <startEvent id="ss" />${f('f1', 'ss', 'edit')}<userTask id="edit" />${f('f2', 'edit', 'se')}<endEvent id="se" /></subProcess>
         ${f('f3', 'sub', 'e')}<endEvent id="e" />`,
        { title: '初稿' },
      );
      await c.complete('edit', { draft: '定稿' });
      expect(c.status).toBe('completed');
      expect(c.variables).toEqual({ title: '初稿', finalTitle: '定稿' });
    });

    it('the legacy extension namespace http://activiti.org/bpmn means the same as camunda: (inputOutput, in/out, assignee)', async () => {
      const legacy = diagram(
        `<startEvent id="s" />${f('f0', 's', 'sub')}
         <subProcess id="sub"><extensionElements><camunda:inputOutput><camunda:inputParameter name="inner">\${amount * 2}</camunda:inputParameter>
           <camunda:outputParameter name="doubled">\${inner}</camunda:outputParameter></camunda:inputOutput></extensionElements>
           <startEvent id="ss" />${f('f1', 'ss', 'check')}<userTask id="check" camunda:assignee="zhangsan" />${f('f2', 'check', 'se')}<endEvent id="se" /></subProcess>
         ${f('f3', 'sub', 'call')}<callActivity id="call" calledElement="child"><extensionElements><camunda:in source="doubled" target="given" /><camunda:out source="result" target="answer" /></extensionElements></callActivity>
         ${f('f4', 'call', 'e')}<endEvent id="e" />`,
      ).replace('xmlns:camunda="http://camunda.org/schema/1.0/bpmn"', 'xmlns:camunda="http://activiti.org/bpmn"');
      const c = await Case.start(legacy, { amount: 21 }, runtime);
      expect(c.wait('check')).toMatchObject({ assignee: 'zhangsan' });
      await c.complete('check');
      expect(c.variables).toEqual({ amount: 21, doubled: 42 });
      expect(c.wait('call')).toMatchObject({ variables: { given: 42 } });
      await c.run({ type: 'completeCallActivity', waitId: c.wait('call').waitId, variables: { result: 'ok', other: 1 } });
      expect(c.status).toBe('completed');
      expect(c.variables).toEqual({ amount: 21, doubled: 42, answer: 'ok' });
    });

    it('multi-instance over loopDataInputRef with inputDataItem (BPMN standard form) runs like camunda:collection/elementVariable', async () => {
      const c = await start(
        `<startEvent id="s" />${f('f0', 's', 'sign')}
         <userTask id="sign" name="会签 \${signer}" camunda:assignee="\${signer}"><multiInstanceLoopCharacteristics isSequential="true">
           <loopDataInputRef>signers</loopDataInputRef><inputDataItem name="signer" /></multiInstanceLoopCharacteristics></userTask>
         ${f('f1', 'sign', 'e')}<endEvent id="e" />`,
        { signers: ['lisi', 'wangwu'] },
      );
      expect(c.waits()).toEqual([expect.objectContaining({ activityId: 'sign', assignee: 'lisi', name: '会签 lisi' })]);
      await c.complete('sign');
      expect(c.waits()).toEqual([expect.objectContaining({ activityId: 'sign', assignee: 'wangwu' })]);
      await c.complete('sign');
      expect(c.status).toBe('completed');
    });

    it('an errorRef that names no declared error is the error code itself (deployed with a warning)', async () => {
      const xml = diagram(
        `<startEvent id="s" />${f('f0', 's', 'sub')}
         <subProcess id="sub"><startEvent id="ss" />${f('f1', 'ss', 'se')}<endEvent id="se"><errorEventDefinition errorRef="REJECTED" /></endEvent></subProcess>
         <boundaryEvent id="caught" attachedToRef="sub"><errorEventDefinition errorRef="REJECTED" /></boundaryEvent>
         <boundaryEvent id="other" attachedToRef="sub"><errorEventDefinition errorRef="OTHER" /></boundaryEvent>
         ${f('f2', 'caught', 'fix')}<userTask id="fix" />${f('f3', 'fix', 'e')}${f('f4', 'sub', 'e')}${f('f5', 'other', 'e')}<endEvent id="e" />`,
      );
      expect((await compileDefinition(xml)).warnings).toEqual(
        expect.arrayContaining([expect.objectContaining({ rule: 'error-ref-unresolved' })]),
      );
      expect((await Case.start(xml, {}, runtime)).waiting()).toEqual(['userTask:fix']);
    });

    it('an id with surrounding white space is deployed as the trimmed id', async () => {
      const c = await start(`<startEvent id=" s" />${f('f0 ', 's', 't')}<userTask id="t " />${f('f1', 't', 'e')}<endEvent id="e" />`);
      expect(c.waiting()).toEqual(['userTask:t']);
      await c.complete('t');
      expect(c.status).toBe('completed');
    });
  });

  describe('expressions (regressions)', () => {
    const gate = (condition: string) =>
      `<startEvent id="s" />${f('f0', 's', 'gw')}<exclusiveGateway id="gw" default="no" />${f('yes', 'gw', 'a', condition)}${f('no', 'gw', 'b')}<userTask id="a" /><userTask id="b" />`;

    it('${approved} is false for the String "false"', async () => {
      expect((await start(gate('${approved}'), { approved: 'false' })).waiting()).toEqual(['userTask:b']);
    });

    it('a bare ${x} of "yes" is false (Boolean.valueOf); of 1, or text around an expression, an error naming the flow', async () => {
      expect((await start(gate('${x}'), { x: 'yes' })).waiting()).toEqual(['userTask:b']);
      await expect(start(gate('${x}'), { x: 1 })).rejects.toThrow(ProcessRunError);
      await expect(start(gate('${x}'), { x: 1 })).rejects.toThrow(/连线 yes/);
      await expect(start(gate('ok ${x}'), { x: true })).rejects.toThrow(/连线 yes/);
    });

    it('a variable that is not set fails the step as in Camunda; execution.getVariable reads it as null; missingVariables=null relaxes a diagram', async () => {
      await expect(start(gate('${approved}'))).rejects.toThrow(/变量 approved 未设置/);
      expect((await start(gate("${execution.getVariable('approved') == null}"))).waiting()).toEqual(['userTask:a']);
      const lenient = diagram(gate('${approved}')).replace(
        '<process id="p" isExecutable="true">',
        '<process id="p" isExecutable="true"><extensionElements><camunda:properties><camunda:property name="missingVariables" value="null" /></camunda:properties></extensionElements>',
      );
      expect((await Case.start(lenient, {}, runtime)).waiting()).toEqual(['userTask:b']);
    });

    it('== compares values: two different objects are not equal', async () => {
      expect((await start(gate('${o1 == o2}'), { o1: { a: 1 }, o2: { a: 2 } })).waiting()).toEqual(['userTask:b']);
    });
  });
});
