import { BASE, parseRoute, pathOf, type Route } from './routes.ts';
import { createStore } from './store.ts';

export { BASE, parseRoute, pathOf, type Route } from './routes.ts';

/** The current route. */
export const route = createStore<Route>(parseRoute(location.pathname));

/** Goes to a route without a page load; `replace` keeps it out of the back history. */
export function navigate(to: Route, options: { replace?: boolean } = {}) {
  const path = pathOf(to);
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route.set(to);
}

addEventListener('popstate', () => route.set(parseRoute(location.pathname)));

// A message link opens /incidents/{id}: show it at its /app/ address from the start.
if (!location.pathname.startsWith(`${BASE}/`)) {
  history.replaceState(null, '', pathOf(route.get()) + location.search);
}
