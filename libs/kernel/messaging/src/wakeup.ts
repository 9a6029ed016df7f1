/** A poll interval that can be cut short: `wait` resolves at the timeout or on `wake`. */
export class Wakeup {
  private waiters: (() => void)[] = [];
  private pending = false;

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }

  wake(): void {
    if (this.waiters.length === 0) this.pending = true;
    for (const waiter of [...this.waiters]) waiter();
  }
}
