// The Furnace controller (work in progress: the reconcile lands in the next commits).
import type { Controller, ControllerFactory } from '../controller.ts';
import { RESOURCES } from '../resources.ts';

export const createFurnaceController: ControllerFactory = (context): Controller => ({
  name: 'furnace',
  primary: RESOURCES.Furnace,
  reconcile(key, object) {
    context.log.info({ key, exists: object !== undefined }, 'furnace reconcile not implemented yet');
    return Promise.resolve(undefined);
  },
});
