import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const bin = join(__dirname, '..', 'dist', 'bin.js');
const cats = resolve(__dirname, '..', '..', '..', 'examples', 'cats.jpg');

// Three real `tasam segment` processes (untimed priming, cold, warm); slow on a busy machine.
jest.setTimeout(240_000);

describe('tasam bench as a subprocess', () => {
  it('times cold and warm segment runs and reports medians as JSON', () => {
    const result = spawnSync(
      process.execPath,
      [bin, 'bench', cats, '--runs', '1', '--segment-args', '--point 240,150', '--json'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as {
      command: string[];
      runs: number;
      images: { image: string; coldMs: number; warmMs: number; coldTimings: Record<string, number> }[];
      coldMs: number;
      warmMs: number;
    };
    expect(report.command).toEqual(['tasam', 'segment', 'IMAGE', '--point', '240,150', '--json']);
    expect(report.images).toHaveLength(1);
    expect(report.images[0].image).toBe(cats);
    expect(report.images[0].coldMs).toBeGreaterThan(0);
    expect(report.images[0].warmMs).toBeGreaterThan(0);
    expect(report.coldMs).toBe(report.images[0].coldMs);
    // segment's own stage timings are carried over.
    expect(Object.keys(report.images[0].coldTimings).length).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/bench 2\/2 100%/);
  });

  it('exits 1 naming the image when segment fails', () => {
    const result = spawnSync(
      process.execPath,
      [bin, 'bench', cats, '--runs', '1', '--segment-args', '--no-such-option'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n').pop()).toBe(
      `tasam: ${cats}: tasam segment exited 2: error: unknown option '--no-such-option'`,
    );
  });

  it('stops at once on Ctrl-C, ending its running segment process, and exits 130', async () => {
    const child = spawn(process.execPath, [
      bin,
      'bench',
      cats,
      '--runs',
      '1',
      '--segment-args',
      '--everything',
    ]);
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (stderr.includes('untimed run prepares the models')) resolve();
      });
      child.on('close', () => reject(new Error(`exited early:\n${stderr}`)));
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) =>
      child.on('close', (status) => resolve(status)),
    );
    expect(code).toBe(130);
    expect(stderr).toContain(`tasam: interrupted by SIGINT; stopped while timing ${cats}`);
  });
});
