import type { ObsStatus, StreamStatus } from '@vmpool/core';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { NOW } from '../../../testing/fixtures';
import { addSample, type StreamSample } from '../lib/samples';
import { describeStream, StreamChart, StreamHealthLine } from './StreamHealth';

const obs: ObsStatus = {
  connected: true,
  version: '29.0.2',
  activeFps: 30,
  renderSkippedFramesPercent: 0,
  cpuUsage: 10,
  memoryMb: 300,
  currentScene: 'Floor',
  recording: false,
  checkedAt: NOW - 3000,
};
const live: StreamStatus = {
  active: true,
  reconnecting: false,
  bitrateKbps: 2480,
  droppedFramesPercent: 1.25,
  congestion: 0,
  durationSeconds: 3723,
  checkedAt: NOW - 3000,
};

describe('StreamHealthLine', () => {
  it('shows bitrate, dropped frames and duration of a live stream', () => {
    render(<StreamHealthLine stream={live} obs={obs} now={NOW} />);
    const line = screen.getByRole('status', { name: 'Stream health' });
    expect(line.textContent).toBe('Live · 2,480 kbit/s · 1.3% dropped · 1:02:03 · just now');
    expect(line.getAttribute('data-tone')).toBe('ok');
  });

  it('says when OBS is gone, when the ingest is lost and when nothing streams', () => {
    expect(
      describeStream(
        { ...live, active: false, bitrateKbps: 0 },
        { ...obs, connected: false, detail: 'connect ECONNREFUSED' },
      ),
    ).toEqual({ text: 'OBS not connected (connect ECONNREFUSED)', tone: 'bad' });
    expect(
      describeStream({ ...live, active: false, reconnecting: true, bitrateKbps: 0 }, obs),
    ).toEqual({
      text: 'Reconnecting to the ingest · 0 kbit/s',
      tone: 'bad',
    });
    expect(describeStream({ ...live, active: false }, obs)).toEqual({
      text: 'Not streaming',
      tone: 'idle',
    });
    expect(describeStream(null, null)).toEqual({ text: 'No stream report yet', tone: 'idle' });
    expect(describeStream({ ...live, congestion: 0.8 }, obs).tone).toBe('warn');
  });
});

describe('StreamChart', () => {
  const samplesAt = (...points: [number, number, number][]): readonly StreamSample[] =>
    points.reduce<readonly StreamSample[]>(
      (samples, [ago, kbps, dropped]) =>
        addSample(samples, {
          ...live,
          checkedAt: NOW - ago,
          bitrateKbps: kbps,
          droppedFramesPercent: dropped,
        }),
      [],
    );

  it('draws the bitrate of the last minutes and marks dropped frames', () => {
    const samples = samplesAt([120_000, 2000, 0], [60_000, 3000, 2.5], [5_000, 2500, 0]);
    const { container } = render(<StreamChart samples={samples} now={NOW} />);
    const chart = screen.getByRole('img');
    expect(chart.getAttribute('aria-label')).toBe(
      'Bitrate over the last 5 minutes: 3 samples, 2,000 kbit/s to 3,000 kbit/s, at most 2.5% dropped frames',
    );
    const points = container.querySelector('polyline')?.getAttribute('points')?.split(' ') ?? [];
    expect(points).toHaveLength(3);
    // Oldest on the left, newest near the right edge; the highest bitrate highest up.
    const xy = points.map((point) => point.split(',').map(Number) as [number, number]);
    expect(xy[0]![0]).toBeLessThan(xy[1]![0]);
    expect(xy[2]![0]).toBeGreaterThan(230);
    expect(xy[1]![1]).toBeLessThan(xy[2]![1]);
    expect(container.querySelectorAll('circle.stream-chart-drop')).toHaveLength(1);
  });

  it('leaves out samples older than the window and waits for two samples', () => {
    const samples = samplesAt([400_000, 2000, 0], [5_000, 2500, 0]);
    render(<StreamChart samples={samples} now={NOW} />);
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByText('The chart fills while this stays open.').className).toContain(
      'stream-chart-empty',
    );
  });
});
