import { create } from 'zustand';

export type PageName = 'dashboard' | 'vms' | 'storage' | 'networks';
const PATHS: Record<PageName, string> = { dashboard: '/', vms: '/vms', storage: '/storage', networks: '/networks' };

export function pageOf(path: string): PageName {
  const found = (Object.keys(PATHS) as PageName[]).find((p) => PATHS[p] === path.replace(/\/+$/, '') || (p === 'dashboard' && path === '/'));
  return found ?? 'dashboard';
}

interface UiState {
  username: string | null;
  page: PageName;
  eventsLive: boolean;
  setUser(username: string | null): void;
  go(page: PageName): void;
  setEventsLive(live: boolean): void;
}

export const useUi = create<UiState>((set) => ({
  username: null,
  page: pageOf(window.location.pathname),
  eventsLive: false,
  setUser: (username) => set({ username }),
  go: (page) => {
    if (window.location.pathname !== PATHS[page]) window.history.pushState(null, '', PATHS[page]);
    set({ page });
  },
  setEventsLive: (eventsLive) => set({ eventsLive }),
}));

window.addEventListener('popstate', () => useUi.setState({ page: pageOf(window.location.pathname) }));
