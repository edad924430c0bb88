// Who a request comes from, as every authenticator of the user listener reports it.
export interface Identity {
  user: string;
  groups: string[];
  /** The authenticator's extra fields (scopes and the like): SubjectAccessReview needs them too. */
  extra?: Record<string, string[]>;
}
