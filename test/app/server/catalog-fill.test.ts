// Three namespaces filling the whole catalog: the newest recording of each grows past its namespace's
// quota, uploads started together each take the whole remaining allowance, and an upload that never
// finishes holds its share for ever. Each namespace must stay within its own quota, so that another
// namespace can still upload.
// The filesystem store here; test/process/catalog-on-s3.test.ts runs the same suite on a real S3 server.
import { filesystemStore } from '../../harness/catalog-stores.ts';
import { catalogFillSuite } from '../../suites/catalog-fill.ts';

catalogFillSuite(filesystemStore);
