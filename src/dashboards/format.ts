import { exact } from '../signals/promql';
import { formatDuration } from '../spec/duration';

/** A ratio as people say it: 0.999 -> `99.9%`. */
export function percent(ratio: number): string {
  return `${exact(ratio * 100)}%`;
}

/** Seconds as a Prometheus-style duration: 0.3 -> `300ms`. */
export function seconds(s: number): string {
  return formatDuration(Math.round(s * 1000));
}

/** Milliseconds as a Prometheus-style duration: 3_600_000 -> `1h`. */
export function window(ms: number): string {
  return formatDuration(ms);
}

/** `availability` -> `Availability`. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
