import { usePrefs } from '../state/prefs';
import { formatTime } from './time';

/** A station time in the chosen zone; hovering shows all nine digits in UTC and local time. */
export function Time({ value, digits = 3 }: { value: string; digits?: 3 | 9 }) {
  const utc = usePrefs((s) => s.utc);
  return (
    <time dateTime={value} title={`${value}\n${formatTime(value, false, 9)} local`}>
      {formatTime(value, utc, digits)}
    </time>
  );
}
