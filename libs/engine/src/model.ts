/**
 * The executable graph of one process, read once at deployment from the parsed diagram: what the
 * runtime steps. Plain data with ids only; a case's state refers to it by id and never copies it.
 */

export type EventDefinition =
  | { kind: 'message'; messageName?: string }
  | { kind: 'timer'; timer: 'timeDate' | 'timeDuration' | 'timeCycle'; body: string }
  | { kind: 'signal'; signalName: string }
  | { kind: 'error'; errorCode?: string; errorMessage?: string; codeVariable?: string; messageVariable?: string }
  | { kind: 'escalation'; escalationCode?: string }
  | { kind: 'terminate' }
  | { kind: 'link'; linkName: string };

/** A value of a `camunda:inputParameter` / `outputParameter` (text with expressions, list, map, or nothing). */
export type ParameterValue =
  { t: 'text'; v: string } | { t: 'list'; items: ParameterValue[] } | { t: 'map'; entries: [string, ParameterValue][] } | { t: 'null' };

export interface Parameter {
  name: string;
  value: ParameterValue;
}

/** A `camunda:in` / `camunda:out` of a call activity. */
export interface Mapping {
  source?: string;
  sourceExpression?: string;
  target?: string;
  all?: boolean;
  local?: boolean;
  businessKey?: string;
}

export interface FlowNode {
  id: string;
  type: string;
  name?: string;
  /** The id of the process or sub-process the node sits in. */
  scope: string;
  incoming: string[];
  outgoing: string[];
  defaultFlow?: string;
  event?: EventDefinition;
  /** Boundary events: the activity they are attached to and whether they interrupt it. */
  attachedTo?: string;
  /** Boundary events (cancelActivity) and event sub-process starts (isInterrupting). */
  interrupting?: boolean;
  /** Activities: the boundary events attached to them. */
  boundary: string[];
  /** Containers (process, sub-process): their start events and event sub-processes. */
  starts?: string[];
  eventSubProcesses?: string[];
  triggeredByEvent?: boolean;
  /** An external task's topic (service/send tasks, message throw events implemented as external tasks). */
  topic?: string;
  io?: { inputs: Parameter[]; outputs: Parameter[] };
  callIn?: Mapping[];
  callOut?: Mapping[];
}

export interface Flow {
  id: string;
  source: string;
  target: string;
  condition?: string;
}

export interface ProcessModel {
  id: string;
  nodes: ReadonlyMap<string, FlowNode>;
  flows: ReadonlyMap<string, Flow>;
  /** For converging inclusive gateways: the nodes of the same scope from which a token can still reach them. */
  reaches(gatewayId: string): ReadonlySet<string>;
  /** Link catch events by scope and link name. */
  linkTarget(scope: string, linkName: string): string | undefined;
}

/** The parts of a moddle element the model reads. */
export interface ModdleNode {
  $type: string;
  id?: string;
  name?: string;
  $parent?: ModdleNode;
  get(name: string): unknown;
  [key: string]: unknown;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function extensions(element: ModdleNode): ModdleNode[] {
  return ((element.extensionElements as { values?: ModdleNode[] } | undefined)?.values ?? []) as ModdleNode[];
}

function parameterValue(param: ModdleNode | undefined): ParameterValue {
  if (!param) return { t: 'null' };
  const definition = param.definition as ModdleNode | undefined;
  if (definition?.$type === 'camunda:List')
    return { t: 'list', items: ((definition.items as ModdleNode[] | undefined) ?? []).map((i) => itemValue(i)) };
  if (definition?.$type === 'camunda:Map')
    return {
      t: 'map',
      entries: ((definition.entries as ModdleNode[] | undefined) ?? []).map((e) => [String(e.key ?? ''), parameterValue(e)]),
    };
  const text = typeof param.value === 'string' ? param.value : undefined;
  return text === undefined ? { t: 'null' } : { t: 'text', v: text };
}

function itemValue(item: ModdleNode): ParameterValue {
  if (item.$type === 'camunda:Value') return typeof item.value === 'string' ? { t: 'text', v: item.value } : { t: 'null' };
  return parameterValue({ ...item, definition: item, get: item.get } as ModdleNode);
}

function readIo(element: ModdleNode): FlowNode['io'] {
  const io = extensions(element).find((e) => e.$type === 'camunda:InputOutput');
  if (!io) return undefined;
  const read = (list: unknown): Parameter[] =>
    ((list as ModdleNode[] | undefined) ?? []).map((p) => ({ name: String(p.name ?? ''), value: parameterValue(p) }));
  const inputs = read(io.inputParameters);
  const outputs = read(io.outputParameters);
  return inputs.length + outputs.length > 0 ? { inputs, outputs } : undefined;
}

function readMappings(element: ModdleNode, type: 'camunda:In' | 'camunda:Out'): Mapping[] {
  return extensions(element)
    .filter((e) => e.$type === type)
    .map((e) => ({
      source: str(e.source),
      sourceExpression: str(e.sourceExpression),
      target: str(e.target),
      all: e.variables === 'all',
      local: e.local === true,
      businessKey: str(e.businessKey),
    }));
}

function eventOf(element: ModdleNode, messages: Map<string, string>): EventDefinition | undefined {
  const def = ((element.eventDefinitions as ModdleNode[] | undefined) ?? [])[0];
  if (!def) return undefined;
  switch (def.$type) {
    case 'bpmn:MessageEventDefinition': {
      const ref = def.messageRef as ModdleNode | undefined;
      return { kind: 'message', messageName: ref ? (str(ref.name) ?? (ref.id ? messages.get(ref.id) : undefined) ?? ref.id) : undefined };
    }
    case 'bpmn:TimerEventDefinition': {
      for (const timer of ['timeDate', 'timeDuration', 'timeCycle'] as const) {
        const body = str((def[timer] as ModdleNode | undefined)?.body);
        if (body) return { kind: 'timer', timer, body };
      }
      return undefined;
    }
    case 'bpmn:SignalEventDefinition': {
      const ref = def.signalRef as ModdleNode | undefined;
      return { kind: 'signal', signalName: str(ref?.name) ?? ref?.id ?? '' };
    }
    case 'bpmn:ErrorEventDefinition': {
      const ref = def.errorRef as ModdleNode | undefined;
      return {
        kind: 'error',
        errorCode: ref ? (str(ref.errorCode) ?? ref.id) : undefined,
        errorMessage: str(ref?.get?.('camunda:errorMessage')) ?? str(ref?.name),
        codeVariable: str(def.get('camunda:errorCodeVariable')),
        messageVariable: str(def.get('camunda:errorMessageVariable')),
      };
    }
    case 'bpmn:EscalationEventDefinition': {
      const ref = def.escalationRef as ModdleNode | undefined;
      return { kind: 'escalation', escalationCode: ref ? (str(ref.escalationCode) ?? ref.id) : undefined };
    }
    case 'bpmn:TerminateEventDefinition':
      return { kind: 'terminate' };
    case 'bpmn:LinkEventDefinition':
      return { kind: 'link', linkName: str(def.name) ?? '' };
    default:
      return undefined;
  }
}

const CONTAINERS = new Set(['bpmn:Process', 'bpmn:SubProcess']);

/** Builds the graph of the executable process; `topics` are the external tasks' topics read by compile. */
export function buildModel(process: ModdleNode, messages: Map<string, string>, topics: ReadonlyMap<string, string>): ProcessModel {
  const nodes = new Map<string, FlowNode>();
  const flows = new Map<string, Flow>();
  const visit = (container: ModdleNode): void => {
    const node: FlowNode | undefined = nodes.get(container.id!);
    const starts: string[] = [];
    const eventSubs: string[] = [];
    for (const element of (container.flowElements as ModdleNode[] | undefined) ?? []) {
      if (element.$type === 'bpmn:SequenceFlow') {
        const condition = element.conditionExpression as ModdleNode | undefined;
        // Camunda runs a flow without an id (deployment gives it one, with a warning); so does the model.
        element.id ??= `Flow_${(element.sourceRef as ModdleNode).id}_${(element.targetRef as ModdleNode).id}_${flows.size + 1}`;
        flows.set(element.id, {
          id: element.id,
          source: (element.sourceRef as ModdleNode).id!,
          target: (element.targetRef as ModdleNode).id!,
          condition: str(condition?.body),
        });
        continue;
      }
      if (
        !element.id ||
        !/^bpmn:/.test(element.$type) ||
        element.$type === 'bpmn:DataObject' ||
        element.$type === 'bpmn:DataObjectReference'
      )
        continue;
      if (element.$type === 'bpmn:DataStoreReference') continue;
      const flowNode: FlowNode = {
        id: element.id,
        type: element.$type,
        name: str(element.name),
        scope: container.id!,
        incoming: [],
        outgoing: [],
        defaultFlow: (element.default as ModdleNode | undefined)?.id,
        event: eventOf(element, messages),
        boundary: [],
        topic: topics.get(element.id),
        io: readIo(element),
      };
      if (element.$type === 'bpmn:BoundaryEvent') {
        flowNode.attachedTo = (element.attachedToRef as ModdleNode).id;
        flowNode.interrupting = element.cancelActivity !== false;
      }
      if (element.$type === 'bpmn:StartEvent') {
        flowNode.interrupting = element.isInterrupting !== false;
        starts.push(element.id);
      }
      if (element.$type === 'bpmn:CallActivity') {
        flowNode.callIn = readMappings(element, 'camunda:In');
        flowNode.callOut = readMappings(element, 'camunda:Out');
      }
      if (element.$type === 'bpmn:SubProcess' && element.triggeredByEvent === true) {
        flowNode.triggeredByEvent = true;
        eventSubs.push(element.id);
      }
      nodes.set(element.id, flowNode);
      if (CONTAINERS.has(element.$type)) visit(element);
    }
    const holder = node ?? { id: container.id! };
    Object.assign(holder, { starts, eventSubProcesses: eventSubs });
    if (!node)
      nodes.set(container.id!, { ...(holder as FlowNode), type: container.$type, scope: '', incoming: [], outgoing: [], boundary: [] });
  };
  visit(process);
  for (const flow of flows.values()) {
    nodes.get(flow.source)?.outgoing.push(flow.id);
    nodes.get(flow.target)?.incoming.push(flow.id);
  }
  for (const node of nodes.values()) if (node.attachedTo) nodes.get(node.attachedTo)?.boundary.push(node.id);

  const reachCache = new Map<string, Set<string>>();
  const reaches = (gatewayId: string): ReadonlySet<string> => {
    let found = reachCache.get(gatewayId);
    if (found) return found;
    found = new Set<string>();
    const queue = [gatewayId];
    while (queue.length > 0) {
      const id = queue.pop()!;
      const node = nodes.get(id);
      if (!node) continue;
      for (const flowId of node.incoming) {
        const source = flows.get(flowId)!.source;
        if (found.has(source) || source === gatewayId) continue;
        found.add(source);
        queue.push(source);
      }
      // A token waiting at an activity reaches whatever its boundary events reach.
      if (node.attachedTo && !found.has(node.attachedTo)) {
        found.add(node.attachedTo);
        queue.push(node.attachedTo);
      }
    }
    reachCache.set(gatewayId, found);
    return found;
  };
  const links = new Map<string, string>();
  for (const node of nodes.values())
    if (node.type === 'bpmn:IntermediateCatchEvent' && node.event?.kind === 'link')
      links.set(`${node.scope}\u0000${node.event.linkName}`, node.id);
  return {
    id: process.id!,
    nodes,
    flows,
    reaches,
    linkTarget: (scope, linkName) => links.get(`${scope}\u0000${linkName}`),
  };
}
