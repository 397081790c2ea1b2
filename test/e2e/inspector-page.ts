// Page object of the inspector: finds things the way a person using a screen
// reader would, by role and name.
import { expect, type Locator, type Page } from '@playwright/test';

export class InspectorPage {
  constructor(readonly page: Page) {}

  grid(): Locator {
    return this.page.getByRole('grid', { name: 'Events' });
  }
  /** The data rows drawn at the moment (the grid is virtualized). */
  rows(): Locator {
    return this.grid().getByRole('row').filter({ has: this.page.getByRole('rowheader') });
  }
  count(): Locator {
    return this.page.getByRole('toolbar', { name: 'Event list' }).getByRole('status');
  }
  async expectCount(n: number): Promise<void> {
    await expect(this.count()).toHaveText(`${n.toLocaleString('en-US')} ${n === 1 ? 'event' : 'events'}`);
  }
  filters(): Locator {
    return this.page.getByRole('region', { name: 'Filters' });
  }
  detail(): Locator {
    return this.page.getByRole('region', { name: 'Event detail' });
  }
  async view(name: 'Events' | 'Audit' | 'Listener'): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name }).click();
  }
  async addPair(kind: 'Metadata' | '$tk', key: string, value: string): Promise<void> {
    const form = this.filters().getByRole('form', { name: `${kind} filter` });
    await form.getByLabel(`${kind} key`).fill(key);
    await form.getByLabel(`${kind} value`).fill(value);
    await form.getByRole('button', { name: `Add ${kind.toLowerCase()} filter` }).click();
  }
}
