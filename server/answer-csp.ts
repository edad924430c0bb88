// The content security policy of every answer whose bytes come from a recorder (proxied answers, catalog
// artifacts, merged graphs): the server's origin must not run what a sidecar or a target's symbols wrote.

/** No scripts, styles, frames or plugins; a document opened anyway gets a unique, sandboxed origin. */
export const ANSWER_CSP =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";
