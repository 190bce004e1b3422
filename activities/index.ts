import { createVoiceActivities } from './voices';
import type { Notifier, NotificationInput } from './notifications';

export interface ActivityDeps {
  notifier: Notifier;
}

/** All activities, built from injected dependencies; the worker and the tests call this. */
export function createActivities({ notifier }: ActivityDeps) {
  return {
    ...createVoiceActivities(),
    async sendNotification(input: NotificationInput): Promise<void> {
      await notifier.send(input);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
