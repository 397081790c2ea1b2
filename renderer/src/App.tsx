import { EventList } from './features/events/EventList';

export function App() {
  return (
    <main className="app">
      <header className="app-header">
        <h1>TrapperKeeper Desktop</h1>
      </header>
      <EventList />
    </main>
  );
}
