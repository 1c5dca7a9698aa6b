import { DELIMITERS } from '../imports/import-config.js';

const SAMPLE_LINES = 50;

/**
 * The delimiter of a CSV sample: the candidate that splits the most lines into the same number of
 * fields, counted outside quotes (csv-parse's own `delimiter_auto` fails on quoted fields).
 */
export function sniffDelimiter(sample: Buffer): string {
  const text = sample.toString('latin1');
  const counts = new Map<string, number[]>(DELIMITERS.map((d) => [d, []]));
  let current = new Map<string, number>();
  let inQuotes = false;
  let lines = 0;
  for (let i = 0; i < text.length && lines < SAMPLE_LINES; i++) {
    const ch = text[i];
    if (ch === '"') {
      inQuotes = !inQuotes;
    } else if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      for (const d of DELIMITERS) counts.get(d)!.push(current.get(d) ?? 0);
      current = new Map();
      lines++;
    } else if (!inQuotes && counts.has(ch)) {
      current.set(ch, (current.get(ch) ?? 0) + 1);
    }
  }
  if (current.size) for (const d of DELIMITERS) counts.get(d)!.push(current.get(d) ?? 0);

  let best: string = DELIMITERS[0];
  let bestScore = 0;
  for (const d of DELIMITERS) {
    const perLine = counts.get(d)!;
    const first = perLine[0] ?? 0;
    if (first === 0) continue;
    // Lines that agree with the header's count; a tie goes to the earlier candidate.
    const score = perLine.filter((n) => n === first).length * 1000 + first;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}
