// Validation errors that name no node (unknown_input, too_large, …), above the canvas.

import { useRun } from '../store/run';

export function ErrorBanner() {
  const general = useRun((s) => s.errors.general);
  const count = useRun((s) => s.errorList.length);
  if (!count) return null;
  return (
    <div className="ff-banner" data-testid="error-banner">
      <span>
        The server refused the graph: {count} problem{count === 1 ? '' : 's'}
        {general.length < count ? ', marked on the nodes' : ''}.
      </span>
      {general.map((e, i) => (
        <span key={i} className="ff-banner-item">
          {e.message}
        </span>
      ))}
      <button className="ff-icon-button" onClick={() => useRun.getState().clearErrors()} aria-label="Dismiss errors">
        ✕
      </button>
    </div>
  );
}
