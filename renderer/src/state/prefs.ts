// The user's display choices, remembered on this machine (localStorage).
import { create } from 'zustand';
import { persist } from 'zustand/middleware';

export const ALL_COLUMNS = ['time', 'sensor', 'eventId', 'rule', 'rules', 'payload'] as const;
export type ColumnId = (typeof ALL_COLUMNS)[number];

interface Prefs {
  utc: boolean;
  columns: ColumnId[];
  /** Metadata keys shown as extra columns. */
  metaColumns: string[];
  liveTail: boolean;
  setUtc(utc: boolean): void;
  toggleColumn(id: ColumnId): void;
  toggleMetaColumn(key: string): void;
  setLiveTail(on: boolean): void;
}

export const usePrefs = create<Prefs>()(
  persist(
    (set) => ({
      utc: false,
      columns: ['time', 'sensor', 'eventId', 'rule', 'rules', 'payload'],
      metaColumns: [],
      liveTail: true,
      setUtc: (utc) => set({ utc }),
      toggleColumn: (id) =>
        set((s) => ({ columns: s.columns.includes(id) ? s.columns.filter((c) => c !== id) : ALL_COLUMNS.filter((c) => c === id || s.columns.includes(c)) })),
      toggleMetaColumn: (key) =>
        set((s) => ({ metaColumns: s.metaColumns.includes(key) ? s.metaColumns.filter((k) => k !== key) : [...s.metaColumns, key] })),
      setLiveTail: (liveTail) => set({ liveTail }),
    }),
    { name: 'tk-prefs', version: 1 },
  ),
);
