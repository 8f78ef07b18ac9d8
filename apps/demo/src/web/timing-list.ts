/** Milliseconds for people: "230 ms", "1.42 s". */
export function formatMs(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

/** The Timing panel: one labelled row per measure, updated in place. */
export class TimingList {
  constructor(private readonly list: HTMLDListElement) {}

  show(label: string, value: string): void {
    let row = this.list.querySelector<HTMLElement>(`[data-timing="${label}"]`);
    if (!row) {
      row = document.createElement('div');
      row.dataset.timing = label;
      const term = document.createElement('dt');
      term.textContent = label;
      row.append(term, document.createElement('dd'));
      this.list.append(row);
    }
    row.querySelector('dd')!.textContent = value;
  }
}
