/**
 * Samples the process's resident memory while the workflow runs, attributed to the step running,
 * and the CPU time each step used (user and system, every thread: DuckDB's and the gate's workers),
 * which a shared machine's load does not inflate as it does wall time.
 */
export class MemorySampler {
  private step = 'start';
  private stepStarted = performance.now();
  private cpuAtStepStart = process.cpuUsage();
  private readonly cpu = new Map<string, number>();
  private readonly peakMiB = new Map<string, number>();
  /** Node's share of the RSS: the V8 heap and buffers outside it (the rest is DuckDB and code). */
  private readonly peakNodeMiB = new Map<string, number>();
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

  /** CPU seconds (user + system) used in each step. */
  cpuSeconds(): Record<string, number> {
    return Object.fromEntries([...this.cpu].map(([step, s]) => [step, Math.round(s * 100) / 100]));
  }

  /** Highest RSS seen in each step, in MiB (sampled: the process's own peak is `maxRSS`). */
  peaks(): Record<string, number> {
    return Object.fromEntries(this.peakMiB);
  }

  /** Highest V8 heap plus external buffers seen in each step, in MiB. */
  nodePeaks(): Record<string, number> {
    return Object.fromEntries(this.peakNodeMiB);
  }

  private sample(): void {
    const rss = Math.round(process.memoryUsage.rss() / 2 ** 20);
    this.peakMiB.set(this.step, Math.max(this.peakMiB.get(this.step) ?? 0, rss));
    const { heapUsed, external } = process.memoryUsage();
    const node = Math.round((heapUsed + external) / 2 ** 20);
    this.peakNodeMiB.set(this.step, Math.max(this.peakNodeMiB.get(this.step) ?? 0, node));
  }

  private close(): void {
    const now = performance.now();
    this.seconds.set(this.step, (this.seconds.get(this.step) ?? 0) + (now - this.stepStarted) / 1000);
    this.stepStarted = now;
    const used = process.cpuUsage(this.cpuAtStepStart);
    this.cpu.set(this.step, (this.cpu.get(this.step) ?? 0) + (used.user + used.system) / 1e6);
    this.cpuAtStepStart = process.cpuUsage();
  }
}
