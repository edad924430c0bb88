// What both viewer scripts need from their page: its elements by id, the tree data in the JSON block,
// and the keys they share (Ctrl+F or Cmd+F to search, Escape to reset).

export function byId<E extends Element = HTMLElement>(id: string): E {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`flame graph: no element #${id}`);
  return element as unknown as E;
}

/** The data the renderer wrote into the page's `furnace-data` element. */
export function readViewerData<T>(): T {
  return JSON.parse(byId('furnace-data').textContent ?? '') as T;
}

/** A keydown listener: Ctrl+F or Cmd+F calls find instead of the browser's search; Escape calls reset. */
export function findAndEscapeKeys(find: () => void, reset: () => void): (e: KeyboardEvent) => void {
  return (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'f') {
      e.preventDefault();
      find();
    } else if (e.key === 'Escape') {
      reset();
    }
  };
}
