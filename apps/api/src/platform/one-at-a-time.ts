/**
 * Runs work one after another, in the order it was asked for; a failure does not stop the work after it. For a
 * connection shared by concurrent callers: pg's own queueing of a query sent while another runs is deprecated (it goes
 * in pg 9).
 */
export class OneAtATime {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const run = this.last.then(work);
    this.last = run.catch(() => undefined);
    return run;
  }
}
