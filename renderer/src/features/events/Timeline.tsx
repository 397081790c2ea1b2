// The filter's events over its whole time range as bars. Click a bar to jump
// the table there; drag across bars to narrow the filter to that range
// (the back button widens it again).
import { useRef, useState, type PointerEvent } from 'react';
import type { Timeline as TimelineData } from './event-window';
import { formatTime } from '../../ui/time';
import { isoOfSeconds } from '../../state/filter';
import { usePrefs } from '../../state/prefs';

interface Props {
  timeline: TimelineData;
  onJump(seconds: number): void;
  onNarrow(since: string, until: string): void;
}

const HEIGHT = 64;

export function Timeline({ timeline: t, onJump, onNarrow }: Props) {
  const utc = usePrefs((s) => s.utc);
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  if (t.buckets.length === 0 || !t.first || !t.last) return null;
  const start = t.buckets[0]!.start;
  const end = t.buckets.at(-1)!.start + t.intervalSeconds;
  const span = Math.max(1, end - start);
  const max = Math.max(...t.buckets.map((b) => b.count));
  const width = 1000;
  const x = (s: number) => ((s - start) / span) * width;
  const secondsAt = (e: PointerEvent) => {
    const r = svg.current!.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    return start + f * span;
  };
  const snap = (s: number) => start + Math.floor((s - start) / t.intervalSeconds) * t.intervalSeconds;
  const label = (s: number) => formatTime(isoOfSeconds(s), utc).slice(0, 16);

  return (
    <figure className="timeline" aria-label="Timeline of the filtered events">
      <svg
        ref={svg}
        viewBox={`0 0 ${width} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${t.total} events from ${t.first} to ${t.last}, ${t.buckets.length} bars of ${t.intervalSeconds} s; drag to narrow the time range`}
        onPointerDown={(e) => {
          svg.current!.setPointerCapture(e.pointerId);
          const s = secondsAt(e);
          setDrag({ from: s, to: s });
        }}
        onPointerMove={(e) => drag && setDrag({ ...drag, to: secondsAt(e) })}
        onPointerUp={(e) => {
          if (!drag) return;
          const a = Math.min(drag.from, secondsAt(e));
          const b = Math.max(drag.from, secondsAt(e));
          setDrag(null);
          // A click (or a drag within one bar) jumps; a wider drag narrows the filter.
          if (snap(a) === snap(b)) onJump(snap(a));
          else onNarrow(isoOfSeconds(snap(a)), isoOfSeconds(snap(b) + t.intervalSeconds));
        }}
      >
        {t.buckets.map((b) => (
          <rect
            key={b.start}
            className="bar"
            x={x(b.start)}
            width={Math.max(1, x(b.start + t.intervalSeconds) - x(b.start) - 0.5)}
            y={HEIGHT - (b.count / max) * (HEIGHT - 4)}
            height={(b.count / max) * (HEIGHT - 4)}
          >
            <title>{`${label(b.start)}: ${b.count} events`}</title>
          </rect>
        ))}
        {drag && <rect className="selection" x={Math.min(x(drag.from), x(drag.to))} width={Math.abs(x(drag.to) - x(drag.from))} y={0} height={HEIGHT} />}
      </svg>
      <figcaption className="timeline-axis">
        <span>{label(start)}</span>
        <span className="muted">
          {t.total.toLocaleString()} events · bars of {describeInterval(t.intervalSeconds)} · click to jump, drag to narrow
        </span>
        <span>{label(end)}</span>
      </figcaption>
    </figure>
  );
}

function describeInterval(s: number): string {
  if (s % 86400 === 0) return `${s / 86400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}
