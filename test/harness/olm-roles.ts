// The ClusterRoles OLM writes for an installed ClusterServiceVersion, as OLM's operatorgroup controller
// writes them (ensureClusterRolesForCSV): for every CRD the CSV owns, `<plural>.<group>-<version>-admin`
// (`*`), `-edit` (create, update, patch, delete) and `-view` (get, list, watch) on its kind, and `-crdview`
// (get on the CRD itself), each labelled `rbac.authorization.k8s.io/aggregate-to-<role>: "true"`, so the
// controller manager folds them into every namespace's `admin`, `edit` and `view`. The test cluster has no
// OLM: this is what it would add.
import type { V1ClusterRole } from '@kubernetes/client-node';

interface OwnedCrd {
  name: string;
  version: string;
}

interface Csv {
  spec: { customresourcedefinitions?: { owned?: OwnedCrd[] } };
}

const VERBS = {
  admin: ['*'],
  edit: ['create', 'update', 'patch', 'delete'],
  view: ['get', 'list', 'watch'],
} as const;

function role(name: string, suffix: keyof typeof VERBS, rule: V1ClusterRole['rules'], group: string) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: {
        [`rbac.authorization.k8s.io/aggregate-to-${suffix}`]: 'true',
        [`olm.opgroup.permissions/aggregate-to-${suffix}`]: group,
      },
    },
    rules: rule,
  } satisfies V1ClusterRole;
}

/** What OLM creates for `csv` in an OperatorGroup named `operatorGroup`. */
export function olmProvidedApiClusterRoles(csv: Csv, operatorGroup = 'furnace'): V1ClusterRole[] {
  return (csv.spec.customresourcedefinitions?.owned ?? []).flatMap((owned) => {
    const [plural = '', ...rest] = owned.name.split('.');
    const group = rest.join('.');
    const prefix = `${owned.name}-${owned.version}-`;
    const suffixes = Object.keys(VERBS) as (keyof typeof VERBS)[];
    return [
      ...suffixes.map((suffix) =>
        role(
          `${prefix}${suffix}`,
          suffix,
          [{ apiGroups: [group], resources: [plural], verbs: [...VERBS[suffix]] }],
          operatorGroup,
        ),
      ),
      role(
        `${prefix}crdview`,
        'view',
        [
          {
            apiGroups: ['apiextensions.k8s.io'],
            resources: ['customresourcedefinitions'],
            resourceNames: [owned.name],
            verbs: ['get'],
          },
        ],
        operatorGroup,
      ),
    ];
  });
}
