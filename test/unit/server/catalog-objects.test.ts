// The catalog's artifacts as objects of the filesystem store; test/process/catalog-on-s3.test.ts runs the
// same suite on a real S3 server.
import { filesystemStore } from '../../harness/catalog-stores.ts';
import { catalogObjectsSuite } from '../../suites/catalog-objects.ts';

catalogObjectsSuite(filesystemStore);
