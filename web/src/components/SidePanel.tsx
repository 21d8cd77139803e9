// The right-hand panel: the selected node, the template's inputs, templates, run history, the library.

import { useUi, type PanelTab } from '../store/ui';
import { HistoryPanel } from './HistoryPanel';
import { InputsPanel } from './InputsPanel';
import { LibraryPanel } from './LibraryPanel';
import { NodePanel } from './NodePanel';
import { TemplatesPanel } from './TemplatesPanel';

const TABS: [PanelTab, string][] = [
  ['node', 'Node'],
  ['inputs', 'Inputs'],
  ['templates', 'Templates'],
  ['history', 'History'],
  ['library', 'Library'],
];

export function SidePanel() {
  const tab = useUi((s) => s.tab);
  const setTab = useUi((s) => s.setTab);
  return (
    <aside className="ff-side">
      <nav className="ff-tabs" role="tablist">
        {TABS.map(([id, label]) => (
          <button key={id} role="tab" aria-selected={tab === id} className={tab === id ? 'active' : ''} onClick={() => setTab(id)} data-testid={`tab-${id}`}>
            {label}
          </button>
        ))}
      </nav>
      {tab === 'node' && <NodePanel />}
      {tab === 'inputs' && <InputsPanel />}
      {tab === 'templates' && <TemplatesPanel />}
      {tab === 'history' && <HistoryPanel />}
      {tab === 'library' && <LibraryPanel />}
    </aside>
  );
}
