/** Samples the process's resident memory while the workflow runs, attributed to the step running. */
export class MemorySampler {
  private step = 'start';
  private stepStarted = performance.now();
  private readonly peakMiB = new Map<string, number>();
  private readonly seconds = new Map<string, number>();
  private readonly timer = setInterval(() => this.sample(), 200);

  enter(step: string): void {
    this.sample();
    this.close();
    this.step = step;
    process.stderr.write(
      `${new Date().toISOString().slice(11, 19)} ${step} (RSS ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MiB)\n`,
    );
  }

  stop(): void {
    this.sample();
    this.close();
    clearInterval(this.timer);
  }

  secondsIn(step: string): number {
    return this.seconds.get(step) ?? 0;
  }

  /** Highest RSS seen in each step, in MiB (sampled: the process's own peak is `maxRSS`). */
  peaks(): Record<string, number> {
    return Object.fromEntries(this.peakMiB);
  }

  private sample(): void {
    const rss = Math.round(process.memoryUsage.rss() / 2 ** 20);
    this.peakMiB.set(this.step, Math.max(this.peakMiB.get(this.step) ?? 0, rss));
  }

  private close(): void {
    const now = performance.now();
    this.seconds.set(this.step, (this.seconds.get(this.step) ?? 0) + (now - this.stepStarted) / 1000);
    this.stepStarted = now;
  }
}
