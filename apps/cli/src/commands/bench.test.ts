import { captureIO } from '../../test/capture-io';
import { ExitCode } from '../exit-codes';
import { runCli } from '../program';
import { median, splitArgs } from './bench';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

describe('splitArgs', () => {
  it('splits on spaces and keeps quoted words together', () => {
    expect(splitArgs('--everything')).toEqual(['--everything']);
    expect(splitArgs('  --task "segment all cats"  --point 1,2 ')).toEqual([
      '--task',
      'segment all cats',
      '--point',
      '1,2',
    ]);
    expect(splitArgs("--task 'red apples'")).toEqual(['--task', 'red apples']);
    expect(splitArgs('')).toEqual([]);
  });
});

describe('tasam bench usage', () => {
  it.each([
    [['--runs', '0'], "error: option '--runs <n>' argument '0' is invalid."],
    [['--frob'], "error: unknown option '--frob'"],
  ])('rejects %j with exit 2', async (args, message) => {
    const io = captureIO();
    expect(await runCli(['bench', ...args], io)).toBe(ExitCode.usage);
    expect(io.err().split('\n')[0]).toContain(message);
    expect(io.err()).toContain('Usage: tasam bench [options] [images...]');
  });
});
