// The properties panel's style sheet, as text (Angular's esbuild `loader: 'text'`), in the modeler's lazy chunk
// only: as a component style it would exceed the per-component budget.
import panelCss from '@bpmn-io/properties-panel/dist/assets/properties-panel.css' with {
  loader: 'text',
};

const ID = 'zw-properties-panel-styles';

/** Adds the sheet to the document once. */
export function loadModelerStyles(): void {
  if (document.getElementById(ID)) return;
  const style = document.createElement('style');
  style.id = ID;
  style.textContent = panelCss;
  document.head.appendChild(style);
}
