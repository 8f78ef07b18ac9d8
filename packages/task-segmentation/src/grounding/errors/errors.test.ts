import { TasamError } from '@tasam/errors';
import { GroundingPhrasingError } from './grounding-phrasing-error';
import { TaskTextEmptyError } from './task-text-empty-error';

describe('grounding errors', () => {
  it('TaskTextEmptyError names the input and the problem under TASK_TEXT_EMPTY', () => {
    const error = new TaskTextEmptyError('tasks[2]', 'is only whitespace');
    expect(error.code).toBe('TASK_TEXT_EMPTY');
    expect(error.name).toBe('TaskTextEmptyError');
    expect(error.message).toMatch(/^tasks\[2\]: is only whitespace; grounding needs a task/);
    expect(error.input).toBe('tasks[2]');
    expect(TasamError.isInstance(error)).toBe(true);
  });

  it('GroundingPhrasingError names the table entry under GROUNDING_PHRASING', () => {
    const error = new GroundingPhrasingError('synonyms["unicorn"]', 'names no category');
    expect(error.code).toBe('GROUNDING_PHRASING');
    expect(error.name).toBe('GroundingPhrasingError');
    expect(error.message).toBe('synonyms["unicorn"]: names no category');
    expect(TasamError.hasCode(error, 'GROUNDING_PHRASING')).toBe(true);
  });
});
