// Style sheets imported as text (`with { loader: 'text' }`) by bpmn-styles.ts.
declare module 'bpmn-js/dist/assets/*.css' {
  const css: string;
  export default css;
}
