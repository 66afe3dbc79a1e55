import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { toTypedVariables, type TypedValue, type VariableTypes } from './camunda-variables';

export interface FetchTopic {
  topicName: string;
  lockDuration: number;
  variables?: string[] | null;
  processDefinitionKey?: string;
}

export interface LockedExternalTask {
  activityId: string;
  activityInstanceId: string;
  errorMessage: string | null;
  errorDetails: string | null;
  executionId: string;
  id: string;
  lockExpirationTime: string;
  processDefinitionId: string;
  processDefinitionKey: string;
  processInstanceId: string;
  tenantId: null;
  retries: number | null;
  suspended: false;
  workerId: string;
  topicName: string;
  priority: number;
  businessKey: string | null;
  extensionProperties: Record<string, string>;
  variables: Record<string, TypedValue>;
}

export interface ExternalRow {
  id: string;
  instance_id: string;
  wait_id: string;
  activity_id: string;
  topic: string;
  definition_key: string;
  business_key: string | null;
  priority: number;
  retries: number | null;
  error_message: string | null;
  error_details: string | null;
  worker_id: string | null;
  lock_expires_at: Date | null;
  status: string;
}

/** How many transactions (BEGIN, then savepoints) the runner is inside; TypeORM keeps it protected. */
function depthOf(runner: QueryRunner): number {
  return (runner as unknown as { transactionDepth: number }).transactionDepth;
}

/** A locked row as Camunda's fetchAndLock answers it (one shape for a fetch and a direct hand-off). */
export function toLocked(row: ExternalRow, variables: Record<string, TypedValue>, definitionId: string): LockedExternalTask {
  return {
    activityId: row.activity_id,
    activityInstanceId: row.wait_id,
    errorMessage: row.error_message,
    errorDetails: row.error_details,
    executionId: row.wait_id,
    id: row.id,
    lockExpirationTime: (row.lock_expires_at ?? new Date()).toISOString(),
    processDefinitionId: definitionId,
    processDefinitionKey: row.definition_key,
    processInstanceId: row.instance_id,
    tenantId: null,
    retries: row.retries,
    suspended: false,
    workerId: row.worker_id ?? '',
    topicName: row.topic,
    priority: row.priority,
    businessKey: row.business_key,
    extensionProperties: {},
    variables,
  };
}

/** What a parked long poll asked for. `signal`: aborted when its HTTP request is gone. */
export interface ParkedRequest {
  workerId: string;
  maxTasks: number;
  topics: FetchTopic[];
  signal?: AbortSignal;
}

/** The case as the creating transaction last wrote it: the handed task's variables come from here, not a read. */
export interface CaseSnapshot {
  variables: Record<string, unknown>;
  variableTypes: VariableTypes;
  definitionId: string;
}

/** One long poll of this process, parked between fetches. */
export class ParkedPoll {
  /** parked: may be reserved; reserved: one transaction holds it until it ends; left: neither. */
  state: 'parked' | 'reserved' | 'left' = 'parked';
  room: number;
  batch?: Batch;
  private onReserved!: () => void;
  private onSettled!: (tasks: LockedExternalTask[]) => void;
  /** Resolves when a transaction reserves this poll. */
  readonly reserved = new Promise<void>((resolve) => (this.onReserved = resolve));
  /** After a reservation: the tasks handed at commit, or none (rolled back, or the commit's outcome unknown). */
  readonly outcome = new Promise<LockedExternalTask[]>((resolve) => (this.onSettled = resolve));

  constructor(
    readonly request: ParkedRequest,
    private readonly leaveQueue: () => void,
  ) {
    this.room = request.maxTasks;
  }

  reserve(batch: Batch): void {
    this.state = 'reserved';
    this.batch = batch;
    this.leaveQueue();
    this.onReserved();
  }

  settle(tasks: LockedExternalTask[]): void {
    if (this.state !== 'reserved') return;
    this.state = 'left';
    this.batch = undefined;
    this.onSettled(tasks);
  }
}

interface Reservation {
  poll: ParkedPoll;
  topic: FetchTopic;
  /** The transaction depth (savepoints) the task was inserted at: a rollback to below it takes the task back. */
  depth: number;
  row?: ExternalRow;
}

/** The hand-offs one transaction has made, delivered when it commits. */
interface Batch {
  runner: QueryRunner;
  reservations: Reservation[];
  cases: Map<string, CaseSnapshot>;
}

/** What the creating transaction inserts for a reserved task: the lock, and where to report the row. */
export interface HandOffClaim {
  workerId: string;
  lockDuration: number;
  /** The row inserted (locked to the worker), with the case as this transaction holds it. */
  hold(row: ExternalRow, snapshot: CaseSnapshot): void;
  /** No row was inserted (it existed): the slot is given back. */
  drop(): void;
}

/**
 * The direct hand-off: a transaction of this process that creates an external task a parked long poll of this process
 * would take inserts it already locked to that poll's worker, and the poll is answered after COMMIT from the state the
 * transaction holds (no NOTIFY, no fetch statement). A rollback hands nothing: the poll looks again. Tasks no local poll
 * takes are inserted unlocked with their NOTIFY, as before, for other processes and later polls.
 */
@Injectable()
export class ExternalTaskHandOff implements OnModuleInit {
  /** Parked polls, oldest first. */
  private readonly parked: ParkedPoll[] = [];
  private readonly batches = new WeakMap<QueryRunner, Batch>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit: ({ queryRunner }) => this.committed(queryRunner),
      afterTransactionRollback: ({ queryRunner }) => this.rolledBack(queryRunner),
    };
    this.dataSource.subscribers.push(subscriber);
  }

  /** Parks a poll until `leave`. `onReserved`: the poll is taken out of the NOTIFY queue. */
  park(request: ParkedRequest, onReserved: () => void): ParkedPoll {
    const poll = new ParkedPoll(request, () => {
      this.unqueue(poll);
      onReserved();
    });
    this.parked.push(poll);
    return poll;
  }

  /** The poll stops waiting; true when a transaction reserved it first (its outcome is then awaited). */
  leave(poll: ParkedPoll): boolean {
    if (poll.state === 'parked') {
      poll.state = 'left';
      this.unqueue(poll);
    }
    return poll.state === 'reserved';
  }

  private unqueue(poll: ParkedPoll): void {
    const at = this.parked.indexOf(poll);
    if (at >= 0) this.parked.splice(at, 1);
  }

  /**
   * A parked poll that takes a new task of `topic` in a case of `definitionKey`, reserved for this transaction: one this
   * transaction has not reserved yet (the oldest), else one it reserved that has room. None outside a transaction.
   */
  claim(m: EntityManager, topic: string, definitionKey: string): HandOffClaim | undefined {
    const runner = m.queryRunner;
    if (!runner || runner.isReleased || !runner.isTransactionActive) return undefined;
    const batch = this.batches.get(runner);
    const takes = (poll: ParkedPoll) =>
      poll.request.topics.find((t) => t.topicName === topic && (t.processDefinitionKey ?? definitionKey) === definitionKey);
    let chosen: { poll: ParkedPoll; topic: FetchTopic } | undefined;
    for (const poll of this.parked) {
      const wanted = takes(poll);
      if (!wanted) continue;
      // A closed request gets no lock: the task would sit locked until lockDuration.
      if (poll.request.signal?.aborted) continue;
      chosen = { poll, topic: wanted };
      break;
    }
    if (!chosen && batch) {
      for (const r of batch.reservations) {
        const wanted = takes(r.poll);
        if (wanted && r.poll.room > 0 && r.poll.state === 'reserved' && !r.poll.request.signal?.aborted) {
          chosen = { poll: r.poll, topic: wanted };
          break;
        }
      }
    }
    if (!chosen) return undefined;
    const own = batch ?? { runner, reservations: [], cases: new Map<string, CaseSnapshot>() };
    this.batches.set(runner, own);
    const { poll } = chosen;
    if (poll.state === 'parked') poll.reserve(own);
    poll.room -= 1;
    const reservation: Reservation = { poll, topic: chosen.topic, depth: depthOf(runner) };
    own.reservations.push(reservation);
    return {
      workerId: poll.request.workerId,
      lockDuration: chosen.topic.lockDuration,
      hold: (row, snapshot) => {
        reservation.row = row;
        own.cases.set(row.instance_id, snapshot);
      },
      drop: () => this.release(own, [reservation]),
    };
  }

  /** The transaction wrote the case's variables again: a task handed from it carries the newer ones. */
  noteCase(m: EntityManager, instanceId: string, snapshot: Omit<CaseSnapshot, 'definitionId'>): void {
    const batch = m.queryRunner ? this.batches.get(m.queryRunner) : undefined;
    const known = batch?.cases.get(instanceId);
    if (known) batch?.cases.set(instanceId, { ...known, ...snapshot });
  }

  /** The transaction closed open external tasks of the case (all, or those of `waitIds`): a closed task is not handed. */
  noteClosed(m: EntityManager, instanceId: string, waitIds?: (waitId: string) => boolean): void {
    const batch = m.queryRunner ? this.batches.get(m.queryRunner) : undefined;
    if (!batch) return;
    const closed = batch.reservations.filter((r) => r.row?.instance_id === instanceId && (!waitIds || waitIds(r.row.wait_id)));
    // Its row is closed in the same transaction; the lock it carries does no harm.
    this.release(batch, closed);
  }

  /** Takes reservations back; a poll left without any in the batch looks again (it may have missed a NOTIFY). */
  private release(batch: Batch, gone: Reservation[]): void {
    if (gone.length === 0) return;
    batch.reservations = batch.reservations.filter((r) => !gone.includes(r));
    for (const r of gone) {
      r.poll.room += 1;
      if (!batch.reservations.some((other) => other.poll === r.poll)) r.poll.settle([]);
    }
  }

  private committed(runner: QueryRunner): void {
    const batch = this.batches.get(runner);
    if (!batch) return;
    const depth = depthOf(runner);
    if (depth > 0) {
      // A savepoint released: what was inserted inside it now stands or falls with the enclosing level.
      for (const r of batch.reservations) r.depth = Math.min(r.depth, depth);
      return;
    }
    this.batches.delete(runner);
    const handed = new Map<ParkedPoll, LockedExternalTask[]>();
    for (const r of batch.reservations) {
      const tasks = handed.get(r.poll) ?? [];
      handed.set(r.poll, tasks);
      const snapshot = r.row && batch.cases.get(r.row.instance_id);
      if (!r.row || !snapshot) continue;
      const variables = toTypedVariables(snapshot.variables, snapshot.variableTypes, r.topic.variables ?? null);
      tasks.push(toLocked(r.row, variables, snapshot.definitionId));
    }
    for (const [poll, tasks] of handed) poll.settle(tasks);
  }

  private rolledBack(runner: QueryRunner): void {
    const batch = this.batches.get(runner);
    if (!batch) return;
    const depth = depthOf(runner);
    this.release(
      batch,
      batch.reservations.filter((r) => r.depth > depth),
    );
    if (depth === 0) this.batches.delete(runner);
  }

  /**
   * The poll's reserving transaction ended without either event (its connection died in COMMIT): the poll stops waiting
   * for it. If the COMMIT did land, the task stays locked until lockDuration, as any fetch answer lost on the way.
   */
  abandonIfGone(poll: ParkedPoll): void {
    const batch = poll.batch;
    if (!batch?.runner.isReleased) return;
    this.release(
      batch,
      batch.reservations.filter((r) => r.poll === poll),
    );
  }
}
