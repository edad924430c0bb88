// Runs a load now and again every intervalMs while the component is shown; keeps the last result
// and the last error apart, so a passing failure does not blank a list that was there.
import { useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  key: string,
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    setData(undefined);
    setLoading(true);
  }, [key]);
  useEffect(() => {
    const controller = new AbortController();
    let timer: number | undefined;
    const run = (): void => {
      loadRef
        .current(controller.signal)
        .then(
          (value) => {
            setData(value);
            setError(undefined);
            setLoading(false);
          },
          (failure: unknown) => {
            if (controller.signal.aborted) return;
            setError(failure);
            setLoading(false);
          },
        )
        .finally(() => {
          if (!controller.signal.aborted && intervalMs > 0) timer = window.setTimeout(run, intervalMs);
        });
    };
    run();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [key, intervalMs, tick]);
  return { data, error, loading, reload: () => setTick((n) => n + 1) };
}
