// A counting semaphore: at most `limit` tasks hold a slot at once. A freed slot goes to the
// waiting task of the lowest priority number, and among equals to the one that came first.
// Callers that share a limiter take priorities from ticket(): an account's later calls carry the
// ticket it took when it started, so the accounts begun first are finished first.

interface Waiter {
  readonly priority: number;
  readonly seq: number;
  readonly resolve: () => void;
}

export class Limiter {
  private active = 0;
  private seq = 0;
  private tickets = 0;
  /** Waiting tasks as a binary min-heap by (priority, arrival). */
  private readonly waiting: Waiter[] = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  /** A priority after every one handed out before it (and after 0, the most urgent). */
  ticket(): number {
    return ++this.tickets;
  }

  async run<T>(task: () => Promise<T>, priority = 0): Promise<T> {
    if (this.active >= this.limit)
      await new Promise<void>((resolve) => this.push({ priority, seq: this.seq++, resolve }));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.pop();
      if (next) next.resolve();
      else this.active--;
    }
  }

  private before(a: Waiter, b: Waiter): boolean {
    return a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq);
  }

  private push(w: Waiter): void {
    const h = this.waiting;
    h.push(w);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Waiter | undefined {
    const h = this.waiting;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
