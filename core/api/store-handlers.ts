// The contract's handlers over a store reader.
import type { StoreReader, ListedEvent } from '../store/store-reader.js';
import { parseOwnLine, type EventLine } from '../domain/event-line.js';
import type { EventSummary, Handlers } from './contract.js';

function summary(e: ListedEvent): EventSummary {
  const parsed = parseOwnLine(e.line);
  return {
    eventId: e.row.event_id,
    receivedAt: e.row.received_ts,
    clientTimestamp: e.row.client_ts,
    sensorId: e.row.sensor_id,
    ruleCount: e.row.rule_count,
    deleted: e.row.deleted === 1,
    event: parsed.kind === 'event' ? parsed.event : ({} as EventLine),
  };
}

export function storeHandlers(reader: StoreReader): Handlers {
  return {
    listEvents: (q) => {
      const page = reader.query(q);
      return { events: page.events.map(summary), nextCursor: page.nextCursor };
    },
    getEvent: ({ eventId }) => {
      const found = reader.get(eventId);
      if (!found) return null;
      return { ...summary(found), line: found.line, origin: found.row.origin, markers: found.markers };
    },
    countEvents: (q) => ({ count: reader.count(q) }),
    histogram: (q) => ({
      buckets: reader.histogram(q, q.intervalSeconds, q.originSeconds).map(([start, count]) => ({ start, count })),
    }),
    stats: () => {
      const { rulesMatched: _rules, ...s } = reader.stats();
      return s;
    },
  };
}
