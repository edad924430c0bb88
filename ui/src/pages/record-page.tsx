// The start page: pick a pod, then record it.
import { useState } from 'preact/hooks';
import { PodPicker, type Target } from '../record/pod-picker.tsx';
import { RecordForm } from '../record/record-form.tsx';

export function RecordPage() {
  const [target, setTarget] = useState<Target | undefined>(undefined);
  return (
    <section class="record" aria-labelledby="record-title">
      <h1 id="record-title">Record a flame graph</h1>
      <PodPicker onChange={setTarget} />
      {target ? (
        <RecordForm key={`${target.namespace}/${target.pod}/${target.container}`} target={target} />
      ) : null}
    </section>
  );
}
