// Lints one BPMN XML read from stdin with the rules of .bpmnlintrc and prints
// {"errors":[...],"xml":string|null} as JSON; xml is set when the diagram had no layout (DI) and one
// was generated, so that hand-written diagrams can still be shown and highlighted in the browser.
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

async function main(xml) {
  const moddle = new BpmnModdle();
  let { rootElement } = await moddle.fromXML(xml);
  let laidOut = null;
  if (!rootElement.diagrams || rootElement.diagrams.length === 0) {
    for (const root of rootElement.rootElements ?? []) if (root.$type === 'bpmn:Process') linkFlows(root);
    const linked = (await moddle.toXML(rootElement, { format: true })).xml;
    laidOut = await layoutProcess(linked);
    rootElement = (await new BpmnModdle().fromXML(laidOut)).rootElement;
  }
  const results = await new Linter({ config: CONFIG, resolver: new NodeResolver() }).lint(rootElement);
  const errors = Object.entries(results).flatMap(([rule, reports]) =>
    reports.filter((r) => r.category === 'error').map((r) => ({ rule, elementId: r.id, message: r.message })),
  );
  return { errors, xml: laidOut };
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
