// The first screen of a fresh install: no pod has a registered sidecar yet, and what to do about it.
import { NAMESPACE_LABEL, NAMESPACE_LABEL_VALUE, POD_OPT_IN_KEY } from '../../../core/contract/names.ts';

export function NoSidecars() {
  return (
    <section class="screen" aria-labelledby="no-sidecars-title">
      <h2 id="no-sidecars-title">No pods to profile yet</h2>
      <p>
        No sidecar has registered with this server, or none in a namespace you may see. A pod gets the Furnace
        sidecar when it is created in a labelled namespace with the opt-in label or annotation:
      </p>
      <ol>
        <li>
          Label the namespace:{' '}
          <code>
            kubectl label namespace NAMESPACE {NAMESPACE_LABEL}={NAMESPACE_LABEL_VALUE}
          </code>
        </li>
        <li>
          Opt the pod in, in its template: label or annotation <code>{POD_OPT_IN_KEY}: "enabled"</code>
        </li>
        <li>
          Recreate the pod (only pods created after opting in get the sidecar), for example{' '}
          <code>kubectl rollout restart deployment/NAME -n NAMESPACE</code>
        </li>
      </ol>
      <p>
        In local mode (<code>npm start</code>) the local sidecar registers within a few seconds; this list
        refreshes on its own.
      </p>
    </section>
  );
}
