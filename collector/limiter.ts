// A counting semaphore: at most `limit` tasks hold a slot at once. A freed slot goes to the
// waiting task of the most urgent priority (0 first), and among equals to the one that came first.

export class Limiter {
  private active = 0;
  /** Waiting tasks by priority. */
  private readonly waiting: (() => void)[][] = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>, priority = 0): Promise<T> {
    if (this.active >= this.limit)
      await new Promise<void>((resolve) => {
        this.waiting[priority] ??= [];
        this.waiting[priority].push(resolve);
      });
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.find((queue) => queue?.length)?.shift();
      if (next) next();
      else this.active--;
    }
  }
}
