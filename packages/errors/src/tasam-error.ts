const marker = Symbol.for('tasam.error');

export interface TasamErrorOptions {
  cause?: unknown;
}

/**
 * Base of every error tasam throws. `code` is a stable string that callers and the CLI switch on; the
 * message says what input was wrong and how. The symbol marker makes `isInstance` work even when two copies
 * of a package are installed, where `instanceof` would fail.
 */
export class TasamError<Code extends string = string> extends Error {
  readonly [marker] = true;
  readonly code: Code;

  constructor(code: Code, message: string, options: TasamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: normaliseCause(options.cause) });
    this.code = code;
    this.name = new.target.name;
  }

  static isInstance(value: unknown): value is TasamError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  /** True when `value` is a tasam error carrying this exact code. */
  static hasCode<C extends string>(value: unknown, code: C): value is TasamError<C> {
    return TasamError.isInstance(value) && value.code === code;
  }

  toJSON(): { name: string; code: Code; message: string; cause?: string } {
    const cause = this.cause instanceof Error ? this.cause.message : undefined;
    return { name: this.name, code: this.code, message: this.message, ...(cause ? { cause } : {}) };
  }
}

/** Thrown values that are not Errors (strings, objects) become Errors so `cause` always has a message. */
export function normaliseCause(cause: unknown): Error {
  if (cause instanceof Error) return cause;
  if (typeof cause === 'string') return new Error(cause);
  try {
    return new Error(JSON.stringify(cause));
  } catch {
    return new Error(String(cause));
  }
}
