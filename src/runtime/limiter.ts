// Bounds how many asynchronous tasks run at once, e.g. the operator's initial lists: each kind's
// list holds pages of full objects until they are shaped, so twenty kinds listed at once hold
// twenty kinds' worth of pages and their garbage at the same moment.

/** Runs tasks with at most `limit` of them in flight; the others wait in arrival order. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`limiter: limit must be a positive integer, not ${limit}`);
  }

  /** Tasks running now and tasks waiting for a slot (for tests and metrics). */
  get size(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  /** Runs `task` once a slot is free; its result or error is returned, and the slot is freed either way. */
  async run<R>(task: () => Promise<R>): Promise<R> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so a task arriving meanwhile cannot take it first.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
