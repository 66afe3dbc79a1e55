// The bpmn-js viewer's style sheets, as text (Angular's esbuild `loader: 'text'`), in the diagram's lazy chunk only.
import diagramCss from 'bpmn-js/dist/assets/diagram-js.css' with { loader: 'text' };
import bpmnCss from 'bpmn-js/dist/assets/bpmn-js.css' with { loader: 'text' };

const ID = 'zw-bpmn-js-styles';

/** Adds the sheets to the document once. */
export function loadBpmnStyles(): void {
  if (document.getElementById(ID)) return;
  const style = document.createElement('style');
  style.id = ID;
  style.textContent = `${diagramCss}\n${bpmnCss}`;
  document.head.appendChild(style);
}
