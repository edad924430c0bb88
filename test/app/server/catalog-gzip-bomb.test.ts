// A flame-tree.bin.gz that inflates to far more than any tree: every viewer of the recording would
// inflate it. The server inflates each one once on upload and refuses it past the viewers' limit.
// The filesystem store here; test/process/catalog-on-s3.test.ts runs the same suite on a real S3 server.
import { filesystemStore } from '../../harness/catalog-stores.ts';
import { catalogGzipBombSuite } from '../../suites/catalog-gzip-bomb.ts';

catalogGzipBombSuite(filesystemStore);
