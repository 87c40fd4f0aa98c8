/**
 * A tiny History API router: the app has four routes, so a dependency is not worth it.
 */
import {
  useCallback,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
} from 'react';

const NAVIGATE_EVENT = 'vmpool:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

function currentPath(): string {
  return window.location.pathname;
}

export function navigate(to: string): void {
  if (to === window.location.pathname + window.location.search) return;
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, currentPath, () => '/');
}

export type Route =
  | { page: 'competitions' }
  | { page: 'vm-pool' }
  | { page: 'costs' }
  | { page: 'insights' }
  | { page: 'vm-setup'; competitionId: string }
  | { page: 'competition'; competitionId: string; view: 'producer' | 'talent' }
  | { page: 'not-found'; path: string };

/** Maps a pathname onto a page; competition ids are URL-decoded. */
export function matchRoute(pathname: string): Route {
  const parts = pathname.split('/').filter((part) => part !== '');
  if (parts.length === 0) return { page: 'competitions' };
  if (parts.length === 2 && parts[0] === 'admin' && parts[1] === 'vm-pool') {
    return { page: 'vm-pool' };
  }
  if (parts.length === 2 && parts[0] === 'admin' && parts[1] === 'insights') {
    return { page: 'insights' };
  }
  if (parts.length === 1 && parts[0] === 'costs') return { page: 'costs' };
  if (parts.length === 2 && parts[0] !== undefined) {
    const competitionId = safeDecode(parts[0]);
    if (competitionId !== null) {
      if (parts[1] === 'vm-setup') return { page: 'vm-setup', competitionId };
      if (parts[1] === 'producer' || parts[1] === 'talent') {
        return { page: 'competition', competitionId, view: parts[1] };
      }
    }
  }
  return { page: 'not-found', path: pathname };
}

function safeDecode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export function competitionPath(competitionId: string, view: string): string {
  return `/${encodeURIComponent(competitionId)}/${view}`;
}

interface LinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  to: string;
  children: ReactNode;
}

/** An anchor that navigates without reloading; modified clicks keep browser behaviour. */
export function Link({ to, children, onClick, ...rest }: LinkProps) {
  const handleClick = useCallback(
    (event: MouseEvent<HTMLAnchorElement>) => {
      onClick?.(event);
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(to);
    },
    [onClick, to],
  );
  return (
    <a href={to} onClick={handleClick} {...rest}>
      {children}
    </a>
  );
}
