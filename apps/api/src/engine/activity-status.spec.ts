import { compileDefinition } from '@zhengwu/engine';
import { activityStatus, passedOver } from './activity-status';

describe('an element’s status from its history', () => {
  it('counts only ends as completed and discards as skipped', () => {
    expect(activityStatus({ activity_id: 'provide', started: 0, ended: 0, discarded: 1 }, true)).toEqual({
      activityId: 'provide',
      active: 0,
      completed: 0,
      skipped: 1,
    });
    expect(activityStatus({ activity_id: 'review', started: 2, ended: 1, discarded: 0 }, true)).toEqual({
      activityId: 'review',
      active: 1,
      completed: 1,
      skipped: 0,
    });
  });

  it('shows nothing as active on an ended case: a start without an outcome was cancelled with it', () => {
    expect(activityStatus({ activity_id: 'late', started: 1, ended: 0, discarded: 0 }, false)).toEqual({
      activityId: 'late',
      active: 0,
      completed: 0,
      skipped: 1,
    });
  });
});

describe('what a case has passed over', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t">
<process id="p" isExecutable="true"><startEvent id="s" /><sequenceFlow id="f0" sourceRef="s" targetRef="check" /><userTask id="check" />
<boundaryEvent id="late" attachedToRef="check"><timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition></boundaryEvent>
<sequenceFlow id="f1" sourceRef="late" targetRef="urged" /><endEvent id="urged" />
<sequenceFlow id="f2" sourceRef="check" targetRef="gw" /><exclusiveGateway id="gw" default="f4" />
<sequenceFlow id="f3" sourceRef="gw" targetRef="provide"><conditionExpression>\${ok}</conditionExpression></sequenceFlow><sequenceFlow id="f4" sourceRef="gw" targetRef="sub" />
<userTask id="provide" /><sequenceFlow id="f5" sourceRef="provide" targetRef="e" /><endEvent id="e" />
<subProcess id="sub"><startEvent id="ss" /><sequenceFlow id="g0" sourceRef="ss" targetRef="inner" /><userTask id="inner" /><sequenceFlow id="g1" sourceRef="inner" targetRef="se" /><endEvent id="se" /></subProcess>
<sequenceFlow id="f6" sourceRef="sub" targetRef="tell" /><userTask id="tell" /><sequenceFlow id="f7" sourceRef="tell" targetRef="e" />
</process></definitions>`;
  const row = (activityId: string, active: number, completed: number) => ({ activityId, active, completed, skipped: 0 });

  it('is what can no longer be reached from where a running case stands, and on an ended case all it never reached', async () => {
    const { model } = await compileDefinition(xml);
    const runningInSub = [row('s', 0, 1), row('check', 0, 1), row('gw', 0, 1), row('sub', 1, 0), row('ss', 0, 1), row('inner', 1, 0)];
    expect(passedOver(model, runningInSub).sort()).toEqual(['late', 'provide', 'urged']);
    const atCheck = [row('s', 0, 1), row('check', 1, 0)];
    expect(passedOver(model, atCheck)).toEqual([]);
    const ended = [row('s', 0, 1), row('check', 0, 1), row('gw', 0, 1), row('provide', 0, 1), row('e', 0, 1)];
    expect(passedOver(model, ended).sort()).toEqual(['inner', 'late', 'se', 'ss', 'sub', 'tell', 'urged']);
  });
});
