// Who started a recording: the catalog keeps the user the server saw start it through its proxy, never
// a name an upload carries, and keeps it across a restart.
// The filesystem store here; test/process/catalog-on-s3.test.ts runs the same suite on a real S3 server.
import { filesystemStore } from '../../harness/catalog-stores.ts';
import { catalogStartedBySuite } from '../../suites/catalog-started-by.ts';

catalogStartedBySuite(filesystemStore);
