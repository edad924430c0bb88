// Entry point of the browser bundle.
import { render } from 'preact';
import { parsePage } from './routing/url-state.ts';
import { App } from './shell/app.tsx';
import { prefetchRecording } from './viewer/load-recording.ts';

// A recording's URL: its data is on the way while the app starts and asks who is signed in.
const page = parsePage(window.location.pathname);
if (page.kind === 'recording') prefetchRecording(page.id);

const root = document.getElementById('app');
if (root) {
  // The placeholder text is not Preact's to diff: clear it first.
  root.textContent = '';
  render(<App />, root);
}
