// The canvas application: toolbar, palette, canvas, side panel, toasts.

import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { Canvas } from './components/Canvas';
import { ErrorBanner } from './components/ErrorBanner';
import { Palette } from './components/Palette';
import { SessionGate } from './components/SessionGate';
import { SidePanel } from './components/SidePanel';
import { Toasts } from './components/Toasts';
import { Toolbar } from './components/Toolbar';
import { useNotifications } from './hooks/useNotifications';
import { useShortcuts } from './hooks/useShortcuts';
import { useCatalog } from './store/catalog';

function Editor() {
  useShortcuts();
  useNotifications();
  useEffect(() => {
    void useCatalog.getState().load();
  }, []);
  return (
    <div className="ff-app">
      <Toolbar />
      <div className="ff-main">
        <Palette />
        <div className="ff-centre">
          <ErrorBanner />
          <Canvas />
        </div>
        <SidePanel />
      </div>
      <Toasts />
    </div>
  );
}

export function App() {
  return (
    <ReactFlowProvider>
      <SessionGate>
        <Editor />
      </SessionGate>
    </ReactFlowProvider>
  );
}
