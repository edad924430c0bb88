// A whole-page message that is announced at once: a heading the section is labelled by, then its text.
import type { ComponentChildren } from 'preact';

export interface AlertScreenProps {
  /** The heading's id, which names the section. */
  id: string;
  title: string;
  children: ComponentChildren;
}

export function AlertScreen({ id, title, children }: AlertScreenProps) {
  return (
    <section class="screen" role="alert" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
