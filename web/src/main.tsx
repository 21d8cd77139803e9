import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { App } from './App';
import { keepCanvas, restoreCanvas } from './store/persist';
import { useRun } from './store/run';

// Before the first render: the canvas of the last session, and its run.
restoreCanvas();
keepCanvas();
void useRun.getState().resume();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
