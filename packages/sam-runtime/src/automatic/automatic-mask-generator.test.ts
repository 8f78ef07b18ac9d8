import { InvalidPromptError } from '../errors';
import { AutomaticMaskGenerator } from './automatic-mask-generator';

describe('AutomaticMaskGenerator options', () => {
  it('rejects a grid, batch or stability offset it cannot use, naming the option', () => {
    const problem = (options: ConstructorParameters<typeof AutomaticMaskGenerator>[0]) => {
      try {
        new AutomaticMaskGenerator(options);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidPromptError);
        return (error as Error).message;
      }
      return undefined;
    };
    expect(problem({ pointsPerSide: 0 })).toMatch(/^pointsPerSide: /);
    expect(problem({ pointsPerBatch: 1.5 })).toMatch(/^pointsPerBatch: /);
    expect(problem({ stabilityScoreOffset: -1 })).toMatch(
      /^stabilityScoreOffset: expected a finite number >= 0/,
    );
    expect(problem({ stabilityScoreOffset: Number.NaN })).toMatch(/^stabilityScoreOffset: /);
    expect(problem({ stabilityScoreOffset: 0 })).toBeUndefined();
    expect(problem({})).toBeUndefined();
  });
});
