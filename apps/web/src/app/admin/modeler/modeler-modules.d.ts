// Type stubs for the modeler's lazily loaded libraries, which ship JavaScript only.
/* eslint-disable @typescript-eslint/no-explicit-any -- these libraries have no types; each use site narrows them. */

declare module '@bpmn-io/properties-panel' {
  // Preact components and helpers; their props are documented in the library's README.
  export const SelectEntry: any;
  export const TextFieldEntry: any;
  export function isSelectEntryEdited(node: unknown): boolean;
  export function isTextFieldEntryEdited(node: unknown): boolean;
}

declare module 'bpmn-js-properties-panel' {
  export const BpmnPropertiesPanelModule: any;
  export const BpmnPropertiesProviderModule: any;
  export const CamundaPlatformPropertiesProviderModule: any;
  /** A service of the modeler's injector, inside a properties panel entry. */
  export function useService(name: string): unknown;
}

declare module 'camunda-bpmn-js-behaviors/lib/camunda-platform' {
  const module: any;
  export default module;
}

declare module 'camunda-bpmn-moddle/resources/camunda.json' {
  const descriptor: object;
  export default descriptor;
}

declare module '@bpmn-io/properties-panel/dist/assets/properties-panel.css' {
  const css: string;
  export default css;
}
