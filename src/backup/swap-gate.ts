// A barrier for the parts of one restore: each part waits here after its load and before its swap,
// and all go on only once every part has loaded. If any part fails, every waiting part is released
// with that failure, so it discards its scratch copy instead of swapping it in.

/** Lets `parties` loads wait for each other before swapping. */
export class SwapGate {
  private arrived = 0;
  private failure: Error | undefined;
  private readonly waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(private readonly parties: number) {}

  /** Waits until every party has arrived; rejects once any party failed. */
  arrive(): Promise<void> {
    if (this.failure) return Promise.reject(new Error(`not swapped in: another part of the restore failed: ${this.failure.message}`));
    this.arrived++;
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (this.arrived === this.parties) for (const w of this.waiting.splice(0)) w.resolve();
    });
  }

  /** Records a failed party and releases the waiting ones with it. */
  fail(e: Error): void {
    if (this.failure || this.arrived === this.parties) return;
    this.failure = e;
    for (const w of this.waiting.splice(0)) w.reject(new Error(`not swapped in: another part of the restore failed: ${e.message}`));
  }
}
