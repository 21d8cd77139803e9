// Shows the editor once someone is signed in (or the server needs no sign-in), else the sign-in dialog.

import { useEffect, type ReactNode } from 'react';
import { useSession } from '../store/session';
import { SignIn } from './SignIn';

export function SessionGate({ children }: { children: ReactNode }) {
  const status = useSession((s) => s.status);
  useEffect(() => {
    void useSession.getState().boot();
  }, []);
  if (status === 'checking') return <div className="ff-modal-backdrop" data-testid="session-checking" />;
  if (status === 'signed-out') return <SignIn />;
  return <>{children}</>;
}
