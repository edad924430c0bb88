// The filesystem store here; test/process/catalog-on-s3.test.ts runs the same suite on a real S3 server.
import { filesystemStore } from '../../harness/catalog-stores.ts';
import { serverCatalogSuite } from '../../suites/server-catalog.ts';

serverCatalogSuite(filesystemStore);
