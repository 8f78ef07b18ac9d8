import { SampleOptionsError } from '../errors';
import type { SeededRandom } from '../sampling';
import { articleFor, type NounForms, nounForms } from './noun-forms';
import { TASK_TEMPLATES, type TaskScope, type TaskTemplate } from './task-templates';

/** A synthesised task sentence and what it was made of. */
export interface TaskPrompt {
  text: string;
  scope: TaskScope;
  /** The category name as given (e.g. the COCO name). */
  category: string;
  attribute?: string;
  /** The template used. */
  template: string;
}

export interface TaskPromptOptions {
  /** An attribute word or phrase put before the noun: "red" → "segment all red apples". */
  attribute?: string;
  /** Phrasings to draw from (default TASK_TEMPLATES). */
  templates?: readonly TaskTemplate[];
  /** Noun forms when the name's own rules do not fit. */
  forms?: NounForms;
}

/**
 * Writes a task sentence for a category, drawing a template of the scope with `random`: "highlight every
 * dog", "find a pair of skis", "segment all small people".
 */
export function synthesizeTask(
  category: string,
  scope: TaskScope,
  random: SeededRandom,
  options: TaskPromptOptions = {},
): TaskPrompt {
  const candidates = (options.templates ?? TASK_TEMPLATES).filter((t) => t.scope === scope);
  if (candidates.length === 0) throw new SampleOptionsError('templates', `no template with scope '${scope}'`);
  const template = random.pick(candidates);
  return renderTask(template, category, options);
}

/** Fills one template for a category (deterministic: no randomness). */
export function renderTask(
  template: TaskTemplate,
  category: string,
  options: TaskPromptOptions = {},
): TaskPrompt {
  const forms = options.forms ?? nounForms(category);
  const attribute = options.attribute?.trim() || undefined;
  const withAttribute = (noun: string) => (attribute ? `${attribute} ${noun}` : noun);
  const singular = withAttribute(forms.singular);
  const plural = withAttribute(forms.plural);
  // The article follows the first word: "an apple" but "a red apple"; mass nouns keep theirs ("some").
  const article = forms.article === 'some' ? 'some' : attribute ? articleFor(attribute) : forms.article;
  const text = template.text
    .replaceAll('{plural}', plural)
    .replaceAll('{singular}', singular)
    .replaceAll('{a}', `${article} ${singular}`);
  return {
    text,
    scope: template.scope,
    category,
    template: template.text,
    ...(attribute ? { attribute } : {}),
  };
}
