// The browser history as the app's location: pushState for moves a user would go back from,
// replaceState for typing (a search), popstate to follow Back and Forward.
import { useEffect, useState } from 'preact/hooks';
import { formatLocation, parseLocation, type Location } from './url-state.ts';

const listeners = new Set<() => void>();

function current(): Location {
  return parseLocation(window.location.pathname, window.location.search);
}

export function navigate(to: Location | string, options: { replace?: boolean } = {}): void {
  const url = typeof to === 'string' ? to : formatLocation(to);
  if (url === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = (): void => setLocation(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location;
}

/** For <a href> inside the app: a plain click navigates without reloading; other clicks stay links. */
export function followLink(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(anchor.getAttribute('href') ?? '/');
}
