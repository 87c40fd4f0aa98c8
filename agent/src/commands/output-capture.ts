// Keeps only the tail of a command's output, as SSM does: stdout up to 24,000 characters,
// stderr up to 8,000, and a flag when anything was dropped.

export const STDOUT_TAIL_CHARS = 24_000;
export const STDERR_TAIL_CHARS = 8_000;

export interface CommandOutput {
  stdout: string;
  stderr: string;
  truncated: boolean;
}

export class TailBuffer {
  private text = '';
  private dropped = false;

  constructor(private readonly limit: number) {}

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit) {
      this.text = this.text.slice(this.text.length - this.limit);
      this.dropped = true;
    }
  }

  get value(): string {
    return this.text;
  }

  get truncated(): boolean {
    return this.dropped;
  }
}

export class OutputCapture {
  private readonly stdout = new TailBuffer(STDOUT_TAIL_CHARS);
  private readonly stderr = new TailBuffer(STDERR_TAIL_CHARS);
  private revision = 0;

  appendStdout(chunk: string): void {
    this.stdout.append(chunk);
    this.revision += 1;
  }

  appendStderr(chunk: string): void {
    this.stderr.append(chunk);
    this.revision += 1;
  }

  /** Increases with every append; lets the streamer skip writes when nothing is new. */
  get version(): number {
    return this.revision;
  }

  snapshot(): CommandOutput {
    return {
      stdout: this.stdout.value,
      stderr: this.stderr.value,
      truncated: this.stdout.truncated || this.stderr.truncated,
    };
  }
}
