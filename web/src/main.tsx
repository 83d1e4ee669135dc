import { render } from 'preact';
import { configStore } from './api.ts';
import { App } from './app.tsx';
import { setOrganisations } from './components/ui.tsx';
import { parseConfig } from './config.ts';
import { flash } from './flash.ts';
import { loadLanguages } from './i18n/lang.ts';
import { route } from './router.ts';
import './styles.css';

// A flash message belongs to the page navigated to right after it was set, and no further.
let keepFlash = false;
flash.subscribe(() => {
  if (flash.get()) keepFlash = true;
});
route.subscribe(() => {
  if (keepFlash) keepFlash = false;
  else flash.set(null);
});

const root = document.getElementById('app');
if (!root) throw new Error('no #app element');

try {
  const [res] = await Promise.all([
    fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' }),
    loadLanguages(),
  ]);
  const config = parseConfig(await res.json());
  setOrganisations(config.organisations);
  configStore.set(config);
  render(<App />, root);
} catch (error) {
  // Before the language is known: both.
  root.textContent = `設定 (config.json) を読み込めませんでした。 / Could not load the settings (config.json). ${String(error)}`;
}
