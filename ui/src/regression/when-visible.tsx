// Renders its children only once its place has scrolled into view: History's rows ask the server for a
// comparison each, and a list of 500 recordings should ask only for the rows someone looks at.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export function WhenVisible({ children }: { children: ComponentChildren }) {
  const place = useRef<HTMLSpanElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const element = place.current;
    if (seen || !element) return undefined;
    const observer = new IntersectionObserver((records) => {
      if (records.some((record) => record.isIntersecting)) setSeen(true);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [seen]);
  return seen ? (
    <>{children}</>
  ) : (
    <span ref={place} class="regression-pending" aria-hidden="true">
      …
    </span>
  );
}
