// Who is signed in: checked at start-up (a silent renewal from the refresh cookie, then
// GET /api/me), ended by sign-out or by a 401 that renewal cannot cure.

import { create } from 'zustand';
import { me, resumeSession, signOut, type Me } from '../api/accounts';
import { setUnauthorizedHandler } from '../api/client';

interface SessionState {
  status: 'checking' | 'signed-in' | 'signed-out';
  me: Me | null;
  /** Start-up: resume a sign-in, or learn that the server needs none. */
  boot: () => Promise<void>;
  /** After a sign-in: load who we are. */
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

export const useSession = create<SessionState>((set, get) => ({
  status: 'checking',
  me: null,
  boot: async () => {
    try {
      set({ me: await me(), status: 'signed-in' }); // no sign-in needed (or an API key of this tab)
    } catch {
      if (await resumeSession()) await get().refresh();
      else set({ status: 'signed-out', me: null });
    }
    setUnauthorizedHandler(() => set({ status: 'signed-out', me: null }));
  },
  refresh: async () => {
    try {
      set({ me: await me(), status: 'signed-in' });
    } catch {
      set({ status: 'signed-out', me: null });
    }
  },
  signOut: async () => {
    await signOut();
    set({ status: 'signed-out', me: null });
  },
}));
