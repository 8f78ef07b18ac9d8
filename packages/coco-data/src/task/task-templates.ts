/**
 * What a task asks for: 'instance' phrasings name one object ("segment the dog"), 'category' phrasings all of
 * them ("segment all dogs").
 */
export type TaskScope = 'instance' | 'category';

/**
 * A task phrasing. Placeholders: {plural} ("red apples"), {singular} ("red apple"), {a} ("a red apple",
 * "an apple", "some broccoli"). An optional attribute is part of the noun phrase in each.
 */
export interface TaskTemplate {
  text: string;
  scope: TaskScope;
}

/** The default phrasings: 14 for whole categories, 10 for single instances. Extend by passing your own. */
export const TASK_TEMPLATES: readonly TaskTemplate[] = [
  { text: 'segment all {plural}', scope: 'category' },
  { text: 'highlight every {singular}', scope: 'category' },
  { text: 'find the {plural}', scope: 'category' },
  { text: 'mask all the {plural}', scope: 'category' },
  { text: 'select every {singular} in the image', scope: 'category' },
  { text: 'show me all {plural}', scope: 'category' },
  { text: 'outline each {singular}', scope: 'category' },
  { text: 'where are the {plural}?', scope: 'category' },
  { text: 'segment the {plural}', scope: 'category' },
  { text: 'cut out every {singular}', scope: 'category' },
  { text: 'mark all {plural} in this picture', scope: 'category' },
  { text: 'give me masks of all the {plural}', scope: 'category' },
  { text: '{plural}', scope: 'category' },
  { text: 'all {plural}', scope: 'category' },
  { text: 'segment the {singular}', scope: 'instance' },
  { text: 'find {a}', scope: 'instance' },
  { text: 'highlight this {singular}', scope: 'instance' },
  { text: 'select the {singular} here', scope: 'instance' },
  { text: 'mask {a}', scope: 'instance' },
  { text: 'outline the {singular}', scope: 'instance' },
  { text: 'cut out the {singular}', scope: 'instance' },
  { text: 'show me {a}', scope: 'instance' },
  { text: 'the {singular}', scope: 'instance' },
  { text: 'segment {a} at the point', scope: 'instance' },
];
