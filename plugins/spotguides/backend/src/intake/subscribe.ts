import type { LoggerService } from '@backstage/backend-plugin-api';
import type { EventParams, EventsService } from '@backstage/plugin-events-node';
import { DeliveryStore, InsertResult } from '../store';
import { toNewDelivery } from './parse';

const header = (metadata: EventParams['metadata'], name: string) => {
  const v = metadata?.[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Subscribes to the `github` topic. The events backend awaits local
 * subscribers before it answers the delivery, so a delivery is in the
 * queue when GitHub gets its 202; processing happens later, in the worker.
 */
export async function subscribeToDeliveries(options: {
  events: EventsService;
  store: DeliveryStore;
  logger: LoggerService;
  /** Called after a delivery was queued, to start the worker at once. */
  onQueued(): void;
}): Promise<void> {
  const { events, store, logger, onQueued } = options;
  await events.subscribe({
    id: 'spotguides-intake',
    topics: ['github'],
    async onEvent(params) {
      const id = header(params.metadata, 'x-github-delivery');
      const event = header(params.metadata, 'x-github-event');
      // Events relayed from another replica by the event bus carry no
      // headers: the replica that received them has queued them already.
      if (!id || !event) return;
      const delivery = toNewDelivery(id, event, params.eventPayload);
      if (!delivery) {
        logger.debug(`delivery ${id} (${event}) names no repository; ignored`);
        return;
      }
      let result: InsertResult | undefined;
      for (let attempt = 1; result === undefined; attempt++) {
        try {
          result = await store.insert(delivery);
        } catch (error) {
          // The bus only logs a subscriber's error; a brief database hiccup
          // must not lose a delivery GitHub believes was accepted.
          if (attempt >= 3) throw error;
          await new Promise(r => setTimeout(r, 100 * attempt));
        }
      }
      if (result === 'queued') onQueued();
    },
  });
}
