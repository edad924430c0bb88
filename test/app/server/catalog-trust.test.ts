// Uploaded metadata from a hostile sidecar: it cannot sort first, evict other namespaces' recordings, stay
// unfinished forever, or grow the catalog without bound.
// The filesystem store here; test/process/catalog-on-s3.test.ts runs the same suite on a real S3 server.
import { filesystemStore } from '../../harness/catalog-stores.ts';
import { catalogTrustSuite } from '../../suites/catalog-trust.ts';

catalogTrustSuite(filesystemStore);
