// Which recordings this tab started "until stopped". The sidecar only knows the cap sent as the duration, so
// after a reload the form would count down to the cap as if it were the chosen length; the tab's session
// storage remembers the choice for as long as the tab lives.
const KEY_PREFIX = 'furnace.until-stopped.';

export function rememberUntilStopped(id: string): void {
  try {
    window.sessionStorage.setItem(KEY_PREFIX + id, '1');
  } catch {
    // Storage refused (private mode, quota): after a reload the countdown shows the cap, as before.
  }
}

export function startedUntilStopped(id: string): boolean {
  try {
    return window.sessionStorage.getItem(KEY_PREFIX + id) === '1';
  } catch {
    return false;
  }
}
