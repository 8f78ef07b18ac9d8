import type { SamplesResponse } from '../api-types';

/** Task ideas offered in the task box besides the samples' own. */
const GENERAL_SUGGESTIONS = [
  'segment all people',
  'segment all dogs',
  'segment all cats',
  'highlight every car',
  'find the animals',
  'segment all suitcases',
  'segment all elephants',
];

/**
 * The one-click sample buttons (thumbnail and name) and the task box's suggestion list: the samples' own
 * suggestions first, then general ones.
 */
export function renderSamples(
  samples: SamplesResponse['samples'],
  list: HTMLUListElement,
  suggestionList: HTMLDataListElement,
  onPick: (sample: SamplesResponse['samples'][number]) => void,
): void {
  const suggestions = new Set<string>();
  for (const sample of samples) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sample';
    button.dataset.sample = sample.name;
    const thumbnail = document.createElement('img');
    thumbnail.src = sample.url;
    thumbnail.alt = '';
    button.append(thumbnail, `Use sample: ${sample.name}`);
    button.addEventListener('click', () => onPick(sample));
    item.append(button);
    list.append(item);
    for (const suggestion of sample.suggestions) suggestions.add(suggestion);
  }
  for (const suggestion of GENERAL_SUGGESTIONS) suggestions.add(suggestion);
  suggestionList.replaceChildren(
    ...[...suggestions].map((value) => Object.assign(document.createElement('option'), { value })),
  );
}
