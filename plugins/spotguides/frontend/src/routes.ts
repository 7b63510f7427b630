import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The deliveries page, `/spotguides` in the app. */
export const rootRouteRef = createRouteRef();
