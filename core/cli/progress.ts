// A one-line progress bar on stderr, drawn only when stderr is a terminal.
export class ProgressBar {
  private last = 0;
  private drawn = false;
  constructor(private readonly label: string, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(done: number, total: number, detail = ''): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    this.stream.write(`\r${this.label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${detail}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
