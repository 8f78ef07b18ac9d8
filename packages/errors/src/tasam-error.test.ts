import { describeValue } from './describe-value';
import { normaliseCause, TasamError } from './tasam-error';

class WidgetError extends TasamError<'WIDGET_BROKEN'> {
  constructor(
    readonly widget: string,
    cause?: unknown,
  ) {
    super('WIDGET_BROKEN', `widget ${widget} is broken`, { cause });
  }
}

describe('TasamError', () => {
  it('carries a stable code, its subclass name and a message', () => {
    const error = new WidgetError('w1');
    expect(error.code).toBe('WIDGET_BROKEN');
    expect(error.name).toBe('WidgetError');
    expect(error.message).toBe('widget w1 is broken');
    expect(error).toBeInstanceOf(Error);
    expect(error.widget).toBe('w1');
  });

  it('is recognised across copies by its symbol marker, not by prototype', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('tasam.error')]: true, code: 'X' });
    expect(TasamError.isInstance(foreign)).toBe(true);
    expect(TasamError.isInstance(new Error('plain'))).toBe(false);
    expect(TasamError.isInstance(null)).toBe(false);
    expect(TasamError.hasCode(new WidgetError('a'), 'WIDGET_BROKEN')).toBe(true);
    expect(TasamError.hasCode(new WidgetError('a'), 'OTHER')).toBe(false);
  });

  it('normalises non-Error causes', () => {
    expect(new WidgetError('w', 'disk full').cause).toEqual(new Error('disk full'));
    expect(normaliseCause({ errno: 28 }).message).toBe('{"errno":28}');
    const inner = new RangeError('r');
    expect(new WidgetError('w', inner).cause).toBe(inner);
    expect(new WidgetError('w').cause).toBeUndefined();
  });

  it('serialises to JSON with code and cause message', () => {
    expect(JSON.parse(JSON.stringify(new WidgetError('w', 'why')))).toEqual({
      name: 'WidgetError',
      code: 'WIDGET_BROKEN',
      message: 'widget w is broken',
      cause: 'why',
    });
  });
});

describe('describeValue', () => {
  it('describes values briefly', () => {
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue([1, 2])).toBe('array(2)');
    expect(describeValue(new Float32Array(3))).toBe('Float32Array(3)');
    expect(describeValue('x'.repeat(50), 4)).toBe('"xxxx…"');
    expect(describeValue({ a: 1 })).toBe('object{a}');
    expect(describeValue(3)).toBe('number 3');
  });
});
