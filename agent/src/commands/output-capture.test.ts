import { describe, expect, it } from 'vitest';
import { OutputCapture, STDERR_TAIL_CHARS, STDOUT_TAIL_CHARS, TailBuffer } from './output-capture';

describe('TailBuffer', () => {
  it('keeps everything under the limit', () => {
    const buffer = new TailBuffer(10);
    buffer.append('abc');
    buffer.append('def');
    expect([buffer.value, buffer.truncated]).toEqual(['abcdef', false]);
  });

  it('keeps the tail and flags truncation once over the limit', () => {
    const buffer = new TailBuffer(5);
    buffer.append('1234');
    buffer.append('56789');
    expect([buffer.value, buffer.truncated]).toEqual(['56789', true]);
  });
});

describe('OutputCapture', () => {
  it('caps stdout and stderr at the SSM limits', () => {
    const capture = new OutputCapture();
    capture.appendStdout('x'.repeat(STDOUT_TAIL_CHARS + 100) + 'END');
    capture.appendStderr('e'.repeat(STDERR_TAIL_CHARS - 1));
    const output = capture.snapshot();
    expect(output.stdout).toHaveLength(STDOUT_TAIL_CHARS);
    expect(output.stdout.endsWith('END')).toBe(true);
    expect(output.stderr).toHaveLength(STDERR_TAIL_CHARS - 1);
    expect(output.truncated).toBe(true);
  });

  it('is not truncated when both streams fit, and counts versions', () => {
    const capture = new OutputCapture();
    expect(capture.version).toBe(0);
    capture.appendStdout('ok\n');
    capture.appendStderr('warn\n');
    expect(capture.version).toBe(2);
    expect(capture.snapshot()).toEqual({ stdout: 'ok\n', stderr: 'warn\n', truncated: false });
  });
});
