// Lints one BPMN XML read from stdin with the rules of .bpmnlintrc and prints
// {"findings":[{rule,elementId,message,category}],"xml":string|null,"notes":[...]} as JSON; xml is set
// when the stored diagram differs from the input: a layout (DI) was generated because there was none,
// so that hand-written diagrams can still be shown and highlighted in the browser, or layout shapes
// pointing at no model element were dropped. notes say which (they become deployment warnings).
// Runs as its own process because bpmnlint and bpmn-auto-layout depend on ESM-only min-dash, which
// jest's module loader cannot require.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
const BpmnModdle = require('bpmn-moddle');
const { layoutProcess } = require('bpmn-auto-layout');

const CONFIG = JSON.parse(readFileSync(join(__dirname, '..', '.bpmnlintrc'), 'utf8'));

/** Hand-written XML often omits <incoming>/<outgoing>; the layouter follows only those. */
function linkFlows(container) {
  for (const el of container.flowElements ?? []) {
    if (el.$type === 'bpmn:SequenceFlow' && el.sourceRef && el.targetRef) {
      const out = el.sourceRef.get('outgoing');
      const inc = el.targetRef.get('incoming');
      if (!out.includes(el)) out.push(el);
      if (!inc.includes(el)) inc.push(el);
    }
    if (el.flowElements) linkFlows(el);
  }
}

/** Layout shapes and edges whose bpmnElement did not resolve (Camunda ignores them; so does the browser once they are gone). */
function dropDanglingDi(warnings) {
  let dropped = 0;
  for (const { element } of warnings) {
    if (!element || !/^bpmndi:/.test(element.$type) || element.bpmnElement) continue;
    const plane = element.$parent;
    const list = plane && plane.planeElement;
    const at = list ? list.indexOf(element) : -1;
    if (at >= 0) {
      list.splice(at, 1);
      dropped++;
    }
  }
  return dropped;
}

async function main(xml) {
  const moddle = new BpmnModdle();
  const parsed = await moddle.fromXML(xml);
  let { rootElement } = parsed;
  let stored = null;
  const notes = [];
  if (dropDanglingDi(parsed.warnings) > 0) stored = (await moddle.toXML(rootElement, { format: true })).xml;
  if (!rootElement.diagrams || rootElement.diagrams.length === 0) {
    for (const root of rootElement.rootElements ?? []) if (root.$type === 'bpmn:Process') linkFlows(root);
    const linked = (await moddle.toXML(rootElement, { format: true })).xml;
    try {
      stored = await layoutProcess(linked);
      rootElement = (await new BpmnModdle().fromXML(stored)).rootElement;
      notes.push({ rule: 'layout-generated', message: '流程图没有布局（bpmndi），已自动生成' });
    } catch (error) {
      notes.push({
        rule: 'layout-failed',
        message: `流程图没有布局（bpmndi），自动布局失败：${error && error.message ? error.message : error}；浏览器中将无法显示流程图`,
      });
    }
  }
  const results = await new Linter({ config: CONFIG, resolver: new NodeResolver() }).lint(rootElement);
  const findings = Object.entries(results).flatMap(([rule, reports]) =>
    reports.map((r) => ({ rule, elementId: r.id, message: r.message, category: r.category })),
  );
  return { findings, xml: stored, notes };
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () =>
  main(input).then(
    (out) => process.stdout.write(JSON.stringify(out)),
    (error) => {
      process.stderr.write(String(error && error.message ? error.message : error));
      process.exitCode = 1;
    },
  ),
);
