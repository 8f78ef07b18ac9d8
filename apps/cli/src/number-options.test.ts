import { InvalidArgumentError } from 'commander';
import {
  parseFiniteNumber,
  parseNonNegativeInt,
  parsePositiveInt,
  parseUnitInterval,
  parseWholeNumber,
} from './number-options';

describe('number options', () => {
  it('reads whole numbers exactly, and refuses what is not one or is past 2^53 - 1', () => {
    expect(parseNonNegativeInt('0')).toBe(0);
    expect(parseNonNegativeInt(' 42 ')).toBe(42);
    expect(parsePositiveInt('3')).toBe(3);
    expect(parseWholeNumber(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of ['', ' ', '-1', '1.5', '1e3', '0x10', 'abc', '9007199254740992', '9007199254740993']) {
      expect(() => parseNonNegativeInt(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => parsePositiveInt('0')).toThrow(/from 1 to 9007199254740991; got "0"/);
  });

  it('reads finite numbers and the unit interval, naming the text on failure', () => {
    expect(parseFiniteNumber('-2.5')).toBe(-2.5);
    expect(parseFiniteNumber('1e-3')).toBe(0.001);
    for (const bad of ['', 'NaN', 'Infinity', 'x'])
      expect(() => parseFiniteNumber(bad)).toThrow(InvalidArgumentError);
    expect(parseUnitInterval('0')).toBe(0);
    expect(parseUnitInterval('1')).toBe(1);
    expect(() => parseUnitInterval('1.01')).toThrow(/from 0 to 1; got "1.01"/);
    expect(() => parseUnitInterval('-0.1')).toThrow(InvalidArgumentError);
  });
});
