// The toolbar's account corner: who is signed in, their credits and today's spend, sign-out.
// The figures are read again whenever a run of this user ends.

import { useEffect } from 'react';
import { useSession } from '../store/session';
import { useUi } from '../store/ui';

const usd = (amount: number) => `$${amount.toFixed(amount !== 0 && Math.abs(amount) < 0.1 ? 4 : 2)}`;

export function AccountBadge() {
  const me = useSession((s) => s.me);
  const runsVersion = useUi((s) => s.versions.runs);
  useEffect(() => {
    if (runsVersion > 0) void useSession.getState().refresh();
  }, [runsVersion]);
  if (!me) return null;
  const who = me.address ? `${me.address.slice(0, 6)}…${me.address.slice(-4)}` : me.name;
  return (
    <div className="ff-account" data-testid="account">
      <span className="ff-chip" title={me.address ?? me.id} data-testid="account-name">
        {who}
      </span>
      <span className="ff-muted" data-testid="account-credits" title="Credits left">
        {usd(me.credits)}
      </span>
      <span className="ff-muted" data-testid="account-spent" title={me.daily_limit !== null ? `of ${usd(me.daily_limit)} a day` : 'spent today'}>
        today {usd(me.spent_today)}
      </span>
      {me.id !== 'u_local' && (
        <button onClick={() => void useSession.getState().signOut()} data-testid="sign-out">
          Sign out
        </button>
      )}
    </div>
  );
}
