// Delivers results in the order their work was started, whatever order the work finishes in: CONNECT
// verdicts are computed partly on the thread pool, yet must take effect (authLog order, session
// takeover by clientId, refusal counts) in the order the CONNECTs arrived, as a synchronous check would.

interface Entry {
  ready: boolean;
  deliver: () => void;
}

export class InOrder {
  private readonly queue: Entry[] = [];

  /** Starts `work` now; `deliver` gets its result once every earlier entry has been delivered. */
  run<T>(work: (finish: (result: T) => void) => void, deliver: (result: T) => void): void {
    const entry: Entry = { ready: false, deliver: () => undefined };
    this.queue.push(entry);
    try {
      work((result) => {
        if (entry.ready) return;
        entry.ready = true;
        entry.deliver = () => deliver(result);
        this.flush();
      });
    } catch (e) {
      // Work that throws before finishing must not hold back every later entry.
      if (!entry.ready) {
        entry.ready = true;
        this.flush();
      }
      throw e;
    }
  }

  private flush(): void {
    while (this.queue.length > 0 && this.queue[0].ready) this.queue.shift()!.deliver();
  }
}
