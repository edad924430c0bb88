// Entry point of the browser bundle.
import { render } from 'preact';
import { App } from './shell/app.tsx';

const root = document.getElementById('app');
if (root) {
  // The placeholder text is not Preact's to diff: clear it first.
  root.textContent = '';
  render(<App />, root);
}
