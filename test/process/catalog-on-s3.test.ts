// Store portability: the catalog's suites, the same bodies the unit and app tiers run on the filesystem
// store, run here on the `s3` store against a real S3 server (versitygw with its POSIX backend, started
// for this file and stopped by its PID).
import { s3StoreForFile } from '../harness/catalog-stores.ts';
import { catalogFillSuite } from '../suites/catalog-fill.ts';
import { catalogGzipBombSuite } from '../suites/catalog-gzip-bomb.ts';
import { catalogObjectsSuite } from '../suites/catalog-objects.ts';
import { catalogStartedBySuite } from '../suites/catalog-started-by.ts';
import { catalogStoreSuite } from '../suites/catalog-store.ts';
import { catalogTrustSuite } from '../suites/catalog-trust.ts';
import { serverCatalogSuite } from '../suites/server-catalog.ts';

const s3 = s3StoreForFile();

catalogStoreSuite(s3);
catalogObjectsSuite(s3);
catalogFillSuite(s3);
catalogGzipBombSuite(s3);
catalogStartedBySuite(s3);
catalogTrustSuite(s3);
serverCatalogSuite(s3);
