import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import reference from '../../test/fixtures/use-lite-reference.json';
import { locateUseLite } from './use-lite-backend';
import { type UsePiece, UseTokenizer } from './use-tokenizer';

describe('UseTokenizer', () => {
  const vocabulary = JSON.parse(readFileSync(join(locateUseLite().dir, 'vocab.json'), 'utf8')) as UsePiece[];
  const tokenizer = new UseTokenizer(vocabulary);

  it.each(reference.tokens)('splits $text exactly as the reference USE tokenizer', ({ text, ids }) => {
    expect(tokenizer.encode(text)).toEqual(ids);
  });

  it('maps pieces back to the text, word boundaries as ▁', () => {
    const pieces = tokenizer.encode('segment all red apples').map((id) => vocabulary[id][0]);
    expect(pieces.join('')).toBe('▁segment▁all▁red▁apples');
  });

  it('merges a run of uncovered characters into one unknown id and encodes "" as nothing', () => {
    const ids = tokenizer.encode('☃☃☃ snow');
    expect(ids.filter((id) => id === 0)).toHaveLength(1);
    expect(tokenizer.encode('')).toEqual([]);
  });

  it('uses a toy vocabulary by best total score', () => {
    const toy = new UseTokenizer([
      ['<unk>', 0],
      ['<s>', 0],
      ['</s>', 0],
      ['x1', 0],
      ['x2', 0],
      ['x3', 0],
      ['▁ab', -1],
      ['▁a', -1],
      ['b', -3],
      ['c', -1],
    ]);
    expect(toy.encode('ab')).toEqual([6]);
    expect(toy.encode('abc')).toEqual([6, 9]);
  });
});
