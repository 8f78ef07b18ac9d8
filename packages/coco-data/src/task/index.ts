export { articleFor, IRREGULAR_NOUNS, type NounForms, nounForms, pluralize } from './noun-forms';
export { renderTask, synthesizeTask, type TaskPrompt, type TaskPromptOptions } from './task-prompt';
export { TASK_TEMPLATES, type TaskScope, type TaskTemplate } from './task-templates';
