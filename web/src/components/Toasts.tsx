// Toast notifications, bottom right; a toast about a run links to its result.

import { useRun } from '../store/run';
import { useUi } from '../store/ui';

export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  const dismiss = useUi((s) => s.dismiss);
  return (
    <div className="ff-toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`ff-toast ${t.kind}`} data-testid="toast">
          <span>{t.text}</span>
          {t.runId && (
            <button
              className="ff-link"
              onClick={() => {
                void useRun.getState().reopen(t.runId!);
                dismiss(t.id);
              }}
              data-testid="toast-open"
            >
              Open result
            </button>
          )}
          <button className="ff-icon-button" onClick={() => dismiss(t.id)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
