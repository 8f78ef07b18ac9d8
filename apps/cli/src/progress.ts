import { Format, MultiBar, type Params, type SingleBar } from 'cli-progress';
import { type CliIO, writeLine } from './cli-context';
import type { Interrupt } from './interrupt';
import { isWorkerProcess, sendToParent } from './worker-protocol';

/**
 * How progress is shown on stderr:
 * - `bar`: a redrawn bar with rate and ETA (stderr is a TTY, colour allowed, not `--json`);
 * - `lines`: a plain line now and then and one at the end (logs, CI, Kubernetes, `--json`, NO_COLOR);
 * - `off`: nothing.
 */
export type ProgressMode = 'bar' | 'lines' | 'off';

/** Picks the progress mode for this process: bars only on an interactive stderr that allows them. */
export function progressMode(io: CliIO, options: { json?: boolean } = {}): ProgressMode {
  const stderr = io.stderr as NodeJS.WriteStream;
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  if (stderr.isTTY && !noColor && !options.json && io.env.TERM !== 'dumb') return 'bar';
  return 'lines';
}

export interface ProgressOptions {
  /** What is being done, e.g. `embedding`. */
  label: string;
  /** How many units the work has. */
  total: number;
  /** One unit, singular: `image`, `step`. */
  unit?: string;
  json?: boolean;
  /** Overrides the detected mode (tests, `--quiet`). */
  mode?: ProgressMode;
  /** In `lines` mode, at most one line this often (ms). */
  lineIntervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** While the bar is shown, the interrupt's "stopping" notice is printed above it instead of under it. */
  interrupt?: Interrupt;
}

export interface ProgressSummary {
  label: string;
  value: number;
  total: number;
  elapsedMs: number;
  /** Units per second over the whole run (0 when nothing was done). */
  rate: number;
}

/** A running progress display. Always `stop()` it (in a `finally`), or its redraw timer keeps running. */
export interface Progress {
  readonly mode: ProgressMode;
  readonly value: number;
  /** Records `by` more finished units. */
  advance(by?: number): void;
  /** Prints a line on stderr without tearing the bar. */
  log(line: string): void;
  /** Ends the display (final line in `lines` mode) and returns the totals. Idempotent. */
  stop(): ProgressSummary;
}

/** Formats seconds as `0.8s`, `12s`, `2m48s`, `1h05m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) {
    const whole = Math.round(seconds);
    return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  }
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** `12 image/s` for fast work, `3.4 s/step` for slow work, where a per-second rate would read as 0.3. */
export function formatRate(value: number, elapsedMs: number, unit: string): string {
  if (value <= 0 || elapsedMs <= 0) return `- ${unit}/s`;
  const perSecond = (value * 1000) / elapsedMs;
  if (perSecond >= 10) return `${Math.round(perSecond)} ${unit}/s`;
  if (perSecond >= 1) return `${perSecond.toFixed(1)} ${unit}/s`;
  return `${(1 / perSecond).toFixed(1)} s/${unit}`;
}

export interface ProgressState {
  label: string;
  value: number;
  total: number;
  elapsedMs: number;
  unit: string;
  /** Seconds left; computed from the overall rate when absent. */
  etaSeconds?: number;
}

/** The text of one progress line; `bar` is the drawn bar, when there is one. */
export function formatProgressLine(state: ProgressState, bar?: string): string {
  const { label, value, total, elapsedMs, unit } = state;
  const fraction = total > 0 ? Math.min(1, value / total) : 1;
  const percent = `${Math.floor(fraction * 100)}%`;
  const remaining = Math.max(0, total - value);
  const eta =
    state.etaSeconds ?? (value > 0 && elapsedMs > 0 ? (remaining * elapsedMs) / value / 1000 : Number.NaN);
  const parts = [
    `${label}${bar === undefined ? '' : ` [${bar}]`} ${value}/${total} ${percent}`,
    formatRate(value, elapsedMs, unit),
    remaining === 0 ? `done in ${formatDuration(elapsedMs / 1000)}` : `ETA ${formatDuration(eta)}`,
  ];
  return parts.join(' | ');
}

/** Draws progress; `startProgress` keeps the count and the clock. */
interface Display {
  update(state: ProgressState): void;
  log(line: string): void;
  finish(state: ProgressState): void;
}

/** Starts showing progress for `total` units of work on `io.stderr`. */
export function startProgress(io: CliIO, options: ProgressOptions): Progress {
  const mode = options.mode ?? progressMode(io, options);
  const now = options.now ?? Date.now;
  const started = now();
  let value = 0;
  let stopped: ProgressSummary | undefined;
  const state = (): ProgressState => ({
    label: options.label,
    value,
    total: options.total,
    elapsedMs: now() - started,
    unit: options.unit ?? 'item',
  });
  const display: Display =
    options.mode === undefined && isWorkerProcess(io.env)
      ? workerDisplay(io, options.total)
      : mode === 'bar'
        ? barDisplay(io, options)
        : mode === 'lines'
          ? linesDisplay(io, started, options.lineIntervalMs ?? 10_000, now)
          : { update: () => {}, log: () => {}, finish: () => {} };
  const unroute = mode === 'bar' ? options.interrupt?.routeNoticesTo((line) => display.log(line)) : undefined;
  return {
    mode,
    get value() {
      return value;
    },
    advance(by = 1) {
      if (stopped) return;
      value += by;
      display.update(state());
    },
    log(line) {
      display.log(line);
    },
    stop() {
      if (stopped) return stopped;
      const last = state();
      unroute?.();
      display.finish(last);
      stopped = {
        label: last.label,
        value: last.value,
        total: last.total,
        elapsedMs: last.elapsedMs,
        rate: last.elapsedMs > 0 ? (last.value * 1000) / last.elapsedMs : 0,
      };
      return stopped;
    },
  };
}

/** For logs that are not a terminal: a line every `intervalMs` at most, and a final one. */
function linesDisplay(io: CliIO, started: number, intervalMs: number, now: () => number): Display {
  let lastLine = started;
  return {
    update(state) {
      if (state.value < state.total && now() - lastLine >= intervalMs) {
        lastLine = now();
        writeLine(io.stderr, formatProgressLine(state));
      }
    },
    log: (line) => writeLine(io.stderr, line),
    finish: (state) => writeLine(io.stderr, formatProgressLine(state)),
  };
}

/** Inside a `--workers` child: report to the parent, which draws one bar for all workers. */
function workerDisplay(io: CliIO, total: number): Display {
  let last = 0;
  sendToParent({ type: 'tasam:progress', value: 0, total });
  return {
    update(state) {
      if (Date.now() - last < 200) return;
      last = Date.now();
      sendToParent({ type: 'tasam:progress', value: state.value, total: state.total });
    },
    // The parent prefixes a worker's stderr lines with its shard and prints them above its bar.
    log: (line) => writeLine(io.stderr, line),
    finish: (state) => sendToParent({ type: 'tasam:progress', value: state.value, total: state.total }),
  };
}

/** A cli-progress bar redrawn in place, with the ETA averaged over recent updates. */
function barDisplay(io: CliIO, options: ProgressOptions): Display {
  const unit = options.unit ?? 'item';
  // MultiBar (with one bar) rather than SingleBar: it can print log lines above the bar.
  const multi = new MultiBar({
    stream: io.stderr,
    fps: 5,
    barsize: 20,
    etaBuffer: 20,
    hideCursor: true,
    // Redraw every frame: a log line clears the bar's row and the bar must come back even if unchanged.
    forceRedraw: true,
    // The Interrupt helper owns SIGINT; cli-progress must not add its own handlers.
    gracefulExit: false,
    format: (barOptions, params: Params) => {
      const bar = Format.BarFormat(params.progress, barOptions);
      const elapsedMs = Date.now() - params.startTime;
      const eta = typeof params.eta === 'number' ? params.eta : undefined;
      return formatProgressLine(
        { label: options.label, value: params.value, total: params.total, elapsedMs, unit, etaSeconds: eta },
        bar,
      );
    },
  });
  const bar: SingleBar = multi.create(options.total, 0);
  // A forced exit (second Ctrl-C) skips finish(): give the terminal its cursor and line wrapping back anyway.
  const restoreTerminal = (): void => {
    io.stderr.write('\x1B[?25h\x1B[?7h\n');
  };
  process.once('exit', restoreTerminal);
  return {
    update: (state) => bar.update(state.value),
    log: (line) => multi.log(`${line}\n`),
    finish() {
      multi.stop();
      process.off('exit', restoreTerminal);
    },
  };
}

/**
 * Runs one step of unknown length (loading a model) and reports how long it took: `loading SAM ... 1.2s`.
 * Nothing is printed in `off` mode.
 */
export async function timedStep<T>(
  io: CliIO,
  label: string,
  run: () => Promise<T> | T,
  options: { json?: boolean; mode?: ProgressMode; now?: () => number } = {},
): Promise<T> {
  const mode = options.mode ?? progressMode(io, options);
  const now = options.now ?? Date.now;
  const started = now();
  if (mode === 'bar') io.stderr.write(`${label} ...`);
  try {
    const result = await run();
    const took = formatDuration((now() - started) / 1000);
    if (mode === 'bar') io.stderr.write(` ${took}\n`);
    else if (mode === 'lines') writeLine(io.stderr, `${label} ... ${took}`);
    return result;
  } catch (error) {
    if (mode === 'bar') io.stderr.write(' failed\n');
    throw error;
  }
}
